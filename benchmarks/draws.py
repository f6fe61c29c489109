"""Time of a probabilistic comparison — run by hand, never as a timed test.

Runs ``compare done_to.yaml done_with.yaml --draws N --workers W`` in a fresh process
(as a user would) at two draw counts, and from the pair separates what a comparison
pays once (starting the workers, the seeds-only runs at central values, writing the
files) from what each draw costs, so that a smaller count measured on a busy machine
projects to the issue's target: 256 draws of done_to vs done_with, 20,000 residents,
10 years, one replicate per draw, ``--workers 2``, in at most 5 minutes.

Prints wall and CPU seconds (the process and its workers) and the load average: on a
shared machine CPU time is the steadier figure, and ``CPU / workers`` is what the
wall time would be with the cores free.

Every range a scenario has is drawn; with ``--ranges`` a few more are given with
``--set uncertainty.…`` so that something varies even before ranges are declared
(the time of a run barely depends on the values drawn).

Usage:
    .venv/bin/python benchmarks/draws.py                       # 8 and 24 draws, project to 256
    .venv/bin/python benchmarks/draws.py --counts 16 64 --size 20000
    .venv/bin/python benchmarks/draws.py --counts 256           # the target itself
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_DRAWS, TARGET_SECONDS = 256, 300.0
RANGES = ("uncertainty.network.mean_degree.plausible=[6,10]",
          "uncertainty.policies.co_design.failure_demand_reduction.plausible=[0,0.5]",
          "uncertainty.movement.threshold_mean.plausible=[0.15,0.35]")


def measure(draws: int, size: int, weeks: int, workers: int, ranges: bool) -> dict:
    """One fresh-process comparison: wall, CPU (self + workers) and load average."""
    out = Path(tempfile.mkdtemp(prefix="placesim-bench-")) / "out"
    cmd = [sys.executable, str(ROOT / "run.py"), "compare",
           str(ROOT / "scenarios" / "done_to.yaml"), str(ROOT / "scenarios" / "done_with.yaml"),
           "--draws", str(draws), "--workers", str(workers), "--weeks", str(weeks),
           "--out", str(out), "--quiet",
           "--set", f"population.size={size}",
           "--set", f"population.neighbourhoods={max(1, size // 5000)}"]
    for text in RANGES if ranges else ():
        cmd += ["--set", text]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    shutil.rmtree(out.parent, ignore_errors=True)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"draws": draws, "wall": wall, "cpu": cpu, "load": load}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[8, 24],
                        help="draw counts to time (two or more: the projection uses the "
                             "first and last)")
    parser.add_argument("--size", type=int, default=20_000, help="residents (default 20,000)")
    parser.add_argument("--weeks", type=int, default=520, help="horizon (default 520)")
    parser.add_argument("--workers", type=int, default=2, help="local workers (default 2)")
    parser.add_argument("--no-ranges", dest="ranges", action="store_false",
                        help="draw only the declared ranges")
    args = parser.parse_args(argv)
    rows = [measure(n, args.size, args.weeks, args.workers, args.ranges) for n in args.counts]
    print(f"done_to vs done_with, {args.size:,} residents, {args.weeks} weeks, "
          f"--workers {args.workers}, 1 replicate per draw, 5 central replicates")
    print(f"{'draws':>6} {'wall s':>8} {'cpu s':>8} {'cpu/workers':>12} {'load':>6}")
    for r in rows:
        print(f"{r['draws']:>6} {r['wall']:>8.1f} {r['cpu']:>8.1f} "
              f"{r['cpu'] / args.workers:>12.1f} {r['load']:>6.1f}")
    if len(rows) >= 2:
        first, last = rows[0], rows[-1]
        span = last["draws"] - first["draws"]
        for key in ("wall", "cpu"):
            per = (last[key] - first[key]) / span
            fixed = first[key] - per * first["draws"]
            at = fixed + per * TARGET_DRAWS
            shown = at if key == "wall" else at / args.workers
            label = "wall" if key == "wall" else "cpu / workers"
            print(f"{label}: {fixed:.1f} s once + {per:.2f} s a draw -> {TARGET_DRAWS} draws "
                  f"in {shown:.0f} s (target {TARGET_SECONDS:.0f} s: "
                  f"{'met' if shown <= TARGET_SECONDS else 'missed'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
