"""Speed and memory of Placesim at scale — run by hand, never as a timed test.

Each measurement runs in a fresh process, so its peak memory (max RSS) is its own.
Prints, for each scenario and size: construction time (population and network), run
time (median of the repeats), resident-weeks per second, peak memory, time per week
in each phase of the step, and whether the targets of issue 8 are met. ``--pair``
times the workshop dashboard's step: two models (done_to and done_with) of 20,000
residents stepped in lockstep. ``--profile`` shows where the time goes.

The machine is shared: the load average is printed with every figure; CPU time
(``cpu s``) is less disturbed by other processes than wall time.

Usage:
    .venv/bin/python benchmarks/scale.py                      # the issue's targets
    .venv/bin/python benchmarks/scale.py --sizes 50000 --weeks 520 --repeat 5
    .venv/bin/python benchmarks/scale.py --scenario done_with --sizes 1000000
    .venv/bin/python benchmarks/scale.py --pair                 # dashboard step only
    .venv/bin/python benchmarks/scale.py --sizes 1000000 --weeks 52 --profile
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

from machine import cpu_name  # benchmarks/machine.py, beside this script

ROOT = Path(__file__).resolve().parent.parent

# Issue 8: (residents, weeks) -> seconds at most; the build and the dashboard step.
RUN_TARGETS = {(1_000_000, 520): 60.0, (50_000, 520): 3.0}
BUILD_TARGET = {1_000_000: 10.0}
PEAK_TARGET_MB = {1_000_000: 2048.0}
PAIR_TARGET_MS = 50.0

CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, {root!r})
import sim
from sim.process import keep_freed_heap
keep_freed_heap()  # as the CLI and the workers do
# One-off costs of a fresh process, paid once by a sweep worker or a dashboard, not per
# run: importing Mesa, pandas and SciPy, and loading the compiled kernels (compiling
# them, the first time on a machine). A tiny run pays them before the clock starts.
w0 = time.perf_counter()
sim.HealthSystemModel("done_with", seed=1, population__size=2000,
                      population__neighbourhoods=1, weeks=3).run()
warmup = time.perf_counter() - w0
load0 = os.getloadavg()[0]
t0, c0 = time.perf_counter(), time.process_time()
model = sim.HealthSystemModel({scenario!r}, seed=1, population__size={size},
                              population__neighbourhoods=max(1, {size} // 5000), weeks={weeks})
t1, c1 = time.perf_counter(), time.process_time()
model.run()
t2, c2 = time.perf_counter(), time.process_time()
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(dict(build=t1 - t0, run=t2 - t1, run_cpu=c2 - c1, peak_mb=peak_kb / 1024,
                      warmup=warmup,
                      phases=model.phase_seconds, population=len(model.people),
                      load=(load0 + os.getloadavg()[0]) / 2)))
"""

PAIR_CHILD = r"""
import json, os, statistics, sys, time
sys.path.insert(0, {root!r})
import sim
models = [sim.HealthSystemModel(name, seed=1, population__size={size},
                                population__neighbourhoods=max(1, {size} // 5000))
          for name in ("done_to", "done_with")]
for _ in range({warmup}):  # the first weeks compile kernels (once per machine) and seed
    for m in models:
        m.step()
steps = []
load0 = os.getloadavg()[0]
for _ in range({steps}):
    t = time.perf_counter()
    for m in models:
        m.step()
    steps.append(time.perf_counter() - t)
print(json.dumps(dict(median_ms=1000 * statistics.median(steps), max_ms=1000 * max(steps),
                      p90_ms=1000 * sorted(steps)[int(0.9 * len(steps))],
                      load=(load0 + os.getloadavg()[0]) / 2)))
"""


def _child(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode:
        sys.exit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(scenario: str, size: int, weeks: int) -> dict:
    """One run in a fresh interpreter; returns its timings and peak memory."""
    return _child(CHILD.format(root=str(ROOT), scenario=scenario, size=size, weeks=weeks))


def measure_pair(size: int, steps: int, warmup: int) -> dict:
    """The dashboard's step: done_to and done_with stepped together, in a fresh process."""
    return _child(PAIR_CHILD.format(root=str(ROOT), size=size, steps=steps, warmup=warmup))


def profile(scenario: str, size: int, weeks: int) -> None:
    """cProfile of one run (after a two-week warm-up), top functions by own time."""
    import cProfile
    import pstats

    sys.path.insert(0, str(ROOT))
    import sim

    model = sim.HealthSystemModel(scenario, seed=1, population__size=size,
                                  population__neighbourhoods=max(1, size // 5000), weeks=weeks)
    model.run(2)
    before = dict(model.phase_seconds)
    prof = cProfile.Profile()
    prof.enable()
    model.run()
    prof.disable()
    timed = max(model.week - 2, 1)
    print(f"{Path(scenario).stem}, {size:,} residents, weeks 3-{model.week}: ms per week by phase")
    print("  " + ", ".join(f"{k} {1000 * (v - before[k]) / timed:.1f}"
                           for k, v in model.phase_seconds.items()))
    pstats.Stats(prof).sort_stats("tottime").print_stats(25)


def _verdict(ok: bool | None) -> str:
    return "" if ok is None else ("  [meets target]" if ok else "  [MISSES TARGET]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 1_000_000])
    parser.add_argument("--weeks", type=int, default=520)
    parser.add_argument("--scenario", action="append",
                        help="scenario name or path (repeatable; default: baseline, done_with)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (median reported)")
    parser.add_argument("--pair", action="store_true",
                        help="only the dashboard's step: done_to + done_with in lockstep")
    parser.add_argument("--pair-size", type=int, default=20_000)
    parser.add_argument("--no-pair", action="store_true", help="skip the dashboard step")
    parser.add_argument("--profile", action="store_true", help="profile one run of each size")
    args = parser.parse_args()
    scenarios = args.scenario or ["baseline", "done_with"]

    if args.profile:
        for size in args.sizes:
            profile(scenarios[0], size, args.weeks)
        return

    print(f"machine: {platform.machine()} {cpu_name()}, {os.cpu_count()} cores, "
          f"{_memory_gb():.0f} GB, Python {platform.python_version()}; one process per run, "
          f"each on one core; load average now {os.getloadavg()[0]:.2f}")
    if not args.pair:
        for scenario in scenarios:
            for size in args.sizes:
                report(scenario, size, args.weeks, args.repeat)
    if args.pair or not args.no_pair:
        runs = [measure_pair(args.pair_size, steps=30, warmup=5) for _ in range(args.repeat)]
        median = statistics.median(r["median_ms"] for r in runs)
        print(f"\ndashboard step: done_to + done_with, {args.pair_size:,} residents each, "
              f"in lockstep: median {median:.1f} ms per step (runs: "
              + ", ".join(f"{r['median_ms']:.1f}" for r in runs)
              + f"; p90 {statistics.median(r['p90_ms'] for r in runs):.1f} ms; "
              f"load {statistics.median(r['load'] for r in runs):.2f})"
              + _verdict(median <= PAIR_TARGET_MS if args.pair_size == 20_000 else None))


def report(scenario: str, size: int, weeks: int, repeat: int) -> None:
    """Measure one scenario and size ``repeat`` times; print medians and the phases."""
    runs = [measure(scenario, size, weeks) for _ in range(repeat)]
    run_s = statistics.median(r["run"] for r in runs)
    cpu_s = statistics.median(r["run_cpu"] for r in runs)
    build_s = statistics.median(r["build"] for r in runs)
    peak = max(r["peak_mb"] for r in runs)
    load = statistics.median(r["load"] for r in runs)
    rate = size * weeks / run_s
    print(f"\n{Path(scenario).stem}: {size:,} residents x {weeks} weeks "
          f"(median of {repeat}, load {load:.2f})")
    target = RUN_TARGETS.get((size, weeks))
    print(f"  run    {run_s:8.2f} s wall, {cpu_s:.2f} s CPU, {rate / 1e6:.2f} million "
          f"resident-weeks/s" + (f" (target {target:.0f} s)" if target else "")
          + _verdict(run_s <= target if target else None))
    print(f"  build  {build_s:8.2f} s (population and network)"
          + _verdict(build_s <= BUILD_TARGET[size] if size in BUILD_TARGET else None))
    print(f"  peak   {peak:8.0f} MB"
          + _verdict(peak <= PEAK_TARGET_MB[size] if size in PEAK_TARGET_MB else None))
    phases = {k: statistics.median(r["phases"][k] for r in runs) for k in runs[0]["phases"]}
    total = sum(phases.values())
    print("  ms per week by phase: " + ", ".join(
        f"{'metrics' if k == 'accounting' else k} {1000 * v / weeks:.1f} ({v / total:.0%})"
        for k, v in phases.items()))
    print(f"  runs: {', '.join(f'{r['run']:.2f}' for r in runs)} s; one-off start-up of a "
          f"fresh process (imports, loading compiled kernels), not counted: "
          f"{statistics.median(r['warmup'] for r in runs):.2f} s")



def _memory_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError):
        return float("nan")


if __name__ == "__main__":
    main()
