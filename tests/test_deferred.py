"""Modules deferred to first use (sim/deferred.py): a stand-in until an attribute is read,
then the real module, loaded once; and a run of the model loads no pandas."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap

import pytest

from sim.deferred import _OnFirstUse, defer

from .conftest import ROOT


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A package ``lazypkg`` with a submodule, each counting how often its code ran."""
    root = tmp_path / "lazypkg"
    root.mkdir()
    (root / "__init__.py").write_text("RUNS = []\nRUNS.append('pkg')\nVALUE = 7\n")
    (root / "sub.py").write_text(textwrap.dedent("""
        import lazypkg
        lazypkg.RUNS.append('sub')
        ANSWER = 42
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "lazypkg"
    for name in [m for m in sys.modules if m.split(".")[0] == "lazypkg"]:
        del sys.modules[name]


def test_a_deferred_module_runs_only_when_an_attribute_is_read(package):
    defer([package])
    stand_in = sys.modules[package]
    assert isinstance(stand_in, _OnFirstUse)
    again = importlib.import_module(package)  # an import statement loads nothing
    assert again is stand_in and "RUNS" not in vars(stand_in)
    assert stand_in.VALUE == 7  # the first read loads it
    real = sys.modules[package]
    assert not isinstance(real, _OnFirstUse) and real.RUNS == ["pkg"]
    assert stand_in.RUNS is real.RUNS  # later reads through the stand-in are handed on
    assert importlib.import_module(package) is real


def test_a_deferred_submodule_is_found_on_its_package_without_loading(package):
    defer([f"{package}.sub"])
    parent = sys.modules[package]
    assert parent.RUNS == ["pkg"]  # the package itself is imported, the submodule not
    assert isinstance(parent.sub, _OnFirstUse)
    from lazypkg import sub  # noqa: F401 (an import that reads the parent's attribute)

    assert parent.RUNS == ["pkg"]
    assert sub.ANSWER == 42 and parent.RUNS == ["pkg", "sub"]
    assert sys.modules[f"{package}.sub"].ANSWER == 42


def test_a_deferred_package_lets_a_submodule_load_without_it(package):
    defer([package])
    stand_in = sys.modules[package]
    sub = importlib.import_module(f"{package}.sub")  # its code imports the package...
    assert sub.ANSWER == 42
    real = sys.modules[package]  # ... which loads it (the stand-in kept what it had)
    assert real.RUNS == ["pkg", "sub"] and real.sub is sub and stand_in.sub is sub


def test_defer_leaves_imported_and_missing_modules_alone(package):
    real = importlib.import_module(package)
    defer([package, "no_such_module_anywhere"])
    assert sys.modules[package] is real
    assert "no_such_module_anywhere" not in sys.modules


def test_a_failing_load_leaves_the_stand_in_to_fail_again(package, tmp_path):
    (tmp_path / "lazypkg" / "__init__.py").write_text("raise RuntimeError('broken')\n")
    defer([package])
    stand_in = sys.modules[package]
    for _ in range(2):
        with pytest.raises(RuntimeError, match="broken"):
            stand_in.VALUE
        assert sys.modules[package] is stand_in


@pytest.mark.slow
def test_a_run_loads_no_pandas_until_results_are_asked():
    code = textwrap.dedent("""
        import sys
        from sim.model import HealthSystemModel
        model = HealthSystemModel("baseline", seed=1, population__size=500,
                                  population__neighbourhoods=1, system__burn_in_weeks=2)
        model.run(3)
        before = [m for m in ("pandas.core", "pyarrow", "numpy.f2py.f2py2e", "scipy.linalg._misc")
                  if m in sys.modules]
        frame = model.timeseries()
        print(before, len(frame), type(frame).__module__.split(".")[0])
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]", "3", "pandas"]


def test_scanning_the_loaded_modules_loads_no_stand_in(package):
    import inspect

    defer([package])
    stand_in = sys.modules[package]
    assert stand_in.__file__.endswith("__init__.py")
    code = test_scanning_the_loaded_modules_loads_no_stand_in.__code__  # no __module__:
    assert inspect.getmodule(code) is sys.modules[__name__]  # found by scanning sys.modules
    assert sys.modules[package] is stand_in and "RUNS" not in vars(stand_in)
