"""Comparisons across plausible worlds: collapsed ranges, wider ranges, dominance, workers, files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.compare import align_scenarios, compare_scenarios, unique_labels
from sim.compare_draws import prepare_draws, run_probabilistic
from sim.draws import run_draws

from .conftest import SCENARIOS, run_cli, write

TINY = {"population.size": 1200, "population.neighbourhoods": 2,
        "population.practice_list_size": 600}
CO_DESIGN_COST = "policies.co_design.cost_per_1000_year"
CAMPAIGN_COST = "policies.campaign.cost_per_1000_year"
COST = "cost_per_capita"


def _priced_scenario(tmp_path):
    """The baseline plus two programmes that only cost money in the horizon (co-design not
    yet running, a campaign with no effect): the cost difference is their price, exactly."""
    return write(tmp_path / "priced.yaml", f"""
        extends: {SCENARIOS / 'baseline.yaml'}
        name: priced
        policies:
          co_design: {{delay_weeks: 1000}}
          campaign: {{presentation_boost: 0.0, activation_effect: 0.0}}
        """)


# These tests draw over the ranges they set themselves: every declared range is first
# fixed at its central value (entries apply in order, later over earlier).
ONLY_SET = {"uncertainty.*.fixed": True}


def _aligned(paths, overrides, seed=5, replicates=3, weeks=12):
    merged = {**TINY, **ONLY_SET}
    for key, value in overrides.items():  # in the test's order, after ONLY_SET
        merged.pop(key, None)
        merged[key] = value
    specs = [sim.load_scenario(p, overrides=merged) for p in paths]
    specs, _ = align_scenarios(specs, seed=seed, replicates=replicates, weeks=weeks)
    return specs, unique_labels([s.name for s in specs])


def _probabilistic(tmp_path, paths, overrides, draws, workers=2, **kw):
    specs, labels = _aligned(paths, overrides, **kw)
    plan = prepare_draws(specs, labels, draws)
    return run_probabilistic(plan, specs, tmp_path / "draws", workers=workers)


def _row(result, metric, label):
    t = result.table
    return t[(t["metric"] == metric) & (t["scenario"] == label)].iloc[0]


def test_collapsed_ranges_reduce_to_the_seeds_only_comparison(tmp_path):
    collapse = {"uncertainty.network.mean_degree.plausible": [6, 10], "uncertainty.*.fixed": True}
    paths = [SCENARIOS / "done_to.yaml", SCENARIOS / "done_with.yaml"]
    result = _probabilistic(tmp_path, paths, collapse, draws=4)
    assert not result.design.drawn
    # Seeds only, with as many replicates as draws, on the draws' seeds (5..8).
    specs, labels = _aligned(paths, {}, replicates=4)
    seeds_only = compare_scenarios(specs, labels=labels)
    a, b = (seeds_only.runs[label].result.summary for label in labels)
    for metric in ("gp_appointments_per_1000", "ae_attendances_per_1000", COST,
                   "mean_dependence", "gp_requests_per_1000"):
        expected = (b[metric] - a[metric]).to_numpy()
        assert result.differences(metric, "done_with") == pytest.approx(expected, abs=1e-9)
        row = _row(result, metric, "done_with")
        for q, level in (("q05", 0.05), ("q50", 0.5), ("q95", 0.95)):
            assert row[q] == pytest.approx(np.quantile(expected, level), abs=1e-9)
        assert row["share_stochastic"] == 1.0 and row["share_parametric"] == 0.0
        # The draws' mean difference is the seeds-only comparison's, and so its interval.
        assert row["draws"] == 4
        assert expected.mean() == pytest.approx(seeds_only.row(metric, "done_with")["diff"])
    assert result.ranking.empty


def test_widening_a_range_widens_the_interval_and_moves_it_up_the_ranking(tmp_path):
    priced = _priced_scenario(tmp_path)
    narrow = {f"uncertainty.{CO_DESIGN_COST}.plausible": [1400, 1600],
              f"uncertainty.{CAMPAIGN_COST}.plausible": [100, 2000],
              "uncertainty.costs.gp_appointment.plausible": [40, 50]}
    wide = {**narrow, f"uncertainty.{CO_DESIGN_COST}.plausible": [0, 20000]}
    paths = [SCENARIOS / "baseline.yaml", priced]
    before = _probabilistic(tmp_path / "narrow", paths, narrow, draws=16)
    after = _probabilistic(tmp_path / "wide", paths, wide, draws=16)

    def spread(result):
        row = _row(result, COST, "priced")
        return row["q95"] - row["q05"]

    def rank(result):
        r = result.ranking[(result.ranking["metric"] == COST)]
        return dict(zip(r["parameter"], r["rank"])), dict(zip(r["parameter"], r["share"]))

    assert spread(after) > 3 * spread(before)
    (rank_before, share_before), (rank_after, share_after) = rank(before), rank(after)
    assert rank_before[CO_DESIGN_COST] > 1 and rank_before[CAMPAIGN_COST] == 1
    assert rank_after[CO_DESIGN_COST] == 1 and share_after[CO_DESIGN_COST] > 0.7
    assert share_after[CO_DESIGN_COST] > share_before[CO_DESIGN_COST]
    assert _row(after, COST, "priced")["top_assumption"] == CO_DESIGN_COST
    # The cost difference is the programmes' price: no chance in it.
    assert _row(after, COST, "priced")["share_stochastic"] == pytest.approx(0.0, abs=1e-9)


def test_a_scenario_that_costs_more_in_every_world_is_never_better(tmp_path):
    priced = _priced_scenario(tmp_path)
    ranges = {f"uncertainty.{CO_DESIGN_COST}.plausible": [100, 3000],
              "uncertainty.costs.gp_appointment.plausible": [40, 50]}
    result = _probabilistic(tmp_path, [SCENARIOS / "baseline.yaml", priced], ranges, draws=8,
                            workers=1)
    row = _row(result, COST, "priced")
    assert row["p_better"] == 0.0 and row["p_higher"] == 1.0 and row["q025"] > 0
    same = _row(result, "gp_appointments_per_1000", "priced")
    assert same["q025"] == same["q975"] == 0.0 and same["p_better"] == 0.0
    # The other way round, the baseline is cheaper in every world.
    reverse = _probabilistic(tmp_path / "reverse", [priced, SCENARIOS / "baseline.yaml"],
                             ranges, draws=8, workers=1)
    row = _row(reverse, COST, "baseline")
    assert row["p_better"] == 1.0 and row["p_higher"] == 0.0 and row["q975"] < 0


def test_one_and_two_workers_and_a_dask_cluster_give_identical_rows(tmp_path):
    distributed = pytest.importorskip("distributed")
    ranges = {"uncertainty.network.mean_degree.plausible": [5, 11],
              f"uncertainty.{CO_DESIGN_COST}.plausible": [0, 3000]}
    specs, labels = _aligned([SCENARIOS / "baseline.yaml", SCENARIOS / "co_design.yaml"],
                             ranges, weeks=6)
    plan = prepare_draws(specs, labels, 3)
    one = run_draws(plan, tmp_path / "one", workers=1)
    two = run_draws(plan, tmp_path / "two", workers=2)
    pd.testing.assert_frame_equal(one, two)
    assert len(one) == 3 * 2 and one["error"].isna().all()
    assert one["network.mean_degree"].nunique() == 3
    # The baseline does not list co-design: its rows keep no value for its cost.
    assert one.loc[one["scenario"] == "baseline", CO_DESIGN_COST].isna().all()
    with distributed.LocalCluster(host="127.0.0.1", processes=True, n_workers=2,
                                  threads_per_worker=1, dashboard_address=None) as cluster:
        dask = run_draws(plan, tmp_path / "dask", scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(one, dask)


def test_interrupted_draws_resume_to_the_same_rows(tmp_path):
    ranges = {"uncertainty.network.mean_degree.plausible": [5, 11]}
    specs, labels = _aligned([SCENARIOS / "baseline.yaml", SCENARIOS / "done_with.yaml"],
                             ranges, weeks=6)
    plan = prepare_draws(specs, labels, 4)
    whole = run_draws(plan, tmp_path / "whole", workers=2)
    parts = sorted((tmp_path / "whole" / "runs.parquet").glob("part-*.parquet"))
    assert len(parts) >= 2
    for part in parts[::2]:  # as if killed before these runs were flushed
        part.unlink()
    resumed = run_draws(plan, tmp_path / "whole", workers=2, resume=True)
    pd.testing.assert_frame_equal(whole, resumed)
    other = prepare_draws(specs, labels, 5)
    with pytest.raises(sim.InputError, match="different comparison"):
        run_draws(other, tmp_path / "whole", resume=True)


def test_compare_with_draws_writes_the_files_and_leads_the_report_with_them(tmp_path):
    out = tmp_path / "out"
    size = [a for k, v in TINY.items() for a in ("--set", f"{k}={v}")]
    done = run_cli("compare", SCENARIOS / "done_to.yaml", SCENARIOS / "done_with.yaml",
                   "--draws", "64", "--workers", "2", "--weeks", "8", "--replicates", "2",
                   "--out", out, "--set", "uncertainty.*.fixed=true",
                   "--set", "uncertainty.network.mean_degree.plausible=[6,10]",
                   *size)
    assert done.returncode == 0, done.stderr
    for name in ("draws.parquet", "comparison.csv", "ranking.csv", "report.html",
                 "summary.csv", "timeseries.parquet", "scenarios/done_with.yaml"):
        assert (out / name).exists(), name
    assert not (out / ".draws").exists()
    draws = pd.read_parquet(out / "draws.parquet")
    assert len(draws) == 64 * 2 and set(draws["scenario"]) == {"done_to", "done_with"}
    assert {"draw", "replicate", "seed", "network.mean_degree", COST, "error"} <= set(draws.columns)
    assert draws["error"].isna().all()
    table = pd.read_csv(out / "comparison.csv")
    for col in ("p_better", "q05", "q50", "q95", "share_stochastic", "share_parametric"):
        assert col in table.columns
    gp = table[(table["metric"] == "gp_appointments_per_1000")
               & (table["scenario"] == "done_with")].iloc[0]
    assert gp["draws"] == 64 and gp["q05"] <= gp["q50"] <= gp["q95"] and 0 <= gp["p_better"] <= 1
    ranking = pd.read_csv(out / "ranking.csv")
    assert "network.mean_degree" in set(ranking["parameter"])
    report = (out / "report.html").read_text(encoding="utf-8")
    assert report.index("Across plausible worlds") < report.index("What changed, and why")
    # The first screen (the decision summary) leads with the draws' reading and says the
    # intervals cover the declared ranges.
    first = report[report.index("<section class='decision'"):report.index("</section>")]
    assert "64 plausible worlds" in first and "64 draws" in first
    assert "64 plausible worlds" in done.stdout


def test_sim_compare_without_draws_is_the_seeds_only_comparison():
    result = sim.compare(["baseline", "done_with"], replicates=2, weeks=4, overrides=TINY)
    assert isinstance(result.comparison, sim.compare.Comparison)
    frame = result.to_frame()
    assert set(frame["scenario"]) == {"baseline", "done_with"}
    assert "p_better" not in frame  # no draws: no probability over plausible worlds
    assert len(result.plot().data) == 1  # one scenario's differences from the reference


def test_sim_compare_with_draws_returns_a_tidy_result_with_plots():
    from sim.probabilistic import ProbabilisticComparison

    result = sim.compare(["baseline", "co_design"], draws=16, workers=1, replicates=2, weeks=4,
                         overrides={**TINY, **ONLY_SET,
                                    f"uncertainty.{CO_DESIGN_COST}.plausible": [0, 9000]})
    assert isinstance(result, ProbabilisticComparison)
    frame = result.to_frame()
    assert {"p_better", "q05", "q50", "q95", "share_parametric"} <= set(frame.columns)
    assert len(result.draws) == 16 * 2
    assert len(result.plot().data) == 10  # one distribution per headline difference
    assert len(result.tornado(COST).data) == 2
    assert result.ranking.loc[result.ranking["metric"] == COST, "parameter"].iloc[0] \
        == CO_DESIGN_COST


def test_compare_with_draws_killed_with_sigkill_resumes_to_the_same_files(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from .conftest import ROOT

    args = ["compare", str(SCENARIOS / "baseline.yaml"), str(SCENARIOS / "done_with.yaml"),
            "--draws", "12", "--workers", "2", "--weeks", "6", "--replicates", "2", "--quiet",
            "--set", "uncertainty.*.fixed=true",
            "--set", "uncertainty.network.mean_degree.plausible=[6,10]",
            *[a for k, v in TINY.items() for a in ("--set", f"{k}={v}")]]
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, str(ROOT / "run.py"), *args, "--out", str(out)],
                            cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        # Kill it once a few runs are on disk: part-way, with runs in flight.
        while len(list((out / ".draws" / "runs.parquet").glob("part-*.parquet"))) < 4:
            assert proc.poll() is None, "the comparison finished or died before it was killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(10) == -signal.SIGKILL
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # its pool workers, by its process group
        except ProcessLookupError:
            pass
    assert not (out / "draws.parquet").exists()
    again = run_cli(*args, "--out", out)
    assert again.returncode == 2 and "--resume" in again.stderr  # not over a half-done one
    resumed = run_cli(*args, "--out", out, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    whole = run_cli(*args, "--out", tmp_path / "whole")
    assert whole.returncode == 0, whole.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(out / "draws.parquet"),
                                  pd.read_parquet(tmp_path / "whole" / "draws.parquet"))
    assert not (out / ".draws").exists()


def test_the_declared_ranges_are_what_a_comparison_draws_over():
    """With nothing set, done_to against done_with draws every effect either package runs
    (both sides' policies and the shared mechanisms), each within its declared range."""
    from sim.scenario import parameter_paths

    specs = [sim.load_scenario(p, overrides=TINY) for p in ("done_to", "done_with")]
    specs, _ = align_scenarios(specs, seed=5, replicates=1, weeks=4)
    plan = prepare_draws(specs, unique_labels([s.name for s in specs]), 24)
    drawn = {r.path for r in plan.design.drawn}
    for path in ("policies.co_design.failure_demand_reduction", "policies.targets.admission_reduction",
                 "movement.threshold_mean", "need.activation_causal_share",
                 "community.connectedness_per_week"):
        assert path in drawn, path
    declared = parameter_paths()
    for i in range(24):
        for path, value in plan.design.values(i).items():
            p = declared[path]
            if p.plausible is not None and path in drawn:
                assert p.plausible[0] - 1e-9 <= value <= p.plausible[1] + 1e-9, (path, value)
