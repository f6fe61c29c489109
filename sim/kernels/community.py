"""Phase 6, compiled: the community rules, and group membership, leaving, splitting,
joining, founding and contacts (:mod:`sim.community`).

Each rule is a formula of numbers and the named tuple ``cp`` of :data:`CommunityParams`
(every parameter of the ``community`` section, by its name); a chance event is decided
as ``u < rule(...)``. The group table holds vitality and grants in float32, and the
rules keep the float32 arithmetic the NumPy phase has always taken.

The passes take ``cp`` as the named tuple or as a plain tuple of its values
(``tuple(cp)``), and name it first (``CommunityParams(*cp)``): Numba reads the field
names of a named tuple argument on every call, 2.5 microseconds for these 28 against
0.5 for a plain tuple, which is most of what calling a pass costs at 20,000 residents.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .blocks import BLOCK, block_rows, marked_block, n_blocks
from .bounds import rule_tuple
from .draws import CHUNK, _fill, _unit
from .health import toward
from .marked_blocks import marked_room, rows_joined, summed_in_order
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
    cp = CommunityParams(*cp)  # named here, passed as values: see the module
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
    cp = CommunityParams(*cp)  # named here, passed as values: see the module
    for g in live:
        vitality[g] = vitality_step(vitality[g], organisers[g], members[g], capacity[g],
                                    grant[g], burden[g], cp)


@njit(cache=True, error_model="numpy")
def member_effects(rows, alive, group, vitality, activation, dependence, connectedness, cp):
    """Members (among ``rows``, every member among them) of vital groups gain activation
    and connection and lean less on services, in proportion to their group's vitality
    (:func:`member_step`)."""
    cp = CommunityParams(*cp)  # named here, passed as values: see the module
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
def best_open_groups(live, capacity, members, vitality, neighbourhood, neighbourhoods):
    """In each neighbourhood, the living group (of the rows ``live``, ascending) with room
    and the highest vitality (the lowest row among equals); -1 where there is none."""
    best = np.full(neighbourhoods, -1, np.int64)
    for g in live:
        if members[g] < capacity[g]:
            h = neighbourhood[g]
            if best[h] < 0 or vitality[g] > vitality[best[h]]:
                best[h] = g
    return best


@njit(cache=True, error_model="numpy")
def referral_places(referred, alive, group, neighbourhood, best):
    """Of the ``referred`` residents, those alive and in no group whose neighbourhood has
    a group with room (``best``, :func:`best_open_groups`), in order, and that group."""
    who = np.empty(referred.size, np.int64)
    target = np.empty(referred.size, np.int64)
    k = 0
    for i in referred:
        if alive[i] and group[i] < 0 and best[neighbourhood[i]] >= 0:
            who[k] = i
            target[k] = best[neighbourhood[i]]
            k += 1
    return who[:k].copy(), target[:k].copy()


@njit(cache=True, error_model="numpy")
def free_organisers(alive, organiser, group, age, adult_age):
    """Living adult organisers (``adult_age`` or over) in no group: those who may start
    one. Block by block (:func:`free_organisers_threads`: the blocks in threads)."""
    marks, found, counts = marked_room(alive.size)
    for b in range(counts.size):
        _free_block(b, (alive, organiser, group, age), adult_age, marks, found, counts)
    return rows_joined(found, counts)


@njit(cache=True, error_model="numpy", parallel=True)
def free_organisers_threads(alive, organiser, group, age, adult_age):
    """:func:`free_organisers` with its blocks in threads (:mod:`sim.kernels.blocks`)."""
    marks, found, counts = marked_room(alive.size)
    for b in prange(counts.size):
        _free_block(b, (alive, organiser, group, age), adult_age, marks, found, counts)
    return rows_joined(found, counts)


@njit(error_model="numpy")
def _free_block(b, people, adult_age, marks, found, counts):
    """Block ``b`` of :func:`free_organisers`: its free organisers into its stretch of
    ``found`` (``people``: alive, organiser, group, age)."""
    alive, organiser, group, age = people
    start, end = block_rows(0, alive.size, b)
    # Views from 0 (see draws._fill) and bytes: the loop vectorises (1.5 times quicker
    # than with bools).
    a, o, g, y, c = (alive[start:end], organiser[start:end], group[start:end], age[start:end],
                     marks[start:end])
    for j in range(end - start):
        c[j] = (np.uint8(a[j]) & np.uint8(o[j]) & np.uint8(g[j] < 0)
                & np.uint8(y[j] >= adult_age))
    marked_block(marks, alive.size, b, found, counts)


@njit(cache=True, error_model="numpy")
def folding(live, vitality, members, ti_born, week, cp):
    """The ``live`` groups (rows, ascending) that fold in ``week`` (:func:`folds`)."""
    cp = CommunityParams(*cp)  # named here, passed as values: see the module
    out = np.empty(live.size, np.int64)
    k = 0
    for g in live:
        out[k] = g
        k += folds(vitality[g], members[g], week - ti_born[g], cp)
    return out[:k].copy()


@njit(cache=True, error_model="numpy")
def splitting(live, members, vitality, organisers, cp):
    """The ``live`` groups (rows, ascending) that split this week (:func:`splits`)."""
    cp = CommunityParams(*cp)  # named here, passed as values: see the module
    out = np.empty(live.size, np.int64)
    k = 0
    for g in live:
        out[k] = g
        k += splits(members[g], vitality[g], organisers[g], cp)
    return out[:k].copy()


@njit(cache=True, error_model="numpy")
def heard_of_groups(talk, tie, group, alive):
    """Of the residents ``talk`` who spoke to ``tie`` (-1: no one), those whose tie is
    alive and in a group, and that group (``sim.community._recruit_through_ties``)."""
    who = np.empty(talk.size, np.int64)
    via = np.empty(talk.size, np.int64)
    k = 0
    for j in range(talk.size):
        t = tie[j]
        if t >= 0 and group[t] >= 0 and alive[t]:
            who[k] = talk[j]
            via[k] = group[t]
            k += 1
    return who[:k].copy(), via[:k].copy()


@njit(cache=True, error_model="numpy")
def invited(via, u, vitality, cp):
    """Whether each resident who heard of group ``via`` is invited in, on uniform ``u``:
    ``u < p_invite``."""
    cp = CommunityParams(*cp)  # named here, passed as values: see the module
    out = np.empty(via.size, np.bool_)
    for j in range(via.size):
        out[j] = u[j] < p_invite(vitality[via[j]], cp)
    return out


@njit(cache=True, error_model="numpy")
def with_joiners(members, joined):
    """``np.union1d(members, joined)`` for ascending unique ``members`` and a few
    ``joined``: the joiners sorted and merged in (the members are not sorted again)."""
    new = np.sort(joined)
    out = np.empty(members.size + new.size, np.int64)
    i = j = k = 0
    while i < members.size or j < new.size:
        if j == new.size or (i < members.size and members[i] <= new[j]):
            row = members[i]
            i += 1
        else:
            row = new[j]
            j += 1
        if k == 0 or out[k - 1] != row:  # each row once
            out[k] = row
            k += 1
    return out[:k].copy()


@njit(cache=True, error_model="numpy")
def founders(alive, organiser, group, age, adult_age, activation, uid, crn, key, useq, cp):
    """The free organisers (:func:`free_organisers`) who start a group this week: each on
    their uniform, ``u < p_found`` (hashed from the uid with CRN, else row ``i``'s of the
    ``useq`` drawn for every row), in row order. Block by block
    (:func:`founders_threads`: the blocks in threads)."""
    marks, found, counts = marked_room(alive.size)
    for b in range(counts.size):
        _founders_block(b, (alive, organiser, group, age, activation), adult_age,
                        (uid, key, useq), crn, cp, marks, found, counts)
    return rows_joined(found, counts)


@njit(cache=True, error_model="numpy", parallel=True)
def founders_threads(alive, organiser, group, age, adult_age, activation, uid, crn, key, useq,
                     cp):
    """:func:`founders` with its blocks in threads (:mod:`sim.kernels.blocks`)."""
    marks, found, counts = marked_room(alive.size)
    for b in prange(counts.size):
        _founders_block(b, (alive, organiser, group, age, activation), adult_age,
                        (uid, key, useq), crn, cp, marks, found, counts)
    return rows_joined(found, counts)


@njit(error_model="numpy")
def _founders_block(b, people, adult_age, draws, crn, cp, marks, found, counts):
    """Block ``b`` of :func:`founders`: its free organisers (:func:`_free_block`), then
    those of them whose uniform is below :func:`p_found`, kept in its stretch of
    ``found`` (``people``: alive, organiser, group, age, activation; ``draws``: uid,
    key, useq)."""
    cp = CommunityParams(*cp)  # named here, passed as values: see the module
    alive, organiser, group, age, activation = people
    uid, key, useq = draws
    _free_block(b, (alive, organiser, group, age), adult_age, marks, found, counts)
    free = found[b * BLOCK: b * BLOCK + counts[b]]
    k = 0
    for t in range(free.size):
        i = free[t]
        u = _unit(uid[i], key) if crn else useq[i]
        free[k] = i
        k += u < p_found(activation[i], cp)
    counts[b] = k


@njit(cache=True, error_model="numpy")
def participants_by_neighbourhood(alive, role, neighbourhood, neighbourhoods):
    """Living movement participants (any role) in each neighbourhood: counted block by
    block (:func:`participants_by_neighbourhood_threads`: the blocks in threads), the
    blocks' counts added in block order."""
    per_block = np.empty((n_blocks(0, alive.size), neighbourhoods), np.int64)  # a row a block
    for b in range(per_block.shape[0]):
        _participants_block(b, alive, role, neighbourhood, per_block)
    return summed_in_order(per_block)


@njit(cache=True, error_model="numpy", parallel=True)
def participants_by_neighbourhood_threads(alive, role, neighbourhood, neighbourhoods):
    """:func:`participants_by_neighbourhood` with its blocks in threads."""
    per_block = np.empty((n_blocks(0, alive.size), neighbourhoods), np.int64)  # a row a block
    for b in prange(per_block.shape[0]):
        _participants_block(b, alive, role, neighbourhood, per_block)
    return summed_in_order(per_block)


@njit(error_model="numpy")
def _participants_block(b, alive, role, neighbourhood, per_block):
    """Block ``b`` of :func:`participants_by_neighbourhood`: its counts into
    ``per_block[b]``, written once (counted here: see sim.kernels.blocks)."""
    start, end = block_rows(0, alive.size, b)
    out = np.zeros(per_block.shape[1], np.int64)
    a, r, h = alive[start:end], role[start:end], neighbourhood[start:end]
    for j in range(end - start):
        if r[j] > 0 and a[j]:  # a few in a hundred: a branch, not a store a row
            out[h[j]] += 1
    per_block[b] = out


@njit(cache=True, error_model="numpy")
def contacts(alive, group, age, min_age, uid, crn, key, useq, p):
    """Living people of ``min_age`` or over, in no group, whose uniform is below ``p``.
    Block by block (:func:`contacts_threads`: the blocks in threads)."""
    marks, found, counts = marked_room(alive.size)
    for b in range(counts.size):
        _contacts_block(b, (alive, group, age), min_age, (uid, key, useq), crn, p, marks,
                        found, counts)
    return rows_joined(found, counts)


@njit(cache=True, error_model="numpy", parallel=True)
def contacts_threads(alive, group, age, min_age, uid, crn, key, useq, p):
    """:func:`contacts` with its blocks in threads (:mod:`sim.kernels.blocks`)."""
    marks, found, counts = marked_room(alive.size)
    for b in prange(counts.size):
        _contacts_block(b, (alive, group, age), min_age, (uid, key, useq), crn, p, marks,
                        found, counts)
    return rows_joined(found, counts)


@njit(error_model="numpy")
def _contacts_block(b, people, min_age, draws, crn, p, marks, found, counts):
    """Block ``b`` of :func:`contacts`: its contacts into its stretch of ``found``
    (``people``: alive, group, age; ``draws``: uid, key, useq)."""
    alive, group, age = people
    uid, key, useq = draws
    start, end = block_rows(0, alive.size, b)
    buf = np.empty(CHUNK, np.float64)
    for first in range(start, end, CHUNK):
        m = min(CHUNK, end - first)
        _fill(buf, crn, key, uid, useq, first, m)
        c_alive, c_group, c_age = (alive[first: first + m], group[first: first + m],
                                   age[first: first + m])
        c_marks = marks[first: first + m]
        for j in range(m):
            c_marks[j] = c_alive[j] & (c_group[j] < 0) & (c_age[j] >= min_age) & (buf[j] < p)
    marked_block(marks, alive.size, b, found, counts)
