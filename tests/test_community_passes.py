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
