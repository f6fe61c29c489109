"""How long a fresh process takes to its first week — run by hand, never as a timed test.

Starts fresh processes that import Placesim, build a place of 1,000 residents (its
burn-in included) and run one week, and reports the time from the process's start (as
the kernel records it, so the interpreter's own start-up is in) to the end of that
week: the fixed cost every command, sweep worker and dashboard pays before the model's
own work. Each makes the process-wide settings the command line makes
(``sim.process.keep_freed_heap``) before it imports the model. Kernels must already be
compiled and cached (the warm-up run sees to it).

With ``--size N`` the place has N residents (``population.neighbourhoods`` one per
5,000) and each process also reports its build (residents and network) and burn-in, the
fixed part of a big run: ``--size 1000000`` times the build at a million.

With ``--vs DIR`` it alternates with the checkout at DIR (its ``sim`` first on the
path), pair by pair, and prints each pair's ratio (this checkout over DIR): a ratio
against the code before a change, on the same machine, in the same minutes.

Usage:
    .venv/bin/python benchmarks/startup.py                  # 7 fresh processes
    .venv/bin/python benchmarks/startup.py --vs ../before   # 7 pairs against ../before
    .venv/bin/python benchmarks/startup.py --size 1000000 --runs 3 --vs ../before
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


def child(size: int) -> None:
    """In the fresh process: imports, a place of ``size`` residents, one week; print the
    times (imports done, first week done, the build, the burn-in)."""
    try:
        from sim.process import keep_freed_heap
    except ImportError:  # a checkout from before the entry points' settings
        pass
    else:
        keep_freed_heap()  # as the command line does, before its imports
    from sim.model import HealthSystemModel
    from sim.scenario import load_scenario

    imported = _since_start()
    spec = load_scenario("baseline", overrides={"population.size": size,
                                                "population.neighbourhoods":
                                                    max(1, size // 5000)})
    model = HealthSystemModel(spec, seed=1)
    model.step()
    print(f"{imported:.3f} {_since_start():.3f} {model.build_seconds:.3f} "
          f"{model.burn_in_seconds:.3f}")


def measure(root: Path, size: int) -> tuple[float, ...]:
    """(imports done, first week done, build, burn-in) of one fresh process on the
    checkout at ``root``."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, __file__, "--child", "--size", str(size)],
                          env=env, cwd=root, check=True, capture_output=True, text=True)
    return tuple(map(float, done.stdout.split()[-4:]))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=7, help="fresh processes (pairs with --vs)")
    p.add_argument("--vs", type=Path, default=None, help="a checkout to alternate with")
    p.add_argument("--size", type=int, default=1000, help="residents (default 1,000)")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child(args.size)
        return 0
    roots = [ROOT] + ([args.vs.resolve()] if args.vs else [])
    for root in roots:
        measure(root, args.size)  # warm-up: kernels cached, files in the page cache
    times: dict[Path, list[tuple[float, ...]]] = {root: [] for root in roots}
    for _ in range(args.runs):
        for root in roots:
            times[root].append(measure(root, args.size))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, load {os.getloadavg()[0]:.2f}")
    for root in roots:
        imports, weeks, builds, burns = (list(column) for column in zip(*times[root]))
        print(f"{root}: {args.size:,} residents: first week at "
              f"{statistics.median(weeks):.2f} s (median; {min(weeks):.2f}-{max(weeks):.2f}), "
              f"imports done at {statistics.median(imports):.2f} s; build "
              f"{statistics.median(builds):.2f} s, burn-in {statistics.median(burns):.2f} s")
    if args.vs:
        for what, column in (("first week", 1), ("build", 2)):
            ratios = [a[column] / b[column] for a, b in zip(times[roots[0]], times[roots[1]])]
            print(f"ratio this / --vs, {what}, per pair: "
                  + ", ".join(f"{r:.2f}" for r in ratios)
                  + f"; median {statistics.median(ratios):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
