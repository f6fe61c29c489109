"""A comparison across plausible worlds: the draws, the central runs, the files, ``sim.compare``.

``compare A.yaml B.yaml --draws N`` (and ``sim.compare([...], draws=N)``) runs

1. the draws (:mod:`sim.draws`): N plausible worlds, each scenario on the same seeds
   within a world, on the local pool or a Dask cluster, resumable;
2. the seeds-only comparison at the ranges' central values (:mod:`sim.compare`),
   which keeps the mechanism reading, the time series and the intervals over seeds,
   and measures chance alone for the variance split;

and writes, beside ``compare``'s usual files, ``draws.parquet`` (a row per draw x
scenario x replicate), ``ranking.csv`` (the assumptions that decide each difference)
and a ``comparison.csv`` with the draws' columns (:mod:`sim.probabilistic`). Until
the draws finish they are kept in ``DIR/.draws/`` for ``--resume``.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import InputError
from .probabilistic import ProbabilisticComparison, probabilistic_table
from .ranking import ranking_table

__all__ = ["compare", "prepare_draws", "run_probabilistic", "write_probabilistic",
           "compare_with_draws", "DRAWS_FOLDER", "RANKED"]

DRAWS_FOLDER = ".draws"  # finished runs of an unfinished comparison, for --resume
# The differences ranked by the assumptions that decide them.
RANKED = ("gp_appointments_per_1000", "ae_attendances_per_1000", "emergency_admissions_per_1000",
          "outpatient_attendances_per_1000", "cost_per_capita", "unmet_need_per_1000",
          "gp_requests_per_1000", "mean_dependence", "mean_activation", "mean_wellbeing",
          "lonely_share", "group_members_per_1000", "low_need_service_share")


def prepare_draws(specs, labels: Sequence[str], draws: int, replicates_per_draw: int = 1,
                  model: Callable | None = None):
    """Validate and plan the draws of aligned scenarios (nothing runs, nothing is written).

    Raises:
        InputError: a bad count, or ranges the scenarios disagree about.
    """
    from .draws import MAX_DRAWS, design_draws, plan_draws, simulate_recorded
    from .uncertainty import comparison_ranges

    for name, value, most in (("--draws", draws, MAX_DRAWS),
                              ("--draw-replicates", replicates_per_draw, 1000)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
            raise InputError("command line", name, f"expected a whole number from 1 to "
                             f"{most:,}, got {value!r}")
    design = design_draws(comparison_ranges(specs), draws, specs[0].seed, replicates_per_draw)
    return plan_draws(specs, labels, design, model or simulate_recorded)


def run_probabilistic(plan, specs, folder: str | Path, *, workers: int = 1,
                      scheduler: str | None = None, resume: bool = False, quiet: bool = True,
                      progress: Callable[[int, int, int], None] | None = None
                      ) -> ProbabilisticComparison:
    """Run the draws (into ``folder``) and the central seeds-only comparison.

    Args:
        plan: :func:`prepare_draws`.
        specs: the aligned scenarios, reference first.
        folder: where the draws' runs are kept until written (see :func:`sim.draws.run_draws`).
        workers, scheduler, resume, quiet: as for :func:`sim.draws.run_draws`.
        progress: ``progress(scenario_index, replicate, week)`` of the central runs.
    """
    from .compare import compare_scenarios
    from .draws import run_draws

    frame = run_draws(plan, folder, workers=workers, scheduler=scheduler, resume=resume,
                      quiet=quiet)
    central_values = plan.design.central_values()
    central_specs = [s.with_overrides(plan.applied(central_values, i), "draws")
                     for i, s in enumerate(specs)]
    # The central runs on the same local workers as the draws (a Dask run keeps them here).
    central = compare_scenarios(central_specs, labels=list(plan.labels), progress=progress,
                                workers=1 if scheduler else workers)
    metrics = [m for m in RANKED if m in plan.outputs]
    ranking = ranking_table(frame, plan.design, plan.labels[0], plan.labels, metrics)
    table = probabilistic_table(central, frame, plan.design, ranking)
    return ProbabilisticComparison(central, frame, plan.design, table, ranking)


def compare(scenarios: Sequence[Any], *, draws: int = 0, seed: int | None = None,
            replicates: int | None = None, weeks: int | None = None,
            overrides: Mapping[str, Any] | None = None, replicates_per_draw: int = 1,
            workers: int = 1, scheduler: str | None = None):
    """Compare scenarios on common random numbers, across plausible worlds with ``draws``.

    Args:
        scenarios: scenarios (paths, shipped names, dicts or :class:`~sim.scenario.Scenario`),
            the reference first.
        draws: plausible worlds to draw from the parameters' ranges; 0 compares over
            seeds only.
        seed, replicates, weeks: as ``compare``'s options (``replicates`` are the
            seeds-only runs at central values).
        overrides: dotted-path overrides for every scenario, including
            ``uncertainty.PATH.FIELD`` (see :mod:`sim.uncertainty`).
        replicates_per_draw: runs of each scenario in each draw.
        workers, scheduler: where the draws run (local processes, or a Dask address).

    Returns:
        A :class:`~sim.compare.Comparison` without draws, else a
        :class:`~sim.probabilistic.ProbabilisticComparison`; both have ``.to_frame()``
        and ``.plot()``.
    """
    import tempfile

    from .compare import align_scenarios, compare_scenarios, unique_labels
    from .scenario import Scenario, load_scenario

    specs = [s.with_overrides(overrides or {}, "sim.compare()") if isinstance(s, Scenario)
             else load_scenario(s, overrides=overrides) for s in scenarios]
    if len(specs) < 2:
        raise InputError("sim.compare()", "scenarios", "expected at least two scenarios")
    specs, _ = align_scenarios(specs, seed=seed, replicates=replicates, weeks=weeks)
    labels = unique_labels([s.name for s in specs])
    if not draws:
        return compare_scenarios(specs, labels=labels)
    if scheduler is None:
        from .workers import start_server

        start_server()  # its imports overlap the planning
    plan = prepare_draws(specs, labels, draws, replicates_per_draw)
    with tempfile.TemporaryDirectory(prefix="placesim-draws-") as tmp:
        return run_probabilistic(plan, specs, Path(tmp) / DRAWS_FOLDER, workers=workers,
                                 scheduler=scheduler)


def write_probabilistic(out: Path, result: ProbabilisticComparison,
                        notes: Sequence[str] = ()) -> None:
    """Write every file of a comparison with draws into ``out``, each whole, then drop the
    kept runs."""
    from .export import write_tables
    from .report import write_compare_report
    from .results import write_scenario_yaml

    central = result.central
    tmp = out / f".written.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "scenarios").mkdir(parents=True)
    for label, runs in central.runs.items():
        write_scenario_yaml(tmp / "scenarios" / f"{label}.yaml", runs.scenario,
                            runs.result.seeds, note=f"compared as {label!r}, at the central "
                            f"values of its ranges; {result.design.draws} draws in draws.parquet")
    # As every results directory: a CSV beside each Parquet, and the tables as a workbook.
    write_tables(tmp, {"comparison": result.table, "ranking": result.ranking,
                       "draws": result.draws, "summary": central.summary_frame(),
                       "timeseries": central.timeseries_frame()},
                 parquet=("draws", "timeseries"))
    write_compare_report(tmp / "report.html", central, notes, probabilistic=result)
    for item in sorted(tmp.iterdir()):
        target = out / item.name
        if target.is_dir():
            shutil.rmtree(target)
        os.replace(item, target)
    tmp.rmdir()
    shutil.rmtree(out / DRAWS_FOLDER, ignore_errors=True)


def compare_with_draws(specs, notes: Sequence[str], args) -> int:
    """``compare … --draws N``: the CLI's handler (``specs`` aligned, reference first)."""
    from .compare import unique_labels
    from .progress import print_paragraphs
    from .preflight import check_out
    from .probabilistic import read_probabilistic
    from .results import _sigterm_as_interrupt, default_out

    labels = unique_labels([s.name for s in specs])
    if args.resume and args.out is None:
        raise InputError("command line", "--resume", "expected --out DIR naming the comparison "
                         "to resume")
    out = Path(args.out or default_out("compare-" + "-vs-".join(labels)[:80]))
    check_out(out)  # as for any results directory: found before a draw is run
    if not args.resume and out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(str(out), "--out", "already exists and is not empty; expected a new "
                         "or empty directory (or --resume to finish its draws)")
    if args.scheduler is None:
        from .workers import start_server

        start_server()  # its imports overlap the planning
    plan = prepare_draws(specs, labels, args.draws, args.draw_replicates)
    workers = args.workers or os.cpu_count() or 1
    where = f"Dask scheduler {args.scheduler}" if args.scheduler else f"{workers} local worker(s)"
    if not args.quiet:
        print(f"{' vs '.join(labels)}: {plan.design.draws} draws over "
              f"{len(plan.design.drawn)} uncertain parameter(s), {plan.runs} runs on {where}, "
              f"then {specs[0].replicates} replicate(s) at central values -> {out}",
              file=sys.stderr)
    started = time.perf_counter()
    reps, horizon = specs[0].replicates, specs[0].weeks
    try:
        with _sigterm_as_interrupt():
            result = run_probabilistic(plan, specs, out / DRAWS_FOLDER, workers=workers,
                                       scheduler=args.scheduler, resume=args.resume,
                                       quiet=args.quiet)
            write_probabilistic(out, result, notes)
    except KeyboardInterrupt:
        print(f"interrupted: finished draws are kept in {out}; continue with the same command "
              f"and --out {out} --resume", file=sys.stderr)
        return 130
    failed = int(result.draws["error"].notna().sum())
    if failed:
        print(f"warning: {failed} of {len(result.draws)} runs failed and are left out; see the "
              f"error column of {out / 'draws.parquet'}", file=sys.stderr)
    if not args.quiet:
        for note in notes:
            print(f"note: {note}")
        print(f"{' vs '.join(labels)}: {plan.design.draws} draws x {plan.design.replicates} "
              f"replicate(s) and {reps} central replicate(s), {horizon} weeks, "
              f"{specs[0].population.size:,} residents, {time.perf_counter() - started:.0f} s")
        for paragraphs in read_probabilistic(result).values():
            print_paragraphs(paragraphs)
    print(f"wrote {out}")
    return 0
