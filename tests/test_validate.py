"""The time a sweep will take, said before it runs (sim.validate)."""

import pytest

from sim import validate
from sim.sweep import load_sweep

SWEEP = {"scenario": "baseline", "design": "grid", "replicates": 2,
         "set": {"population.size": 50_000, "weeks": 520},
         "parameters": {"network.mean_degree": [4, 6, 8]}}


def test_a_week_costs_its_fixed_part_small_and_memory_bandwidth_large():
    assert validate.week_seconds(0) == validate.WEEK_FIXED
    assert validate.week_seconds(10_000) == pytest.approx(
        validate.WEEK_FIXED + 10_000 / validate.SMALL_RATE)
    assert validate.week_seconds(1_000_000) == pytest.approx(1_000_000 / validate.LARGE_RATE)
    # The measured runs the constants were fitted to, within a fifth.
    assert 520 * validate.week_seconds(50_000) == pytest.approx(2.07, rel=0.2)
    assert 520 * validate.week_seconds(1_000_000) == pytest.approx(43, rel=0.2)


def test_the_estimate_counts_runs_and_spreads_them_over_the_workers():
    sweep = load_sweep(SWEEP)
    one, three = validate.sweep_estimate(sweep, 1), validate.sweep_estimate(sweep, 3)
    assert one.startswith("6 runs (3 points x 2 replicate(s)) of 50,000 residents for 520 weeks")
    per_run = 520 * validate.week_seconds(50_000)
    assert f"roughly {validate.WORKER_START + 6 * per_run:.0f} s on 1 worker(s)" in one
    assert f"roughly {validate.WORKER_START + 2 * per_run:.0f} s on 3 worker(s)" in three
    # More workers than runs are no quicker than one run each.
    assert f"roughly {validate.WORKER_START + per_run:.0f} s on 64 worker(s)" in \
        validate.sweep_estimate(sweep, 64)
