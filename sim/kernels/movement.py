"""Phase 7, compiled: the threshold contagion, its roles and burnout
(:mod:`sim.movement`).

Each rule is a small named scalar function of numbers and the :class:`MovementRules`
(the week's declared parameters); a chance event is decided as ``u < rule(...)``.
"""

from __future__ import annotations

from collections import namedtuple
from typing import NamedTuple

import numpy as np
from numba import njit

from .draws import _unit
from .rows import mask, rows_marked


class MovementRules(NamedTuple):
    """The movement's parameters this week (``movement.*`` and the policy's levers)."""

    min_age: int  # youngest age that may join (movement.min_age)
    group_effect: float  # how much lower a group member's threshold is
    burnout: float  # weekly chance an unsupported participant leaves, at no support
    lone_wolf_burnout: float  # weekly chance a lone wolf with no movement ties leaves
    organiser_growth: float  # weekly chance a participant becomes an organiser, per organiser tie
    activation_per_week: float  # rise in a participant's activation (movement.*)
    dependence_per_week: float  # fall in a participant's dependence (movement.*)
    roles: bool  # the social_movement policy's roles are on (lone wolves, organisers)
    lone_wolf: int  # the role code of a lone wolf (sim.population.LONE_WOLF)


# The residents' columns the movement's pass reads (``role`` is updated in place), and
# its draws: for burnout and for lone wolves, each (crn, key, sequential draws by row).
Movers = namedtuple("Movers", ("role", "alive", "age", "threshold", "group", "uid"))
MovementDraws = namedtuple("MovementDraws", ("burnout", "lone_wolf"))


@njit(cache=True, error_model="numpy")
def movement_weights(role, alive, mobiliser, mobiliser_weight):
    """Each person's weight among their ties' movement share (float32, 0 for the dead)."""
    n = role.size
    out = np.empty(n, np.float32)
    mw = np.float32(mobiliser_weight)
    for i in range(n):
        w = np.float32(1.0) if role[i] > 0 else np.float32(0.0)
        if mobiliser >= 0 and role[i] == mobiliser:
            w = mw
        out[i] = w if alive[i] else np.float32(0.0)
    return out


@njit(inline="always", error_model="numpy")
def threshold_of(thr32, in_group, rules):
    """A person's threshold (float64), lowered by the group effect for group members."""
    thr = np.float64(thr32)
    if rules.group_effect != 0.0 and in_group:
        thr = thr * (1.0 - rules.group_effect)
    return thr


@njit(inline="always", error_model="numpy")
def joins(alive, age, in_movement, sh, thr, rules):
    """Watts (2002): a living, eligible resident outside the movement joins once the
    share of their ties in it reaches their threshold (a threshold of 0 needs no one)."""
    return alive and age >= rules.min_age and not in_movement and np.float64(sh) >= thr


@njit(inline="always", error_model="numpy")
def p_burnout(sh, thr, thr32, rules):
    """Weekly probability that a participant leaves: burnout where ties' support falls
    short of the threshold (float32, or float64 once the group effect scales it; the
    1e-6 only guards the division)."""
    if rules.group_effect != 0.0:
        support = min(np.float64(sh) / max(thr, 1e-6), 1.0)
        return rules.burnout * (1.0 - support)
    support32 = min(sh / max(thr32, np.float32(1e-6)), np.float32(1.0))
    return np.float64(np.float32(rules.burnout) * (np.float32(1.0) - support32))


@njit(inline="always", error_model="numpy")
def p_lone_wolf_leaves(sh, rules):
    """Weekly probability that a lone wolf leaves: only with no ties in the movement."""
    return rules.lone_wolf_burnout if sh <= 0.0 else 0.0


@njit(inline="always", error_model="numpy")
def p_become_organiser(organiser_ties, rules):
    """Weekly probability that a participant with ``organiser_ties`` living organisers
    among their ties becomes one: ``organiser_growth`` from each, independently
    (float32, as the tie sums are held)."""
    stays = np.float32(1.0 - rules.organiser_growth) ** np.float32(organiser_ties)
    return np.float32(np.float32(1.0) - stays)


@njit(inline="always", error_model="numpy")
def participant_activation(activation, rules):
    """A participant's activation (float32) after a week in the movement."""
    a = np.float32(activation)
    return a + np.float32(rules.activation_per_week) * (np.float32(1.0) - a)


@njit(inline="always", error_model="numpy")
def participant_dependence(dependence, rules):
    """A participant's dependence (float32) after a week in the movement."""
    d = np.float32(dependence)
    return d - np.float32(rules.dependence_per_week) * d


@njit(cache=True, error_model="numpy")
def movement_rules(people, total, live_degree, rules, draws):
    """Shares, joiners, burnout and lone wolves: ``sim.movement.spread_movement`` up to the
    growth of organisers, in its dtypes (float32, or float64 once the group effect scales
    thresholds). Returns the joiners; updates ``people.role`` in place.

    ``people`` is :data:`Movers`; ``total`` each row's weighted count of ties in the
    movement and ``live_degree`` its living ties (rows of the network);
    ``draws`` is :data:`MovementDraws`.

    A first pass takes everyone's share of ties in the movement and marks who may change:
    those whose share reaches their threshold, participants short of support (who may
    burn out) and lone wolves with no support. Most people are neither (outside the
    movement and below threshold, or in it and fully supported); only the marked go on,
    in order.
    """
    role, alive, age, threshold = people.role, people.alive, people.age, people.threshold
    group, uid = people.group, people.uid
    crn_b, key_b, useq_b = draws.burnout
    crn_l, key_l, useq_l = draws.lone_wolf
    roles, lone_wolf = rules.roles, rules.lone_wolf
    n = role.size
    size = live_degree.size
    share = np.zeros(n, np.float32)  # beyond the network: no ties, a share of 0
    for i in range(min(n, size)):
        degree = live_degree[i]
        share[i] = total[i] / degree if degree > 0 else np.float32(0.0)
    marks = mask(n)
    burns = rules.burnout != 0.0
    for i in range(n):
        sh, r, thr32 = share[i], role[i], threshold[i]
        thr = threshold_of(thr32, group[i] >= 0, rules)
        marks[i] = (joins(alive[i], age[i], r > 0, sh, thr, rules)
                    | (burns & (r > 0) & (r != lone_wolf)
                       & (p_burnout(sh, thr, thr32, rules) > 0.0))
                    | (roles & (r == lone_wolf) & (sh <= 0.0)))
    joiners = np.empty(n, np.int64)
    nj = 0
    for i in rows_marked(marks, n):
        sh, thr32 = share[i], threshold[i]
        thr = threshold_of(thr32, group[i] >= 0, rules)
        in_movement = role[i] > 0
        if joins(alive[i], age[i], in_movement, sh, thr, rules):
            joiners[nj] = i
            nj += 1
        if burns and in_movement and role[i] != lone_wolf:
            p_leave = p_burnout(sh, thr, thr32, rules)
            if p_leave > 0.0 and (_unit(uid[i], key_b) if crn_b else useq_b[i]) < p_leave:
                role[i] = 0
        if roles and role[i] == lone_wolf:
            p_leave = p_lone_wolf_leaves(sh, rules)
            if p_leave > 0.0 and (_unit(uid[i], key_l) if crn_l else useq_l[i]) < p_leave:
                role[i] = 0
    return joiners[:nj].copy()


@njit(cache=True, error_model="numpy")
def tied_to_organisers(role, organiser_ties, participant):
    """Participants with at least one living organiser among their ties."""
    size = organiser_ties.size
    marks = mask(size)
    for i in range(size):
        marks[i] = (organiser_ties[i] > 0) & (role[i] == participant)
    return rows_marked(marks, size)


@njit(cache=True, error_model="numpy")
def movement_effects(role, alive, joiners, participant, activation, dependence, rules):
    """Joiners become participants; everyone alive in the movement gains activation and
    loosens dependence (:func:`participant_activation`, :func:`participant_dependence`)."""
    for j in range(joiners.size):
        role[joiners[j]] = participant
    for i in range(role.size):
        if role[i] > 0 and alive[i]:
            activation[i] = participant_activation(activation[i], rules)
            dependence[i] = participant_dependence(dependence[i], rules)


@njit(cache=True, error_model="numpy")
def with_role(role, alive, wanted):
    """1 for living residents of the ``wanted`` role, else 0 (float32)."""
    out = np.zeros(role.size, np.float32)
    for i in range(role.size):
        if alive[i] and role[i] == wanted:
            out[i] = 1.0
    return out
