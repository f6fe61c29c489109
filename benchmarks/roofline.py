"""How near the week is to the machine's memory speed — run by hand, never as a timed test.

Two measurements in one process, with the machine and its load:

1. **The machine's streaming rate**: STREAM's copy (``b[i] = a[i]``) and triad
   (``a[i] = b[i] + s * c[i]``) over float64 arrays of ``--stream-mb`` MB each (well
   beyond the last cache level), compiled by Numba as the model's kernels are, in one
   thread and in every thread; the best of seven, in STREAM's convention (bytes read
   plus bytes written, no write-allocate counted).
2. **The week's kernels** (as ``kernel_ms.py``): a place of ``--size`` residents after
   two warm-up weeks, every compiled kernel timed over ``--weeks`` weeks, each with the
   bytes of the arrays it was given (inside named tuples too). That is an upper bound of
   what a call streams: a pass over every resident reads about all of it, a call that
   picks a few rows out of whole columns far less. From them: each kernel's rate
   (argument bytes a second) against the machine's triad, and the week's **floor**, the
   time its kernels would take if every byte passed were streamed at the triad's rate.

A kernel whose rate is far below the triad's is bound by its arithmetic, its branches or
the latency of scattered reads, not by the memory's speed; one at or above it either
streams (its time is the bytes' time) or reads only part of what it is passed. Where
the week is far above its floor, fewer bytes would not make it quicker.

After a change to the kernels, run it once untimed first: a kernel first called in the
timed weeks (some run once a year) would be compiled inside them.

Usage:
    .venv/bin/python benchmarks/roofline.py                       # 1,000,000, every thread
    .venv/bin/python benchmarks/roofline.py --size 50000 --threads 1 --weeks 200
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from in_process import (KernelTimes, import_placesim, place_options,  # beside this script
                        warmed_model)
from machine import cpu_name  # beside this script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    place_options(parser, weeks=30)
    parser.add_argument("--stream-mb", type=int, default=512,
                        help="size of each array of the streaming measurement, MB")
    parser.add_argument("--top", type=int, default=25, help="kernels listed")
    args = parser.parse_args()
    sim = import_placesim(args.root)
    import numba

    import sim.kernels as kernels
    from sim.kernels.threads import resolve

    print(f"machine: {platform.machine()} {cpu_name()}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.2f}; Numba {numba.__version__}")
    rates = stream_rates(args.stream_mb * 2**20 // 8)
    for threads, (copy, triad) in rates.items():
        print(f"streaming, {threads} thread{'s' * (threads > 1)}: copy {copy:5.1f} GB/s, "
              f"triad {triad:5.1f} GB/s")

    times = KernelTimes(kernels, count_bytes=True)
    model = warmed_model(sim, args)
    times.clear()
    seconds, nbytes = times.seconds, times.nbytes
    start = time.perf_counter()
    model.run()
    week_ms = 1000.0 * (time.perf_counter() - start) / args.weeks
    threads = resolve(model.spec.system.threads)  # as the run's passes resolve it
    triad = rates[1 if threads == 1 else max(rates)][1]  # measured in 1 and in every thread
    kernel_ms = 1000.0 * sum(seconds.values()) / args.weeks
    mb_week = sum(nbytes.values()) / args.weeks / 1e6
    floor_ms = mb_week / triad  # MB / (GB/s) = ms
    print(f"{args.scenario} {args.size:,}, threads {threads}: {week_ms:.2f} ms a week, "
          f"kernels {kernel_ms:.2f} ms; arrays passed to kernels {mb_week:,.0f} MB a week "
          f"({mb_week * 1e6 / args.size:,.0f} bytes a resident); at the triad's "
          f"{triad:.1f} GB/s that is {floor_ms:.2f} ms: the week is {week_ms / floor_ms:.1f} "
          "times its floor")
    print(f"  {'kernel':30s} {'ms/week':>8s} {'MB/week':>8s} {'GB/s':>6s} {'of triad':>8s}")
    for name, s in sorted(seconds.items(), key=lambda item: -item[1])[: args.top]:
        ms = 1000.0 * s / args.weeks
        mb = nbytes[name] / args.weeks / 1e6
        rate = mb / ms  # MB/ms = GB/s
        print(f"  {name:30s} {ms:8.3f} {mb:8.1f} {rate:6.1f} {rate / triad:8.0%}")


def stream_rates(n: int) -> dict[int, tuple[float, float]]:
    """STREAM's copy and triad in GB/s over float64 arrays of ``n`` elements, in one
    thread and in every thread Numba has: {threads: (copy, triad)}."""
    import numba

    copy_kernel, triad_kernel = _stream_kernels()
    a, b, c = np.ones(n), np.full(n, 2.0), np.full(n, 0.5)
    everyone = numba.config.NUMBA_NUM_THREADS
    before = numba.get_num_threads()
    rates = {}
    try:
        for threads in sorted({1, everyone}):
            numba.set_num_threads(threads)
            copy_s = _best(lambda: copy_kernel(a, b))
            triad_s = _best(lambda: triad_kernel(a, b, c, 3.0))
            rates[threads] = (16.0 * n / copy_s / 1e9, 24.0 * n / triad_s / 1e9)
    finally:
        numba.set_num_threads(before)
    return rates


def _stream_kernels():
    from numba import njit, prange

    @njit(parallel=True)
    def copy(a, b):
        for i in prange(a.size):
            b[i] = a[i]

    @njit(parallel=True)
    def triad(a, b, c, s):
        for i in prange(a.size):
            a[i] = b[i] + s * c[i]

    return copy, triad


def _best(call, repeats: int = 7) -> float:
    """The shortest of ``repeats`` timed calls, after one untimed (compiling, faulting
    the pages in)."""
    call()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


if __name__ == "__main__":
    main()
