"""The checking commands: ``calibrate`` (a scenario against a place's targets),
``evidence`` (each policy's effects against published ones) and ``validate`` (a
scenario, sweep or targets file, without running it).

Imports only the standard library at import; the model loads when a command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .cli_options import (add_replicate_workers, add_run_options, overrides, positive_int,
                          replicates_with_bar, seed, workers_for_replicates)

__all__ = ["add_calibrate", "add_evidence", "add_validate",
           "cmd_calibrate", "cmd_evidence", "cmd_validate"]


def add_calibrate(sub) -> None:
    """The ``calibrate`` subcommand."""
    p = sub.add_parser("calibrate", help="run a scenario and check it against a place's "
                       "targets (exit 1 if any is missed)")
    p.add_argument("scenario", type=Path, help="scenario YAML")
    p.add_argument("--targets", type=Path, default=None,
                   help="targets YAML (default: scenarios/targets/england.yaml)")
    add_run_options(p)
    add_replicate_workers(p)
    p.set_defaults(handler=cmd_calibrate)


def add_evidence(sub) -> None:
    """The ``evidence`` subcommand."""
    p = sub.add_parser("evidence", help="run each policy against the baseline on common seeds "
                       "and check its effects against published ones (exit 1 if any is outside)")
    p.add_argument("--targets", type=Path, default=None,
                   help="evidence targets YAML (default: scenarios/targets/evidence.yaml)")
    p.add_argument("--replicates", type=positive_int, help="replicates (default: the file's)")
    p.add_argument("--seed", type=seed, help="seed of the first replicate")
    p.add_argument("--out", type=Path, help="results directory (default: results/evidence/<time>/)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_replicate_workers(p)
    p.set_defaults(handler=cmd_evidence)


def add_validate(sub) -> None:
    """The ``validate`` subcommand."""
    p = sub.add_parser("validate", help="check a scenario, sweep or targets file (a sweep: "
                       "its runs and a time estimate)")
    p.add_argument("file", type=Path)
    p.add_argument("--workers", type=positive_int, default=None,
                   help="for a sweep's time estimate (default: the number of cores)")
    p.set_defaults(handler=cmd_validate)


def cmd_calibrate(args: argparse.Namespace) -> int:
    """``calibrate``: the scenario's final year against each target → calibration.csv.

    Prints, per target, the model's mean over replicates with its 95% interval, the
    target, its tolerance and pass/fail; exits 1 when any target is missed.
    """
    from .calibration import DEFAULT_TARGETS, format_table, judge, load_targets
    from .results import default_out, results_dir, write_scenario_yaml
    from .scenario import load_scenario

    targets = load_targets(args.targets or DEFAULT_TARGETS)
    spec = load_scenario(args.scenario, overrides=overrides(args.overrides, args.place))
    changes = {k: v for k, v in (("seed", args.seed), ("weeks", args.weeks)) if v is not None}
    # Targets are judged on the mean over replicates: at least 3 unless asked otherwise.
    changes["replicates"] = args.replicates or max(spec.replicates, 3)
    spec = spec.with_overrides(changes, "command line")
    workers, where = workers_for_replicates(args.workers, [spec])  # memory checked too
    out = args.out or default_out(f"{spec.name}-calibration")
    with results_dir(out) as tmp:
        if not args.quiet:  # (once the results folder is known to be good)
            print(f"calibrate {spec.name}: {where}", file=sys.stderr)
        result = replicates_with_bar(spec, workers, args.quiet, f"calibrate {spec.name}").result
        table = judge(result.summary, targets)
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

    return command(args.targets, args.replicates, args.seed, args.out, args.quiet,
                   args.workers)


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
