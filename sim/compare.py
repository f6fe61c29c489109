"""Comparing scenarios on common random numbers: paired differences with intervals.

Every scenario of a comparison runs on the same seeds (replicate ``r`` on
``seed + r``, :func:`sim.runner.replicate_seeds`). With common random numbers on
(``system.common_random_numbers``, the default) a resident's draws do not depend on
what the policies did, so replicate ``r`` of scenario B minus replicate ``r`` of the
reference A is a *paired difference* whose spread reflects the policy, not noise.

Intervals are two-sided 95% t-intervals over replicates (``scipy.stats.t``): for
each scenario's mean, and for the mean of the paired differences.

Running with the extra measures a reading needs is :mod:`sim.recording`; the
plain-English reading is :mod:`sim.wording`; intervals are :mod:`sim.statistics`. Their
public names are importable from here too.
"""

from __future__ import annotations

import math
import sys
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from .metrics import HEADLINE
from .recording import (GP_REQUEST_KINDS, KIND_WORDS, ScenarioRuns, mechanism_measures,
                        run_recorded)
from .statistics import LEVEL, t_interval

if TYPE_CHECKING:
    from .scenario import Scenario

__all__ = [
    "ScenarioRuns", "Comparison", "run_recorded", "compare_scenarios", "align_scenarios",
    "t_interval", "comparison_table", "mechanism_measures", "read_comparison", "read_run",
    "split_minor_change",
    "GP_REQUEST_KINDS", "COMPARISON_COLUMNS",
]


COMPARISON_COLUMNS = ("metric", "scenario", "reference", "replicates", "mean", "sd", "ci_low",
                      "ci_high", "diff", "diff_sd", "diff_ci_low", "diff_ci_high")

# Summary columns that identify a replicate rather than measure it.
_ID_COLUMNS = ("scenario", "replicate", "seed", "weeks")


# --- statistics ---------------------------------------------------------------------------------


def metric_order(columns: Sequence[str]) -> list[str]:
    """Measured columns in reading order: headline first, then the rest as they come."""
    measured = [c for c in columns if c not in _ID_COLUMNS]
    first = [c for c in HEADLINE if c in measured]
    return first + [c for c in measured if c not in first]


def _paired(reference: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """The two summaries' rows matched by seed (the pairing of common random numbers)."""
    return reference.merge(other, on="seed", suffixes=("_a", "_b"), validate="one_to_one")


def comparison_table(summaries: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """``comparison.csv``: per metric and scenario, mean and paired difference with intervals.

    Args:
        summaries: scenario label -> its summary (one row per replicate, with
            ``seed``); the first is the reference the differences are taken from.

    Returns:
        One row per metric and scenario with :data:`COMPARISON_COLUMNS`. ``diff`` is
        the mean over replicates of (scenario - reference) on the same seed; the
        reference's own difference columns are empty.
    """
    labels = list(summaries)
    reference = summaries[labels[0]]
    metrics = metric_order([c for c in reference.columns
                            if pd.api.types.is_numeric_dtype(reference[c])])
    rows = []
    for metric in metrics:
        for label in labels:
            frame = summaries[label]
            if metric not in frame:
                continue
            mean, sd, lo, hi, n = t_interval(frame[metric])
            row = {"metric": metric, "scenario": label, "reference": labels[0], "replicates": n,
                   "mean": mean, "sd": sd, "ci_low": lo, "ci_high": hi,
                   "diff": math.nan, "diff_sd": math.nan, "diff_ci_low": math.nan,
                   "diff_ci_high": math.nan}
            if label != labels[0]:
                both = _paired(reference[["seed", metric]], frame[["seed", metric]])
                d, dsd, dlo, dhi, _ = t_interval(both[f"{metric}_b"] - both[f"{metric}_a"])
                row.update(diff=d, diff_sd=dsd, diff_ci_low=dlo, diff_ci_high=dhi)
            rows.append(row)
    return pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))


# --- comparing ----------------------------------------------------------------------------------


@dataclass
class Comparison:
    """Scenarios run on the same seeds, and their comparison.

    Attributes:
        runs: label -> :class:`ScenarioRuns`, in order; the first is the reference.
        table: the comparison table (:func:`comparison_table`).
    """

    runs: dict[str, ScenarioRuns]
    table: pd.DataFrame

    @property
    def labels(self) -> list[str]:
        """Scenario labels, reference first."""
        return list(self.runs)

    @property
    def reference(self) -> str:
        """The scenario the differences are taken from."""
        return self.labels[0]

    def summary_frame(self) -> pd.DataFrame:
        """Every scenario's per-replicate summary, with a ``scenario`` column first."""
        return pd.concat([runs.result.summary.assign(scenario=label)[
            ["scenario", *runs.result.summary.columns]] for label, runs in self.runs.items()],
            ignore_index=True)

    def timeseries_frame(self) -> pd.DataFrame:
        """Every scenario's weekly metrics, with a ``scenario`` column first."""
        return pd.concat([runs.result.timeseries.assign(scenario=label)[
            ["scenario", *runs.result.timeseries.columns]] for label, runs in self.runs.items()],
            ignore_index=True)

    def row(self, metric: str, label: str) -> pd.Series:
        """The table's row for one metric and scenario."""
        hit = self.table[(self.table["metric"] == metric) & (self.table["scenario"] == label)]
        return hit.iloc[0]

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: a row per metric and scenario (``comparison.csv``)."""
        return self.table.copy()

    def plot(self, metrics: Sequence[str] | None = None):
        """A Plotly figure of the headline paired differences with their 95% intervals."""
        from .report import difference_figure

        return difference_figure(self, list(metrics or HEADLINE_READ))


def unique_labels(names: Sequence[str]) -> list[str]:
    """Scenario names made unique by a numeric suffix (``baseline``, ``baseline-2``)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return out


def align_scenarios(specs: Sequence["Scenario"], *, seed: int | None = None,
                    replicates: int | None = None, weeks: int | None = None,
                    min_replicates: int = 5) -> tuple[list["Scenario"], list[str]]:
    """Give every scenario the same seed, replicates and horizon, so runs pair.

    Args:
        specs: the scenarios, reference first.
        seed: first replicate's seed (default: the reference's).
        replicates: replicates (default: the largest any scenario asks for, and at
            least ``min_replicates`` so that intervals mean something).
        weeks: horizon in weeks (default: the reference's).

    Returns:
        The aligned scenarios and notes for the user about what was changed.
    """
    notes = []
    given_seed = seed is not None
    seed = specs[0].seed if seed is None else int(seed)
    weeks_ = specs[0].weeks if weeks is None else int(weeks)
    if replicates is None:
        replicates = max(min_replicates, *(s.replicates for s in specs))
    if weeks is None and any(s.weeks != weeks_ for s in specs):
        notes.append(f"the scenarios' horizons differ; all run {weeks_} weeks (the first's)")
    if not given_seed and any(s.seed != seed for s in specs):
        notes.append(f"the scenarios' seeds differ; all run on seeds from {seed} (the first's)")
    change = {"seed": seed, "replicates": int(replicates), "weeks": weeks_}
    return [s.with_overrides(change, "compare") for s in specs], notes


def compare_scenarios(specs: Sequence["Scenario"], *, labels: Sequence[str] | None = None,
                      progress: Callable[[int, int, int], None] | None = None,
                      workers: int = 1) -> Comparison:
    """Run scenarios on the same seeds and compare them with the first.

    Args:
        specs: aligned scenarios (same seed, replicates and weeks; see
            :func:`align_scenarios`), reference first.
        labels: unique names (default: the scenarios' names, made unique).
        progress: optional ``progress(scenario_index, replicate, week)`` after every week.
        workers: processes to run replicates on (:mod:`sim.replicates`; same numbers).

    Returns:
        A :class:`Comparison`.
    """
    if len({(s.seed, s.replicates, s.weeks) for s in specs}) != 1:
        raise ValueError("scenarios must share seed, replicates and weeks; use align_scenarios")
    labels = list(labels) if labels is not None else unique_labels([s.name for s in specs])
    from .replicates import run_recorded_on, submit_replicates, worker_pool

    runs = {}
    with worker_pool(workers) as pool:
        # Every scenario's replicates are queued before any is waited for: no worker idles
        # while the last replicates of one scenario finish.
        queued = [submit_replicates(pool, spec) if pool is not None else None for spec in specs]
        for i, (label, spec) in enumerate(zip(labels, specs)):
            tick = (lambda r, w, i=i: progress(i, r, w)) if progress else None
            runs[label] = (run_recorded(spec, label=label, progress=tick) if pool is None
                           else run_recorded_on(pool, spec, label, tick, queued[i]))
    table = comparison_table({label: r.result.summary for label, r in runs.items()})
    return Comparison(runs, table)


_MOVED = ("read_comparison", "read_run", "split_minor_change", "words", "fmt", "is_clear",
          "WORDS", "HEADLINE_READ")


def __getattr__(name: str):
    # The reading moved to sim.wording, which uses this module: imported on first use.
    if name in _MOVED:
        from . import wording

        return getattr(wording, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ``sim.compare(...)`` is the notebook API (:func:`sim.api.compare`), but ``sim.compare`` is
# also this module, and importing it makes the package attribute the module. So the module
# itself is callable, and calls the API: both spellings work, whichever was imported first.
class _CallableModule(type(math)):
    def __call__(self, *scenarios, **options):
        from .api import compare

        return compare(*scenarios, **options)


import sys as _sys  # noqa: E402

_sys.modules[__name__].__class__ = _CallableModule
