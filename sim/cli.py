"""The command line: ``python run.py <command> …`` (same as the ``placesim`` script).

Every command validates its input first. Bad input of any kind exits with code 2
and one message naming the file, the key and what was expected; no results
directory is created or left half-written (see :mod:`sim.results`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .cli_examples import add_examples
from .errors import InputError

__all__ = ["main", "build_parser"]

EXIT_BAD_INPUT = 2
EXIT_WRITE_FAILED = 1  # results could not be written (disk full); nothing half-written
EXIT_INTERRUPTED = 130
RUN_MIN_REPLICATES = 5  # enough replicates for a 95% interval that means something


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


def _threads_setting(text: str) -> str:
    """``--threads N``: the same as ``--set system.threads=N``."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 (every core) or more, got {value}")
    return f"system.threads={value}"


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"expected a seed from 0 to 2^32-1, got {value}")
    return value


def _add_run_options(p: argparse.ArgumentParser, weeks: bool = True) -> None:
    p.add_argument("--out", type=Path, help="results directory (default: results/<name>/<time>/)")
    p.add_argument("--seed", type=_seed, help="seed of the first replicate (replicate r uses seed + r)")
    p.add_argument("--replicates", type=_positive_int, help="replicates (default: the scenario's)")
    if weeks:
        p.add_argument("--weeks", type=_positive_int, help="horizon in weeks (default: 520)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY.PATH=VALUE",
                   help="override a parameter, e.g. --set network.mean_degree=6 (repeatable)")
    p.add_argument("--threads", dest="overrides", action="append", type=_threads_setting,
                   metavar="N", help="threads for each run's passes over the residents (default "
                   "0: every core; the numbers are the same with any); --set system.threads=N")
    p.add_argument("--place", help="a place of England: local authority or ICB code or name "
                   "(see the places command), or a scenario file to take its place: from; "
                   "--set population.scale=0.1 runs a tenth")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary table")


def _add_draw_options(p: argparse.ArgumentParser) -> None:
    """``compare``'s options for draws over the parameters' ranges (docs/uncertainty.md)."""
    p.add_argument("--draws", type=int, default=0, metavar="N",
                   help="plausible worlds drawn from the parameters' ranges (default 0: "
                        "seeds only); --set uncertainty.PATH.plausible=[lo,hi] or "
                        "uncertainty.PATH.fixed=true changes a range")
    p.add_argument("--draw-replicates", type=_positive_int, default=1, metavar="R",
                   help="runs of each scenario per draw (default: 1)")
    p.add_argument("--workers", type=_positive_int, default=None,
                   help="processes: for replicates (default: 1; the numbers are the same "
                        "with any number) or for draws (default: the number of cores)")
    p.add_argument("--pdf", action="store_true",
                   help="also print the report to report.pdf (needs Chromium or Chrome)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the draws on the Dask cluster at ADDRESS")
    p.add_argument("--resume", action="store_true",
                   help="finish the interrupted draws in --out, running only missing runs")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="placesim",
        description="Placesim: does doing things 'to' people or 'with' them change "
                    "demand on a local health system?")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="run a scenario and write its results")
    p.add_argument("scenario", type=Path, nargs="?", default=Path("baseline"),
                   help="scenario YAML or a shipped scenario's name (default: baseline)")
    _add_run_options(p)
    _set_help(p, "replicates", f"replicates (default: the scenario's, at least "
                               f"{RUN_MIN_REPLICATES} so that results have 95%% intervals)")
    _add_workers(p)
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("sweep", help="run a parameter sweep (grid, lhs, sobol, morris)")
    p.add_argument("sweep", type=Path, help="sweep YAML (see docs/sweeps.md)")
    p.add_argument("--out", type=Path, help="results directory (default: results/<name>/<time>/)")
    p.add_argument("--workers", type=_positive_int, default=None,
                   help="local worker processes (default: the number of cores)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on the Dask cluster at ADDRESS, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--resume", action="store_true",
                   help="finish an interrupted sweep in --out, running only missing runs")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(handler=cmd_sweep)

    p = sub.add_parser("compare", help="compare scenarios on common random numbers",
                       description="Run scenarios on the same seeds and compare them with the "
                                   "first: paired differences with 95% intervals.")
    p.add_argument("scenarios", type=Path, nargs="+", metavar="SCENARIO",
                   help="scenario YAMLs; the first is the reference")
    _add_run_options(p)
    _set_help(p, "replicates", "replicates (default: the most any scenario asks for, at least 5)")
    _add_draw_options(p)
    p.set_defaults(handler=cmd_compare)

    p = sub.add_parser("demo", help="compare done_to.yaml with done_with.yaml and write the "
                                    "report (under a minute)")
    p.add_argument("--out", type=Path, help="results directory (default: results/demo/<time>/)")
    p.add_argument("--replicates", type=_positive_int, default=DEMO_REPLICATES,
                   help=f"replicates (default: {DEMO_REPLICATES})")
    p.add_argument("--seed", type=_seed, help="seed of the first replicate")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary table")
    _add_draw_options(p)
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("calibrate", help="run a scenario and check it against a place's "
                       "targets (exit 1 if any is missed)")
    p.add_argument("scenario", type=Path, help="scenario YAML")
    p.add_argument("--targets", type=Path, default=None,
                   help="targets YAML (default: scenarios/targets/england.yaml)")
    _add_run_options(p)
    p.set_defaults(handler=cmd_calibrate)

    p = sub.add_parser("evidence", help="run each policy against the baseline on common seeds "
                       "and check its effects against published ones (exit 1 if any is outside)")
    p.add_argument("--targets", type=Path, default=None,
                   help="evidence targets YAML (default: scenarios/targets/evidence.yaml)")
    p.add_argument("--replicates", type=_positive_int, help="replicates (default: the file's)")
    p.add_argument("--seed", type=_seed, help="seed of the first replicate")
    p.add_argument("--out", type=Path, help="results directory (default: results/evidence/<time>/)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=cmd_evidence)

    p = sub.add_parser("dashboard", help="the workshop dashboard: done to | done with, live "
                       "in a browser (works offline)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only; "
                        "0.0.0.0 lets the room connect)")
    p.add_argument("--port", type=_port, default=8765, help="port (default: 8765)")
    p.set_defaults(handler=cmd_dashboard)

    p = sub.add_parser("validate", help="check a scenario, sweep or targets file (a sweep: "
                       "its runs and a time estimate)")
    p.add_argument("file", type=Path)
    p.add_argument("--workers", type=_positive_int, default=None,
                   help="for a sweep's time estimate (default: the number of cores)")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("list", help="list shipped scenarios and sweeps")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("places", help="list England's places: residents, deprivation mix, "
                                      "neighbourhoods")
    p.add_argument("--search", metavar="TEXT", help="only places whose code or name contains TEXT")
    p.add_argument("--icb", metavar="CODE", help="only this ICB (code or name) and its local "
                                                 "authorities")
    p.set_defaults(handler=cmd_places)

    p = sub.add_parser("show", help="print a scenario fully resolved (extends, place, --set)")
    p.add_argument("scenario", type=Path, help="scenario YAML or a shipped scenario's name")
    p.add_argument("--place", help="a place of England (as for run)")
    p.add_argument("--set", dest="overrides", action="append", default=[],
                   metavar="KEY.PATH=VALUE", help="override a parameter (repeatable)")
    p.set_defaults(handler=cmd_show)

    _add_parameters(sub)
    add_examples(sub)
    return parser


def _add_parameters(sub) -> None:
    p = sub.add_parser("parameters", help="list every parameter with default, bounds, unit, source")
    p.add_argument("--markdown", action="store_true", help="as a Markdown table (for docs/)")
    p.add_argument("--prefix", default="", help="only paths starting with this, e.g. policies.screening")
    p.add_argument("--section", default="", help="only one section, e.g. primary_care or "
                   "policies.screening")
    p.add_argument("--search", default="", metavar="WORD",
                   help="only parameters whose path, description or source mention WORD")
    p.add_argument("--place", action="store_true",
                   help="only the few that describe your place (size, deprivation, capacity, costs)")
    p.set_defaults(handler=cmd_parameters)


def _add_workers(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=_positive_int, default=1,
                   help="processes to run replicates on (default: 1; the numbers are the "
                        "same with any number)")
    p.add_argument("--pdf", action="store_true",
                   help="also print the report to report.pdf (needs Chromium or Chrome)")


def _set_help(p: argparse.ArgumentParser, dest: str, text: str) -> None:
    for action in p._actions:
        if action.dest == dest:
            action.help = text


def _overrides(pairs: Sequence[str], place: str | None = None) -> dict:
    from .scenario import parse_assignment

    chosen = {}
    if place is not None:  # before --set, so that --set population.scale applies to it
        from .place_commands import place_overrides

        chosen = place_overrides(place)
    return {**chosen, **dict(parse_assignment(text) for text in pairs)}


def cmd_places(args: argparse.Namespace) -> int:
    """``places``: England's places with residents, deprivation mix and neighbourhoods."""
    from .place_commands import list_places

    return list_places(args.search, args.icb)


def cmd_show(args: argparse.Namespace) -> int:
    """``show``: the fully resolved scenario as YAML."""
    from .place_commands import show_scenario

    return show_scenario(args.scenario, _overrides(args.overrides, args.place))


def cmd_run(args: argparse.Namespace) -> int:
    """``run``: replicates of one scenario → scenario.yaml, timeseries.parquet, summary.csv, report.html."""
    from .compare import read_run, run_recorded
    from .place_commands import print_totals
    from .export import write_tables
    from .report_pdf import browser_for, print_beside
    from .progress import print_paragraphs, print_summary, progress_bar
    from .report import write_run_report
    from .results import default_out, results_dir, write_scenario_yaml
    from .scenario import load_scenario

    spec = load_scenario(args.scenario, overrides=_overrides(args.overrides, args.place))
    changes = {k: v for k, v in (("seed", args.seed), ("replicates", args.replicates),
                                 ("weeks", args.weeks)) if v is not None}
    if args.replicates is None and spec.replicates < RUN_MIN_REPLICATES:
        changes["replicates"] = RUN_MIN_REPLICATES
        if not args.quiet:
            print(f"note: running {RUN_MIN_REPLICATES} replicates so that the results have "
                  "95% intervals (--replicates 1 for a single run)", file=sys.stderr)
    if changes:
        spec = spec.with_overrides(changes, "command line")
    _check_memory(spec)
    browser = browser_for(args.pdf)
    out = args.out or default_out(spec.name)
    with results_dir(out) as tmp:
        with progress_bar(spec.replicates * spec.weeks, f"{spec.name}", args.quiet) as bar:
            def tick(r: int, w: int) -> None:
                bar.set_description(f"{spec.name} replicate {r + 1}/{spec.replicates}",
                                    refresh=False)
                bar.update(1)
            if args.workers > 1:
                from .replicates import run_recorded_on, worker_pool

                with worker_pool(args.workers) as pool:
                    runs = run_recorded_on(pool, spec, spec.name, tick)
            else:
                runs = run_recorded(spec, progress=tick)
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


# The demo: the two families of policy at a size that runs in well under a minute.
DEMO_SCENARIOS = ("done_to.yaml", "done_with.yaml")
DEMO_REPLICATES = 4
DEMO_OVERRIDES = {"population.size": 15_000, "population.neighbourhoods": 3,
                  "population.practice_list_size": 5_000}
DEMO_WEEKS = 520


def cmd_compare(args: argparse.Namespace) -> int:
    """``compare``: scenarios on the same seeds → comparison.csv, summary.csv,
    timeseries.parquet, scenarios/*.yaml, report.html."""
    from .scenario import load_scenario

    if len(args.scenarios) < 2:
        raise InputError("command line", "SCENARIO",
                         "expected at least two scenario files to compare")
    overrides = _overrides(args.overrides, args.place)
    specs = [load_scenario(path, overrides=overrides) for path in args.scenarios]
    if args.draws or args.resume:
        from .compare import align_scenarios
        from .compare_draws import compare_with_draws

        specs, notes = align_scenarios(specs, seed=args.seed, replicates=args.replicates,
                                       weeks=args.weeks)
        for spec in specs:
            _check_memory(spec)
        return compare_with_draws(specs, notes, args)
    return _compare(specs, args.out, seed=args.seed, replicates=args.replicates,
                    weeks=args.weeks, quiet=args.quiet, workers=args.workers or 1, pdf=args.pdf)


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
        from .compare import align_scenarios
        from .compare_draws import compare_with_draws

        args.out = out
        specs, notes = align_scenarios(specs, seed=args.seed, replicates=args.replicates,
                                       weeks=DEMO_WEEKS)
        return compare_with_draws(specs, notes, args)
    return _compare(specs, out, seed=args.seed, replicates=args.replicates, weeks=DEMO_WEEKS,
                    quiet=args.quiet, workers=args.workers or 1, pdf=args.pdf)


def _compare(specs, out, *, seed, replicates, weeks, quiet, workers=1, pdf=False) -> int:
    """Align, run, write and print a comparison (shared by ``compare`` and ``demo``)."""
    import time

    from .compare import align_scenarios, compare_scenarios, read_comparison, unique_labels
    from .place_commands import print_totals
    from .export import write_tables
    from .report_pdf import browser_for, print_beside
    from .progress import print_comparison, print_paragraphs, progress_bar
    from .report import write_compare_report
    from .results import default_out, results_dir, write_scenario_yaml

    specs, notes = align_scenarios(specs, seed=seed, replicates=replicates, weeks=weeks)
    for spec in specs:
        _check_memory(spec)
    labels = unique_labels([s.name for s in specs])
    out = out or default_out("compare-" + "-vs-".join(labels)[:80])
    reps, horizon = specs[0].replicates, specs[0].weeks
    browser = browser_for(pdf)
    started = time.perf_counter()
    with results_dir(out) as tmp:
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
        for note in notes:
            print(f"note: {note}")
        print(f"{' vs '.join(labels)}: {reps} paired replicate(s), {horizon} weeks, "
              f"{specs[0].population.size:,} residents, "
              f"{time.perf_counter() - started:.0f} s")
        print_comparison(comp)
        print_totals({label: r.result.summary for label, r in comp.runs.items()}, specs[0])
        print()
        for label, paragraphs in read_comparison(comp).items():
            print_paragraphs(paragraphs)
    print(f"wrote {out}")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    """``calibrate``: the scenario's final year against each target → calibration.csv.

    Prints, per target, the model's mean over replicates with its 95% interval, the
    target, its tolerance and pass/fail; exits 1 when any target is missed.
    """
    from .calibration import DEFAULT_TARGETS, calibrate, format_table, load_targets
    from .progress import progress_bar
    from .results import default_out, results_dir, write_scenario_yaml
    from .scenario import load_scenario

    targets = load_targets(args.targets or DEFAULT_TARGETS)
    spec = load_scenario(args.scenario, overrides=_overrides(args.overrides, args.place))
    changes = {k: v for k, v in (("seed", args.seed), ("weeks", args.weeks)) if v is not None}
    # Targets are judged on the mean over replicates: at least 3 unless asked otherwise.
    changes["replicates"] = args.replicates or max(spec.replicates, 3)
    spec = spec.with_overrides(changes, "command line")
    _check_memory(spec)
    out = args.out or default_out(f"{spec.name}-calibration")
    with results_dir(out) as tmp:
        with progress_bar(spec.replicates * spec.weeks, f"calibrate {spec.name}", args.quiet) as bar:
            table, result = calibrate(spec, targets, progress=lambda r, w: bar.update(1))
        write_scenario_yaml(tmp / "scenario.yaml", result.scenario, result.seeds)
        table.to_csv(tmp / "calibration.csv", index=False)
        result.summary.to_csv(tmp / "summary.csv", index=False)
    missed = int((~table["passed"]).sum())
    print(f"{spec.name} against {targets.name}: {spec.population.size:,} residents, "
          f"{spec.weeks} weeks, {spec.replicates} replicate(s); final-year mean over "
          "replicates with its 95% interval")
    print(format_table(table))
    print(f"{len(table) - missed} of {len(table)} targets met" + (f"; {missed} missed" if missed else ""))
    print(f"wrote {out}")
    return 1 if missed else 0


def cmd_evidence(args: argparse.Namespace) -> int:
    """``evidence``: each policy's effects against the published ones → evidence.csv, .md."""
    from .evidence import command

    return command(args.targets, args.replicates, args.seed, args.out, args.quiet)


def _check_memory(spec) -> None:
    """Refuse a run that would not fit in memory, before allocating anything."""
    from .preflight import check_memory

    check_memory([spec])


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


def cmd_validate(args: argparse.Namespace) -> int:
    """``validate``: exit 0 and ``ok``, or exit 2 naming the file, key and problem."""
    from .scenario import load_scenario, read_yaml

    data = read_yaml(args.file)
    if "sweep" in data or "design" in data:
        from .sweep import load_sweep
        from .validate import sweep_estimate

        print("ok: " + sweep_estimate(load_sweep(args.file), args.workers))
    elif "targets" in data:
        from .calibration import load_targets

        targets = load_targets(args.file)
        print(f"ok: {len(targets.targets)} targets ({targets.name})")
    else:
        load_scenario(args.file)
        print("ok")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """``list``: shipped scenarios and sweeps with one-line descriptions."""
    from .scenario import SCENARIO_DIR, read_yaml

    for folder, label in ((SCENARIO_DIR, "scenarios"), (SCENARIO_DIR / "places", "places"),
                          (SCENARIO_DIR / "sweeps", "sweeps")):
        files = sorted(folder.glob("*.yaml"))
        if not files:
            continue
        print(f"{label}:")
        for path in files:
            try:
                text = " ".join(str(read_yaml(path).get("description", "")).split())
            except InputError as exc:
                text = f"(invalid: {exc})"
            first = text.split(". ")[0].rstrip(".")
            print(f"  {path.relative_to(SCENARIO_DIR.parent)!s:44} {first}")
    return 0


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 1 to 65535, got {value}")
    return value


def cmd_dashboard(args: argparse.Namespace) -> int:
    """``dashboard``: serve the workshop dashboard until Ctrl-C (see docs/dashboard.md)."""
    from .dashboard_serve import serve  # imports no solara: it must set solara's settings first

    serve(args.host, args.port)
    return 0


def cmd_parameters(args: argparse.Namespace) -> int:
    """``parameters``: every parameter's declaration."""
    from .parameter_listing import format_parameter, select_parameters
    from .scenario import parameter_table

    if args.markdown:
        print(parameter_table(args.prefix))
        return 0
    chosen = select_parameters(args.section, args.search, args.place, args.prefix)
    for path, p in chosen.items():
        print(format_parameter(path, p))
    if not chosen:
        print("no parameter matches", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    from .errors import OutputError
    from .leftovers import remove_leftovers
    from .process import keep_freed_heap

    for stream in (sys.stdout, sys.stderr):  # a path with undecodable bytes still prints
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    keep_freed_heap()
    out = getattr(args, "out", None)
    for removed in remove_leftovers([out.parent] if out is not None else []):
        print(f"note: removed {removed}, left by a run that was killed", file=sys.stderr)
    try:
        return int(args.handler(args) or 0)
    except BrokenPipeError:  # the reader stopped reading (| head): not an error
        import os

        # Point stdout at /dev/null so that the flush at exit does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_WRITE_FAILED
    except KeyboardInterrupt:
        print("interrupted: no results were written", file=sys.stderr)
        return EXIT_INTERRUPTED


def console_main() -> None:
    """The ``placesim`` console script."""
    sys.exit(main())
