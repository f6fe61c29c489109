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

from .errors import InputError

__all__ = ["main", "build_parser"]

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


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
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary table")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="placesim",
        description="Placesim: does doing things 'to' people or 'with' them change "
                    "demand on a local health system?")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="run a scenario and write its results")
    p.add_argument("scenario", type=Path, help="scenario YAML")
    _add_run_options(p)
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("validate", help="check a scenario or sweep file")
    p.add_argument("file", type=Path)
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("list", help="list shipped scenarios and sweeps")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("parameters", help="list every parameter with default, bounds, unit, source")
    p.add_argument("--markdown", action="store_true", help="as a Markdown table (for docs/)")
    p.set_defaults(handler=cmd_parameters)
    return parser


def _overrides(pairs: Sequence[str]) -> dict:
    from .scenario import parse_assignment

    return dict(parse_assignment(text) for text in pairs)


def cmd_run(args: argparse.Namespace) -> int:
    """``run``: replicates of one scenario → scenario.yaml, timeseries.parquet, summary.csv, report.html."""
    from .progress import progress_bar, print_summary
    from .report import write_run_report
    from .results import default_out, results_dir, write_scenario_yaml
    from .runner import run_scenario
    from .scenario import load_scenario

    spec = load_scenario(args.scenario, overrides=_overrides(args.overrides))
    changes = {k: v for k, v in (("seed", args.seed), ("replicates", args.replicates),
                                 ("weeks", args.weeks)) if v is not None}
    if changes:
        spec = spec.with_overrides(changes, "command line")
    _check_memory(spec)
    out = args.out or default_out(spec.name)
    with results_dir(out) as tmp:
        with progress_bar(spec.replicates * spec.weeks, f"{spec.name}", args.quiet) as bar:
            result = run_scenario(spec, progress=lambda r, w: bar.update(1))
        write_scenario_yaml(tmp / "scenario.yaml", result.scenario, result.seeds)
        result.timeseries.to_parquet(tmp / "timeseries.parquet", index=False)
        result.summary.to_csv(tmp / "summary.csv", index=False)
        write_run_report(tmp / "report.html", result)
    if not args.quiet:
        print_summary(result.summary, title=f"{spec.name}: final-year summary "
                      f"({spec.replicates} replicate(s))")
    print(f"wrote {out}")
    return 0


def _check_memory(spec) -> None:
    """Refuse a run that would not fit in memory, before allocating anything."""
    import os

    from .model import estimated_bytes

    need = estimated_bytes(spec.population.size, spec.weeks, spec.network.mean_degree)
    try:
        available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return
    if need > 0.8 * available:
        raise InputError("scenario", "population.size",
                         f"{spec.population.size:,} residents need about {need / 1e9:.1f} GB; "
                         f"{available / 1e9:.1f} GB is free. Expected a population that fits "
                         "in memory")


def cmd_validate(args: argparse.Namespace) -> int:
    """``validate``: exit 0 and ``ok``, or exit 2 naming the file, key and problem."""
    from .scenario import load_scenario, read_yaml

    data = read_yaml(args.file)
    if "sweep" in data or "design" in data:
        from .sweep import load_sweep

        load_sweep(args.file)
    else:
        load_scenario(args.file)
    print("ok")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """``list``: shipped scenarios and sweeps with one-line descriptions."""
    from .scenario import SCENARIO_DIR, read_yaml

    for folder, label in ((SCENARIO_DIR, "scenarios"), (SCENARIO_DIR / "sweeps", "sweeps")):
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


def cmd_parameters(args: argparse.Namespace) -> int:
    """``parameters``: every parameter's declaration."""
    from .scenario import parameter_paths

    rows = parameter_paths()
    if args.markdown:
        print("| parameter | default | bounds | unit | description | source or reason |")
        print("| --- | --- | --- | --- | --- | --- |")
        for path, p in rows.items():
            bounds = "" if p.lo is None and p.hi is None else f"{p.lo:g} .. {p.hi:g}"
            if p.choices:
                bounds = " / ".join(p.choices)
            print(f"| `{path}` | {p.default} | {bounds} | {p.unit} | {p.doc} | {p.source} |")
        return 0
    for path, p in rows.items():
        print(f"{path:58} {p.default!s:>14}  {p.unit}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted: no results were written", file=sys.stderr)
        return EXIT_INTERRUPTED


def console_main() -> None:
    """The ``placesim`` console script."""
    sys.exit(main())
