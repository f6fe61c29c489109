"""The community phase's passes over members and contacts (sim.kernels.community) are
the plain definitions: the recruitment pass is the contacts and free organisers marked
row by row, the tie and invitation kernels are ``random_tie`` and ``u < p_invite``, and
the passes over member rows change what a pass over every resident would."""

from __future__ import annotations

import numpy as np
import pytest

from sim import HealthSystemModel, kernels
from sim.community import community_params
from sim.kernels.bounds import evaluate
from sim.kernels.community import p_found, p_invite


@pytest.fixture(scope="module")
def model():
    m = HealthSystemModel("done_with", seed=4, population__size=6000,
                          population__neighbourhoods=3, system__burn_in_weeks=0)
    m.run(3)
    return m


@pytest.mark.parametrize("crn", [True, False])
def test_recruitment_pass_marks_contacts_free_organisers_and_their_ties(model, crn):
    p, n, net = model.people, model.people.n, model.network
    rng = np.random.default_rng(1)
    group = np.where(rng.random(n) < 0.3, rng.integers(0, 20, n), -1).astype(np.int32)
    organiser = rng.random(n) < 0.2
    key, tie_key = np.uint64(1234), np.uint64(4321)
    u = kernels.hash_uniform(key, p.uid[:n]) if crn else rng.random(n)
    draws = (crn, p.uid[:n], key, np.empty(0) if crn else u)
    talk, free, pairs, via = kernels.recruit_candidates(
        (p.alive[:n], group, p.age[:n], organiser), draws, (net.indptr, net.indices, tie_key),
        (0.25, 16.0, 18.0))
    open_ = p.alive[:n] & (group < 0)
    contacts = np.flatnonzero(open_ & (p.age[:n] >= 16.0) & (u < 0.25))
    assert np.array_equal(free, kernels.free_organisers(p.alive[:n], organiser, group,
                                                        p.age[:n], 18.0))
    assert free.size > 0 and contacts.size > 0
    if not crn:
        assert np.array_equal(talk, contacts) and pairs.size == via.size == 0
        return
    # With CRN the pairs are the contacts' ties chosen by their hashed draws.
    expected = kernels.tied_groups(contacts, (True, p.uid[:n], tie_key, np.empty(0)),
                                   net.indptr, net.indices, group, p.alive)
    assert talk.size == 0 and pairs.size > 0
    assert np.array_equal(pairs, expected[0]) and np.array_equal(via, expected[1])


@pytest.mark.parametrize("crn", [True, False])
def test_ties_and_invitations_are_random_tie_and_u_below_p_invite(model, crn):
    p, n, net = model.people, model.people.n, model.network
    rng = np.random.default_rng(2)
    group = np.where(rng.random(n) < 0.4, rng.integers(0, 20, n), -1).astype(np.int32)
    vitality = rng.random(20).astype(np.float32)
    talk = np.flatnonzero(rng.random(n) < 0.2)
    key = np.uint64(77)
    u_tie = kernels.hash_uniform(key, p.uid[talk]) if crn else rng.random(talk.size)
    draws = (crn, p.uid[:n], key, np.empty(0) if crn else u_tie)
    rows, via = kernels.tied_groups(talk, draws, net.indptr, net.indices, group, p.alive)
    tie = net.random_tie(talk, u_tie)
    ok = tie >= 0
    ok[ok] = (group[tie[ok]] >= 0) & p.alive[tie[ok]]
    assert np.array_equal(rows, talk[ok]) and np.array_equal(via, group[tie[ok]])
    cp = community_params(model)
    u_inv = kernels.hash_uniform(key, p.uid[rows]) if crn else rng.random(rows.size)
    asked = kernels.invited(rows, via, (crn, p.uid[:n], key, np.empty(0) if crn else u_inv),
                            vitality, cp)
    assert np.array_equal(asked, u_inv < evaluate(p_invite, cp, vitality[via]))
    assert asked.any() and not asked.all()


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


@pytest.mark.parametrize("crn", [True, False])
def test_founders_are_the_free_organisers_still_free_whose_u_is_below_p_found(model, crn):
    p, n = model.people, model.people.n
    rng = np.random.default_rng(6)
    group = np.where(rng.random(n) < 0.3, rng.integers(0, 20, n), -1).astype(np.int32)
    free = np.flatnonzero(rng.random(n) < 0.3)
    key = np.uint64(5)
    u = kernels.hash_uniform(key, p.uid[:n]) if crn else rng.random(n)
    cp = community_params(model)._replace(p_found=0.5)
    found = kernels.founders(free, group, p.activation,
                             (crn, p.uid[:n], key, np.empty(0) if crn else u), cp)
    still = free[group[free] < 0]
    expected = still[u[still] < evaluate(p_found, cp, p.activation[still])]
    assert np.array_equal(found, expected) and 0 < found.size < still.size
