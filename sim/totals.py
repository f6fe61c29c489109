"""Totals for the place a year: the counts a planner budgets with, beside the rates.

A run's rates per 1,000 are what the model measures; a planner also needs the place's
own totals: appointments, attendances, admissions and spending in a year. The totals
are the final year's counts (the final 52 weeks, annualised if the run is shorter)
scaled from the simulated residents to the place's: a run at ``population.scale`` 0.1
counts a tenth of the place, so its counts are multiplied by ten. Without a place the
simulated population is the place and nothing is scaled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from .scenario import Scenario

__all__ = ["TOTALS", "annual_totals", "place_residents", "totals_note"]

# Summary column: (timeseries column, divisor). Costs are in GBP million.
TOTALS = {
    "gp_appointments_a_year": ("gp_appointments", 1.0),
    "ae_attendances_a_year": ("ae_attendances", 1.0),
    "emergency_admissions_a_year": ("emergency_admissions", 1.0),
    "outpatient_attendances_a_year": ("outpatient_attendances", 1.0),
    "cost_a_year_gbp_m": ("cost_total", 1e6),
}


def place_residents(spec: "Scenario") -> int:
    """Residents of the place the scenario stands for (mid-2020 for a real place)."""
    if spec.place is None:
        return spec.population.size
    from .places import resolve

    return resolve(spec.place).population


def annual_totals(timeseries: pd.DataFrame, spec: "Scenario") -> pd.DataFrame:
    """One row per replicate (in replicate order) with the :data:`TOTALS` columns."""
    factor = place_residents(spec) / spec.population.size
    rows = []
    for _, ts in timeseries.groupby("replicate", sort=True):
        final = ts.tail(min(52, len(ts)))
        per_year = 52.0 / len(final)
        rows.append({name: float(final[col].sum()) * per_year * factor / divisor
                     for name, (col, divisor) in TOTALS.items()})
    return pd.DataFrame(rows)


def totals_note(spec: "Scenario") -> str:
    """A sentence for reports: whose totals these are, and how they were scaled."""
    from .places import place_line

    residents = place_residents(spec)
    scaled = ("" if residents == spec.population.size else
              f" The run simulated {spec.population.size:,} of them; its counts are "
              f"multiplied by {residents / spec.population.size:,.4g}.")
    return (f"{place_line(spec) or 'No real place: the simulated residents.'} Totals are "
            f"for {residents:,} residents.{scaled}")
