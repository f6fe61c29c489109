"""What ``validate`` says about a sweep before it runs: how many runs, and how long.

The estimate is rough by design: it scales the model's speed measured on one core of
the 2-core development machine (done_with, the costlier package) by the sweep's runs,
residents and weeks, and spreads the runs over the workers. A week costs the larger of
a fixed part plus a small per-resident part (small places: Python and NumPy calls on
small arrays dominate) and a per-resident part alone (large places: memory bandwidth);
measured 0.77 s for 10,000 residents x 260 weeks, 2.07 s for 50,000 x 520 and 43 s for
1,000,000 x 520 (see docs/performance.md).
"""

from __future__ import annotations

import os

__all__ = ["sweep_estimate", "week_seconds"]

WEEK_FIXED = 0.0027  # s a week whatever the size (fitted to the runs above)
SMALL_RATE = 39e6  # resident-weeks a second on top of it, small places (fitted)
LARGE_RATE = 12e6  # resident-weeks a second, large places (measured at 1,000,000)
WORKER_START = 1.1  # s: a fresh process's imports and kernel loading, measured


def week_seconds(residents: int) -> float:
    """Estimated seconds of one simulated week on one core."""
    return max(WEEK_FIXED + residents / SMALL_RATE, residents / LARGE_RATE)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


def sweep_estimate(sweep, workers: int | None = None) -> str:
    """One line: the sweep's runs (points x replicates) and an estimate of its time."""
    workers = workers or os.cpu_count() or 1
    spec = sweep.scenario
    per_run = week_seconds(spec.population.size) * spec.weeks
    runs = sweep.runs
    total = WORKER_START + per_run * runs / min(workers, runs)
    return (f"{runs:,} runs ({len(sweep.points):,} points x {sweep.replicates} replicate(s)) "
            f"of {spec.population.size:,} residents for {spec.weeks} weeks; roughly "
            f"{_duration(total)} on {workers} worker(s) (from the speed measured on a 2-core "
            f"machine; yours may differ)")
