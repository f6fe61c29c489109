"""The community phase's passes over members (sim.kernels.community) take the rows in a
group, not every resident: on any rows that include every member they change what a
pass over every resident would, and without CRN the members draw in row order."""

from __future__ import annotations

import numpy as np
import pytest

from sim import HealthSystemModel, kernels
from sim.community import community_params


@pytest.fixture(scope="module")
def model():
    m = HealthSystemModel("done_with", seed=4, population__size=6000,
                          population__neighbourhoods=3, system__burn_in_weeks=0)
    m.run(3)
    return m


def test_member_passes_over_member_rows_equal_passes_over_everyone(model):
    p, n = model.people, model.people.n
    rng = np.random.default_rng(3)
    group = np.where(rng.random(n) < 0.3, rng.integers(0, 20, n), -1).astype(np.int32)
    vitality = rng.random(20).astype(np.float32)
    cp = community_params(model)._replace(activation_per_week=0.01, dependence_per_week=0.02,
                                          connectedness_per_week=0.03)
    members = np.flatnonzero(group >= 0)
    extra = np.union1d(members, rng.choice(n, 500, replace=False))  # and some who are not
    outs = []
    for rows in (np.arange(n), members, extra):
        traits = [getattr(p, k)[:n].copy() for k in ("activation", "dependence",
                                                     "connectedness")]
        kernels.member_effects(rows, p.alive[:n], group, vitality, *traits, cp)
        outs.append(traits)
    assert all(np.array_equal(a, b) for a, b in zip(outs[0], outs[1]))
    assert all(np.array_equal(a, b) for a, b in zip(outs[0], outs[2]))
    assert not np.array_equal(outs[0][0], p.activation[:n])  # it changed them
    closing = rng.random(20) < 0.5
    everyone, some = group.copy(), group.copy()
    kernels.release_members(np.arange(n), everyone, closing)
    kernels.release_members(extra, some, closing)
    assert np.array_equal(everyone, some) and not np.array_equal(everyone, group)


def test_splitting_over_member_rows_draws_for_the_living_members_of_splitting_groups(model):
    p, n = model.people, model.people.n
    rng = np.random.default_rng(5)
    groups = 20
    group = np.where(rng.random(n) < 0.3, rng.integers(0, groups, n), -1).astype(np.int32)
    organiser = rng.random(n) < 0.2
    new_of = np.full(groups + 3, -1, np.int64)
    new_of[[2, 5, 9]] = [20, 21, 22]
    members, organisers, rows = kernels.count_members(group, organiser, groups + 3)
    drawing = rows[p.alive[rows] & (new_of[group[rows]] >= 0)]
    u = rng.random(drawing.size)
    moves = np.zeros(n, bool)
    moves[drawing[u < 0.5]] = True
    expected = np.where(moves, new_of[group], group)
    kernels.split_members(rows, p.alive, group, organiser, new_of, members, organisers,
                          (False, p.uid[:n], np.uint64(0), u), 0.5)
    assert np.array_equal(group, expected) and moves.any()
    after, after_org, _ = kernels.count_members(group, organiser, groups + 3)
    assert np.array_equal(members, after) and np.array_equal(organisers, after_org)



def test_the_weeks_joiners_are_merged_into_the_members_as_a_union():
    rng = np.random.default_rng(5)
    for _ in range(2000):
        members = np.unique(rng.integers(0, 200, rng.integers(0, 60))).astype(np.int64)
        joined = rng.integers(0, 220, rng.integers(0, 10)).astype(np.int64)  # repeats too
        merged = kernels.with_joiners(members, joined)
        assert merged.dtype == np.int64
        np.testing.assert_array_equal(merged, np.union1d(members, joined))


def _groups(rng, count=300):
    return {"alive": rng.random(count) < 0.8, "vitality": rng.random(count).astype(np.float32),
            "members": rng.integers(0, 30, count).astype(np.int32),
            "organisers": rng.integers(0, 4, count).astype(np.int32),
            "ti_born": rng.integers(-50, 100, count).astype(np.int32)}


def test_folding_and_splitting_decide_the_rules_over_the_living_groups(model):
    """kernels.folding and kernels.splitting give the rows ``folds`` and ``splits`` pick
    when evaluated over arrays of the living groups (what the phase did before)."""
    from sim.kernels.bounds import evaluate
    from sim.kernels.community import folds, splits

    rng = np.random.default_rng(6)
    cp = community_params(model)._replace(fold_vitality=0.2, grace_weeks=8, split_size=20,
                                          split_vitality=0.6, split_organisers=2)
    for _ in range(20):
        g = _groups(rng)
        live = np.flatnonzero(g["alive"])
        week = int(rng.integers(0, 120))
        f = live[evaluate(folds, cp, g["vitality"][live], g["members"][live],
                          week - g["ti_born"][live]) != 0]
        got = kernels.folding(live, g["vitality"], g["members"], g["ti_born"], week, cp)
        assert got.dtype == np.int64 and np.array_equal(got, f) and 0 < f.size < live.size
        s = live[evaluate(splits, cp, g["members"][live], g["vitality"][live],
                          g["organisers"][live]) != 0]
        got = kernels.splitting(live, g["members"], g["vitality"], g["organisers"], cp)
        assert got.dtype == np.int64 and np.array_equal(got, s) and 0 < s.size < live.size


def test_hearing_of_a_group_and_being_invited_follow_the_tie_and_p_invite(model):
    from sim.kernels.bounds import evaluate
    from sim.kernels.community import p_invite

    rng = np.random.default_rng(7)
    n, cp = 2000, community_params(model)._replace(p_invite=0.8)
    group = np.where(rng.random(n) < 0.4, rng.integers(0, 50, n), -1).astype(np.int32)
    alive = rng.random(n) < 0.9
    vitality = rng.random(50).astype(np.float32)
    talk = np.sort(rng.choice(n, 400, replace=False)).astype(np.int64)
    tie = np.where(rng.random(400) < 0.8, rng.integers(0, n, 400), -1)
    has = tie >= 0
    who, t = talk[has], tie[has]
    ok = (group[t] >= 0) & alive[t]
    who, via = kernels.heard_of_groups(talk, tie, group, alive)
    assert np.array_equal(who, talk[has][ok]) and np.array_equal(via, group[t][ok])
    assert 0 < who.size < talk.size
    u = rng.random(who.size)
    expected = u < evaluate(p_invite, cp, vitality[via])
    assert np.array_equal(kernels.invited(via, u, vitality, cp), expected)
    assert 0 < expected.sum() < expected.size


@pytest.mark.parametrize("crn", [True, False])
def test_founders_are_free_organisers_whose_uniform_is_below_p_found(model, crn):
    """kernels.founders decides ``u < p_found`` over the free organisers, on the draws
    the stream gives (hashed from the uid with CRN, else each row's sequential draw)."""
    from sim.kernels.bounds import evaluate
    from sim.kernels.community import p_found
    from sim.kernels.draws import hash_uniform

    rng = np.random.default_rng(9)
    n, cp = 4000, community_params(model)._replace(p_found=0.5)
    alive, organiser = rng.random(n) < 0.9, rng.random(n) < 0.3
    group = np.where(rng.random(n) < 0.5, 0, -1).astype(np.int32)
    age = rng.integers(0, 90, n).astype(np.float32)
    activation = rng.random(n).astype(np.float32)
    uid = rng.integers(1, 2**62, n).astype(np.uint64)
    key, useq = np.uint64(77), rng.random(n)
    free = kernels.free_organisers(alive, organiser, group, age, 18.0)
    u = hash_uniform(key, uid[free]) if crn else useq[free]
    expected = free[u < evaluate(p_found, cp, activation[free])]
    got = kernels.founders(alive, organiser, group, age, 18.0, activation, uid, crn, key, useq,
                           cp)
    assert np.array_equal(got, expected) and 0 < expected.size < free.size


def test_the_living_groups_are_kept_until_one_is_founded_or_closes():
    m = HealthSystemModel("baseline", seed=2, population__size=3000,
                          population__neighbourhoods=2, system__burn_in_weeks=0)
    g = m.groups
    live = g.live
    assert g.live is live and np.array_equal(live, np.flatnonzero(g.alive[: g.n]))
    rows = g.found(np.array([0, 1]), np.array([0, 2], np.int8), 0.5)
    assert np.array_equal(g.live, np.flatnonzero(g.alive[: g.n])) and rows[1] in g.live
    g.close(np.array([live[0], rows[0]]))
    assert np.array_equal(g.live, np.flatnonzero(g.alive[: g.n]))
    assert live[0] not in g.live and rows[0] not in g.live and rows[1] in g.live


def test_referrals_go_to_the_most_vital_open_group_of_their_neighbourhood():
    """kernels.best_open_groups over the living rows and kernels.referral_places give
    what the phase's NumPy steps over the whole table gave."""
    rng = np.random.default_rng(10)
    for _ in range(20):
        count, n, hoods = 200, 3000, 6
        alive, capacity = rng.random(count) < 0.3, np.full(count, 12, np.int32)
        members = rng.integers(0, 14, count).astype(np.int32)
        vitality = rng.choice(np.float32([0.2, 0.5, 0.9]), count)  # ties: the lowest row
        g_hood = rng.integers(0, hoods, count).astype(np.int32)
        best = np.full(hoods, -1)
        for g in range(count):  # the plain rule, row by row
            if alive[g] and members[g] < capacity[g] and (
                    best[g_hood[g]] < 0 or vitality[g] > vitality[best[g_hood[g]]]):
                best[g_hood[g]] = g
        got = kernels.best_open_groups(np.flatnonzero(alive), capacity, members, vitality,
                                       g_hood, hoods)
        assert np.array_equal(got, best)
        referred = rng.choice(n, 300, replace=False)
        p_alive = rng.random(n) < 0.9
        group = np.where(rng.random(n) < 0.3, 0, -1).astype(np.int32)
        hood = rng.integers(0, hoods, n).astype(np.int32)
        r = referred[p_alive[referred] & (group[referred] < 0)]
        target = best[hood[r]]
        who, to = kernels.referral_places(referred, p_alive, group, hood, got)
        assert np.array_equal(who, r[target >= 0]) and np.array_equal(to, target[target >= 0])


def test_participants_by_neighbourhood_counts_the_living_in_the_movement():
    rng = np.random.default_rng(12)
    n = 5000
    alive, role = rng.random(n) < 0.9, rng.choice(np.int8([0, 0, 0, 1, 3]), n)
    hood = rng.integers(0, 7, n).astype(np.int32)
    expected = np.bincount(hood[alive & (role > 0)], minlength=7)
    assert np.array_equal(kernels.participants_by_neighbourhood(alive, role, hood, 7), expected)
