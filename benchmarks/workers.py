"""Is a sweep of small runs faster with two workers than with one? Run by hand, never as a
timed test.

Times ``run.py sweep`` of 12 small runs (2,000 residents, 52 weeks: a fraction of a
second each, so that starting the workers is most of the cost) with ``--workers 1`` and
``--workers 2``, in fresh processes, alternately (1, 2, 1, 2 ...) so a change in the
machine's load hits both alike, and prints each pair's ratio (wall with one worker over
wall with two: above 1 means two workers are faster) with the median, the machine and
its load.

``--root DIR`` times the checkout at DIR instead (its ``run.py``, with DIR first on the
path), for a ratio against the code before a change.

Usage:
    .venv/bin/python benchmarks/workers.py                 # 5 pairs
    .venv/bin/python benchmarks/workers.py --pairs 3 --runs 24
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SWEEP = """\
name: workers-benchmark
scenario: baseline
set:
  population.size: {size}
  population.neighbourhoods: 1
  weeks: {weeks}
design: grid
parameters:
  network.mean_degree: {values}
replicates: 1
seed: 3
outputs: [gp_appointments_per_1000]
"""


def sweep_file(folder: Path, runs: int, size: int, weeks: int) -> Path:
    values = [4 + i * 0.5 for i in range(runs)]
    path = folder / "sweep.yaml"
    path.write_text(SWEEP.format(size=size, weeks=weeks, values=values), encoding="utf-8")
    return path


def wall(root: Path, sweep: Path, workers: int) -> float:
    """Seconds of one fresh ``run.py sweep`` with ``workers``."""
    out = Path(tempfile.mkdtemp(prefix="placesim-workers-")) / "out"
    env = {**os.environ, "PYTHONPATH": str(root)}
    cmd = [sys.executable, str(root / "run.py"), "sweep", str(sweep), "--out", str(out),
           "--workers", str(workers), "--quiet"]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, cwd=root)
    seconds = time.perf_counter() - t0
    shutil.rmtree(out.parent, ignore_errors=True)
    return seconds


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pairs", type=int, default=5)
    p.add_argument("--runs", type=int, default=12)
    p.add_argument("--size", type=int, default=2000)
    p.add_argument("--weeks", type=int, default=52)
    p.add_argument("--root", type=Path, default=ROOT, help="the checkout to time")
    args = p.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="placesim-workers-sweep-"))
    sweep = sweep_file(folder, args.runs, args.size, args.weeks)
    wall(args.root, sweep, 1)  # warm-up: kernels compiled and cached, files in the page cache
    ones, twos = [], []
    for _ in range(args.pairs):
        ones.append(wall(args.root, sweep, 1))
        twos.append(wall(args.root, sweep, 2))
    shutil.rmtree(folder, ignore_errors=True)
    ratios = [a / b for a, b in zip(ones, twos)]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.2f}; {args.runs} runs of {args.size:,} residents x "
          f"{args.weeks} weeks; {args.root}")
    print(f"--workers 1: median {statistics.median(ones):.2f} s ({min(ones):.2f}-{max(ones):.2f})")
    print(f"--workers 2: median {statistics.median(twos):.2f} s ({min(twos):.2f}-{max(twos):.2f})")
    print(f"speed-up (1 worker / 2 workers), per pair: "
          + ", ".join(f"{r:.2f}" for r in ratios) + f"; median {statistics.median(ratios):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
