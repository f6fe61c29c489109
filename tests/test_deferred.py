"""Modules deferred to first use (sim/deferred.py): inside the block a stand-in, which
imports the real module when first read; after it, ordinary imports; and a run of the
model imports no pandas, no tqdm and not all of SciPy's linalg."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
import textwrap

import pytest

from sim.deferred import _OnFirstUse, standing_in

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

        def make(x):
            return ('made', x)
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "lazypkg"
    for name in [m for m in sys.modules if m.split(".")[0] == "lazypkg"]:
        del sys.modules[name]


def test_a_stand_in_runs_its_module_only_when_an_attribute_is_read(package):
    with standing_in([package]):
        stand_in = importlib.import_module(package)  # an import statement loads nothing
        assert isinstance(stand_in, _OnFirstUse) and "RUNS" not in vars(stand_in)
        assert importlib.import_module(package) is stand_in
    assert package not in sys.modules  # after the block: ordinary imports
    assert stand_in.VALUE == 7  # the first read imports it
    real = sys.modules[package]
    assert not isinstance(real, _OnFirstUse) and real.RUNS == ["pkg"]
    assert stand_in.RUNS is real.RUNS  # later reads through the stand-in are handed on
    assert importlib.import_module(package) is real and real.RUNS == ["pkg"]


def test_a_stand_in_submodule_imports_neither_it_nor_its_package(package):
    with standing_in([f"{package}.sub"]):
        stand_in = importlib.import_module(f"{package}.sub")  # as Numba's check does
        assert isinstance(stand_in, _OnFirstUse) and package not in sys.modules
    assert stand_in.ANSWER == 42  # an ordinary import of both, once each
    assert sys.modules[package].RUNS == ["pkg", "sub"]
    assert sys.modules[package].sub is sys.modules[f"{package}.sub"]


def test_a_name_to_call_later_imports_its_module_at_its_first_call(package):
    sub = f"{package}.sub"
    with standing_in([sub], call_later={sub: ["make"]}):
        from lazypkg.sub import make  # bound at import, as mesa.batchrunner binds tqdm

        assert package not in sys.modules  # neither the module nor its package ran
    assert package not in sys.modules and sub not in sys.modules
    assert make(3) == ("made", 3)  # its first call imports both, once each
    assert sys.modules[package].RUNS == ["pkg", "sub"]
    assert make(4) == ("made", 4) and sys.modules[package].RUNS == ["pkg", "sub"]
    assert sys.modules[sub].make is not make and make.__name__ == "make"


def test_after_the_block_a_submodule_first_is_an_ordinary_import(package):
    with standing_in([package]):
        stand_in = importlib.import_module(package)
    from lazypkg import sub  # the package's first use: through a submodule

    assert sub.ANSWER == 42 and stand_in.RUNS == ["pkg", "sub"]
    assert stand_in.sub is sub is sys.modules[f"{package}.sub"]


def test_imported_and_missing_modules_are_left_alone(package):
    real = importlib.import_module(package)
    with standing_in([package, "no_such_module_anywhere"]):
        assert sys.modules[package] is real
        assert "no_such_module_anywhere" not in sys.modules
    assert sys.modules[package] is real


def test_a_failing_import_fails_at_each_read(package, tmp_path):
    (tmp_path / "lazypkg" / "__init__.py").write_text("raise RuntimeError('broken')\n")
    with standing_in([package]):
        stand_in = importlib.import_module(package)
    for _ in range(2):
        with pytest.raises(RuntimeError, match="broken"):
            stand_in.VALUE
        assert package not in sys.modules


def test_scanning_the_loaded_modules_reads_no_stand_in(package):
    with standing_in([package]):
        stand_in = sys.modules[package]
        assert stand_in.__file__.endswith("__init__.py")
        code = test_scanning_the_loaded_modules_reads_no_stand_in.__code__  # no __module__:
        assert inspect.getmodule(code) is sys.modules[__name__]  # found by a scan
        assert "RUNS" not in vars(stand_in)


@pytest.mark.slow
def test_a_run_imports_no_pandas_or_tqdm_until_results_are_asked():
    code = textwrap.dedent("""
        import sys
        from sim.model import HealthSystemModel
        model = HealthSystemModel("baseline", seed=1, population__size=500,
                                  population__neighbourhoods=1, system__burn_in_weeks=2)
        model.run(3)
        loaded = [m for m in ("pandas", "pyarrow", "scipy.linalg", "scipy.linalg.cython_blas",
                              "numpy.f2py", "tqdm") if m in sys.modules]
        from pandas.errors import ParserError  # a package's first use through a submodule
        import pandas.api.types
        frame = model.timeseries()
        import mesa.agent
        same = mesa.agent.pd.Series is sys.modules["pandas"].Series
        print(loaded, len(frame), type(frame).__module__.split(".")[0], same)
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]", "3", "pandas", "True"]
