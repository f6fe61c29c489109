"""Shared fixtures: small, fast scenarios and a CLI runner in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.process import wait_passively

wait_passively()  # as the entry points do: idle threads of the passes sleep, not spin

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


@pytest.fixture
def small():
    """Overrides that make any scenario quick: 3,000 residents."""
    return {"population.size": 3000, "population.neighbourhoods": 3,
            "population.practice_list_size": 1500}


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run ``python run.py ARGS`` as a user would; capture output."""
    return subprocess.run([sys.executable, str(ROOT / "run.py"), *map(str, args)],
                          cwd=cwd or ROOT, capture_output=True, text=True, timeout=timeout)


def write(path: Path, text: str) -> Path:
    """Write a file (dedented) and return its path."""
    import textwrap

    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path
