"""A seeded, time-bounded fuzz sample under a memory cap: a few hundred mutated scenario,
sweep and targets files and command lines (see tests/fuzz_driver.py), each exit 0 with
complete results (or calibrate's 1 for a missed target) or exit 2 with one message:
never a traceback, a hang or memory beyond the cap."""

from __future__ import annotations

import os
import resource
import subprocess
import sys

import pytest

from .conftest import ROOT

SEED = 20  # the sample is the same on every run; change it to explore further
EXAMPLES = 300
MEMORY_CAP = 3 * 2**30  # address space of the whole process, libraries included


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


@pytest.mark.slow
def test_a_fuzz_sample_keeps_every_promise(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "tests.fuzz_driver", str(SEED), str(EXAMPLES)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
                          preexec_fn=_capped)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-8000:]
    assert f"{EXAMPLES} cases kept the promise" in done.stdout


def test_the_memory_cap_bites(tmp_path):
    """The cap is real: the same process cannot hold a 4 GB buffer."""
    code = "b = bytearray(4 * 2**30)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, preexec_fn=_capped)
    assert done.returncode != 0 and "MemoryError" in done.stderr
