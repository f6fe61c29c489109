"""Milliseconds a week in each compiled pass, from inside one run — to see which passes
a change made quicker, and whether a pass gains from threads.

Imports Placesim from ``--root`` (default: this checkout), wraps every kernel that
``sim.kernels`` exports in a timer, builds a place of ``--size`` residents
(``population.neighbourhoods`` = size / 5,000), runs two warm-up weeks, then ``--weeks``
more, and prints the week's wall time, the kernels' share and each kernel's ms a week,
calls a week and microseconds a call. Run it in turn with two roots (A B A B), e.g.:

    .venv/bin/python benchmarks/kernel_times.py --root ../before --size 1000000 --weeks 78
    .venv/bin/python benchmarks/kernel_times.py --size 1000000 --weeks 78 --threads 1
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

WARM_UP = 2  # weeks run before timing (kernels loaded, scratch arrays made)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--scenario", default="done_with")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=78, help="weeks timed")
    parser.add_argument("--threads", type=int, default=0, help="system.threads (0: all)")
    args = parser.parse_args()
    sys.path.insert(0, str(args.root.resolve()))
    import sim
    import sim.kernels as kernels
    from sim.process import keep_freed_heap

    keep_freed_heap()  # as the command line does
    seconds: dict[str, float] = collections.defaultdict(float)
    calls: collections.Counter = collections.Counter()

    def timed(name, kernel):
        def run(*a):
            start = time.perf_counter()
            out = kernel(*a)
            seconds[name] += time.perf_counter() - start
            calls[name] += 1
            return out
        return run

    for name in kernels.__all__:
        if callable(getattr(kernels, name)):
            setattr(kernels, name, timed(name, getattr(kernels, name)))
    model = sim.HealthSystemModel(args.scenario, seed=1, population__size=args.size,
                                  population__neighbourhoods=max(1, args.size // 5000),
                                  weeks=WARM_UP + args.weeks, system__threads=args.threads)
    model.run(WARM_UP)
    seconds.clear()
    calls.clear()
    start = time.perf_counter()
    model.run()
    per_week = 1000.0 / args.weeks
    print(f"{args.root.resolve().name}: {args.scenario} {args.size:,}, threads {args.threads}: "
          f"{per_week * (time.perf_counter() - start):.2f} ms a week, kernels "
          f"{per_week * sum(seconds.values()):.2f}")
    for name, s in sorted(seconds.items(), key=lambda kv: -kv[1]):
        print(f"  {name:40s} {per_week * s:7.3f} ms  {calls[name] / args.weeks:5.1f}/week  "
              f"{1e6 * s / calls[name]:8.1f} us/call")


if __name__ == "__main__":
    main()
