"""Milliseconds a week in each compiled kernel, from inside one run.

Imports Placesim from ``--root`` (default: this checkout), wraps every function
``sim.kernels`` exports with a timer, builds a place of ``--size`` residents
(``population.neighbourhoods`` = size / 5,000), runs two warm-up weeks, then ``--weeks``
more, and prints the week's milliseconds (in-process), the kernels' share, and each
kernel's milliseconds a week, calls a week and microseconds a call, slowest first. A
kernel's ``_threads`` form is listed under its own name. Run it in turn with two roots or
two thread counts (A B A B), e.g.:

    .venv/bin/python benchmarks/kernel_ms.py --root ../before --size 1000000 --threads 2
    .venv/bin/python benchmarks/kernel_ms.py --size 1000000 --threads 1
"""

from __future__ import annotations

import argparse
import time

from in_process import (KernelTimes, import_placesim, place_options,  # beside this script
                        warmed_model)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    place_options(parser, weeks=78)
    parser.add_argument("--top", type=int, default=30, help="kernels listed")
    args = parser.parse_args()
    sim = import_placesim(args.root)
    import sim.kernels as kernels

    times = KernelTimes(kernels)
    model = warmed_model(sim, args)
    times.clear()
    seconds, calls = times.seconds, times.calls
    start = time.perf_counter()
    model.run()
    per_week = 1000.0 / args.weeks
    print(f"{args.root.resolve().name}: {args.scenario} {args.size:,}, threads {args.threads}: "
          f"{per_week * (time.perf_counter() - start):.2f} ms a week; kernels "
          f"{per_week * sum(seconds.values()):.2f} ms in {sum(calls.values()) / args.weeks:.1f}"
          " calls")
    for name, s in sorted(seconds.items(), key=lambda item: -item[1])[: args.top]:
        print(f"  {name:30s} {per_week * s:7.3f} ms  {calls[name] / args.weeks:5.1f}/week"
              f"  {1e6 * s / calls[name]:8.1f} us a call")


if __name__ == "__main__":
    main()
