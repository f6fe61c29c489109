"""Speed and memory of Placesim at scale — run by hand, never as a timed test.

Each measurement runs in a fresh process, so its peak memory (max RSS) is its own.
Prints, for each scenario and size: construction time, run time (median of the
repeats), resident-weeks per second, peak memory, and time per phase.

Usage:
    .venv/bin/python benchmarks/scale.py                      # 50,000 and 1,000,000 x 520 weeks
    .venv/bin/python benchmarks/scale.py --sizes 20000 --weeks 52 --repeat 5
    .venv/bin/python benchmarks/scale.py --scenario scenarios/done_with.yaml
    .venv/bin/python benchmarks/scale.py --sizes 50000 --profile   # where does time go?
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
import sim
t0 = time.perf_counter()
model = sim.HealthSystemModel({scenario!r}, seed=1, population__size={size},
                              population__neighbourhoods=max(1, {size} // 5000), weeks={weeks})
t1 = time.perf_counter()
model.run()
t2 = time.perf_counter()
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(dict(build=t1 - t0, run=t2 - t1, peak_mb=peak_kb / 1024,
                      phases=model.phase_seconds, population=len(model.people))))
"""


def measure(scenario: str, size: int, weeks: int) -> dict:
    """One run in a fresh interpreter; returns its timings and peak memory."""
    code = CHILD.format(root=str(ROOT), scenario=scenario, size=size, weeks=weeks)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def profile(scenario: str, size: int, weeks: int) -> None:
    """cProfile of one run, top functions by cumulative time."""
    import cProfile
    import pstats

    sys.path.insert(0, str(ROOT))
    import sim

    model = sim.HealthSystemModel(scenario, seed=1, population__size=size,
                                  population__neighbourhoods=max(1, size // 5000), weeks=weeks)
    prof = cProfile.Profile()
    prof.enable()
    model.run()
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 1_000_000])
    parser.add_argument("--weeks", type=int, default=520)
    parser.add_argument("--scenario", action="append",
                        help="scenario name or path (repeatable; default: baseline)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (median reported)")
    parser.add_argument("--profile", action="store_true", help="profile one run of each size")
    args = parser.parse_args()
    scenarios = args.scenario or ["baseline"]

    if args.profile:
        for size in args.sizes:
            profile(scenarios[0], size, args.weeks)
        return

    print(f"machine: {platform.processor() or platform.machine()}, "
          f"{_cores()} cores, Python {platform.python_version()}, one process per run")
    header = (f"{'scenario':<12} {'residents':>10} {'weeks':>6} {'build s':>8} {'run s':>8} "
              f"{'res-weeks/s':>12} {'peak MB':>8}")
    for scenario in scenarios:
        for size in args.sizes:
            runs = [measure(scenario, size, args.weeks) for _ in range(args.repeat)]
            run_s = statistics.median(r["run"] for r in runs)
            build_s = statistics.median(r["build"] for r in runs)
            peak = max(r["peak_mb"] for r in runs)
            rate = size * args.weeks / run_s
            print(header)
            print(f"{Path(scenario).stem:<12} {size:>10,} {args.weeks:>6} {build_s:>8.2f} "
                  f"{run_s:>8.2f} {rate:>12,.0f} {peak:>8.0f}")
            phases = {k: statistics.median(r["phases"][k] for r in runs) for k in runs[0]["phases"]}
            total = sum(phases.values())
            print("  per phase (median s, share): " + ", ".join(
                f"{k} {v:.2f} ({v / total:.0%})" for k, v in phases.items()))
            print(f"  runs: {', '.join(f'{r['run']:.2f}' for r in runs)} s")


def _cores() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    main()
