"""Running scenarios with the extra measures a reading of a comparison needs.

Besides the model's own summary, each replicate records what the summary cannot show and
a reader needs to say *why* demand changed (:func:`mechanism_measures`): GP requests by
kind (minor complaints, follow-ups, reviews, …), the minor complaints that arose and the
share taken to a GP, and cost by component.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from .need import GP_REQUEST_KINDS
from .runner import RunResult, run_scenario
from .totals import annual_totals

if TYPE_CHECKING:
    from .scenario import Scenario

__all__ = ["GP_REQUEST_KINDS", "KIND_WORDS", "ScenarioRuns", "run_recorded",
           "mechanism_measures"]

KIND_WORDS = {
    "minor": "minor complaints", "followup": "booked follow-ups", "review": "condition reviews",
    "flare": "flares of long-term conditions",
    "acute": "acute episodes", "retry": "unserved requests trying again",
}


@dataclass
class ScenarioRuns:
    """One scenario's replicates, with the weekly GP demand by kind.

    Attributes:
        label: the scenario's name in tables and charts (unique within a comparison).
        result: the :class:`~sim.runner.RunResult`; its ``summary`` carries the
            columns of :func:`mechanism_measures` after the model's own.
        demand: one row per replicate and week: ``replicate``, ``seed``, ``week``,
            ``low_needs`` (minor complaints that arose), ``low_to_service`` (of them,
            taken to a GP or A&E) and ``gp_requests_<kind>`` (requests a practice
            received that week, served or not).
    """

    label: str
    result: RunResult
    demand: pd.DataFrame

    @property
    def scenario(self) -> "Scenario":
        """The scenario that ran."""
        return self.result.scenario


# The weekly columns of GP demand (recorded by sim.metrics every week).
DEMAND_COLUMNS = ("replicate", "seed", "week", "low_needs", "low_to_service",
                  *(f"gp_requests_{name}" for name in GP_REQUEST_KINDS))


def run_recorded(spec: "Scenario", *, label: str | None = None,
                 progress: Callable[[int, int], None] | None = None) -> ScenarioRuns:
    """Run a scenario's replicates with :func:`sim.runner.run_scenario`, with GP demand.

    Each week's GP requests by kind are columns of the model's time series
    (:data:`DEMAND_COLUMNS`); the summary gains the columns of :func:`mechanism_measures`.

    Args:
        spec: the scenario, with its seed, replicates and weeks.
        label: name in tables (default: the scenario's name).
        progress: optional ``progress(replicate, week)`` called after every week.

    Returns:
        A :class:`ScenarioRuns`.
    """
    result = run_scenario(spec, progress=progress)
    demand_frame = result.timeseries[list(DEMAND_COLUMNS)].reset_index(drop=True)
    extra = mechanism_measures(result.timeseries, demand_frame, spec)
    extra = pd.concat([extra, annual_totals(result.timeseries, spec)], axis=1)
    result.summary = pd.concat([result.summary, extra.reset_index(drop=True)], axis=1)
    return ScenarioRuns(label or spec.name, result, demand_frame)


def mechanism_measures(timeseries: pd.DataFrame, demand: pd.DataFrame,
                       spec: "Scenario") -> pd.DataFrame:
    """Per replicate, the final-year measures behind the headline ones.

    The window is the summary's: the final 52 weeks (the whole run if shorter).

    Returns:
        One row per replicate (in replicate order) with
        ``gp_requests_per_1000`` and ``gp_requests_<kind>_per_1000`` (requests a year
        per 1,000 residents), ``low_needs_per_1000`` (minor complaints a year per
        1,000), ``minor_to_gp_share`` (share of minor complaints taken to a GP),
        ``cost_<component>_per_capita`` (GBP per resident a year: GP, A&E,
        admissions, outpatients, and programmes — policies and community spending,
        the rest of ``cost_total``), and ``group_members_per_1000`` and
        ``movement_participants_per_1000`` at the end.
    """
    costs = spec.costs
    unit = {"gp": ("gp_appointments", costs.gp_appointment),
            "ae": ("ae_attendances", costs.ae_attendance),
            "admissions": ("emergency_admissions", costs.emergency_admission),
            "outpatients": ("outpatient_attendances", costs.outpatient_attendance)}
    rows = []
    for r, ts in timeseries.groupby("replicate", sort=True):
        wk = demand[demand["replicate"] == r]
        k = min(52, len(ts))
        final, final_wk = ts.tail(k), wk.tail(k)
        person_years = final["population"].mean() * k / 52.0
        per = 1000.0 / person_years if person_years else math.nan
        row = {}
        kinds = {name: final_wk[f"gp_requests_{name}"].sum() for name in GP_REQUEST_KINDS}
        row["gp_requests_per_1000"] = sum(kinds.values()) * per
        for name, n in kinds.items():
            row[f"gp_requests_{name}_per_1000"] = n * per
        low = final_wk["low_needs"].sum()
        row["low_needs_per_1000"] = low * per
        row["minor_to_gp_share"] = kinds["minor"] / low if low else math.nan
        activity_cost = 0.0
        for name, (col, price) in unit.items():
            value = final[col].sum() * price * per / 1000.0
            row[f"cost_{name}_per_capita"] = value
            activity_cost += value
        # The remainder of cost_total; rounded to a thousandth of a penny so that float
        # noise in the subtraction does not read as spending where there is none.
        row["cost_programmes_per_capita"] = round(
            final["cost_total"].sum() * per / 1000.0 - activity_cost, 5)
        last = ts.iloc[-1]
        row["group_members_per_1000"] = 1000.0 * last["group_members"] / last["population"]
        row["movement_participants_per_1000"] = (1000.0 * last["movement_participants"]
                                                 / last["population"])
        rows.append(row)
    return pd.DataFrame(rows)
