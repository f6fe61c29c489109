"""The command line's shared pieces: argument types, the options several commands take,
and the few steps every running command does first (``--place``/``--set``, memory).

The common options live in three named functions, so that a new option shared by the
running commands is one hunk here:

- :func:`add_run_options`: what to run (``--out``, ``--seed``, ``--replicates``,
  ``--weeks``, ``--set``, ``--place``, ``--quiet``) for ``run``, ``compare``, ``calibrate``;
- :func:`add_workers_options`: ``run``'s processes for replicates and ``--pdf``;
- :func:`add_draw_options`: ``compare``/``demo``'s draws over the parameters' ranges,
  their processes (``--workers``), ``--pdf``, ``--scheduler`` and ``--resume``.

This module imports only the standard library: ``python run.py --help`` must not load
the model, pandas or plotting (the commands import those when they run).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

__all__ = ["EXIT_BAD_INPUT", "EXIT_WRITE_FAILED", "EXIT_INTERRUPTED", "positive_int", "seed", "port", "add_run_options", "add_workers_options",
           "add_draw_options", "set_help", "overrides", "check_memory",
           "workers_for_replicates", "add_replicate_workers", "replicates_with_bar"]

EXIT_BAD_INPUT = 2  # a file, key or option was wrong; nothing was written
EXIT_WRITE_FAILED = 1  # results could not be written (disk full); nothing half-written
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM (128 + SIGINT, as shells report it)


def _whole(text: str, low: int, high: int | None, in_range: str,
           a_number: str = "expected a whole number") -> int:
    """``text`` as a whole number from ``low`` to ``high`` (``None``: no limit), or a
    message argparse prints after the option's name."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{a_number}, got {text!r}") from None
    if value < low or (high is not None and value > high):
        raise argparse.ArgumentTypeError(f"{in_range}, got {value}")
    return value


def positive_int(text: str) -> int:
    """A whole number of at least 1 (replicates, weeks, workers)."""
    return _whole(text, 1, None, "expected a number of at least 1")


def seed(text: str) -> int:
    """A seed: a whole number from 0 to 2^32-1 (NumPy's seeds)."""
    return _whole(text, 0, 2**32 - 1, "expected a seed from 0 to 2^32-1")


def threads_setting(text: str) -> str:
    """``--threads N``: the same as ``--set system.threads=N`` (0: every core)."""
    return f"system.threads={_whole(text, 0, None, 'expected 0 (every core) or more')}"


def port(text: str) -> int:
    """A TCP port from 1 to 65535."""
    return _whole(text, 1, 65535, "expected a port from 1 to 65535", "expected a port number")


def add_run_options(p: argparse.ArgumentParser, weeks: bool = True) -> None:
    """What to run and where to write it: the options of every command that runs a scenario."""
    p.add_argument("--out", type=Path, help="results directory (default: results/<name>/<time>/)")
    p.add_argument("--seed", type=seed, help="seed of the first replicate (replicate r uses seed + r)")
    p.add_argument("--replicates", type=positive_int, help="replicates (default: the scenario's)")
    if weeks:
        p.add_argument("--weeks", type=positive_int, help="horizon in weeks (default: 520)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY.PATH=VALUE",
                   help="override a parameter, e.g. --set network.mean_degree=6 (repeatable)")
    p.add_argument("--threads", dest="overrides", action="append", type=threads_setting,
                   metavar="N", help="threads for each run's passes over the residents (default "
                   "0: every core; the numbers are the same with any); --set system.threads=N")
    p.add_argument("--place", help="a place of England: local authority or ICB code or name "
                   "(see the places command), or a scenario file to take its place: from; "
                   "--set population.scale=0.1 runs a tenth")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary table")


def add_replicate_workers(p: argparse.ArgumentParser) -> None:
    """The processes a command runs its replicates on (``run``, ``calibrate``, ``evidence``)."""
    p.add_argument("--workers", type=positive_int, default=None,
                   help="processes to run replicates on (default: one per core when the "
                        "runs repay starting them, else 1; the numbers are the same with "
                        "any number)")


def add_workers_options(p: argparse.ArgumentParser) -> None:
    """``run``'s processes for its replicates, and the PDF beside the report."""
    add_replicate_workers(p)
    p.add_argument("--pdf", action="store_true",
                   help="also print the report to report.pdf (needs Chromium or Chrome)")


def add_draw_options(p: argparse.ArgumentParser) -> None:
    """``compare``'s options for draws over the parameters' ranges (docs/uncertainty.md)."""
    p.add_argument("--draws", type=int, default=0, metavar="N",
                   help="plausible worlds drawn from the parameters' ranges (default 0: "
                        "seeds only); --set uncertainty.PATH.plausible=[lo,hi] or "
                        "uncertainty.PATH.fixed=true changes a range")
    p.add_argument("--draw-replicates", type=positive_int, default=1, metavar="R",
                   help="runs of each scenario per draw (default: 1)")
    p.add_argument("--workers", type=positive_int, default=None,
                   help="processes: for replicates (default: one per core when the runs "
                        "repay starting them, else 1) or for draws (default: the number of "
                        "cores); the numbers are the same with any number")
    p.add_argument("--pdf", action="store_true",
                   help="also print the report to report.pdf (needs Chromium or Chrome)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the draws on the Dask cluster at ADDRESS")
    p.add_argument("--resume", action="store_true",
                   help="finish the interrupted draws in --out, running only missing runs")


def set_help(p: argparse.ArgumentParser, dest: str, text: str) -> None:
    """Reword one option's help for one command (e.g. its default replicates)."""
    for action in p._actions:
        if action.dest == dest:
            action.help = text


def overrides(pairs: Sequence[str], place: str | None = None) -> dict:
    """``--place`` then ``--set`` as one mapping of dotted paths to values."""
    from .scenario import parse_assignment

    chosen = {}
    if place is not None:  # before --set, so that --set population.scale applies to it
        from .place_commands import place_overrides

        chosen = place_overrides(place)
    return {**chosen, **dict(parse_assignment(text) for text in pairs)}


def check_memory(spec) -> None:
    """Refuse a run that would not fit in memory, before allocating anything."""
    from .preflight import check_memory as check

    check([spec])


def workers_for_replicates(workers: int | None, specs) -> tuple[int, str]:
    """The processes for the replicates of ``specs``, ``--workers`` (``workers``) or, not
    given, :func:`sim.workers.replicate_workers`, and the line that says where the runs
    go (for stderr, once every input is checked). Exit 2 if that many runs at once would
    not fit in memory."""
    from .preflight import check_memory as check
    from .workers import replicate_workers, workers_said

    given = workers is not None
    workers = workers if given else replicate_workers(specs)
    runs = sum(spec.replicates for spec in specs)
    check(specs, at_once=min(workers, runs))
    return workers, (f"{runs} run{'s' if runs > 1 else ''} {workers_said(workers)}"
                     + ("" if given else " (--workers N to choose)"))


def replicates_with_bar(spec, workers: int, quiet: bool, title: str | None = None):
    """Every replicate of ``spec``, recorded, on ``workers`` processes
    (:func:`sim.replicates.run_replicates`), behind a progress bar titled ``title``
    (default: the scenario's name)."""
    from .progress import progress_bar
    from .replicates import run_replicates

    title = title or spec.name
    with progress_bar(spec.replicates * spec.weeks, title, quiet) as bar:
        def tick(r: int, w: int) -> None:
            bar.set_description(f"{title} replicate {r + 1}/{spec.replicates}", refresh=False)
            bar.update(1)
        return run_replicates(spec, workers, progress=tick)
