"""Shared data (sim/shared_data.py): who sees the place's data, how late, and what they do.

The loneliness of one neighbourhood is raised mid-run; under distributed governance the
grants follow it within the declared lag, under hierarchical governance only when the
centre's quarterly report shows it, and with the data off not at all.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import HealthSystemModel
from sim.shared_data import improvement_targets, neighbourhood_weights, seen

PLACE = {"population__size": 20000, "population__neighbourhoods": 4,
         "population__practice_list_size": 5000, "system__burn_in_weeks": 0}
RAISED, WEEK, LAG = 1, 20, 2


def grant_share(model, nbhd=RAISED):
    """Share of this week's grant money that goes to groups in ``nbhd``."""
    g = model.groups
    money = np.bincount(g.neighbourhood[: g.n], weights=g.grant[: g.n], minlength=4)
    return money[nbhd] / money.sum()


def raised_loneliness_run(governance, enabled=True, weeks_after=30):
    """Grant shares of the raised neighbourhood: the week before, then week by week."""
    m = HealthSystemModel("community_development", seed=1, **PLACE,
                          system__governance=governance, shared_data__enabled=enabled,
                          shared_data__lag_weeks=LAG, shared_data__response_strength=1.0)
    m.run(WEEK)
    people, n = m.people, m.people.n
    lonely = people.neighbourhood[:n] == RAISED
    people.connectedness[:n][lonely] = 0.0  # everyone there cut off, for good
    people.connectedness0[:n][lonely] = 0.0
    shares = [grant_share(m)]
    for _ in range(weeks_after):
        m.step()
        shares.append(grant_share(m))
    return np.array(shares)


def test_distributed_grants_follow_raised_loneliness_within_the_lag():
    shares = raised_loneliness_run("distributed")
    assert shares[LAG + 1] > shares[0] + 0.2  # seen LAG weeks on, acted on that week
    assert (shares[LAG + 1:] > shares[0] + 0.2).all()  # and they stay while it lasts


def test_hierarchical_grants_follow_it_later_or_not_at_all():
    shares = raised_loneliness_run("hierarchical")
    # Within the lag, and for the rest of the quarter, the centre's grants stay put.
    assert (shares[: 26 - WEEK + 1] == shares[0]).all()
    moved = np.flatnonzero(np.abs(shares - shares[0]) > 1e-9)
    assert moved.size == 0 or moved[0] > LAG + 13  # a report, a quarter late at best


def test_with_the_data_off_nobody_responds():
    shares = raised_loneliness_run("distributed", enabled=False, weeks_after=5)
    assert (shares == shares[0]).all()  # grants change only at the next quarter's allocation
    off = dict(PLACE, system__governance="distributed")
    a = HealthSystemModel("done_with", seed=2, **off).run(30)
    b = HealthSystemModel("done_with", seed=2, **off, shared_data__lag_weeks=0,
                          shared_data__response_strength=1.0,
                          shared_data__granularity="place").run(30)
    assert a.timeseries().equals(b.timeseries())
    assert seen(a) is None and getattr(a, "shared_history", None) is None


def test_link_workers_lean_toward_the_lonely_neighbourhood_only_when_distributed():
    def weights(governance):
        m = HealthSystemModel("social_prescribing", seed=1, **PLACE, shared_data__enabled=True,
                              system__governance=governance, shared_data__lag_weeks=1)
        m.run(5)
        people, n = m.people, m.people.n
        people.connectedness[:n][people.neighbourhood[:n] == RAISED] = 0.0
        m.run(8)
        return m.levers.link_worker_weight, neighbourhood_weights(m)

    lever, w = weights("distributed")
    assert lever is not None and np.argmax(lever) == RAISED
    assert lever.mean() == pytest.approx(1.0)  # effort moved, not added
    lever, w = weights("hierarchical")
    assert lever is None and w is None  # practice link workers are not managed centrally


@pytest.mark.parametrize("capacity, expected", [(400.0, 0), (40.0, 1)])
def test_improvement_teams_pick_the_target_that_costs_most(capacity, expected):
    m = HealthSystemModel("shared_power", seed=1, **PLACE,
                          primary_care__capacity_per_1000_week=capacity,
                          shared_data__response_strength=1.0)
    m.run(10)
    teams = np.arange(len(m.practices))
    guess = np.array([1 - expected] * teams.size)
    assert (improvement_targets(m, teams, guess) == expected).all()
    m.spec = m.spec.with_overrides({"shared_data.enabled": False}, "test")
    assert (improvement_targets(m, teams, guess) == guess).all()  # no data: own guess


def test_only_the_weeks_a_reader_can_still_look_back_on_are_kept():
    m = HealthSystemModel("shared_power", seed=1, population__size=3000,
                          system__burn_in_weeks=52).run(60)
    weeks = [w for w, _ in m.shared_history.weeks]
    sd = m.spec.shared_data
    assert weeks == list(range(60 - len(weeks), 60))  # no burn-in week, none missing
    assert len(weeks) <= max(sd.lag_weeks, 2 * sd.report_weeks + sd.report_lag_weeks) + 2


def test_data_for_the_place_as_a_whole_target_no_neighbourhood():
    m = HealthSystemModel("social_prescribing", seed=1, **PLACE, shared_data__enabled=True,
                          system__governance="distributed", shared_data__lag_weeks=1,
                          shared_data__granularity="place")
    m.run(5)
    people, n = m.people, m.people.n
    people.connectedness[:n][people.neighbourhood[:n] == RAISED] = 0.0
    m.run(8)
    assert m.levers.link_worker_weight == pytest.approx(np.ones(4))
