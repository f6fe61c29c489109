"""Phase 7, compiled: the threshold contagion, its roles and burnout
(:mod:`sim.movement`).

Each rule is a small named scalar function of numbers and the :class:`MovementRules`
(the week's declared parameters); a chance event is decided as ``u < rule(...)``.
"""

from __future__ import annotations

from collections import namedtuple
from typing import NamedTuple

import numpy as np
from numba import njit, prange

from .blocks import BLOCK, block_rows, marked_block, n_blocks
from .draws import _unit
from .marked_blocks import marked_room, rows_joined
from .rows import marked_into, mask


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
# its draws: for burnout and for lone wolves, each crn, key and sequential draws by row
# (flat, since a pass in threads cannot take a tuple within a tuple: Numba 0.68).
Movers = namedtuple("Movers", ("role", "alive", "age", "threshold", "group", "uid"))
MovementDraws = namedtuple("MovementDraws", ("burnout_crn", "burnout_key", "burnout",
                                             "lone_wolf_crn", "lone_wolf_key", "lone_wolf"))


@njit(cache=True, error_model="numpy")
def may_move(role, threshold, none):
    """Whether the week's contagion can change anything: someone is in the movement (a
    role above ``none``), or someone's threshold is 0 or below (who joins with no one in
    it). Read a block at a time (:data:`~sim.kernels.blocks.BLOCK` rows), stopping at the
    first that has one."""
    for start in range(0, role.size, BLOCK):
        # Views from 0 and a bitwise or: the loop vectorises (about 0.1 ns a row).
        roles, thresholds = role[start: start + BLOCK], threshold[start: start + BLOCK]
        found = np.uint8(0)
        for i in range(roles.size):
            found |= np.uint8(roles[i] > none) | np.uint8(thresholds[i] <= np.float32(0.0))
        if found:
            return True
    return False


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
    thresholds). Returns the joiners, ascending; updates ``people.role`` in place.

    ``people`` is :data:`Movers`; ``total`` each row's weighted count of ties in the
    movement and ``live_degree`` its living ties (rows of the network; rows beyond them
    have no ties, a share of 0); ``draws`` is :data:`MovementDraws`.

    Block by block (:mod:`sim.kernels.blocks`; :func:`movement_rules_threads`: the blocks
    in threads): everyone's share of ties in the movement, then in one branch-free pass
    who joins (:func:`joins`) and who may leave: participants short of support
    (:func:`p_burnout` above 0) and lone wolves with no support
    (:func:`p_lone_wolf_leaves` above 0). Only those draw, in order, and leave if their
    uniform is under their rule's probability.

    ``people``, ``rules`` and ``draws`` may come as plain tuples of their values, which
    Numba takes quicker than named tuples (see :mod:`sim.kernels.community`).
    """
    people, rules, draws = Movers(*people), MovementRules(*rules), MovementDraws(*draws)
    joiners, found = _joiners_room(role_rows(people))
    for b in range(n_blocks(0, role_rows(people))):
        _movement_block(b, people, total, live_degree, rules, draws, joiners, found)
    return rows_joined(joiners, found)


@njit(cache=True, error_model="numpy", parallel=True)
def movement_rules_threads(people, total, live_degree, rules, draws):
    """:func:`movement_rules` with its blocks in threads (:mod:`sim.kernels.blocks`)."""
    people, rules, draws = Movers(*people), MovementRules(*rules), MovementDraws(*draws)
    joiners, found = _joiners_room(role_rows(people))
    for b in prange(n_blocks(0, role_rows(people))):
        _movement_block(b, people, total, live_degree, rules, draws, joiners, found)
    return rows_joined(joiners, found)


@njit(inline="always", error_model="numpy")
def role_rows(people):
    """How many rows the movers have."""
    return people.role.size


@njit(error_model="numpy")
def _joiners_room(n):
    """Room for the joiners, block ``b``'s from ``b * BLOCK`` on, and how many a block found
    (not inlined: see sim.kernels.marked_blocks)."""
    blocks = n_blocks(0, n)
    return np.empty(blocks * BLOCK, np.int64), np.zeros(blocks, np.int64)


@njit(error_model="numpy")
def _movement_block(b, people, total, live_degree, rules, draws, joiners_all, found):
    """Block ``b`` of :func:`movement_rules`: its joiners into its stretch of
    ``joiners_all``, how many in ``found[b]``; its rows' roles updated. The block's rows
    at once (scratch of :data:`BLOCK`, within the cache): in chunks of a few hundred the
    views of the columns cost more than the rows' work where no one burns out."""
    start, end = block_rows(0, role_rows(people), b)
    m = end - start
    joiners = joiners_all[b * BLOCK: (b + 1) * BLOCK]
    burns, roles, lone_wolf = rules.burnout != 0.0, rules.roles, rules.lone_wolf
    # Views from 0, so the loops vectorise (see sim.kernels.draws._fill).
    share = np.zeros(m, np.float32)  # beyond the network: no ties, a share of 0
    tied = max(min(end, live_degree.size) - start, 0)
    tot, degree = total[start: start + tied], live_degree[start: start + tied]
    for j in range(tied):
        share[j] = tot[j] / degree[j] if degree[j] > 0 else np.float32(0.0)
    role, alive, age = people.role[start:end], people.alive[start:end], people.age[start:end]
    threshold, group = people.threshold[start:end], people.group[start:end]
    joining, may_leave = mask(m), mask(m)
    for j in range(m):
        sh, r, thr32 = share[j], role[j], threshold[j]
        thr = threshold_of(thr32, group[j] >= 0, rules)
        in_movement = r > 0
        joining[j] = joins(alive[j], age[j], in_movement, sh, thr, rules)
        may_leave[j] = ((burns & in_movement & (r != lone_wolf)
                         & (p_burnout(sh, thr, thr32, rules) > 0.0))
                        | (roles & (r == lone_wolf) & (p_lone_wolf_leaves(sh, rules) > 0.0)))
    rows = np.empty(m, np.int64)
    nj = marked_into(joining, rows)
    for t in range(nj):
        joiners[t] = start + rows[t]
    found[b] = nj
    # Those who may leave draw (participants short of support, lone wolves with none),
    # each deciding u < p of their role's rule; the block's rows are in the cache.
    for t in range(marked_into(may_leave, rows)):
        j = rows[t]
        i = start + j
        if role[j] == lone_wolf:
            p_leave = p_lone_wolf_leaves(share[j], rules)
            u = _unit(people.uid[i], draws.lone_wolf_key) if draws.lone_wolf_crn \
                else draws.lone_wolf[i]
        else:
            p_leave = p_burnout(share[j], threshold_of(threshold[j], group[j] >= 0, rules),
                                threshold[j], rules)
            u = _unit(people.uid[i], draws.burnout_key) if draws.burnout_crn \
                else draws.burnout[i]
        if u < p_leave:
            role[j] = 0


@njit(cache=True, error_model="numpy")
def tied_to_organisers(role, organiser_ties, participant):
    """Participants with at least one living organiser among their ties. Block by block,
    as :func:`grow_organisers` finds them."""
    marks, found, counts = marked_room(organiser_ties.size)
    for b in range(counts.size):
        _tied_block(b, role, organiser_ties, participant, marks, found, counts)
    return rows_joined(found, counts)


@njit(error_model="numpy")
def _tied_block(b, role, organiser_ties, participant, marks, found, counts):
    """Block ``b`` of :func:`tied_to_organisers`: its rows into its stretch of ``found``."""
    size = organiser_ties.size
    start, end = block_rows(0, size, b)
    ties, r, c = organiser_ties[start:end], role[start:end], marks[start:end]
    for j in range(end - start):
        c[j] = (ties[j] > 0) & (r[j] == participant)
    marked_block(marks, size, b, found, counts)


@njit(cache=True, error_model="numpy")
def grow_organisers(role, organiser, organiser_ties, participant, organiser_role, uid, crn,
                    key, useq, rules):
    """Participants tied to a living organiser (:func:`tied_to_organisers`) become
    organisers, each on their uniform: ``u < p_become_organiser`` (hashed from the uid
    with CRN, else row ``i``'s of the ``useq`` drawn for every row). Sets ``role`` and
    ``organiser`` in place. ``rules`` as :func:`movement_rules` takes them. Block by
    block (:func:`grow_organisers_threads`: the blocks in threads)."""
    marks, found, counts = marked_room(organiser_ties.size)
    for b in range(counts.size):
        _grow_block(b, (role, organiser, organiser_ties), (participant, organiser_role),
                    (uid, key, useq), crn, rules, marks, found, counts)


@njit(cache=True, error_model="numpy", parallel=True)
def grow_organisers_threads(role, organiser, organiser_ties, participant, organiser_role, uid,
                            crn, key, useq, rules):
    """:func:`grow_organisers` with its blocks in threads (:mod:`sim.kernels.blocks`)."""
    marks, found, counts = marked_room(organiser_ties.size)
    for b in prange(counts.size):
        _grow_block(b, (role, organiser, organiser_ties), (participant, organiser_role),
                    (uid, key, useq), crn, rules, marks, found, counts)


@njit(error_model="numpy")
def _grow_block(b, people, roles, draws, crn, rules, marks, found, counts):
    """Block ``b`` of :func:`grow_organisers`: its participants tied to an organiser
    (:func:`_tied_block`) decide, and those who grow take the role (``people``: role,
    organiser, organiser_ties; ``roles``: the participant's and the organiser's codes;
    ``draws``: uid, key, useq). Each writes only its own row."""
    rules = MovementRules(*rules)
    role, organiser, organiser_ties = people
    participant, organiser_role = roles
    uid, key, useq = draws
    _tied_block(b, role, organiser_ties, participant, marks, found, counts)
    for i in found[b * BLOCK: b * BLOCK + counts[b]]:
        u = _unit(uid[i], key) if crn else useq[i]
        if u < p_become_organiser(organiser_ties[i], rules):
            role[i] = organiser_role
            organiser[i] = True


@njit(cache=True, error_model="numpy")
def movement_effects(role, alive, joiners, participant, activation, dependence, rules):
    """Joiners become participants; everyone alive in the movement gains activation and
    loosens dependence (:func:`participant_activation`, :func:`participant_dependence`).
    ``rules`` as :func:`movement_rules` takes them. The joiners in turn, then block by
    block (:func:`movement_effects_threads`: the blocks in threads)."""
    for j in range(joiners.size):
        role[joiners[j]] = participant
    for b in range(n_blocks(0, role.size)):
        _effects_block(b, role, alive, activation, dependence, rules)


@njit(cache=True, error_model="numpy", parallel=True)
def movement_effects_threads(role, alive, joiners, participant, activation, dependence, rules):
    """:func:`movement_effects` with its blocks in threads (:mod:`sim.kernels.blocks`)."""
    for j in range(joiners.size):
        role[joiners[j]] = participant
    for b in prange(n_blocks(0, role.size)):
        _effects_block(b, role, alive, activation, dependence, rules)


@njit(error_model="numpy")
def _effects_block(b, role, alive, activation, dependence, rules):
    """Block ``b`` of :func:`movement_effects` after the joiners: the participants' steps."""
    rules = MovementRules(*rules)
    start, end = block_rows(0, role.size, b)
    r, a = role[start:end], alive[start:end]
    act, dep = activation[start:end], dependence[start:end]
    for j in range(end - start):
        if r[j] > 0 and a[j]:
            act[j] = participant_activation(act[j], rules)
            dep[j] = participant_dependence(dep[j], rules)


@njit(cache=True, error_model="numpy")
def with_role(role, alive, wanted):
    """1 for living residents of the ``wanted`` role, else 0 (float32)."""
    out = np.empty(role.size, np.float32)
    for i in range(role.size):  # branch-free: the loop vectorises (twice as quick)
        out[i] = np.float32(np.uint8(alive[i]) & np.uint8(role[i] == wanted))
    return out
