"""The reduced movement is Watts's (2002) model and reproduces Granovetter's (1978) jump.

Each check runs the model's own movement phase (:func:`sim.movement.spread_movement`,
compiled) on the model's own network, and compares it with a plain implementation of
the published rule written here from the papers, on the same ties and thresholds:

- Watts (2002): a node becomes active once the fraction of its neighbours who are
  active reaches its threshold phi; one random seed; Erdos-Renyi graph of 10,000;
  phi = 0.18. Global cascades happen only inside a window of mean degree, roughly
  1 < z < 6.5 (his Fig. 1): none at z = 1, most runs global for z in 2..5, none from about 6.5.
- Granovetter (1978): with heterogeneous thresholds and nobody active, the people with
  threshold zero start it, and the outcome jumps from almost nobody to almost everybody
  as the spread of thresholds passes a critical value (normal thresholds, mean 0.25).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import HealthSystemModel
from sim.kernels import movement as movement_kernels
from sim.kernels.blocks import BLOCK
from sim.kernels.bounds import evaluate
from sim.kernels.movement import (MovementRules, joins, p_become_organiser, p_burnout,
                                  p_lone_wolf_leaves, participant_activation,
                                  participant_dependence, threshold_of)
from sim.movement import spread_movement
from sim.population import NONE, PARTICIPANT

PHI = 0.18
GLOBAL = 0.1  # a cascade reaching over a tenth of the place is global (Watts: "finite")


def reduced_model(size, mean_degree, threshold_mean, threshold_sd, seed=1):
    """The movement with roles, burnout and group effects off and every resident
    eligible, on an Erdos-Renyi network; no policy runs, so the levers are neutral."""
    return HealthSystemModel("baseline", seed=seed, **{
        "population__size": size, "population__neighbourhoods": 2,
        "population__practice_list_size": 5000, "network__kind": "erdos_renyi",
        "network__mean_degree": mean_degree, "movement__threshold_mean": threshold_mean,
        "movement__threshold_sd": threshold_sd, "movement__min_age": 0,
        "system__burn_in_weeks": 0})  # the place as built: everyone alive, on the ties drawn


def model_cascade(model, seeds, max_steps=500):
    """Run the model's movement phase from ``seeds`` until nobody else joins."""
    role = model.people.role
    role[:] = NONE
    role[seeds] = PARTICIPANT
    n = model.people.n
    for _ in range(max_steps):
        before = int((role[:n] > NONE).sum())
        spread_movement(model)
        if int((role[:n] > NONE).sum()) == before:
            break
    return role[:n] > NONE


def plain_cascade(indptr, indices, threshold, seeds, max_steps=500):
    """Watts's rule, written from the paper: synchronous updates, fraction of
    neighbours active >= threshold; once active, always active."""
    n = threshold.size
    active = np.zeros(n, bool)
    active[seeds] = True
    degree = np.diff(indptr)
    row = np.repeat(np.arange(n), degree)
    for _ in range(max_steps):
        count = np.bincount(row, weights=active[indices], minlength=n)
        fraction = np.where(degree > 0, count / np.maximum(degree, 1), 0.0)
        new = active | (fraction >= threshold)
        if (new == active).all():
            break
        active = new
    return active


def cascade_frequency(mean_degree, runs, seed=1):
    model = reduced_model(10_000, mean_degree, PHI, 0.0, seed=seed)
    net = model.network
    threshold = model.people.threshold[: net.size].astype(np.float64)
    rng = np.random.default_rng(seed)
    global_runs = 0
    for start in rng.choice(net.size, runs, replace=False):
        ours = model_cascade(model, [start])
        plain = plain_cascade(net.indptr, net.indices, threshold, [start])
        assert np.array_equal(ours, plain), (mean_degree, start)
        global_runs += plain.mean() > GLOBAL
    return global_runs / runs


@pytest.mark.parametrize("mean_degree, low, high", [
    (1.0, 0.0, 0.0),   # below the window: no global cascades
    (2.0, 0.5, 1.0),   # inside it: most runs global
    (3.5, 0.5, 1.0),
    (5.0, 0.5, 1.0),
    (6.5, 0.0, 0.05),  # at its edge: (almost) none
    (7.0, 0.0, 0.0),   # above it: none
])
def test_reduced_movement_reproduces_watts_cascade_window(mean_degree, low, high):
    assert low <= cascade_frequency(mean_degree, runs=24) <= high


def granovetter_mean_field(threshold):
    """Granovetter's fixed point in a crowd where everyone sees everyone: the share
    joined is the share whose threshold is at most the share joined."""
    share = 0.0
    for _ in range(10_000):
        new = float((threshold <= share).mean())
        if new == share:
            break
        share = new
    return share


@pytest.mark.parametrize("sd, joined", [(0.06, "few"), (0.09, "few"), (0.16, "most"),
                                        (0.2, "most")])
def test_heterogeneous_thresholds_self_start_with_granovetters_jump(sd, joined):
    # A dense network, so that each person's share of ties is close to the crowd's.
    model = reduced_model(3000, 100.0, 0.25, sd)
    net = model.network
    threshold = model.people.threshold[: net.size].astype(np.float64)
    ours = model_cascade(model, np.empty(0, np.int64))  # no activists at all
    plain = plain_cascade(net.indptr, net.indices, threshold, np.empty(0, np.int64))
    assert np.array_equal(ours, plain)
    crowd = granovetter_mean_field(threshold)
    if joined == "few":
        assert ours.mean() < 0.1 and crowd < 0.1
    else:
        assert (threshold <= 0).any()  # the threshold-zero people are who start it
        assert ours.mean() > 0.9 and crowd > 0.9


def test_nobody_joins_without_activists_or_threshold_zero_people():
    model = reduced_model(3000, 8.0, 0.45, 0.08)
    assert not (model.people.threshold[: model.people.n] <= 0).any()
    assert not model_cascade(model, np.empty(0, np.int64)).any()


# --- the rules (sim.kernels.movement) ---------------------------------------------------------

def _rules(group_effect=0.0, burnout=0.05, lone_wolf=0.2, growth=0.002, roles=True):
    return MovementRules(16, group_effect, burnout, lone_wolf, growth, 0.001, 0.001, roles, 3)


def _one_row_at_a_time(role, alive, age, threshold, group, u_burn, total, live_degree, rules,
                       roles, lone_wolf, u_lone):
    """Plain ``u < rule(...)`` on every row, the rules called one by one: the reference
    for the kernel, which decides only the rows a vectorised pass marks."""
    joiners = []
    for i in range(role.size):
        sh = np.float32(0.0)
        if i < live_degree.size and live_degree[i] > 0:
            sh = total[i] / live_degree[i]
        in_movement = role[i] > 0
        thr = threshold_of(threshold[i], group[i] >= 0, rules)
        if joins(alive[i], age[i], in_movement, sh, thr, rules):
            joiners.append(i)
        if rules.burnout and in_movement and role[i] != lone_wolf:
            if u_burn[i] < p_burnout(sh, thr, threshold[i], rules):
                role[i] = 0
        if roles and role[i] == lone_wolf and u_lone[i] < p_lone_wolf_leaves(sh, rules):
            role[i] = 0
    return np.array(joiners, np.int64)


@pytest.mark.parametrize("group_effect, burnout, roles, n",
                         [(0.0, 0.0, False, 3000), (0.0, 0.05, True, 3000),
                          (0.3, 0.05, True, 3000), (0.3, 0.0, False, 3000),
                          (0.3, 0.05, True, 2 * BLOCK + 777)])  # blocks, and a short one
def test_movement_kernel_decides_as_the_rules_on_every_row(group_effect, burnout, roles, n):
    rng = np.random.default_rng(8)
    size = n - 200  # the last rows arrived after the network was built
    role = rng.choice(np.array([0, 1, 2, 3], np.int8), n, p=[0.5, 0.3, 0.1, 0.1])
    alive = rng.random(n) < 0.95
    age = rng.uniform(0, 90, n).astype(np.float32)
    threshold = rng.uniform(0, 0.6, n).astype(np.float32)
    group = np.where(rng.random(n) < 0.3, 1, -1).astype(np.int32)
    live_degree = rng.integers(0, 12, size).astype(np.float32)
    total = np.floor(rng.random(size) * (live_degree + 1)).astype(np.float32)
    u_burn, u_lone = rng.random(n), rng.random(n)
    rules = _rules(group_effect, burnout, roles=roles)
    expected_role = role.copy()
    expected = _one_row_at_a_time(expected_role, alive, age, threshold, group, u_burn, total,
                                  live_degree, rules, roles, 3, u_lone)
    people = movement_kernels.Movers(role, alive, age, threshold, group, np.zeros(n, np.uint64))
    draws = movement_kernels.MovementDraws(False, np.uint64(0), u_burn,
                                           False, np.uint64(0), u_lone)
    start_role = role.copy()
    joiners = movement_kernels.movement_rules(people, total, live_degree, rules, draws)
    assert np.array_equal(joiners, expected)
    assert np.array_equal(role, expected_role)
    assert 0 < joiners.size < n
    # and with the blocks in threads (sim.kernels.blocks): the same rows, the same roles
    import numba

    from sim.kernels import threads

    people = people._replace(role=start_role)
    before = numba.get_num_threads()
    numba.set_num_threads(min(2, threads.available()))
    try:
        threaded = movement_kernels.movement_rules_threads(people, total, live_degree, rules,
                                                           draws)
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(threaded, expected)
    assert np.array_equal(start_role, expected_role)


def test_movement_probabilities_and_steps_stay_in_range_on_random_states():
    rng = np.random.default_rng(3)
    for trial in range(5):
        rules = _rules(rng.uniform(0, 0.9), rng.uniform(0, 1), rng.uniform(0, 1),
                       rng.uniform(0, 1))
        share = rng.uniform(0, 1, 500).astype(np.float32)
        thr32 = rng.uniform(0, 1, 500).astype(np.float32)
        for sh, t32, member in zip(share, thr32, rng.random(500) < 0.5):
            thr = threshold_of(t32, member, rules)
            assert 0.0 <= thr <= t32
            assert 0.0 <= p_burnout(sh, thr, t32, rules) <= rules.burnout + 1e-7
            assert p_lone_wolf_leaves(sh, rules) in (0.0, rules.lone_wolf_burnout)
        ties = rng.integers(0, 40, 500)
        p = evaluate(p_become_organiser, rules, ties)
        assert np.all((p >= 0) & (p <= 1))
        assert np.all(p[ties == 0] == 0)
        assert np.all(np.diff(p[np.argsort(ties)]) >= 0)  # more organiser ties, more likely
        x = rng.uniform(0, 1, 500).astype(np.float32)
        a = evaluate(participant_activation, rules, x)
        d = evaluate(participant_dependence, rules, x)
        assert np.all((a >= x - 1e-7) & (a <= 1)) and np.all((d <= x + 1e-7) & (d >= 0))


def test_organiser_growth_is_one_minus_staying_against_every_organiser_tie():
    rules = _rules(growth=0.1)
    assert evaluate(p_become_organiser, rules, [0, 1, 3]) == pytest.approx(
        [0.0, 0.1, 1 - 0.9 ** 3], rel=1e-6)


def test_may_move_says_whether_anyone_is_in_it_or_has_no_threshold():
    """The phase's compiled test equals the NumPy one it replaced, wherever in the rows
    (and in which stretch) the one who decides it is."""
    rng = np.random.default_rng(8)
    for n in (0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK + 5):
        role = np.zeros(n, np.int8)
        threshold = rng.uniform(0.05, 1.0, n).astype(np.float32)
        assert not movement_kernels.may_move(role, threshold, NONE)
        for at in {0, n // 2, n - 1} if n else ():
            for set_role in (True, False):
                r, t = role.copy(), threshold.copy()
                if set_role:
                    r[at] = PARTICIPANT
                else:
                    t[at] = 0.0
                expected = bool((r > NONE).any() or (t <= 0.0).any())
                assert movement_kernels.may_move(r, t, NONE) is expected is True
        t = threshold.copy()
        t[: n // 3] = np.nan  # no threshold at or below 0: nobody can start it
        assert not movement_kernels.may_move(role, t, NONE)


@pytest.mark.parametrize("crn", [True, False])
def test_organisers_grow_on_u_below_the_rule_of_their_organiser_ties(crn):
    """kernels.grow_organisers decides ``u < p_become_organiser`` over the participants
    tied to an organiser, as the rule over arrays and the stream's draws do."""
    from sim.kernels.draws import hash_uniform
    from sim.population import ORGANISER

    rng = np.random.default_rng(4)
    n = 3000
    rules = _rules(growth=0.3)
    role = rng.choice(np.array([NONE, PARTICIPANT, ORGANISER], np.int8), n, p=[0.5, 0.4, 0.1])
    ties = np.where(rng.random(n) < 0.5, rng.integers(0, 4, n), 0).astype(np.float32)
    uid = rng.integers(1, 2**62, n).astype(np.uint64)
    key = np.uint64(12345)
    useq = rng.random(n)
    candidates = np.flatnonzero((ties > 0) & (role == PARTICIPANT))
    u = hash_uniform(key, uid[candidates]) if crn else useq[candidates]
    grow = candidates[u < evaluate(p_become_organiser, rules, ties[candidates])]
    expected_role, expected_organiser = role.copy(), np.zeros(n, bool)
    expected_role[grow] = ORGANISER
    expected_organiser[grow] = True
    organiser = np.zeros(n, bool)
    movement_kernels.grow_organisers(role, organiser, ties, PARTICIPANT, ORGANISER, uid, crn,
                                     key, useq, rules)
    assert 0 < grow.size < candidates.size
    assert np.array_equal(role, expected_role) and np.array_equal(organiser, expected_organiser)


# --- the passes over every resident, their blocks in threads (sim.kernels.blocks) ---------


def test_effects_and_new_organisers_in_threads_equal_the_plain_passes():
    """Each ``<pass>_threads`` of the movement phase equals its plain pass bit for bit, on
    rows enough for threads (the last block short), and does what the rule says."""
    import numba

    from sim.kernels import threads
    from sim.population import LONE_WOLF, ORGANISER

    if threads.available() < 2:
        pytest.skip("one core: the plain forms are what runs")
    k = movement_kernels
    n = threads.THREADS_FROM_BLOCKS * BLOCK + 5000
    rng = np.random.default_rng(8)
    role = np.where(rng.random(n) < 0.1, rng.integers(1, 5, n), 0).astype(np.int8)
    alive = rng.random(n) < 0.97
    ties = np.where(rng.random(n) < 0.2, rng.integers(1, 4, n), 0).astype(np.float32)
    uid, u = rng.integers(1, 2**63, n, dtype=np.uint64), rng.random(n)
    activation = rng.uniform(0.0, 0.9, n).astype(np.float32)
    dependence = rng.uniform(0.1, 1.0, n).astype(np.float32)
    rules = tuple(MovementRules(16, 0.0, 0.0, 0.0, 0.3, 0.01, 0.02, True, LONE_WOLF))
    numba.set_num_threads(2)
    try:
        organisers = k.with_role(role, alive, ORGANISER)
        assert np.array_equal(organisers, (alive & (role == ORGANISER)).astype(np.float32))
        tied = k.tied_to_organisers(role, ties, PARTICIPANT)
        assert np.array_equal(tied, np.flatnonzero((ties > 0) & (role == PARTICIPANT)))
        for crn in (True, False):
            key, useq = (np.uint64(7), np.empty(0)) if crn else (np.uint64(0), u)
            grown = []
            for grow in (k.grow_organisers, k.grow_organisers_threads):
                r, o = role.copy(), np.zeros(n, np.bool_)
                grow(r, o, ties, PARTICIPANT, ORGANISER, uid, crn, key, useq, rules)
                grown.append((r, o))
            assert all(np.array_equal(a, b) for a, b in zip(*grown))
            r, o = grown[0]
            assert np.array_equal(np.flatnonzero(o), tied[r[tied] == ORGANISER])
            if not crn:
                p = np.float32(1.0) - np.float32(0.7) ** ties[tied]
                assert np.array_equal(np.flatnonzero(o), tied[u[tied] < p])
        joiners = np.flatnonzero((role == 0) & (rng.random(n) < 0.01))
        stepped = []
        for effects in (k.movement_effects, k.movement_effects_threads):
            r, a, d = role.copy(), activation.copy(), dependence.copy()
            effects(r, alive, joiners, PARTICIPANT, a, d, rules)
            stepped.append((r, a, d))
        assert all(np.array_equal(x, y) for x, y in zip(*stepped))
        r, a, d = stepped[0]
        moving = (r > 0) & alive
        assert (r[joiners] == PARTICIPANT).all()
        assert np.array_equal(a[~moving], activation[~moving]) and (a[moving] > activation[moving]).all()
        assert (d[moving] < dependence[moving]).all()
    finally:
        numba.set_num_threads(threads.available())
