"""Sweeps as a researcher relies on them: same rows whatever runs them, resumable after
SIGKILL, failures recorded, bad input refused, sensitivity indices that find the driver."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.sweep import load_sweep, read_runs, run_sweep, simulate

from .conftest import ROOT, SCENARIOS, write

SMALL = """\
scenario: baseline
set:
  population.size: 2000
  population.neighbourhoods: 2
  population.practice_list_size: 1000
  weeks: 12
"""

GRID = SMALL + """\
name: tiny
design: grid
parameters:
  network.mean_degree: [4, 8]
  network.kind: [small_world, erdos_renyi]
replicates: 2
seed: 7
outputs: [gp_appointments_per_1000, mean_dependence, group_members]
"""


@pytest.fixture(scope="module")
def grid_file(tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("sweep") / "grid.yaml", GRID)


@pytest.fixture(scope="module")
def reference(grid_file, tmp_path_factory) -> pd.DataFrame:
    """The grid's rows with one local worker: what every other engine must reproduce."""
    out = tmp_path_factory.mktemp("ref") / "out"
    done = run_sweep(grid_file, out, workers=1)
    assert done.ran == 8 and done.failed == 0
    return done.runs


# --- the same rows whatever runs them --------------------------------------------------


def test_rows_are_the_model_on_each_runs_seed(reference, grid_file):
    spec = load_sweep(grid_file)
    assert reference["run_index"].tolist() == list(range(8))
    assert reference["replicate"].tolist() == [0, 1] * 4
    # Common random numbers: replicate r of every point runs on seed + r.
    assert reference["seed"].tolist() == [7, 8] * 4
    assert reference["error"].isna().all()
    row = reference.iloc[5]  # point 2 = (mean_degree 8, small_world), replicate 1
    assert (row["network.mean_degree"], row["network.kind"]) == (8.0, "small_world")
    direct = simulate(spec.scenario.with_overrides(
        {"network.mean_degree": 8.0, "network.kind": "small_world"}), 8)
    for name in spec.outputs:
        assert row[name] == pytest.approx(direct[name], rel=0, abs=0)


def test_two_workers_give_identical_rows(reference, grid_file, tmp_path):
    done = run_sweep(grid_file, tmp_path / "out", workers=2)
    pd.testing.assert_frame_equal(done.runs, reference)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        ".lock", "design.csv", "report.html", "runs.parquet", "sweep.yaml"]
    # The results directory's sweep.yaml runs again to the same rows.
    again = run_sweep(tmp_path / "out" / "sweep.yaml", tmp_path / "again", workers=1)
    pd.testing.assert_frame_equal(again.runs, reference)


@pytest.mark.slow  # a subprocess, browser, Dask cluster or signal: CI runs it
def test_a_dask_cluster_gives_identical_rows(reference, grid_file, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(host="127.0.0.1", processes=True, n_workers=2,
                                  threads_per_worker=1, dashboard_address=None,
                                  silence_logs=50) as cluster:
        done = run_sweep(grid_file, tmp_path / "out", scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(done.runs, reference)


def test_unreachable_scheduler_is_bad_input(grid_file, tmp_path, capsys):
    code = main(["sweep", str(grid_file), "--out", str(tmp_path / "out"), "--quiet",
                 "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 2
    assert "--scheduler" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# --- killed and resumed ------------------------------------------------------------------

LONG = SMALL.replace("2000", "1500").replace("weeks: 12", "weeks: 10") + """\
name: long
design: grid
parameters:
  network.mean_degree: {bounds: [2, 12], steps: 10}
  community.p_invite: [0.05, 0.3]
replicates: 2
seed: 11
outputs: [gp_appointments_per_1000, group_members]
"""


@pytest.mark.slow  # a subprocess, browser, Dask cluster or signal: CI runs it
def test_a_sweep_killed_with_sigkill_resumes_to_the_same_result(tmp_path):
    sweep = write(tmp_path / "long.yaml", LONG)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, str(ROOT / "run.py"), "sweep", str(sweep),
                             "--out", str(out), "--workers", "2", "--quiet"],
                            cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        # Kill it once a few parts are on disk: part-way, with runs in flight.
        while len(list((out / "runs.parquet").glob("part-*.parquet"))) < 4:
            assert proc.poll() is None, "the sweep finished or died before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(10) == -signal.SIGKILL
    finally:
        _kill_group(proc.pid)
    partial = read_runs(out)
    assert 4 <= len(partial) < 40
    assert not (out / "report.html").exists()

    # A fresh sweep into the directory is refused; --resume finishes it.
    assert main(["sweep", str(sweep), "--out", str(out), "--quiet"]) == 2
    done = run_sweep(sweep, out, workers=2, resume=True)
    assert done.ran == 40 - len(partial)
    assert done.runs["run_index"].tolist() == list(range(40))
    raw = pd.read_parquet(out / "runs.parquet")  # the dataset as any reader sees it
    assert len(raw) == 40 and raw["run_index"].is_unique
    whole = run_sweep(sweep, tmp_path / "whole", workers=2)
    pd.testing.assert_frame_equal(done.runs, whole.runs)
    # Resuming a finished sweep runs nothing and changes nothing.
    assert run_sweep(sweep, out, resume=True).ran == 0
    assert len(pd.read_parquet(out / "runs.parquet")) == 40


def _kill_group(pid: int) -> None:
    """End what the killed sweep left behind (its pool workers), by its process group."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def test_resume_refuses_a_different_sweep_or_no_out(grid_file, reference, tmp_path, capsys):
    out = tmp_path / "out"
    run_sweep(grid_file, out, workers=1)
    changed = write(tmp_path / "changed.yaml", GRID.replace("seed: 7", "seed: 8"))
    assert main(["sweep", str(changed), "--out", str(out), "--resume", "--quiet"]) == 2
    assert "differs from the sweep started" in capsys.readouterr().err
    assert main(["sweep", str(grid_file), "--resume", "--quiet"]) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["sweep", str(grid_file), "--out", str(tmp_path / "none"), "--resume",
                 "--quiet"]) == 2
    assert not (tmp_path / "none").exists()


# --- failures ------------------------------------------------------------------------------


def fails_on_degree_8(scenario, seed):
    """A model that raises for one parameter value (module level: workers import it)."""
    if scenario.network.mean_degree == 8 and scenario.network.kind == "erdos_renyi":
        raise ValueError("no convergence at mean_degree 8")
    return simulate(scenario, seed)


def dies_once(scenario, seed):
    """A model whose worker process dies the first time it meets one run."""
    marker = Path(os.environ["PLACESIM_TEST_MARKER"])
    if scenario.network.mean_degree == 4 and seed == 8 and not marker.exists():
        marker.write_text("died")
        os._exit(1)
    return simulate(scenario, seed)


def test_a_run_that_raises_is_recorded_and_the_sweep_goes_on(grid_file, reference, tmp_path):
    done = run_sweep(grid_file, tmp_path / "out", workers=2, model=fails_on_degree_8)
    bad = done.runs["error"].notna()
    assert done.runs.loc[bad, "point"].tolist() == [3, 3]
    assert done.failed == 2
    assert done.runs.loc[bad, "error"].str.contains("ValueError: no convergence").all()
    assert done.runs.loc[bad, "gp_appointments_per_1000"].isna().all()
    pd.testing.assert_frame_equal(done.runs[~bad], reference[~bad])
    assert "Failed runs (2)" in (tmp_path / "out" / "report.html").read_text()


@pytest.mark.slow  # a subprocess, browser, Dask cluster or signal: CI runs it
def test_a_worker_that_dies_is_retried(grid_file, reference, tmp_path, monkeypatch):
    marker = tmp_path / "died"
    monkeypatch.setenv("PLACESIM_TEST_MARKER", str(marker))
    done = run_sweep(grid_file, tmp_path / "out", workers=2, model=dies_once)
    assert marker.exists()  # a worker did die
    pd.testing.assert_frame_equal(done.runs, reference)


# --- bad input -----------------------------------------------------------------------------

BAD = {
    "inverted bounds": ("design: lhs\nsamples: 8\nparameters:\n  network.mean_degree: {bounds: [9, 3]}\n",
                        "parameters.network.mean_degree.bounds", "inverted"),
    "empty bounds": ("design: lhs\nsamples: 8\nparameters:\n  network.mean_degree: {bounds: [4, 4]}\n",
                     "parameters.network.mean_degree.bounds", "expected lo < hi"),
    "out of range": ("design: lhs\nsamples: 8\nparameters:\n  network.rewire: {bounds: [0, 3]}\n",
                     "parameters.network.rewire.bounds[1]", "less than or equal"),
    "unknown path": ("design: grid\nparameters:\n  network.mean_degre: [4, 8]\n",
                     "parameters.network.mean_degre", "did you mean 'network.mean_degree'"),
    "unknown design": ("design: sobel\nsamples: 8\nparameters:\n  network.mean_degree: [4]\n",
                       "design", "did you mean 'sobol'"),
    "bad replicates": ("design: grid\nreplicates: 0\nparameters:\n  network.mean_degree: [4]\n",
                       "replicates", "expected a whole number"),
    "unknown output": ("design: grid\noutputs: [gp_apointments_per_1000]\nparameters:\n"
                       "  network.mean_degree: [4]\n",
                       "outputs[0]", "did you mean 'gp_appointments_per_1000'"),
    "sobol not 2^k": ("design: sobol\nsamples: 100\nparameters:\n  network.mean_degree: {bounds: [2, 9]}\n"
                      "  community.p_invite: {bounds: [0.1, 0.3]}\n", "samples", "power of 2"),
    "bad category": ("design: grid\nparameters:\n  network.kind: [small_world, lattice]\n",
                     "parameters.network.kind.values[1]", "small_world"),
    "unknown key": ("design: grid\nreplicate: 3\nparameters:\n  network.mean_degree: [4]\n",
                    "replicate", "did you mean 'replicates'"),
    "bounds on a category": ("design: lhs\nsamples: 4\nparameters:\n  network.kind: {bounds: [0, 1]}\n",
                             "parameters.network.kind.bounds", "values"),
    "grid without steps": ("design: grid\nparameters:\n  network.mean_degree: {bounds: [2, 9]}\n",
                           "parameters.network.mean_degree.steps", "at least 2"),
    "bad set": ("design: grid\nparameters:\n  network.mean_degree: [4]\n", "set.population.sise",
                "did you mean"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_sweep_input_exits_2_naming_file_and_key(case, tmp_path, capsys):
    text, key, words = BAD[case]
    head = SMALL.replace("population.size", "population.sise") if case == "bad set" else SMALL
    sweep = write(tmp_path / "bad.yaml", head + text)
    out = tmp_path / "out"
    for argv in (["validate", str(sweep)], ["sweep", str(sweep), "--out", str(out), "--quiet"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert f"{sweep}: {key}:" in err and words in err, err
    assert not out.exists()


def test_a_fresh_sweep_refuses_a_non_empty_directory(grid_file, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "precious.csv").write_text("keep me")
    assert main(["sweep", str(grid_file), "--out", str(out), "--quiet"]) == 2
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["precious.csv"]


# --- sensitivity ---------------------------------------------------------------------------


def linear_model(scenario, seed):
    """A stand-in model with known sensitivities: degree drives demand, p_invite barely."""
    from sim.sweep import known_outputs

    out = dict.fromkeys(known_outputs(), 0.0)
    out["gp_appointments_per_1000"] = (100.0 * scenario.network.mean_degree
                                       + 10.0 * scenario.community.p_invite)
    out["mean_dependence"] = scenario.community.p_invite  # only p_invite
    return out


SAMPLED = SMALL + """\
parameters:
  network.mean_degree: {bounds: [2, 12]}
  community.p_invite: {bounds: [0.05, 0.4]}
outputs: [gp_appointments_per_1000, mean_dependence]
"""


@pytest.mark.parametrize("design", ["sobol", "morris"])
def test_indices_find_the_parameter_that_drives_each_output(design, tmp_path):
    sweep = write(tmp_path / "s.yaml", SAMPLED + f"design: {design}\nsamples: 32\n")
    spec = load_sweep(sweep)
    assert spec.runs == (32 * 4 if design == "sobol" else 32 * 3)
    run_sweep(spec, tmp_path / "out", workers=2, model=linear_model)
    table = pd.read_csv(tmp_path / "out" / "sensitivity.csv").set_index(["output", "parameter"])
    gp, dep = "gp_appointments_per_1000", "mean_dependence"
    if design == "sobol":
        assert list(table.columns[:4]) == ["S1", "S1_conf", "ST", "ST_conf"]
        assert table.loc[(gp, "network.mean_degree"), "S1"] > 0.9
        assert abs(table.loc[(gp, "community.p_invite"), "S1"]) < 0.05
        assert table.loc[(dep, "community.p_invite"), "ST"] > 0.9
        assert abs(table.loc[(dep, "network.mean_degree"), "ST"]) < 0.05
    else:
        assert list(table.columns[:4]) == ["mu", "mu_star", "mu_star_conf", "sigma"]
        # A linear effect: mu* is the slope times the range (effects are per the whole
        # range, 100 x (12 - 2)), and sigma ~ 0 (no interaction).
        assert table.loc[(gp, "network.mean_degree"), "mu_star"] == pytest.approx(1000.0, rel=1e-6)
        assert table.loc[(gp, "network.mean_degree"), "sigma"] == pytest.approx(0.0, abs=1e-6)
        assert table.loc[(dep, "network.mean_degree"), "mu_star"] == pytest.approx(0.0, abs=1e-9)
    assert "Sensitivity" in (tmp_path / "out" / "report.html").read_text()


def test_sampled_designs_are_reproducible_and_within_bounds(tmp_path):
    text = SAMPLED + "design: lhs\nsamples: 16\nreplicates: 2\n"
    a = load_sweep(write(tmp_path / "a.yaml", text))
    b = load_sweep(write(tmp_path / "b.yaml", text))
    assert a.points == b.points and len(a.points) == 16 and a.runs == 32
    degree = np.array([p["network.mean_degree"] for p in a.points])
    assert degree.min() >= 2 and degree.max() <= 12
    # LHS: one sample in each of the 16 equal strata of every parameter.
    assert sorted(np.floor((degree - 2) / 10 * 16).astype(int)) == list(range(16))
    other = load_sweep(write(tmp_path / "c.yaml", text + "seed: 2\n"))
    assert other.points != a.points


def test_a_categorical_factor_in_a_sampled_design_takes_each_value(tmp_path):
    text = SAMPLED + "design: lhs\nsamples: 20\n"
    text = text.replace("outputs:", "  network.kind: [small_world, erdos_renyi]\noutputs:")
    spec = load_sweep(write(tmp_path / "s.yaml", text))
    kinds = [p["network.kind"] for p in spec.points]
    assert kinds.count("small_world") == kinds.count("erdos_renyi") == 10


# --- the report and the shipped sweeps --------------------------------------------------------


def test_report_draws_response_curves_for_a_one_parameter_grid(grid_file, reference, tmp_path):
    run_sweep(grid_file, tmp_path / "out", workers=1)
    text = (tmp_path / "out" / "report.html").read_text()
    assert "Response curves" in text and "kind=erdos_renyi" in text
    assert "gp appointments per 1000 against network.mean_degree" in text


@pytest.mark.parametrize("path", sorted((SCENARIOS / "sweeps").glob("*.yaml")),
                         ids=lambda p: p.name)
def test_shipped_sweeps_validate(path, capsys):
    assert main(["validate", str(path)]) == 0
    spec = load_sweep(path)
    assert spec.description and spec.runs >= 50


def test_the_docs_mesa_batch_run_example_runs():
    import mesa

    from sim import HealthSystemModel

    rows = mesa.batch_run(
        HealthSystemModel,
        parameters={"scenario": "baseline", "population__size": 1500,
                    "population__neighbourhoods": 2, "population__practice_list_size": 1000,
                    "network__mean_degree": [4, 8]},
        rng=[1, 2], max_steps=4, number_processes=1, display_progress=False)
    frame = pd.DataFrame(rows)
    assert len(frame) == 4 and set(frame["seed"]) == {1, 2}
    assert (frame["gp_appointments"] > 0).all()


@pytest.mark.slow  # a subprocess, browser, Dask cluster or signal: CI runs it
def test_a_dask_worker_that_dies_mid_run_is_survived(grid_file, reference, tmp_path, monkeypatch):
    """A real Dask worker process exits in the middle of a run; its nanny restarts it,
    the scheduler reruns the task, and the sweep's rows are as if nothing happened."""
    distributed = pytest.importorskip("distributed")
    marker = tmp_path / "died"
    monkeypatch.setenv("PLACESIM_TEST_MARKER", str(marker))
    with distributed.LocalCluster(host="127.0.0.1", processes=True, n_workers=2,
                                  threads_per_worker=1, dashboard_address=None,
                                  silence_logs=50) as cluster:
        done = run_sweep(grid_file, tmp_path / "out", scheduler=cluster.scheduler_address,
                         model=dies_once)
    assert marker.exists()  # a worker did die
    pd.testing.assert_frame_equal(done.runs, reference)
