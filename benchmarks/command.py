"""A command of the command line as a whole process, against another checkout — run by
hand, never as a timed test.

Runs ``run.py ARGS`` of this checkout and of the checkout at ``--vs DIR`` in turn (A B A B
...), each a fresh process with the interpreter that runs this script, the checkout's
own ``sim`` first on the path and a fresh output folder where ARGS say ``{out}``, and
prints each side's wall time (from the start of the process to its exit: imports,
work, writing and the interpreter's exit), each pair's ratio (this / DIR) and their
median, with the machine and its load. One run of each side first is not timed (the
kernels compiled and cached, the files in the page cache). Without ``--vs`` it times
this checkout alone. The commands' outputs are thrown away with their folders.

Usage (the code before a change checked out beside this one: ``git worktree add
../before <commit>``):

    .venv/bin/python benchmarks/command.py --vs ../before -- run scenarios/baseline.yaml \\
        --weeks 52 --set population.size=1000 --set population.neighbourhoods=1 --quiet \\
        --out {out}
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import cpu_name  # noqa: E402  (beside this script)


def wall(root: Path, args: list[str]) -> float:
    """Seconds of one fresh ``run.py ARGS`` of the checkout at ``root``."""
    folder = Path(tempfile.mkdtemp(prefix="placesim-command-"))
    cmd = [sys.executable, str(root / "run.py"),
           *(a.replace("{out}", str(folder / "out")) for a in args)]
    env = {**os.environ, "PYTHONPATH": str(root)}
    try:
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=root)
        seconds = time.perf_counter() - t0
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if done.returncode:
        raise SystemExit(f"{root}: run.py {' '.join(args)} exited {done.returncode}:\n"
                         f"{done.stderr.strip()[-2000:]}")
    return seconds


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f})"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--vs", type=Path, default=None, help="a checkout to alternate with")
    p.add_argument("--pairs", type=int, default=7, help="timed runs of each side")
    p.add_argument("command", nargs=argparse.REMAINDER, help="-- and run.py's arguments")
    a = p.parse_args(argv)
    args = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not args:
        p.error("give run.py's arguments after --")
    sides = [ROOT] + ([a.vs.resolve()] if a.vs else [])
    for root in sides:
        wall(root, args)  # not timed: kernels cached, files read once
    times: dict[Path, list[float]] = {root: [] for root in sides}
    for _ in range(a.pairs):
        for root in sides:
            times[root].append(wall(root, args))
    print(f"machine: {platform.machine()} {cpu_name()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, load {os.getloadavg()[0]:.2f}; "
          f"run.py {' '.join(args)}")
    for root in sides:
        print(f"{root}: whole process {_spread(times[root])}, {a.pairs} runs")
    if a.vs:
        ratios = [x / y for x, y in zip(times[ROOT], times[sides[1]])]
        print("ratio this / --vs, per pair: " + ", ".join(f"{r:.2f}" for r in ratios)
              + f"; median {statistics.median(ratios):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
