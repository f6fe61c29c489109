"""Comparing scenarios: paired differences, intervals, common random numbers, the reading."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.compare import (COMPARISON_COLUMNS, GP_REQUEST_KINDS, align_scenarios,
                         compare_scenarios, fmt, read_comparison, run_recorded, split_minor_change,
                         t_interval)
from sim.runner import run_scenario

from .conftest import SCENARIOS, run_cli, write

SMALL = {"population.size": 2000, "population.neighbourhoods": 2,
         "population.practice_list_size": 1000}
SMALL_ARGS = [a for k, v in SMALL.items() for a in ("--set", f"{k}={v}")]
# Headline metrics whose paired spread common random numbers must shrink.
CRN_METRICS = ("gp_appointments_per_1000", "ae_attendances_per_1000", "cost_per_capita",
               "mean_dependence")


def variant(tmp_path: Path, **changes) -> Path:
    """A scenario extending the baseline by absolute path, with ``section.key`` changes."""
    lines = [f"extends: {SCENARIOS / 'baseline.yaml'}", "name: variant",
             "description: the baseline with one lever moved"]
    for path, value in changes.items():
        section, key = path.split("__")
        lines += [f"{section}:", f"  {key}: {value}"]
    return write(tmp_path / "variant.yaml", "\n".join(lines) + "\n")


def _compare(overrides: dict, variant_changes: dict, replicates=6, weeks=40, seed=11):
    a = sim.load_scenario("baseline", overrides=overrides)
    b = sim.load_scenario("baseline", overrides={**overrides, **variant_changes,
                                                 "name": "variant"})
    specs, _ = align_scenarios([a, b], replicates=replicates, weeks=weeks, seed=seed)
    return compare_scenarios(specs)


def test_t_interval_matches_scipy_and_skips_undefined_values():
    x = [3.0, 5.0, 4.0, 8.0, 6.5]
    mean, sd, lo, hi, n = t_interval(x)
    want = stats.t.interval(0.95, len(x) - 1, loc=np.mean(x), scale=stats.sem(x))
    assert (lo, hi) == pytest.approx(want)
    assert mean == pytest.approx(np.mean(x)) and sd == pytest.approx(np.std(x, ddof=1))
    assert n == 5
    assert t_interval([*x, math.nan])[:4] == pytest.approx((mean, sd, lo, hi))
    one = t_interval([2.0])
    assert one[0] == 2.0 and all(math.isnan(v) for v in one[1:4])


def test_compare_writes_paired_differences_from_the_first_scenario(tmp_path):
    out = tmp_path / "cmp"
    other = variant(tmp_path, choice__dependence_weight=2.0)
    done = run_cli("compare", SCENARIOS / "baseline.yaml", other, "--replicates", "4",
                   "--weeks", "30", "--seed", "7", "--out", out, *SMALL_ARGS)
    assert done.returncode == 0, done.stderr
    assert {p.name for p in out.iterdir()} == {"comparison.csv", "summary.csv",
                                               "timeseries.parquet", "timeseries.csv",
                                               "tables.xlsx", "report.html", "scenarios"}
    assert sorted(p.name for p in (out / "scenarios").iterdir()) == ["baseline.yaml",
                                                                     "variant.yaml"]
    table = pd.read_csv(out / "comparison.csv")
    assert list(table.columns) == list(COMPARISON_COLUMNS)
    summary = pd.read_csv(out / "summary.csv")
    base = summary[summary["scenario"] == "baseline"].set_index("seed")
    var = summary[summary["scenario"] == "variant"].set_index("seed")
    assert sorted(base.index) == sorted(var.index) == [7, 8, 9, 10]
    assert set(table["scenario"]) == {"baseline", "variant"}
    assert (table["reference"] == "baseline").all()
    checked = 0
    for metric, rows in table.groupby("metric"):
        ref = rows[rows["scenario"] == "baseline"].iloc[0]
        row = rows[rows["scenario"] == "variant"].iloc[0]
        assert ref["mean"] == pytest.approx(base[metric].mean(), nan_ok=True)
        assert row["mean"] == pytest.approx(var[metric].mean(), nan_ok=True)
        assert math.isnan(ref["diff"]) and math.isnan(ref["diff_ci_low"])
        per_replicate = (var[metric] - base[metric].reindex(var.index)).dropna()
        if per_replicate.empty:
            continue
        # The paired difference is the mean of the per-replicate differences ...
        assert row["diff"] == pytest.approx(per_replicate.mean(), rel=1e-9, abs=1e-12)
        assert row["diff_sd"] == pytest.approx(per_replicate.std(ddof=1), rel=1e-6, abs=1e-12)
        # ... and every interval contains its mean.
        for lo, mid, hi in ((ref.ci_low, ref["mean"], ref.ci_high),
                            (row.ci_low, row["mean"], row.ci_high),
                            (row.diff_ci_low, row["diff"], row.diff_ci_high)):
            assert lo - 1e-12 <= mid <= hi + 1e-12
        checked += 1
    assert checked > 40
    gp = table[(table.metric == "gp_appointments_per_1000") & (table.scenario == "variant")].iloc[0]
    assert gp.diff_ci_high > gp.diff_ci_low  # a real interval, not a point
    assert "gp_appointments_per_1000" in done.stdout and "variant - baseline" in done.stdout
    frame = pd.read_parquet(out / "timeseries.parquet")
    assert list(frame.columns[:3]) == ["scenario", "replicate", "seed"]
    assert len(frame) == 2 * 4 * 30


def test_common_random_numbers_shrink_the_spread_of_paired_differences():
    spread = {}
    for crn in (True, False):
        comp = _compare({**SMALL, "system.common_random_numbers": crn},
                        {"choice.dependence_weight": 2.5})
        rows = comp.table[comp.table["scenario"] == "variant"].set_index("metric")
        spread[crn] = rows["diff_sd"]
    ratio = spread[True] / spread[False]
    for metric in CRN_METRICS:
        assert ratio[metric] < 0.6, (metric, ratio[metric])


def test_identical_scenarios_differ_by_exactly_nothing_and_read_so():
    comp = _compare(SMALL, {}, replicates=3, weeks=20)
    diffs = comp.table.loc[comp.table["scenario"] == "variant", "diff"].dropna()
    assert (diffs == 0).all()
    reading = " ".join(read_comparison(comp)["variant"])
    assert "beyond simulation noise:" not in reading
    assert "can tell from zero): GP appointments" in reading


def test_reading_and_decompositions_follow_the_numbers():
    comp = _compare(SMALL, {"choice.dependence_weight": 1.0}, replicates=4, weeks=40)
    summary = comp.runs["variant"].result.summary
    # GP requests by kind add up to all GP requests; cost components to the total.
    kinds = sum(summary[f"gp_requests_{k}_per_1000"] for k in GP_REQUEST_KINDS)
    assert np.allclose(kinds, summary["gp_requests_per_1000"])
    parts = sum(summary[f"cost_{c}_per_capita"]
                for c in ("gp", "ae", "admissions", "outpatients", "programmes"))
    assert np.allclose(parts, summary["cost_per_capita"])
    # The split of minor complaints to a GP is exact, replicate by replicate.
    arising, share = split_minor_change(comp, "variant")
    ref = comp.runs["baseline"].result.summary
    assert np.allclose(arising + share, summary["gp_requests_minor_per_1000"]
                       - ref["gp_requests_minor_per_1000"])
    reading = " ".join(read_comparison(comp)["variant"])
    for label in ("baseline", "variant"):
        share_text = fmt("minor_to_gp_share", comp.row("minor_to_gp_share", label)["mean"])
        assert f"{share_text} in {label}" in reading
    gp = comp.row("gp_appointments_per_1000", "variant")
    assert fmt("gp_appointments_per_1000", gp["diff"], True) in reading
    word = "Lower" if gp["diff"] < 0 else "Higher"
    assert f"{word} beyond simulation noise: GP appointments" in reading


def test_run_recorded_matches_run_scenario():
    spec = sim.load_scenario("baseline", overrides={**SMALL, "replicates": 2, "weeks": 15})
    runs = run_recorded(spec)
    plain = run_scenario(spec)
    pd.testing.assert_frame_equal(runs.result.timeseries, plain.timeseries)
    pd.testing.assert_frame_equal(runs.result.summary[plain.summary.columns], plain.summary)
    assert len(runs.demand) == 2 * 15


def test_compare_bad_input_exits_2_without_results(tmp_path):
    out = tmp_path / "cmp"
    done = run_cli("compare", SCENARIOS / "baseline.yaml", "--out", out)
    assert done.returncode == 2 and "at least two" in done.stderr
    done = run_cli("compare", SCENARIOS / "baseline.yaml", SCENARIOS / "baseline.yaml",
                   "--set", "choice.dependence_weigth=2", "--out", out)
    assert done.returncode == 2 and "choice.dependence_weigth" in done.stderr
    assert "did you mean" in done.stderr
    done = run_cli("compare", SCENARIOS / "baseline.yaml", SCENARIOS / "baseline.yaml",
                   "--set", "choice.dependence_weight=-1", "--out", out)
    assert done.returncode == 2 and "choice.dependence_weight" in done.stderr
    bad = write(tmp_path / "bad.yaml", "population:\n  size: many\n")
    done = run_cli("compare", SCENARIOS / "baseline.yaml", bad, "--out", out)
    assert done.returncode == 2 and str(bad) in done.stderr and "population.size" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())
