"""Reliability: bad input never crashes, interrupted work never leaves half a result."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main

from .conftest import ROOT, SCENARIOS, write

# --- the catalogue of bad input: each gets exit 2 and names the file and key -------------

CATALOGUE = {
    "malformed YAML": ("population: [1, 2\n", "malformed YAML"),
    "tab indentation": ("population:\n\tsize: 10\n", "malformed YAML"),
    "wrong type": ("population:\n  size: [1, 2]\n", "population.size"),
    "bool for number": ("network:\n  mean_degree: true\n", "network.mean_degree"),
    "out of range": ("population:\n  female_share: -0.1\n", "population.female_share"),
    "infinite": ("need:\n  low_per_year: .inf\n", "need.low_per_year"),
    "not a number": ("need:\n  low_per_year: .nan\n", "need.low_per_year"),
    "shares do not sum to one": ("population:\n  deprivation_mix: [0.1, 0.1, 0.1, 0.1, 0.1]\n",
                                 "sum to 1"),
    "wrong number of shares": ("population:\n  deprivation_mix: [0.5, 0.5]\n",
                               "population.deprivation_mix"),
    "role mix does not sum to one": ("policies:\n  social_movement:\n    role_mix: [0.5, 0.5, 0.5]\n",
                                     "role_mix"),
    "unknown policy kind": ("policies:\n  screnning: {}\n", "did you mean 'screening'"),
    "unknown policy parameter": ("policies:\n  screening:\n    uptak: 0.5\n",
                                 "policies.screening.uptak"),
    "duplicate policy": ("policies:\n  campaign: {}\n  campaign: {}\n", "duplicate key"),
    "policies not a mapping": ("policies: [screening]\n", "policies"),
    "empty file": ("", "empty"),
    "only a comment": ("# nothing\n", "empty"),
    "a list at the top": ("- name: x\n", "mapping"),
    "python tag": ("seed: !!python/object/apply:os.getpid []\n", "tags"),
    "alias bomb": ("a: &a [1, 1]\nb: [*a, *a]\n", "aliases"),
    "missing parent": ("extends: missing.yaml\n", "not found"),
    "extends not a string": ("extends: 3\n", "extends"),
    "choice not allowed": ("system:\n  governance: anarchic\n", "system.governance"),
    "negative weeks": ("weeks: -5\n", "weeks"),
    "enormous population": ("population:\n  size: 20000000\nnetwork:\n  mean_degree: 100\n",
                            "GB"),
}


@pytest.mark.parametrize("case", sorted(CATALOGUE))
def test_bad_input_catalogue(tmp_path, capsys, case):
    text, expected = CATALOGUE[case]
    bad = write(tmp_path / "bad.yaml", text)
    out = tmp_path / "out"
    code = main(["run", str(bad), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert str(bad) in err or "scenario" in err
    assert expected in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.yaml"]


def test_extends_cycle_through_three_files(tmp_path, capsys):
    write(tmp_path / "a.yaml", "extends: b.yaml\n")
    write(tmp_path / "b.yaml", "extends: c.yaml\n")
    write(tmp_path / "c.yaml", "extends: a.yaml\n")
    assert main(["validate", str(tmp_path / "a.yaml")]) == 2
    assert "a.yaml -> b.yaml -> c.yaml -> a.yaml" in capsys.readouterr().err


@pytest.mark.parametrize("assignment,expected", [
    ("network.mean_degre=3", "did you mean 'network.mean_degree'"),
    ("policies.screening.uptake=2", "policies.screening.uptake"),
    ("population.size=abc", "population.size"),
    ("novalue", "key.path=value"),
])
def test_bad_set_overrides(tmp_path, capsys, assignment, expected):
    code = main(["run", str(SCENARIOS / "baseline.yaml"), "--set", assignment,
                 "--out", str(tmp_path / "o"), "--quiet"])
    assert code == 2
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


# --- property: any mutation of a shipped scenario is a valid run or a clean exit 2 --------

SMALL_RUN = ["--set", "population.size=300", "--set", "population.neighbourhoods=2",
             "--set", "population.practice_list_size=500", "--weeks", "2", "--quiet"]
NASTY = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.lists(st.floats(-2, 2), max_size=6), st.dictionaries(st.text(max_size=5), st.integers(),
                                                            max_size=2))
SHIPPED = sorted(p for p in SCENARIOS.glob("*.yaml"))


@pytest.mark.parametrize("source", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_runs_small(tmp_path, source):
    """The property test below is only meaningful if unmutated scenarios run."""
    assert main(["run", str(source), "--out", str(tmp_path / "o"), *SMALL_RUN]) == 0


def _paths(data, prefix=()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_scenarios_run_or_exit_2(tmp_path_factory, data):
    source = data.draw(st.sampled_from(SHIPPED), label="scenario")
    scenario = yaml.safe_load(source.read_text())
    paths = list(_paths(scenario)) + [("policies", "campaign"), ("network", "kind"),
                                      ("population", "deprivation_mix"), ("bogus",)]
    path = data.draw(st.sampled_from(paths), label="path")
    action = data.draw(st.sampled_from(["set", "delete", "rename"]), label="action")
    node = scenario
    for part in path[:-1]:
        node = node.setdefault(part, {}) if isinstance(node, dict) else {}
    if isinstance(node, dict):
        if action == "set":
            node[path[-1]] = data.draw(NASTY, label="value")
        elif action == "delete":
            node.pop(path[-1], None)
        else:
            node[str(path[-1]) + "x"] = node.pop(path[-1], 1)
    folder = tmp_path_factory.mktemp("mut")
    (folder / "baseline.yaml").write_text((SCENARIOS / "baseline.yaml").read_text())
    mutated = folder / "mutated.yaml"
    mutated.write_text(yaml.safe_dump(scenario))
    out = folder / "out"
    # Keep any valid run tiny: size and weeks go through --set unless the mutation is
    # about them, in which case they are kept to values that cannot be slow.
    extra = list(SMALL_RUN)
    code = main(["run", str(mutated), "--out", str(out), *extra])
    assert code in (0, 2)
    if code == 0:
        assert sorted(p.name for p in out.iterdir()) == [
            "report.html", "scenario.yaml", "summary.csv", "tables.xlsx", "timeseries.csv",
            "timeseries.parquet"]
    else:
        assert not out.exists()
    assert not list(folder.glob(".*partial*"))


# --- interrupted work ---------------------------------------------------------------------


# The replicates on as many workers as the command chooses (run), and on two (compare:
# the pool's path on any machine), interrupted while they start or run.
LONG = {
    "run": ["run", str(SCENARIOS / "baseline.yaml")],
    # in this process, the passes in threads: the kernels' returns run Python of Numba's
    "run-here": ["run", str(SCENARIOS / "baseline.yaml"), "--workers", "1"],
    "compare": ["compare", str(SCENARIOS / "done_to.yaml"), str(SCENARIOS / "done_with.yaml"),
                "--workers", "2"],
}


def _interruptible() -> None:
    # A shell running these tests in the background (``.ci/run &``) ignores SIGINT, and a
    # child inherits that, so Python would never turn Ctrl-C into KeyboardInterrupt: give
    # the run the default, as it has in a terminal.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_long_run(out: Path, command: str = "run") -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "run.py"), *LONG[command], "--out", str(out),
         "--set", "population.size=100000", "--replicates", "3"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_interruptible)


def _wait_for_partial(folder: Path, proc: subprocess.Popen, timeout: float = 60) -> Path:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = list(folder.glob(".*.partial-*"))
        if found:
            time.sleep(1.0)  # well inside the run
            return found[0]
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.05)
    raise AssertionError("the run never started writing")


@pytest.mark.slow  # a subprocess, browser, Dask cluster or signal: CI runs it
@pytest.mark.parametrize("command", sorted(LONG))
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_run_leaves_nothing(tmp_path, sig, command):
    out = tmp_path / "out"
    proc = _start_long_run(out, command)
    _wait_for_partial(tmp_path, proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "interrupted" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow  # a subprocess, browser, Dask cluster or signal: CI runs it
def test_killed_run_is_cleaned_up_by_the_next(tmp_path):
    out = tmp_path / "out"
    proc = _start_long_run(out)
    partial = _wait_for_partial(tmp_path, proc)
    proc.kill()
    proc.wait(timeout=30)
    assert partial.exists() and not out.exists()  # SIGKILL: no chance to clean up
    code = main(["run", str(SCENARIOS / "baseline.yaml"), "--out", str(tmp_path / "next"),
                 *SMALL_RUN])
    assert code == 0
    assert not partial.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["next"]
