"""``sweep``: a parameter sweep (grid, lhs, sobol, morris) → runs.parquet (a row per run),
sensitivity.csv, report.html; interrupted sweeps resume with ``--resume``.

Imports only the standard library at import; the sweep machinery loads when the
command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .cli_options import EXIT_INTERRUPTED, positive_int
from .errors import InputError

__all__ = ["add_sweep", "cmd_sweep"]


def add_sweep(sub) -> None:
    """The ``sweep`` subcommand."""
    p = sub.add_parser("sweep", help="run a parameter sweep (grid, lhs, sobol, morris)")
    p.add_argument("sweep", type=Path, help="sweep YAML (see docs/sweeps.md)")
    p.add_argument("--out", type=Path, help="results directory (default: results/<name>/<time>/)")
    p.add_argument("--workers", type=positive_int, default=None,
                   help="local worker processes (default: the number of cores)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on the Dask cluster at ADDRESS, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--resume", action="store_true",
                   help="finish an interrupted sweep in --out, running only missing runs")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(handler=cmd_sweep)


def cmd_sweep(args: argparse.Namespace) -> int:
    """``sweep``: runs.parquet (a row per run), sensitivity.csv, report.html; resumable."""
    import os

    from .preflight import check_out, check_scheduler, check_sweep
    from .results import _sigterm_as_interrupt, default_out
    from .sweep import load_sweep, run_sweep

    if args.scheduler is not None:
        check_scheduler(args.scheduler)
    spec = load_sweep(args.sweep)
    if args.resume and args.out is None:
        raise InputError("command line", "--resume", "expected --out DIR naming the sweep to resume")
    out = args.out or default_out(spec.name)
    check_out(out)
    workers = args.workers or os.cpu_count() or 1
    check_sweep(spec, workers, local=args.scheduler is None)
    where = f"Dask scheduler {args.scheduler}" if args.scheduler else f"{workers} local worker(s)"
    if not args.quiet:
        print(f"{spec.name}: {spec.runs} runs ({len(spec.points)} points x {spec.replicates} "
              f"replicate(s)) on {where} -> {out}", file=sys.stderr)
    try:
        with _sigterm_as_interrupt():  # SIGTERM flushes finished runs too
            done = run_sweep(spec, out, workers=workers, scheduler=args.scheduler,
                             resume=args.resume, quiet=args.quiet)
    except KeyboardInterrupt:
        print(f"interrupted: finished runs are kept in {out}; continue with "
              f"python run.py sweep {args.sweep} --out {out} --resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:  # a full disk mid-way: the finished runs are whole and kept
        from .errors import OutputError

        raise OutputError(str(out), f"writing failed ({exc.strerror or exc}); finished runs "
                          f"are kept: free space, then python run.py sweep {args.sweep} "
                          f"--out {out} --resume") from None
    total = len(done.runs)
    print(f"{total} runs ({done.ran} this time, {done.failed} failed) in {done.seconds:.1f} s; "
          f"wrote {out}")
    if done.failed:
        print(f"warning: {done.failed} run(s) failed; see the error column of "
              f"{out / 'runs.parquet'}", file=sys.stderr)
    return 1 if total and done.failed == total else 0
