"""``compare`` and ``demo``: scenarios on common random numbers, paired differences with
95% intervals → comparison.csv, summary.csv, timeseries.parquet, scenarios/*.yaml,
report.html; with ``--draws N`` across plausible worlds (:mod:`sim.compare_draws`).

Imports only the standard library at import; the model and the report load when the
command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .cli_options import (add_draw_options, add_run_options, check_memory, overrides,
                          positive_int, seed, set_help, workers_for_replicates)
from .errors import InputError

__all__ = ["add_compare", "add_demo", "cmd_compare", "cmd_demo"]

# The demo: the two families of policy at a size that runs in well under a minute.
DEMO_SCENARIOS = ("done_to.yaml", "done_with.yaml")
DEMO_REPLICATES = 4
DEMO_OVERRIDES = {"population.size": 15_000, "population.neighbourhoods": 3,
                  "population.practice_list_size": 5_000}
DEMO_WEEKS = 520


def add_compare(sub) -> None:
    """The ``compare`` subcommand."""
    p = sub.add_parser("compare", help="compare scenarios on common random numbers",
                       description="Run scenarios on the same seeds and compare them with the "
                                   "first: paired differences with 95% intervals.")
    p.add_argument("scenarios", type=Path, nargs="+", metavar="SCENARIO",
                   help="scenario YAMLs; the first is the reference")
    add_run_options(p)
    set_help(p, "replicates", "replicates (default: the most any scenario asks for, at least 5)")
    add_draw_options(p)
    p.set_defaults(handler=cmd_compare)


def add_demo(sub) -> None:
    """The ``demo`` subcommand."""
    p = sub.add_parser("demo", help="compare done_to.yaml with done_with.yaml and write the "
                                    "report (under a minute)")
    p.add_argument("--out", type=Path, help="results directory (default: results/demo/<time>/)")
    p.add_argument("--replicates", type=positive_int, default=DEMO_REPLICATES,
                   help=f"replicates (default: {DEMO_REPLICATES})")
    p.add_argument("--seed", type=seed, help="seed of the first replicate")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary table")
    add_draw_options(p)
    p.set_defaults(handler=cmd_demo)


def cmd_compare(args: argparse.Namespace) -> int:
    """``compare``: scenarios on the same seeds → comparison.csv, summary.csv,
    timeseries.parquet, scenarios/*.yaml, report.html."""
    from .scenario import load_scenario

    if len(args.scenarios) < 2:
        raise InputError("command line", "SCENARIO",
                         "expected at least two scenario files to compare")
    chosen = overrides(args.overrides, args.place)
    specs = [load_scenario(path, overrides=chosen) for path in args.scenarios]
    if args.draws or args.resume:
        return _compare_with_draws(specs, args, weeks=args.weeks)
    return _compare(specs, args.out, seed=args.seed, replicates=args.replicates,
                    weeks=args.weeks, quiet=args.quiet, workers=args.workers, pdf=args.pdf)


def cmd_demo(args: argparse.Namespace) -> int:
    """``demo``: compare done_to.yaml with done_with.yaml (15,000 residents, 10 years)."""
    from .scenario import SCENARIO_DIR, load_scenario

    specs = [load_scenario(SCENARIO_DIR / name, overrides=DEMO_OVERRIDES)
             for name in DEMO_SCENARIOS]
    out = args.out
    if out is None:
        from .results import default_out

        out = default_out("demo")
    if args.draws or args.resume:
        args.out = out
        return _compare_with_draws(specs, args, weeks=DEMO_WEEKS)
    return _compare(specs, out, seed=args.seed, replicates=args.replicates, weeks=DEMO_WEEKS,
                    quiet=args.quiet, workers=args.workers, pdf=args.pdf)


def _compare_with_draws(specs, args: argparse.Namespace, weeks) -> int:
    """Align the scenarios and compare them across ``--draws`` plausible worlds."""
    from .compare import align_scenarios
    from .compare_draws import compare_with_draws

    specs, notes = align_scenarios(specs, seed=args.seed, replicates=args.replicates,
                                   weeks=weeks)
    for spec in specs:
        check_memory(spec)
    return compare_with_draws(specs, notes, args)


def _compare(specs, out, *, seed, replicates, weeks, quiet, workers=None, pdf=False) -> int:
    """Align, run, write and print a comparison (shared by ``compare`` and ``demo``);
    ``workers`` ``None``: as :func:`sim.workers.replicate_workers` chooses."""
    import time

    from .compare import align_scenarios, compare_scenarios, unique_labels
    from .export import write_tables
    from .progress import progress_bar
    from .report import write_compare_report
    from .report_pdf import browser_for, print_beside
    from .results import default_out, results_dir, write_scenario_yaml

    specs, notes = align_scenarios(specs, seed=seed, replicates=replicates, weeks=weeks)
    workers, where = workers_for_replicates(workers, specs)  # memory checked too
    labels = unique_labels([s.name for s in specs])
    out = out or default_out("compare-" + "-vs-".join(labels)[:80])
    reps, horizon = specs[0].replicates, specs[0].weeks
    browser = browser_for(pdf)
    started = time.perf_counter()
    with results_dir(out) as tmp:
        if not quiet:  # (once the results folder is known to be good)
            print(f"{' vs '.join(labels)}: {where}", file=sys.stderr)
        with progress_bar(len(specs) * reps * horizon, "compare", quiet) as bar:
            def tick(i: int, r: int, w: int) -> None:
                bar.set_description(f"{labels[i]} replicate {r + 1}/{reps}", refresh=False)
                bar.update(1)
            comp = compare_scenarios(specs, labels=labels, progress=tick, workers=workers)
        (tmp / "scenarios").mkdir()
        for label, runs in comp.runs.items():
            write_scenario_yaml(tmp / "scenarios" / f"{label}.yaml", runs.scenario,
                                runs.result.seeds, note=f"compared as {label!r}")
        write_tables(tmp, {"comparison": comp.table, "summary": comp.summary_frame(),
                           "timeseries": comp.timeseries_frame()}, parquet=("timeseries",))
        write_compare_report(tmp / "report.html", comp, notes)
        print_beside(tmp, browser)
    if not quiet:
        _print_comparison(comp, notes, specs, time.perf_counter() - started)
    print(f"wrote {out}")
    return 0


def _print_comparison(comp, notes, specs, seconds: float) -> None:
    """The comparison on the terminal: notes, the table, totals and the reading."""
    from .compare import read_comparison
    from .place_commands import print_totals
    from .progress import print_comparison, print_paragraphs

    for note in notes:
        print(f"note: {note}")
    labels = list(comp.runs)
    print(f"{' vs '.join(labels)}: {specs[0].replicates} paired replicate(s), "
          f"{specs[0].weeks} weeks, {specs[0].population.size:,} residents, {seconds:.0f} s")
    print_comparison(comp)
    print_totals({label: r.result.summary for label, r in comp.runs.items()}, specs[0])
    print()
    for label, paragraphs in read_comparison(comp).items():
        print_paragraphs(paragraphs)
