"""The community rules and kernels (sim.kernels.community, sim.community): each rule in
its range on random states, the vitality kernel the rule on every group, and the
compiled leave decision plain ``u < p_leave(...)`` on every member."""

from __future__ import annotations

import numpy as np
import pytest

from sim import HealthSystemModel
from sim.community import community_params
from sim.kernels import community as community_kernels
from sim.kernels.bounds import evaluate
from sim.kernels.community import (folds, member_step, p_found, p_invite, p_leave, splits,
                                   vitality_step)
from sim.scenario import load_scenario


@pytest.fixture(scope="module")
def cp():
    spec = load_scenario("baseline")
    return community_params(type("M", (), {"spec": spec})())


def _random_groups(rng, size):
    capacity = rng.integers(2, 40, size).astype(np.int32)
    return dict(vitality=rng.uniform(0, 1, size).astype(np.float32),
                organisers=rng.integers(0, 5, size).astype(np.int32),
                members=np.minimum(rng.integers(0, 45, size), capacity).astype(np.int32),
                capacity=capacity,
                grant=np.where(rng.random(size) < 0.5, 0, rng.uniform(0, 800, size)
                               ).astype(np.float32),
                burden=np.where(rng.random(size) < 0.5, 0, rng.uniform(0, 1, size)
                                ).astype(np.float32))


def test_community_rules_stay_in_range_on_random_states(cp):
    rng = np.random.default_rng(5)
    g = _random_groups(rng, 5000)
    v = evaluate(vitality_step, cp, g["vitality"], g["organisers"], g["members"],
                 g["capacity"], g["grant"], g["burden"])
    assert np.all((v >= 0) & (v <= 1))
    # No organiser, no growth: vitality can only decay.
    none = g["organisers"] == 0
    assert np.all(v[none] <= g["vitality"][none])
    leave = evaluate(p_leave, cp, g["vitality"], g["burden"])
    assert np.all((leave >= 0) & (leave <= 2 * cp.p_leave + 1e-12))
    invite = evaluate(p_invite, cp, g["vitality"])
    assert np.all((invite >= 0) & (invite <= cp.p_invite + 1e-7))
    act = rng.uniform(0, 1, 5000).astype(np.float32)
    found = evaluate(p_found, cp, act)
    assert np.all((found >= 0) & (found <= cp.p_found * (cp.found_activation_base + 1) + 1e-9))


def test_member_step_moves_toward_the_target_in_proportion_to_vitality():
    x = np.float32(0.4)
    assert member_step(x, 1.0, 0.1, np.float32(0.0)) == pytest.approx(0.4)
    assert member_step(x, 1.0, 0.1, np.float32(1.0)) == pytest.approx(0.46)
    assert member_step(x, 0.0, 0.1, np.float32(0.5)) == pytest.approx(0.38)


def test_vitality_kernel_is_the_rule_on_every_live_group(cp):
    rng = np.random.default_rng(6)
    g = _random_groups(rng, 400)
    live = np.flatnonzero(rng.random(400) < 0.8)
    expected = g["vitality"].copy()
    for i in live:
        expected[i] = vitality_step(g["vitality"][i], g["organisers"][i], g["members"][i],
                                    g["capacity"][i], g["grant"][i], g["burden"][i], cp)
    vitality = g["vitality"].copy()
    community_kernels.update_vitality(live, g["organisers"], g["members"], g["capacity"],
                                      g["grant"], g["burden"], vitality, cp)
    assert np.array_equal(vitality, expected)
    assert not np.array_equal(vitality, g["vitality"])


def test_leaving_decides_plain_u_below_the_rule_on_every_member(cp):
    rng = np.random.default_rng(7)
    n, groups = 3000, 60
    g = _random_groups(rng, groups)
    group = np.where(rng.random(n) < 0.6, rng.integers(0, groups, n), -1).astype(np.int32)
    alive = rng.random(n) < 0.95
    organiser = rng.random(n) < 0.1
    members, organisers, rows = community_kernels.count_members(group, organiser, groups)
    assert np.array_equal(rows, np.flatnonzero(group >= 0))
    u = rng.random(n)
    p = np.array([p_leave(g["vitality"][k], g["burden"][k], cp) if k >= 0 else 0.0
                  for k in group])
    leaves = alive & (group >= 0) & (u < p)
    expected = np.where(leaves, -1, group)
    # Without CRN the living members draw in row order, one draw each.
    drawing = alive & (group >= 0)
    useq = u[drawing]
    community_kernels.leave_groups(rows, alive, group, organiser, g["vitality"], g["burden"],
                                   members, organisers,
                                   (False, np.zeros(n, np.uint64), np.uint64(0), useq), cp)
    assert np.array_equal(group, expected)
    assert leaves.any()
    after, after_org, _ = community_kernels.count_members(group, organiser, groups)
    assert np.array_equal(members, after) and np.array_equal(organisers, after_org)


def test_groups_persist_and_change_in_a_short_run():
    model = HealthSystemModel("baseline", seed=2, population__size=3000,
                              population__neighbourhoods=2, weeks=26)
    before = model.groups.vitality[: model.groups.n].copy()
    model.run()
    g = model.groups
    assert g.count > 0
    assert not np.array_equal(g.vitality[: before.size], before)
    assert np.all((g.vitality[: g.n] >= 0) & (g.vitality[: g.n] <= 1))


def test_groups_fold_when_spent_or_never_joined_and_split_when_large_vital_and_led(cp):
    assert folds(np.float32(cp.fold_vitality), 10, 0, cp)  # at the fold: folds
    assert not folds(np.float32(cp.fold_vitality + 0.01), 10, 100, cp)
    assert not folds(np.float32(0.5), 0, cp.grace_weeks - 1, cp)  # still in its grace weeks
    assert folds(np.float32(0.5), 0, cp.grace_weeks, cp)
    big, vital, led = cp.split_size, np.float32(cp.split_vitality), cp.split_organisers
    assert splits(big, vital, led, cp)
    assert not splits(big - 1, vital, led, cp)
    assert not splits(big, np.float32(cp.split_vitality - 0.01), led, cp)
    assert not splits(big, vital, led - 1, cp)
    rng = np.random.default_rng(9)
    g = _random_groups(rng, 2000)
    weeks_old = rng.integers(0, 30, 2000)
    f = evaluate(folds, cp, g["vitality"], g["members"], weeks_old)
    assert set(np.unique(f)) <= {0.0, 1.0} and 0 < f.sum() < f.size
