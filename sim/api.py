"""Results for notebooks: ``sim.compare(...)`` and ``sim.run(...)`` with tables and plots.

The command line writes files; a researcher in a notebook wants objects. Both
functions run exactly what the command line runs (the same seeds, pairing and
measures), and return a result with ``.to_frame()`` (pandas) and ``.plot()`` (a Plotly
figure, the report's own chart):

    >>> cmp = sim.compare("done_to", "done_with", replicates=5,
    ...                   overrides={"population.size": 15_000}, progress=True)  # doctest: +SKIP
    >>> cmp.to_frame()                    # per metric and scenario: mean, paired difference, CIs
    >>> cmp.to_frame("timeseries")        # weekly series, every scenario and replicate
    >>> cmp.plot()                        # paired differences from the first, % of its mean
    >>> cmp.plot("timeseries", group="Demand and cost")
    >>> cmp.report("report.html")         # the HTML report the command line writes

``progress=True`` shows a tqdm bar (``tqdm.auto``: a widget in Jupyter, text elsewhere);
a callable is called as ``progress(done, total)`` in simulated weeks.
"""

from __future__ import annotations

import os

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["compare", "run", "ComparisonResult", "RunResults"]

PLOTS = ("differences", "timeseries", "demand", "equity")


def _progress(progress: bool | Callable[[int, int], None], total: int, label: str):
    """A ``tick()`` for every simulated week, and a ``close()``."""
    if callable(progress):
        done = [0]

        def tick() -> None:
            done[0] += 1
            progress(done[0], total)
        return tick, (lambda: None)
    if not progress:
        return (lambda: None), (lambda: None)
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=label, unit="wk")
    return (lambda: bar.update(1)), bar.close


def _group(figures, group: str | None):
    names = [name for name, _ in figures]
    if group is None:
        return figures[0][1]
    if group not in names:
        raise ValueError(f"no group {group!r}; expected one of {names}")
    return dict(figures)[group]


@dataclass
class ComparisonResult:
    """Scenarios run on the same seeds and compared with the first.

    Attributes:
        comparison: the :class:`sim.compare.Comparison` (runs, table).
        notes: what was aligned (seeds, horizons) for the runs to pair.
    """

    comparison: Any
    notes: list[str] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        """Scenario labels, reference first."""
        return self.comparison.labels

    def to_frame(self, kind: str = "comparison") -> pd.DataFrame:
        """A table: ``"comparison"`` (per metric and scenario: mean, paired difference
        from the first, 95% intervals; the columns of ``comparison.csv``),
        ``"summary"`` (a row per scenario and replicate) or ``"timeseries"`` (weekly)."""
        tables = {"comparison": lambda: self.comparison.table.copy(),
                  "summary": self.comparison.summary_frame,
                  "timeseries": self.comparison.timeseries_frame}
        if kind not in tables:
            raise ValueError(f"no table {kind!r}; expected one of {list(tables)}")
        return tables[kind]()

    def plot(self, kind: str = "differences", group: str | None = None):
        """A Plotly figure: ``"differences"`` (paired, % of the reference's mean, 95% CIs),
        ``"timeseries"`` (``group``: a name of :data:`sim.report_plots.PANEL_GROUPS`;
        default the first), ``"demand"`` (GP requests by kind) or ``"equity"``."""
        from . import report_plots as rp
        from .compare import HEADLINE_READ

        comp = self.comparison
        if kind == "differences":
            return rp.difference_figure(comp, [*HEADLINE_READ, "low_need_service_share",
                                               "gp_requests_per_1000"])
        if kind == "timeseries":
            return _group(rp.timeseries_figures(
                {label: r.result.timeseries for label, r in comp.runs.items()}), group)
        if kind == "demand":
            return rp.demand_kind_figure(comp)
        if kind == "equity":
            return rp.equity_figure({label: r.result.summary for label, r in comp.runs.items()})
        raise ValueError(f"no plot {kind!r}; expected one of {list(PLOTS)}")

    def report(self, path: str | Path) -> Path:
        """Write the HTML report the command line writes; returns its path."""
        from .report import write_compare_report

        write_compare_report(Path(path), self.comparison, self.notes)
        return Path(path)


@dataclass
class RunResults:
    """One scenario's replicates (with GP demand by kind recorded)."""

    runs: Any

    def to_frame(self, kind: str = "summary") -> pd.DataFrame:
        """``"summary"`` (a row per replicate) or ``"timeseries"`` (weekly)."""
        if kind == "summary":
            return self.runs.result.summary.copy()
        if kind == "timeseries":
            return self.runs.result.timeseries.copy()
        raise ValueError(f"no table {kind!r}; expected 'summary' or 'timeseries'")

    def plot(self, kind: str = "timeseries", group: str | None = None):
        """``"timeseries"`` (mean and 95% band per group of panels) or ``"demand"``."""
        from . import report_plots as rp

        if kind == "timeseries":
            return _group(rp.timeseries_figures({self.runs.label: self.runs.result.timeseries}),
                          group)
        if kind == "demand":
            return rp.demand_area_figure(self.runs)
        raise ValueError(f"no plot {kind!r}; expected 'timeseries' or 'demand'")


def compare(*scenarios: Any, replicates: int | None = None, seed: int | None = None,
            weeks: int | None = None, overrides: Mapping[str, Any] | None = None,
            progress: bool | Callable[[int, int], None] = False,
            workers: int | None = None, draws: int = 0, replicates_per_draw: int = 1,
            scheduler: str | None = None):
    """Run scenarios on the same seeds and compare each with the first; with ``draws``,
    across that many plausible worlds drawn from the parameters' ranges.

    Args:
        *scenarios: two or more scenarios (or one list of them): shipped names
            (``"done_to"``), YAML paths, dicts or :class:`~sim.scenario.Scenario` objects;
            the first is the reference.
        replicates: replicates (default: the most any scenario asks for, at least 5); with
            draws, the seeds-only runs at the ranges' central values.
        seed: first replicate's seed (default: the first scenario's).
        weeks: horizon in weeks (default: the first scenario's).
        overrides: dotted-path parameters applied to every scenario, including
            ``uncertainty.PATH.FIELD`` (:mod:`sim.uncertainty`).
        progress: ``True`` for a tqdm bar, or ``progress(done, total)`` in weeks (without
            draws).
        workers: processes to run replicates on (default 1), or draws on (default: the
            number of cores); the same numbers with any number.
        draws: plausible worlds (0: seeds only). Draws run on worker processes that
            import the script as ``spawn`` would (:mod:`sim.workers`), so a script that
            asks for them needs ``if __name__ == "__main__":``.
        replicates_per_draw: runs of each scenario in each world.
        scheduler: a Dask scheduler's address for the draws.

    Returns:
        A :class:`ComparisonResult`, or with draws a
        :class:`~sim.probabilistic.ProbabilisticComparison`; both have ``.to_frame()``
        and ``.plot()``.
    """
    from .compare import align_scenarios, compare_scenarios, unique_labels
    from .scenario import Scenario, load_scenario

    if len(scenarios) == 1 and isinstance(scenarios[0], (list, tuple)):
        scenarios = tuple(scenarios[0])
    if draws:
        from .compare_draws import compare as compare_with_draws

        return compare_with_draws(list(scenarios), draws=draws, seed=seed,
                                  replicates=replicates, weeks=weeks, overrides=overrides,
                                  replicates_per_draw=replicates_per_draw,
                                  workers=workers or os.cpu_count() or 1,
                                  scheduler=scheduler)
    workers = workers or 1
    if len(scenarios) < 2:
        raise ValueError("expected at least two scenarios to compare")
    specs = []
    for s in scenarios:
        if not isinstance(s, Scenario):
            s = load_scenario(s, overrides=dict(overrides or {}))
        elif overrides:
            s = s.with_overrides(dict(overrides), "compare()")
        specs.append(s)
    specs, notes = align_scenarios(specs, seed=seed, replicates=replicates, weeks=weeks)
    labels = unique_labels([s.name for s in specs])
    tick, close = _progress(progress, len(specs) * specs[0].replicates * specs[0].weeks,
                            "compare")
    try:
        comp = compare_scenarios(specs, labels=labels, progress=lambda i, r, w: tick(),
                                 workers=workers)
    finally:
        close()
    return ComparisonResult(comp, notes)


def run(scenario: Any, *, replicates: int = 5, seed: int | None = None,
        weeks: int | None = None, overrides: Mapping[str, Any] | None = None,
        progress: bool | Callable[[int, int], None] = False) -> RunResults:
    """Run one scenario's replicates, recording what the report needs.

    Args as :func:`compare`, for one scenario; ``replicates`` defaults to 5 (for intervals).
    """
    from .compare import run_recorded
    from .scenario import Scenario, load_scenario

    spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    changes: dict[str, Any] = {**dict(overrides or {}), "replicates": int(replicates)}
    if seed is not None:
        changes["seed"] = int(seed)
    if weeks is not None:
        changes["weeks"] = int(weeks)
    spec = spec.with_overrides(changes, "run()")
    tick, close = _progress(progress, spec.replicates * spec.weeks, spec.name)
    try:
        runs = run_recorded(spec, progress=lambda r, w: tick())
    finally:
        close()
    return RunResults(runs)
