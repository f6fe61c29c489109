"""What the benchmarks that time from inside one run share (``kernel_ms.py``,
``phase_cpu.py``, ``roofline.py``): their options, Placesim imported from ``--root``, and the place they
time, warmed up."""

from __future__ import annotations

import argparse
import sys
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
