"""The command line as a user meets it: outputs, bad input and exit codes."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from sim.metrics import COLUMNS

from .conftest import SCENARIOS, run_cli, write

pytestmark = pytest.mark.slow  # every test here runs the CLI in a subprocess; CI runs them

SMALL = ["--set", "population.size=2000", "--set", "population.neighbourhoods=2",
         "--set", "population.practice_list_size=1000"]


def test_run_writes_the_contract_files(tmp_path):
    out = tmp_path / "out"
    done = run_cli("run", SCENARIOS / "baseline.yaml", "--weeks", "12", "--seed", "5",
                   "--replicates", "2", "--out", out, *SMALL)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "report.html", "scenario.yaml", "summary.csv", "tables.xlsx", "timeseries.csv",
        "timeseries.parquet"]
    frame = pd.read_parquet(out / "timeseries.parquet")
    assert list(frame.columns) == ["replicate", "seed", *COLUMNS]
    assert len(frame) == 24
    resolved = yaml.safe_load((out / "scenario.yaml").read_text())
    assert resolved["seed"] == 5 and resolved["weeks"] == 12
    assert resolved["population"]["size"] == 2000
    assert "Placesim 0.1.0" in (out / "scenario.yaml").read_text().splitlines()[0]
    summary = pd.read_csv(out / "summary.csv")
    assert summary["seed"].tolist() == [5, 6]
    # The resolved scenario runs again as it is, to the same numbers.
    again = tmp_path / "again"
    done = run_cli("run", out / "scenario.yaml", "--out", again, "--replicates", "2", "--quiet")
    assert done.returncode == 0, done.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(again / "timeseries.parquet"), frame)


def test_validate_and_list():
    done = run_cli("validate", SCENARIOS / "baseline.yaml")
    assert done.returncode == 0 and done.stdout.strip() == "ok"
    listing = run_cli("list")
    assert listing.returncode == 0
    assert "scenarios/baseline.yaml" in listing.stdout


BAD = {
    "malformed": ("population: {size: 10\n", "", "malformed YAML"),
    "unknown_key": ("network:\n  mean_degre: 4\n", "network.mean_degre", "did you mean"),
    "wrong_type": ("population:\n  size: many\n", "population.size", "integer"),
    "out_of_range": ("network:\n  rewire: 2\n", "network.rewire", "less than or equal"),
    "cycle": ("extends: bad.yaml\n", "extends", "cycle"),
}


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("command", ["run", "validate"])
def test_bad_input_exits_2_naming_file_and_key(tmp_path, case, command):
    text, key, words = BAD[case]
    bad = write(tmp_path / "bad.yaml", text)
    out = tmp_path / "results"
    args = ["run", bad, "--out", out] if command == "run" else ["validate", bad]
    done = run_cli(*args)
    assert done.returncode == 2
    assert str(bad) in done.stderr
    assert key in done.stderr and words in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())


def test_missing_file_and_bad_set(tmp_path):
    done = run_cli("run", tmp_path / "none.yaml", "--out", tmp_path / "o")
    assert done.returncode == 2 and "file not found" in done.stderr
    done = run_cli("run", SCENARIOS / "baseline.yaml", "--set", "netwrk.kind=x",
                   "--out", tmp_path / "o")
    assert done.returncode == 2 and "netwrk.kind" in done.stderr
    done = run_cli("run", SCENARIOS / "baseline.yaml", "--weeks", "0", "--out", tmp_path / "o")
    assert done.returncode == 2 and "at least 1" in done.stderr
    assert not (tmp_path / "o").exists()


def test_refuses_existing_results_directory(tmp_path):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    done = run_cli("run", SCENARIOS / "baseline.yaml", "--weeks", "2", "--out", out, *SMALL)
    assert done.returncode == 2 and "not empty" in done.stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_enormous_population_refused_with_estimate(tmp_path):
    done = run_cli("run", SCENARIOS / "baseline.yaml", "--set", "population.size=20000000",
                   "--set", "network.mean_degree=100", "--out", tmp_path / "o")
    assert done.returncode == 2
    assert "GB" in done.stderr and "population.size" in done.stderr
    assert not (tmp_path / "o").exists()
