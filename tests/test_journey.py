"""Resident journeys: following a few people never changes the run, and tells their week truly."""

from __future__ import annotations

import numpy as np
import pytest

from sim.journey import LANES, JourneyTracker, pick_residents
from sim.model import HealthSystemModel


def small_model(scenario: str = "done_with", small=None) -> HealthSystemModel:
    return HealthSystemModel(scenario, seed=3, **{k.replace(".", "__"): v for k, v in small.items()})


def test_following_people_does_not_change_the_run(small):
    plain = small_model(small=small).run(30)
    followed = small_model(small=small)
    JourneyTracker.attach(followed, pick_residents(followed, 8))
    followed.run(30)
    assert plain.timeseries().equals(followed.timeseries())


def test_contacts_in_the_story_match_the_contact_counts(small):
    model = small_model("done_to", small)
    rows = pick_residents(model, 8)
    tracker = JourneyTracker.attach(model, rows)
    gp0 = model.people.cum_gp[rows].copy()
    ae0 = model.people.cum_ae[rows].copy()
    model.run(40)
    for row, g0, a0 in zip(rows, gp0, ae0):
        story = tracker.story(row)
        assert sum(e["text"] == "saw a GP" for e in story) == model.people.cum_gp[row] - g0
        assert sum(e["lane"] == "A&E" for e in story) == model.people.cum_ae[row] - a0
        assert all(e["lane"] in LANES for e in story)
        assert all(1 <= e["week"] <= 40 for e in story)


def test_timeline_follows_state_from_the_week_followed(small):
    model = small_model(small=small)
    model.run(5)
    tracker = JourneyTracker.attach(model, [10])
    model.run(12)
    timeline = tracker.timeline(10)
    assert list(timeline["week"]) == list(range(5, 13))
    assert timeline["activation"].iloc[-1] == pytest.approx(float(model.people.activation[10]))
    with pytest.raises(KeyError):
        tracker.timeline(11)


def test_group_changes_are_told(small):
    model = small_model(small=small)
    members = np.flatnonzero(model.people.group[: model.people.n] >= 0)[:40]
    tracker = JourneyTracker.attach(model, members)
    model.run(52)
    group_events = [e for e in tracker.events if e.lane == "group"]
    assert group_events, "forty group members over a year: someone left, moved or lost a group"
    moved = {e.row for e in group_events}
    # (a death ends a membership too, told as a death rather than a group change)
    unchanged = [r for r in members if r not in moved and model.people.alive[r]]
    # nobody whose story has no group event is in another group than at the start
    before = {int(r): int(g) for r, g in zip(members, small_model(small=small).people.group[members])}
    assert all(model.people.group[r] == before[int(r)] for r in unchanged)


def test_only_living_residents_can_be_followed(small):
    model = small_model(small=small)
    with pytest.raises(ValueError, match="not a living resident"):
        JourneyTracker.attach(model, [model.people.n + 5])


def test_picked_residents_are_the_same_people_in_paired_scenarios(small):
    a, b = small_model("done_to", small), small_model("done_with", small)
    rows = pick_residents(a, 8)
    assert rows == pick_residents(b, 8) and len(set(rows)) == 8
    assert np.array_equal(a.people.age[rows], b.people.age[rows])


def test_deaths_admissions_and_outpatients_are_the_events_the_phases_note(small):
    """Deaths (health), admissions and outpatient attendances (acute) come from the
    phases' own rows, not from comparing state: each followed person's story has as many
    as their counts rose, and a death exactly for those who died."""
    model = small_model("done_to", small)
    people = model.people
    n = people.n
    old = np.flatnonzero(people.alive[:n] & (people.age[:n] >= 70) & (people.ltc[:n] >= 2))[:150]
    tracker = JourneyTracker.attach(model, old)
    admit0, op0, start = people.n_admit[old].copy(), people.n_op[old].copy(), model.reporting_start
    model.run(40)
    assert model.reporting_start == start  # the yearly counts were not zeroed meanwhile
    told = {lane: np.array([sum(e["lane"] == lane and e["text"].startswith(word)
                                for e in tracker.story(r)) for r in old])
            for lane, word in (("admission", "admitted"), ("outpatients", "outpatient"),
                               ("life", "died"))}
    assert np.array_equal(told["admission"], people.n_admit[old] - admit0)
    assert np.array_equal(told["outpatients"], people.n_op[old] - op0)
    assert np.array_equal(told["life"], (~people.alive[old]).astype(int))
    assert told["admission"].sum() > 0 and told["outpatients"].sum() > 0
    assert told["life"].sum() > 0
