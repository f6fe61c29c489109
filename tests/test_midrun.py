"""Changing the world mid-run: a lever moved or a policy started changes later weeks only."""

from __future__ import annotations

import pandas as pd
import pytest

from sim import HealthSystemModel
from sim.errors import InputError


def build(small, scenario="baseline", seed=3):
    return HealthSystemModel(scenario, seed=seed,
                             **{k.replace(".", "__"): v for k, v in small.items()})


def run_with(small, at: int, weeks: int, change, scenario="baseline") -> pd.DataFrame:
    model = build(small, scenario)
    model.run(at)
    if change is not None:
        change(model)
    model.run(weeks)
    return model.timeseries()


def test_a_lever_moved_mid_run_changes_later_weeks_and_not_earlier_ones(small):
    at, weeks = 6, 14
    plain = run_with(small, at, weeks, None)
    halved = run_with(small, at, weeks, lambda m: m.set_parameters(
        {"primary_care.capacity_per_1000_week": 40.0}))
    # the weeks before the change are the same run, number for number
    pd.testing.assert_frame_equal(plain.iloc[:at], halved.iloc[:at])
    # from the week after, fewer GP appointments: the new capacity is in force
    assert halved["gp_appointments"].iloc[at:].sum() < 0.8 * plain["gp_appointments"].iloc[at:].sum()


def test_the_change_is_recorded_with_its_week(small):
    model = build(small)
    model.run(4)
    model.set_parameters({"primary_care__capacity_per_1000_week": 120.0})
    assert [(c.week, c.values) for c in model.changes] == [
        (4, {"primary_care.capacity_per_1000_week": 120.0})]
    assert model.spec.primary_care.capacity_per_1000_week == 120.0
    assert all(p.capacity == pytest.approx(120.0 * p.list_size / 1000.0) for p in model.practices)


def test_a_policy_started_now_acts_from_now_on(small):
    at, weeks = 8, 30
    plain = run_with(small, at, weeks, None)
    started = run_with(small, at, weeks, lambda m: m.set_policy("social_movement", True))
    pd.testing.assert_frame_equal(plain.iloc[:at], started.iloc[:at])
    assert (plain["movement_participants"] == 0).all()
    assert started["movement_participants"].iloc[at:].max() > 0


def test_a_policy_stopped_now_stops_acting(small):
    at, weeks = 10, 16
    plain = run_with(small, at, weeks, None, "social_prescribing")
    stopped = run_with(small, at, weeks, lambda m: m.set_policy("social_prescribing", False),
                       "social_prescribing")
    pd.testing.assert_frame_equal(plain.iloc[:at], stopped.iloc[:at])
    assert plain["link_worker_referrals"].iloc[at + 1:].sum() > 0
    assert stopped["link_worker_referrals"].iloc[at + 1:].sum() == 0


def test_settings_fixed_at_build_and_bad_values_are_refused_and_change_nothing(small):
    model = build(small)
    model.run(2)
    before = model.spec
    for overrides in ({"population.size": 5000}, {"network.mean_degree": 3.0}, {"seed": 2},
                      {"primary_care.capacity_per_1000_week": -1.0}, {"no.such": 1}):
        with pytest.raises(InputError):
            model.set_parameters(overrides)
    with pytest.raises(InputError, match="unknown policy"):
        model.set_policy("no_such_policy", True)
    assert model.spec is before and model.changes == []
