"""The kernels' disk cache is kept in step with every source they are compiled from
(sim/kernels/cache.py): a kernel is never loaded compiled from a helper that has since
changed in another file."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sim.kernels import cache

from .conftest import ROOT


def test_the_sources_are_every_kernel_module_and_every_module_they_import():
    kernels = ROOT / "sim" / "kernels"
    expected = set(kernels.glob("*.py"))
    for path in list(expected):  # read independently: the import statements themselves
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 2 and node.module:
                expected.add(ROOT / "sim" / f"{node.module}.py")
    assert set(cache.sources()) == expected
    assert ROOT / "sim" / "need.py" in expected  # the kinds of need the kernels read


def test_a_cache_from_other_sources_is_emptied_and_one_from_these_is_kept(tmp_path):
    compiled = [tmp_path / "health.health_pass-196.py312.nbi",
                tmp_path / "health.health_pass-196.py312.1.nbc"]
    for path in compiled:
        path.write_bytes(b"old")
    bytecode = tmp_path / "health.cpython-312.pyc"
    bytecode.write_bytes(b"pyc")
    (tmp_path / cache.DIGEST_FILE).write_text("0" * 64 + "\n", encoding="ascii")
    assert cache.keep_in_step(tmp_path) is True
    assert not any(p.exists() for p in compiled) and bytecode.exists()
    assert (tmp_path / cache.DIGEST_FILE).read_text(encoding="ascii").strip() == cache.digest()
    compiled[0].write_bytes(b"new")  # compiled from today's sources
    assert cache.keep_in_step(tmp_path) is False and compiled[0].exists()


def test_a_new_cache_is_stamped_with_todays_sources(tmp_path):
    fresh = tmp_path / "__pycache__"
    assert cache.keep_in_step(fresh) is False
    assert (fresh / cache.DIGEST_FILE).read_text(encoding="ascii").strip() == cache.digest()


def test_the_cache_is_where_numba_files_the_kernels():
    from numba.core.caching import FunctionCache

    from sim.kernels.need import needs

    assert cache.cache_dir() == Path(FunctionCache(needs.py_func)._cache_path)


# A kernel in a module of its own that inlines a helper of draws.py, as the phases do.
_PROBE = '''
import numpy as np
from numba import njit

from .draws import _unit


@njit(cache=True)
def probe(uid):
    return _unit(np.uint64(uid), np.uint64(7))
'''


@pytest.mark.slow
def test_a_kernel_is_compiled_again_when_a_helper_it_inlines_changes(tmp_path):
    package = tmp_path / "sim"
    shutil.copytree(ROOT / "sim", package, ignore=shutil.ignore_patterns("__pycache__"))
    (package / "kernels" / "probe.py").write_text(textwrap.dedent(_PROBE), encoding="utf-8")
    code = ("import sim.kernels, sim.kernels.probe as p, glob; "
            "print(repr(p.probe(5)), len(glob.glob('sim/kernels/__pycache__/probe.*.nbi')))")

    def probe() -> list[str]:
        done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                              text=True, timeout=300, env={"PATH": "/usr/bin:/bin",
                                                           "PYTHONPATH": str(tmp_path)})
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    first, filed = probe()
    assert filed == "1" and probe() == [first, "1"]  # cached, and loaded from the cache
    draws = package / "kernels" / "draws.py"
    text = draws.read_text(encoding="utf-8")
    assert "_TO_UNIT = 1.0 / float(1 << 53)" in text
    draws.write_text(text.replace("_TO_UNIT = 1.0 / float(1 << 53)",
                                  "_TO_UNIT = 0.5 / float(1 << 53)"), encoding="utf-8")
    again, filed = probe()  # probe.py unchanged: Numba alone would load the old kernel
    assert float(again) == float(first) / 2 and filed == "1"
