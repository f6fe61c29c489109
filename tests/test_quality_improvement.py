"""quality_improvement: adopted changes lower their target, failed ones change nothing,
and adopted effects fade once the facilitator stops (sim/policies/quality_improvement.py)."""

from __future__ import annotations

import numpy as np
import pytest

from sim import HealthSystemModel
from sim.journey import JourneyTracker
from sim.need import FOLLOWUP
from sim.policies.quality_improvement import FAILURE_DEMAND, WAITS

SMALL = {"population__size": 4000, "population__neighbourhoods": 4,
         "population__practice_list_size": 1000, "system__burn_in_weeks": 0,
         "system__governance": "distributed"}
QI = "policies__quality_improvement__"


def build(seed=1, **overrides):
    return HealthSystemModel("baseline", seed=seed, **{**SMALL, f"{QI}enabled": True,
                                                      **overrides})


def qi(model):
    return next(p for p in model.policies if p.kind == "quality_improvement")


def followups_due(model, weeks):
    """Booked GP follow-ups that fell due, week by week."""
    due = []
    for _ in range(weeks):
        model.step()
        due.append(int((model.gp_requests.kind == FOLLOWUP).sum()))
    return np.array(due)


def test_an_adopted_change_lowers_its_target_demand():
    kw = {f"{QI}p_adopt": 1.0, f"{QI}gain_per_adopted": 0.1, f"{QI}cycle_weeks": 4,
          f"{QI}ramp_weeks": 2.0}
    improved = build(**kw)
    plain = build(**{**kw, f"{QI}p_adopt": 0.0})
    after = followups_due(improved, 60)[20:].sum()
    before = followups_due(plain, 60)[20:].sum()
    policy = qi(improved)
    assert policy.changes_adopted_share() == 1.0
    assert (policy.goal > 0).any()
    # Follow-ups fall in proportion to the failure-demand effect the teams adopted.
    removed = policy.effect[:, FAILURE_DEMAND].mean()
    assert removed > 0.05
    assert after < before * (1.0 - 0.5 * removed)
    # Waits: time freed raises the practice's capacity through its own lever.
    if (policy.effect[:, WAITS] > 0).any():
        assert (improved.levers.practice_capacity > 1.0).any()


def test_a_failed_cycle_changes_nothing():
    failed = build(**{f"{QI}p_adopt": 0.0, f"{QI}cycle_weeks": 4}).run(40)
    without = HealthSystemModel("baseline", seed=1, **SMALL).run(40)
    assert qi(failed).activity()["changes_tested"] > 0
    assert qi(failed).activity()["changes_adopted"] == 0
    a, b = failed.timeseries(), without.timeseries()
    same = [c for c in a.columns if "cost" not in c]
    assert a[same].equals(b[same])
    assert (a["cost_total"] > b["cost_total"]).all()  # the facilitator is still paid


def test_adopted_effects_fade_once_the_facilitator_stops():
    stop, half = 40, 10.0
    m = build(**{f"{QI}p_adopt": 1.0, f"{QI}gain_per_adopted": 0.05, f"{QI}cycle_weeks": 4,
                 f"{QI}ramp_weeks": 2.0, f"{QI}end_week": stop,
                 f"{QI}half_life_weeks": half})
    m.run(stop + 1)
    policy = qi(m)
    at_stop = policy.effect.mean()
    assert at_stop > 0.05
    m.run(stop + 1 + int(half))
    assert policy.effect.mean() == pytest.approx(at_stop / 2, rel=0.02)
    assert policy.cost_this_week == 0.0  # nobody is paid once the facilitator stops
    m.run(stop + 1 + 20 * int(half))
    assert not policy.running  # faded out: the policy has left force
    assert m.levers.practice_followup is None


def test_journeys_tell_of_a_follow_up_an_adopted_change_made_unneeded():
    m = build(**{f"{QI}p_adopt": 1.0, f"{QI}gain_per_adopted": 0.15, f"{QI}cycle_weeks": 2,
                 f"{QI}ramp_weeks": 1.0})
    n = m.people.n
    tracker = JourneyTracker.attach(m, np.arange(0, n, 7))
    m.run(40)
    texts = [e.text for e in tracker.events if e.lane == "GP"]
    assert any("improvement team" in t for t in texts)
