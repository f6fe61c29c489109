"""``run``: replicates of one scenario → scenario.yaml, timeseries.parquet, summary.csv,
report.html (and report.pdf with ``--pdf``).

Imports only the standard library at import; the model and the report load when the
command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .cli_options import (add_run_options, add_workers_options, overrides,
                          replicates_with_bar, set_help, workers_for_replicates)

__all__ = ["add_run", "cmd_run", "RUN_MIN_REPLICATES"]

RUN_MIN_REPLICATES = 5  # enough replicates for a 95% interval that means something


def add_run(sub) -> None:
    """The ``run`` subcommand."""
    p = sub.add_parser("run", help="run a scenario and write its results")
    p.add_argument("scenario", type=Path, nargs="?", default=Path("baseline"),
                   help="scenario YAML or a shipped scenario's name (default: baseline)")
    add_run_options(p)
    set_help(p, "replicates", f"replicates (default: the scenario's, at least "
                              f"{RUN_MIN_REPLICATES} so that results have 95%% intervals)")
    add_workers_options(p)
    p.set_defaults(handler=cmd_run)


def _resolved_scenario(args: argparse.Namespace):
    """The scenario with the command line's seed, replicates and weeks (at least
    ``RUN_MIN_REPLICATES`` replicates unless ``--replicates`` says otherwise)."""
    from .scenario import load_scenario

    spec = load_scenario(args.scenario, overrides=overrides(args.overrides, args.place))
    changes = {k: v for k, v in (("seed", args.seed), ("replicates", args.replicates),
                                 ("weeks", args.weeks)) if v is not None}
    if args.replicates is None and spec.replicates < RUN_MIN_REPLICATES:
        changes["replicates"] = RUN_MIN_REPLICATES
        if not args.quiet:
            print(f"note: running {RUN_MIN_REPLICATES} replicates so that the results have "
                  "95% intervals (--replicates 1 for a single run)", file=sys.stderr)
    if changes:
        spec = spec.with_overrides(changes, "command line")
    return spec


def cmd_run(args: argparse.Namespace) -> int:
    """``run``: replicates of one scenario → scenario.yaml, timeseries.parquet, summary.csv, report.html."""
    from .compare import read_run
    from .export import write_tables
    from .place_commands import print_totals
    from .progress import print_paragraphs, print_summary
    from .report import write_run_report
    from .report_pdf import browser_for, print_beside
    from .results import default_out, results_dir, write_scenario_yaml

    spec = _resolved_scenario(args)
    workers, where = workers_for_replicates(args.workers, [spec])  # memory checked too
    browser = browser_for(args.pdf)
    out = args.out or default_out(spec.name)
    with results_dir(out) as tmp:
        if not args.quiet:  # (once the results folder is known to be good)
            print(f"{spec.name}: {where}", file=sys.stderr)
        runs = replicates_with_bar(spec, workers, args.quiet)
        result = runs.result
        write_scenario_yaml(tmp / "scenario.yaml", result.scenario, result.seeds)
        write_tables(tmp, {"summary": result.summary, "timeseries": result.timeseries},
                     parquet=("timeseries",))
        write_run_report(tmp / "report.html", result, runs)
        print_beside(tmp, browser)
    if not args.quiet:
        print_summary(result.summary, title=f"{spec.name}: final-year summary "
                      f"({spec.replicates} replicate(s))")
        print_totals({spec.name: result.summary}, spec)
        print()
        print_paragraphs(read_run(runs))
    print(f"wrote {out}")
    return 0
