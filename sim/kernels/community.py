"""Phase 6, compiled: the community rules, and group membership, leaving, splitting,
joining, founding and contacts (:mod:`sim.community`).

Each rule is a formula of numbers and the named tuple ``cp`` of :data:`CommunityParams`
(every parameter of the ``community`` section, by its name); a chance event is decided
as ``u < rule(...)``. The group table holds vitality and grants in float32, and the
rules keep the float32 arithmetic the NumPy phase has always taken.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .blocks import block_rows, n_blocks
from .bounds import rule_tuple
from .draws import CHUNK, _fill, _unit
from .health import toward
from .network import nth_tie
from .rows import mask, rows_marked

CommunityParams = rule_tuple("CommunityParams", __name__, ("community",))


# --- the rules ----------------------------------------------------------------------------


@njit(inline="always", error_model="numpy")
def p_leave(vitality, burden, cp):
    """Weekly probability that a member leaves a group of this ``vitality`` and
    reporting ``burden`` (0..1): ``p_leave`` at no vitality, none at full vitality,
    up to twice as likely under full burden."""
    return cp.p_leave * (1.0 - vitality) * (1.0 + burden)


@njit(inline="always", error_model="numpy")
def vitality_step(vitality, organisers, members, capacity, grant, burden, cp):
    """A group's vitality (0..1) after a week: growth toward 1 with organisers
    (saturating, ``o / (o + 1)``), with the square root of how full it is and with its
    grant (``grant`` GBP a week: up to twice the growth, 1.5x at ``grant_half_effect``);
    decay, faster under reporting ``burden`` (0..1)."""
    one = np.float32(1.0)
    org = np.float32(organisers)
    grant32 = np.float32(grant)
    boost = one + grant32 / (grant32 + np.float32(cp.grant_half_effect))
    fill = np.float64(members) / max(capacity, 1)
    growth = (np.float32(cp.vitality_growth) * org / (org + one)) * math.sqrt(fill) * boost
    decay = np.float32(cp.vitality_decay) * (one + np.float32(cp.burden_decay)
                                             * np.float32(burden))
    v = np.float32(vitality)
    return min(max(v + growth * (one - v) - decay, 0.0), 1.0)


@njit(inline="always", error_model="numpy")
def folds(vitality, members, weeks_old, cp):
    """Whether a group folds this week: its vitality down to ``fold_vitality``, or still
    no members ``grace_weeks`` after it was founded (vitality compared in float32, as held)."""
    return ((np.float32(vitality) <= np.float32(cp.fold_vitality))
            | ((members == 0) & (weeks_old >= cp.grace_weeks)))


@njit(inline="always", error_model="numpy")
def splits(members, vitality, organisers, cp):
    """Whether a group splits in two this week: large (``split_size`` members), vital
    (``split_vitality``) and with an organiser for each half (``split_organisers``)."""
    return ((members >= cp.split_size) & (np.float32(vitality) >= np.float32(cp.split_vitality))
            & (organisers >= cp.split_organisers))


@njit(inline="always", error_model="numpy")
def p_invite(vitality, cp):
    """Probability that a member of a group of this ``vitality`` invites the tie who
    heard of it (float32, as the group table holds vitality)."""
    return np.float32(np.float32(cp.p_invite) * np.float32(vitality))


@njit(inline="always", error_model="numpy")
def p_found(activation, cp):
    """Weekly probability that a free organiser of this ``activation`` starts a group
    (float32, as activation is held)."""
    return np.float32(np.float32(cp.p_found)
                      * (np.float32(cp.found_activation_base) + np.float32(activation)))


@njit(inline="always", error_model="numpy")
def member_step(trait, target, per_week, vitality):
    """A member's trait after a week in a group of this ``vitality``: moved toward
    ``target`` at ``per_week`` at full vitality, in proportion below it."""
    return toward(trait, target, per_week * np.float64(vitality))


@njit(inline="always", error_model="numpy")
def _draw(i, k, crn, uid, key, useq):
    """Member ``i``'s uniform: hashed from its uid with CRN, else the ``k``-th of the
    pass's sequential draws (``k``: how many members drew before it, in row order)."""
    return _unit(uid[i], key) if crn else useq[k]


@njit(cache=True, error_model="numpy")
def count_members(group, organiser, groups):
    """Members and organisers of each of ``groups`` groups, and the rows in a group, in
    order (``CommunityGroups.count_members``; the week's passes over members take those
    rows, not every resident: a few in a hundred are members)."""
    n = group.size
    marks = mask(n)
    for i in range(n):
        marks[i] = group[i] >= 0
    rows = rows_marked(marks, n)
    members = np.zeros(groups, np.int64)
    organisers = np.zeros(groups, np.int64)
    for i in rows:
        g = group[i]
        members[g] += 1
        organisers[g] += organiser[i]
    return members, organisers, rows


@njit(cache=True, error_model="numpy")
def leave_groups(rows, alive, group, organiser, vitality, burden, members, organisers, draws,
                 cp):
    """Members among ``rows`` (ascending; every member among them) leave their group with
    probability :func:`p_leave`. Updates ``group`` in place and takes the leavers off their
    groups' ``members`` and ``organisers`` counts. ``draws`` is (crn, uid, key, the
    sequential draws of the living members in row order when CRN is off)."""
    crn, uid, key, useq = draws
    k = 0
    for i in rows:
        g = group[i]
        if alive[i] and g >= 0:
            if _draw(i, k, crn, uid, key, useq) < p_leave(vitality[g], burden[g], cp):
                group[i] = -1
                members[g] -= 1
                organisers[g] -= organiser[i]
            k += 1


@njit(cache=True, error_model="numpy")
def update_vitality(live, organisers, members, capacity, grant, burden, vitality, cp):
    """:func:`vitality_step` for the ``live`` groups, in place."""
    for g in live:
        vitality[g] = vitality_step(vitality[g], organisers[g], members[g], capacity[g],
                                    grant[g], burden[g], cp)


@njit(cache=True, error_model="numpy")
def member_effects(rows, alive, group, vitality, activation, dependence, connectedness, cp):
    """Members (among ``rows``, every member among them) of vital groups gain activation
    and connection and lean less on services, in proportion to their group's vitality
    (:func:`member_step`)."""
    for i in rows:
        g = group[i]
        if alive[i] and g >= 0:
            v = vitality[g]
            activation[i] = member_step(activation[i], 1.0, cp.activation_per_week, v)
            dependence[i] = member_step(dependence[i], 0.0, cp.dependence_per_week, v)
            connectedness[i] = member_step(connectedness[i], 1.0, cp.connectedness_per_week, v)


@njit(cache=True, error_model="numpy")
def release_members(rows, group, closing):
    """Members among ``rows`` of closing groups (``closing[g]``) leave them."""
    for i in rows:
        g = group[i]
        if g >= 0 and closing[g]:
            group[i] = -1


@njit(cache=True, error_model="numpy")
def split_members(rows, alive, group, organiser, new_of, members, organisers, draws, share):
    """Each member (among ``rows``, ascending) of a splitting group (``new_of[g] >= 0``)
    moves to the new group on a draw below ``share`` (``sim.community._split_groups``),
    taking their place in the ``members`` and ``organisers`` counts with them. ``draws``
    as :func:`leave_groups`, of the living members of splitting groups."""
    crn, uid, key, useq = draws
    k = 0
    for i in rows:
        g = group[i]
        if alive[i] and g >= 0 and new_of[g] >= 0:
            if _draw(i, k, crn, uid, key, useq) < share:
                h = new_of[g]
                group[i] = h
                members[g] -= 1
                members[h] += 1
                organisers[g] -= organiser[i]
                organisers[h] += organiser[i]
            k += 1


@njit(cache=True, error_model="numpy")
def join_groups(people_rows, group_rows, group, organiser, alive, capacity, members,
                organisers):
    """Residents join groups in the order given, each only while the group (living)
    has room; returns which requests were met. ``CommunityGroups.join``."""
    joined = np.zeros(people_rows.size, np.bool_)
    for j in range(people_rows.size):
        g = group_rows[j]
        if alive[g] and members[g] < capacity[g]:
            p = people_rows[j]
            group[p] = g
            members[g] += 1
            organisers[g] += organiser[p]
            joined[j] = True
    return joined


@njit(cache=True, error_model="numpy")
def best_open_groups(alive, capacity, members, vitality, neighbourhood, neighbourhoods):
    """In each neighbourhood, the living group with room and the highest vitality (the
    lowest row among equals); -1 where there is none."""
    best = np.full(neighbourhoods, -1, np.int64)
    for g in range(alive.size):
        if alive[g] and members[g] < capacity[g]:
            h = neighbourhood[g]
            if best[h] < 0 or vitality[g] > vitality[best[h]]:
                best[h] = g
    return best


@njit(cache=True, error_model="numpy")
def free_organisers(alive, organiser, group, age, adult_age):
    """Living adult organisers (``adult_age`` or over) in no group: those who may start one."""
    n = alive.size
    marks = mask(n)
    for i in range(n):
        marks[i] = alive[i] & organiser[i] & (group[i] < 0) & (age[i] >= adult_age)
    return rows_marked(marks, n)


@njit(cache=True, error_model="numpy")
def participants_by_neighbourhood(alive, role, neighbourhood, neighbourhoods):
    """Living movement participants (any role) in each neighbourhood."""
    out = np.zeros(neighbourhoods, np.int64)
    for i in range(alive.size):
        out[neighbourhood[i]] += alive[i] & (role[i] > 0)
    return out


@njit(cache=True, error_model="numpy")
def recruit_candidates(people, draws, ties, limits):
    """The week's contacts and the organisers who might found a group, in one pass.

    ``people`` is (alive, group, age, organiser); ``limits`` is (p_contact, min_age,
    adult_age). Contacts: the living people of ``min_age`` or over in no group whose
    uniform (``draws``: crn, uid, key, sequential draws by row) is below ``p_contact``.
    Free organisers: the living organisers of ``adult_age`` or over in no group
    (:func:`free_organisers`, before anyone joins). With CRN each contact's tie is also
    chosen here (as :func:`tied_groups` chooses it, its draw hashed under the key of
    ``ties``: indptr, indices, key), while the rows around it are in cache.

    Returns (contacts, free organisers, pairs, their groups): with CRN the contacts are
    not listed and the pairs are :func:`tied_groups` of them; without, no pairs.
    :func:`recruit_candidates_threads`: the blocks in threads.
    """
    n = people[0].size
    marks = (mask(n), mask(n), mask(n))  # contacts, free organisers, pairs
    via = np.empty(n, np.int64)  # the group of each pair, at its row
    buf = np.empty(CHUNK, np.float64)
    for b in range(n_blocks(0, n)):
        _candidates(b, people, draws, ties, limits, marks, via, buf)
    return _listed(marks, via, draws[0])


@njit(cache=True, error_model="numpy", parallel=True)
def recruit_candidates_threads(people, draws, ties, limits):
    """:func:`recruit_candidates` with its blocks in threads (:mod:`sim.kernels.blocks`)."""
    n = people[0].size
    marks = (mask(n), mask(n), mask(n))
    via = np.empty(n, np.int64)
    for b in prange(n_blocks(0, n)):
        _candidates(b, people, draws, ties, limits, marks, via, np.empty(CHUNK, np.float64))
    return _listed(marks, via, draws[0])


@njit(error_model="numpy")
def _listed(marks, via, crn):
    """What :func:`recruit_candidates` returns, from the marks of its rows."""
    n = via.size
    none = np.empty(0, np.int64)
    free = rows_marked(marks[1], n)
    if crn:
        pairs = rows_marked(marks[2], n)
        return none, free, pairs, via[pairs]
    return rows_marked(marks[0], n), free, none, none


@njit(error_model="numpy")
def _candidates(b, people, draws, ties, limits, marks, via, buf):
    """:func:`recruit_candidates` of block ``b``: its rows' marks (and pairs)."""
    alive, group, age, organiser = people
    crn, uid, key, useq = draws
    indptr, indices, tie_key = ties
    p_contact, min_age, adult_age = limits
    talk, free, paired = marks
    size = indptr.size - 1
    contacts = np.empty(CHUNK, np.int64)  # the chunk's contacts, by position
    lo, hi = block_rows(0, alive.size, b)
    for start in range(lo, hi, CHUNK):
        m = min(CHUNK, hi - start)
        _fill(buf, crn, key, uid, useq, start, m)
        c_alive, c_group = alive[start: start + m], group[start: start + m]
        c_age, c_organiser = age[start: start + m], organiser[start: start + m]
        c_talk, c_free = talk[start: start + m], free[start: start + m]
        c_paired = paired[start: start + m]
        for j in range(m):
            open_ = c_alive[j] & (c_group[j] < 0)
            c_talk[j] = open_ & (c_age[j] >= min_age) & (buf[j] < p_contact)
            c_free[j] = open_ & c_organiser[j] & (c_age[j] >= adult_age)
            c_paired[j] = 0
        if not crn:
            continue
        # The contacts listed first, then their ties: a branch on every row's mark in
        # the loop over ties made the pass several times slower.
        k = 0
        for j in range(m):
            contacts[k] = j
            k += c_talk[j]
        for q in range(k):
            r = start + contacts[q]
            if r < size:
                first = indptr[r]
                degree = indptr[r + 1] - first
                if degree > 0:
                    t = indices[nth_tie(first, degree, _unit(uid[r], tie_key))]
                    g = group[t]
                    if g >= 0 and alive[t]:
                        c_paired[contacts[q]] = 1
                        via[r] = g


@njit(cache=True, error_model="numpy")
def tied_groups(talk, draws, indptr, indices, group, alive):
    """For each of ``talk`` (ascending, the contacts), one tie chosen by its uniform (``draws``: crn, uid,
    key, one sequential draw per row of ``talk``; see :func:`sim.kernels.network.nth_tie`)
    and, where that tie is living and in a group, the pair (the row, the tie's group).
    Returns the rows and the groups of those pairs.

    In three short loops (the draws, the ties, the ties' groups) rather than one: at a
    million residents each reads memory not in cache, and the processor can wait for
    many more reads at once in a short loop (a third quicker than one loop).
    """
    crn, uid, key, useq = draws
    size = indptr.size - 1
    count = talk.size
    u = np.empty(count, np.float64)
    if crn:
        for j in range(count):
            u[j] = _unit(uid[talk[j]], key)
    else:
        u[:] = useq[:count]
    tie = np.full(count, -1, np.int64)
    for j in range(count):
        r = talk[j]
        if r < size:
            first = indptr[r]
            degree = indptr[r + 1] - first
            if degree > 0:
                tie[j] = indices[nth_tie(first, degree, u[j])]
    marks = mask(count)
    via = np.empty(count, np.int64)
    for j in range(count):
        t = max(tie[j], 0)
        g = group[t]
        via[j] = g
        marks[j] = (tie[j] >= 0) & (g >= 0) & alive[t]
    pairs = rows_marked(marks, count)
    return talk[pairs], via[pairs]


@njit(cache=True, error_model="numpy")
def founders(free, group, activation, draws, cp):
    """Of ``free`` (ascending: the organisers free before the week's joining), those still
    in no group whose uniform (``draws``: crn, uid, key, sequential draws by row) is below
    :func:`p_found` of their activation: this week's founders."""
    crn, uid, key, useq = draws
    marks = mask(free.size)
    for j in range(free.size):
        i = free[j]
        marks[j] = False
        if group[i] < 0:
            u = _unit(uid[i], key) if crn else useq[i]
            marks[j] = u < p_found(activation[i], cp)
    return free[rows_marked(marks, free.size)]


@njit(cache=True, error_model="numpy")
def invited(rows, via, draws, vitality, cp):
    """Whether each of ``rows`` is invited into group ``via`` (its uniform below
    :func:`p_invite`; ``draws`` as :func:`tied_groups`)."""
    crn, uid, key, useq = draws
    out = np.empty(rows.size, np.bool_)
    for j in range(rows.size):
        u = _unit(uid[rows[j]], key) if crn else useq[j]
        out[j] = u < p_invite(vitality[via[j]], cp)
    return out
