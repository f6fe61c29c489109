"""A place's totals a year (sim.totals): the final 52 weeks, annualised, scaled up to the place."""

import pandas as pd
import pytest

from sim.scenario import load_scenario
from sim.totals import TOTALS, annual_totals, place_residents, totals_note


def _series(weeks: int, replicates: int = 2) -> pd.DataFrame:
    """Replicate r has r + 1 of everything a week; the first 10 weeks 100 (burn-in noise)."""
    rows = []
    for r in range(replicates):
        for w in range(weeks):
            value = 100.0 if w < 10 else r + 1.0
            rows.append({"replicate": r, "week": w, **{col: value for col, _ in TOTALS.values()}})
    return pd.DataFrame(rows)


def test_without_a_place_the_final_year_is_summed_unscaled():
    spec = load_scenario("baseline", overrides={"population.size": 2000})
    totals = annual_totals(_series(104), spec)
    assert place_residents(spec) == 2000
    assert totals["gp_appointments_a_year"].tolist() == [52.0, 104.0]
    assert totals["cost_a_year_gbp_m"].tolist() == pytest.approx([52e-6, 104e-6])
    assert "Totals are for 2,000 residents." in totals_note(spec)


def test_a_short_run_is_annualised_and_a_scaled_place_multiplied_up():
    spec = load_scenario("baseline", overrides={"place": "Blackpool", "population.scale": 0.01})
    factor = place_residents(spec) / spec.population.size
    assert place_residents(spec) == 138_381 and factor == pytest.approx(100, rel=0.01)
    totals = annual_totals(_series(26)[lambda f: f.week >= 10], spec)  # 16 weeks kept
    assert totals["ae_attendances_a_year"].tolist() == pytest.approx([52.0 * factor,
                                                                      104.0 * factor])
    assert f"multiplied by {factor:,.4g}" in totals_note(spec)
