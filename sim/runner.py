"""Running scenarios: replicates on their seeds, and ``evaluate`` for external tools.

Replicate ``r`` of a run with seed ``s`` uses seed ``s + r``. Scenarios compared
with the same seed therefore run on the same seeds, and with common random
numbers each replicate gives a paired difference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .scenario import Scenario, load_scenario

__all__ = ["RunResult", "run_scenario", "run_once", "evaluate", "replicate_seeds"]


def replicate_seeds(seed: int, replicates: int) -> list[int]:
    """Seeds of replicates 0..R-1 of a run with ``seed``."""
    return [int(seed) + r for r in range(int(replicates))]


@dataclass
class RunResult:
    """Everything a run produced.

    Attributes:
        scenario: the scenario that ran (with its seed and weeks).
        seeds: one seed per replicate.
        timeseries: weekly metrics with ``replicate`` and ``seed`` columns first.
        summary: one row per replicate of headline metrics.
        phase_seconds: wall time per phase, summed over replicates.
    """

    scenario: Scenario
    seeds: list[int]
    timeseries: pd.DataFrame
    summary: pd.DataFrame
    phase_seconds: dict[str, float] = field(default_factory=dict)


def run_once(scenario: Scenario, seed: int, weeks: int | None = None,
             on_week: Callable[[Any], None] | None = None):
    """One replicate: (model, weekly frame, summary dict).

    ``on_week(model)``, if given, is called after every week.
    """
    from .process import keep_freed_heap
    from .reuse import built_model

    keep_freed_heap()  # in this worker's process
    model = built_model(scenario, seed)  # a fresh build, or a reused place (sim.reuse)
    model.run(weeks, progress=None if on_week is None else (lambda _week: on_week(model)))
    return model, model.timeseries(), model.summary()


def run_scenario(scenario: Scenario | str | Path | Mapping, *, seed: int | None = None,
                 replicates: int | None = None, weeks: int | None = None,
                 overrides: Mapping[str, Any] | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 on_week: Callable[[int, Any], None] | None = None) -> RunResult:
    """Run a scenario's replicates.

    Args:
        scenario: a :class:`Scenario`, a YAML path, a shipped scenario's name or a dict.
        seed: seed of the first replicate (default: the scenario's).
        replicates: number of replicates (default: the scenario's).
        weeks: horizon in weeks (default: the scenario's).
        overrides: dotted-path parameter overrides.
        progress: optional ``progress(replicate, week)`` callback.
        on_week: optional ``on_week(replicate, model)``, called after every week (before
            ``progress``), to record what the summary does not keep.

    Returns:
        A :class:`RunResult`.
    """
    spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    changes = dict(overrides or {})
    if seed is not None:
        changes["seed"] = int(seed)
    if replicates is not None:
        changes["replicates"] = int(replicates)
    if weeks is not None:
        changes["weeks"] = int(weeks)
    if changes:
        spec = spec.with_overrides(changes)
    seeds = replicate_seeds(spec.seed, spec.replicates)
    frames, rows, seconds = [], [], {}
    for r, s in enumerate(seeds):
        def tick(model, r=r):
            if on_week is not None:
                on_week(r, model)
            if progress is not None:
                progress(r, model.week)
        model, frame, summary = run_once(spec, s, on_week=tick if progress or on_week else None)
        frame.insert(0, "seed", s)
        frame.insert(0, "replicate", r)
        frames.append(frame)
        rows.append({"replicate": r, "seed": s, **summary})
        for k, v in model.phase_seconds.items():
            seconds[k] = seconds.get(k, 0.0) + v
    return RunResult(spec, seeds, pd.concat(frames, ignore_index=True), pd.DataFrame(rows),
                     seconds)


def evaluate(*, scenario: str | Path | Mapping = "baseline", seed: int = 1,
             weeks: int | None = None, **params: Any) -> dict[str, float]:
    """Run one replicate and return its headline outcomes.

    A plain, picklable function of scalar keyword parameters, so SALib, the EMA
    Workbench or ``mesa.batch_run``-style tools can drive Placesim without adapters.

    Args:
        scenario: a shipped scenario's name, a YAML path, or scenario data.
        seed: the run's seed.
        weeks: horizon (default: the scenario's).
        **params: parameters by path with ``__`` for nesting, e.g.
            ``network__mean_degree=8``, ``policies__social_movement__activist_share=0.03``
            (a policy the scenario does not list is added switched off; start it
            with ``policies__social_movement__enabled=True``).

    Returns:
        Summary metrics by name (floats).

    Example:
        >>> evaluate(population__size=2000, weeks=52, seed=3)["gp_appointments_per_1000"]  # doctest: +SKIP
    """
    overrides = {k.replace("__", "."): v for k, v in params.items()}
    spec = load_scenario(scenario)
    spec = spec.with_overrides(overrides, "evaluate()")
    if weeks is not None:
        spec = spec.with_overrides({"weeks": int(weeks)}, "evaluate()")
    from .policy_check import check_policies_run

    check_policies_run(spec, overrides, "evaluate()", "",
                       "policies__{kind}__enabled=True")
    _, _, summary = run_once(spec, int(seed))
    return {k: float(v) for k, v in summary.items()}
