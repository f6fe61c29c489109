"""What the benchmarks that time from inside one run share (``kernel_ms.py``,
``phase_cpu.py``, ``roofline.py``): their options, Placesim imported from ``--root``, the
place they time, warmed up, and the compiled kernels timed call by call."""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

WARM_UP = 2  # weeks run before timing (kernels loaded, scratch arrays made)


def place_options(parser: argparse.ArgumentParser, weeks: int) -> None:
    """The options of the checkout and the place: ``--root``, ``--scenario``, ``--size``,
    ``--weeks`` (default ``weeks``) and ``--threads``."""
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--scenario", default="done_with")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=weeks, help="weeks timed")
    parser.add_argument("--threads", type=int, default=0, help="system.threads (0: all)")


def import_placesim(root: Path):
    """``sim`` from the checkout at ``root``, with the command line's process settings."""
    sys.path.insert(0, str(root.resolve()))
    import sim
    from sim.process import keep_freed_heap

    keep_freed_heap()  # as the command line does
    return sim


def warmed_model(sim, args: argparse.Namespace, **overrides):
    """A model of ``args.size`` residents (``population.neighbourhoods`` one per 5,000)
    for :data:`WARM_UP` weeks and ``args.weeks`` more, the warm-up weeks run."""
    model = sim.HealthSystemModel(args.scenario, seed=1, population__size=args.size,
                                  population__neighbourhoods=max(1, args.size // 5000),
                                  weeks=WARM_UP + args.weeks, system__threads=args.threads,
                                  **overrides)
    model.run(WARM_UP)
    return model


class KernelTimes:
    """Every compiled kernel ``sim.kernels`` exports, wrapped so that each call adds its
    time (``seconds``) and one call (``calls``) under the kernel's name, a threaded form's
    under its plain name; with ``count_bytes``, also the bytes of the NumPy arrays it was
    given, inside tuples too (``nbytes``), counted after the call's time is taken."""

    def __init__(self, kernels, count_bytes: bool = False):
        self.seconds: dict[str, float] = collections.defaultdict(float)
        self.calls: collections.Counter = collections.Counter()
        self.nbytes: dict[str, int] = collections.defaultdict(int)
        for name in kernels.__all__:
            kernel = getattr(kernels, name)
            if callable(kernel):
                setattr(kernels, name, self._timed(kernel, name.removesuffix("_threads"),
                                                   count_bytes))

    def clear(self) -> None:
        """Forget what was counted (after the warm-up)."""
        for table in (self.seconds, self.calls, self.nbytes):
            table.clear()

    def _timed(self, kernel, key: str, count_bytes: bool):
        seconds, calls, nbytes = self.seconds, self.calls, self.nbytes

        def call(*args):
            start = time.perf_counter()
            result = kernel(*args)
            seconds[key] += time.perf_counter() - start
            calls[key] += 1
            if count_bytes:
                nbytes[key] += _array_bytes(args)
            return result

        return call


def _array_bytes(value) -> int:
    """Bytes of the NumPy arrays in ``value`` (an array, or tuples of them)."""
    import numpy as np

    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, tuple):
        return sum(_array_bytes(item) for item in value)
    return 0
