"""How long a fresh process takes to its first week — run by hand, never as a timed test.

Starts fresh processes that import Placesim, build a place of 1,000 residents (its
burn-in included) and run one week, and reports the time from the process's start (as
the kernel records it, so the interpreter's own start-up is in) to the end of that
week: the fixed cost every command, sweep worker and dashboard pays before the model's
own work. Kernels must already be compiled and cached (the warm-up run sees to it).

With ``--vs DIR`` it alternates with the checkout at DIR (its ``sim`` first on the
path), pair by pair, and prints each pair's ratio (this checkout over DIR): a ratio
against the code before a change, on the same machine, in the same minutes.

Usage:
    .venv/bin/python benchmarks/startup.py                  # 7 fresh processes
    .venv/bin/python benchmarks/startup.py --vs ../before   # 7 pairs against ../before
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _since_start() -> float:
    """Seconds since this process started (Linux: /proc)."""
    with open(f"/proc/{os.getpid()}/stat", encoding="ascii") as handle:
        start_ticks = int(handle.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime", encoding="ascii") as handle:
        uptime = float(handle.read().split()[0])
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def child() -> None:
    """In the fresh process: imports, a 1,000-resident place, one week; print the times."""
    from sim.model import HealthSystemModel
    from sim.scenario import load_scenario

    imported = _since_start()
    spec = load_scenario("baseline", overrides={"population.size": 1000,
                                                "population.neighbourhoods": 1})
    model = HealthSystemModel(spec, seed=1)
    model.step()
    print(f"{imported:.3f} {_since_start():.3f}")


def measure(root: Path) -> tuple[float, float]:
    """(imports done, first week done) of one fresh process on the checkout at ``root``."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, __file__, "--child"], env=env, cwd=root,
                          check=True, capture_output=True, text=True)
    imported, week = map(float, done.stdout.split()[-2:])
    return imported, week


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=7, help="fresh processes (pairs with --vs)")
    p.add_argument("--vs", type=Path, default=None, help="a checkout to alternate with")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child()
        return 0
    roots = [ROOT] + ([args.vs.resolve()] if args.vs else [])
    for root in roots:
        measure(root)  # warm-up: kernels cached, files in the page cache
    times: dict[Path, list[tuple[float, float]]] = {root: [] for root in roots}
    for _ in range(args.runs):
        for root in roots:
            times[root].append(measure(root))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, load {os.getloadavg()[0]:.2f}")
    for root in roots:
        imports = [t[0] for t in times[root]]
        weeks = [t[1] for t in times[root]]
        print(f"{root}: first week at {statistics.median(weeks):.2f} s (median; "
              f"{min(weeks):.2f}-{max(weeks):.2f}), imports done at "
              f"{statistics.median(imports):.2f} s")
    if args.vs:
        ratios = [a[1] / b[1] for a, b in zip(times[roots[0]], times[roots[1]])]
        print("ratio this / --vs, per pair: " + ", ".join(f"{r:.2f}" for r in ratios)
              + f"; median {statistics.median(ratios):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
