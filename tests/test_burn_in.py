"""The model starts in its steady state: the unreported burn-in (sim/burn_in.py)."""

from __future__ import annotations

import numpy as np
import pytest

from sim import HealthSystemModel

PLACE = {"population__size": 10_000, "population__neighbourhoods": 2,
         "population__practice_list_size": 5000}
RATES = ("gp_appointments", "ae_attendances", "outpatient_attendances")


def yearly_rates(burn_in_weeks: int) -> dict[str, np.ndarray]:
    """Per 1,000 residents a year, year by year, of the untouched baseline."""
    m = HealthSystemModel("baseline", seed=3, system__burn_in_weeks=burn_in_weeks, **PLACE)
    frame = m.run().timeseries()
    year = (frame["week"].to_numpy() - 1) // 52
    pop = np.bincount(year, frame["population"].to_numpy()) / 52.0
    return {c: 1000.0 * np.bincount(year, frame[c].to_numpy()) / pop for c in RATES}


def test_the_baseline_does_not_change_between_year_one_and_year_ten():
    rates = yearly_rates(52)
    for column, values in rates.items():
        assert abs(values[0] / values[9] - 1.0) < 0.05, (column, values[0], values[9])


def test_without_the_burn_in_year_one_is_a_start_up_artefact():
    rates = yearly_rates(0)
    assert rates["outpatient_attendances"][0] < 0.8 * rates["outpatient_attendances"][9]


def test_the_burn_in_is_unreported_and_the_clock_restarts(small):
    overrides = {k.replace(".", "__"): v for k, v in small.items()}
    m = HealthSystemModel("done_with", seed=1, **overrides)
    assert m.week == 0 and m.burn_in_seconds > 0
    assert not any(p.running for p in m.policies)  # no policy acted in the burn-in
    assert (m.people.cum_gp[: m.people.n] == 0).all()
    assert (m.people.ti_op_followup[: m.people.n] >= 0).any()  # pathways in progress
    m.run(3)
    assert len(m.timeseries()) == 3


@pytest.mark.parametrize("seed", [1, 2])
def test_paired_scenarios_start_from_the_same_state(small, seed):
    overrides = {k.replace(".", "__"): v for k, v in small.items()}
    a = HealthSystemModel("baseline", seed=seed, **overrides)
    b = HealthSystemModel("done_to", seed=seed, **overrides)
    n = a.people.n
    assert n == b.people.n
    for field in ("uid", "ltc", "diagnosed", "activation", "ti_op_followup", "group"):
        assert np.array_equal(getattr(a.people, field)[:n], getattr(b.people, field)[:n]), field
