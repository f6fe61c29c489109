"""Phase 6, compiled: group membership, leaving, splitting, joining, founding and
contacts (:mod:`sim.community`).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .blocks import block_rows, n_blocks
from .draws import CHUNK, _fill, _unit
from .health import toward
from .rows import mask, rows_marked


# --- the rules ----------------------------------------------------------------------------


@njit(inline="always", error_model="numpy")
def p_leave(vitality, burden, p_leave_at_none):
    """Weekly probability that a member leaves a group of this ``vitality`` and
    reporting ``burden``: ``p_leave_at_none`` at no vitality, none at full vitality,
    up to twice as likely under full burden."""
    return p_leave_at_none * (1.0 - vitality) * (1.0 + burden)


@njit(inline="always", error_model="numpy")
def _draw(i, crn, uid, key, useq):
    """Row ``i``'s uniform: hashed from its uid with CRN, else its sequential draw."""
    return _unit(uid[i], key) if crn else useq[i]


@njit(cache=True, error_model="numpy")
def count_members(group, organiser, groups):
    """Members and organisers of each of ``groups`` groups (``CommunityGroups.count_members``)."""
    members = np.zeros(groups, np.int64)
    organisers = np.zeros(groups, np.int64)
    for i in range(group.size):
        g = group[i]
        if g >= 0:
            members[g] += 1
            organisers[g] += organiser[i]
    return members, organisers


@njit(cache=True, error_model="numpy")
def leave_groups(alive, group, organiser, vitality, burden, members, organisers, draws,
                 p_leave_at_none):
    """Members leave their group with probability :func:`p_leave`. Updates ``group`` in
    place and takes the leavers off their groups' ``members`` and ``organisers`` counts.
    ``draws`` is (crn, uid, key, sequential draws by row when CRN is off)."""
    crn, uid, key, useq = draws
    for i in range(group.size):
        g = group[i]
        if alive[i] and g >= 0:
            if _draw(i, crn, uid, key, useq) < p_leave(vitality[g], burden[g], p_leave_at_none):
                group[i] = -1
                members[g] -= 1
                organisers[g] -= organiser[i]


@njit(cache=True, error_model="numpy")
def member_effects(alive, group, vitality, activation, dependence, connectedness,
                   activation_per_week, dependence_per_week, connectedness_per_week):
    """Members of vital groups gain activation and connection and lean less on services,
    in proportion to their group's vitality (``sim.community._member_effects``;
    :func:`member_effects_threads`: in threads)."""
    _member_effects(0, group.size, alive, group, vitality, activation, dependence,
                    connectedness, activation_per_week, dependence_per_week,
                    connectedness_per_week)


@njit(cache=True, error_model="numpy", parallel=True)
def member_effects_threads(alive, group, vitality, activation, dependence, connectedness,
                           activation_per_week, dependence_per_week, connectedness_per_week):
    """:func:`member_effects` with blocks of rows in threads (:mod:`sim.kernels.blocks`)."""
    for b in prange(n_blocks(0, group.size)):
        lo, hi = block_rows(0, group.size, b)
        _member_effects(lo, hi, alive, group, vitality, activation, dependence, connectedness,
                        activation_per_week, dependence_per_week, connectedness_per_week)


@njit(error_model="numpy")
def _member_effects(lo, hi, alive, group, vitality, activation, dependence, connectedness,
                    activation_per_week, dependence_per_week, connectedness_per_week):
    """:func:`member_effects` of rows ``lo .. hi``."""
    for i in range(lo, hi):
        g = group[i]
        if alive[i] and g >= 0:
            v = np.float64(vitality[g])
            activation[i] = toward(activation[i], 1.0, activation_per_week * v)
            dependence[i] = toward(dependence[i], 0.0, dependence_per_week * v)
            connectedness[i] = toward(connectedness[i], 1.0, connectedness_per_week * v)


@njit(cache=True, error_model="numpy")
def release_members(group, closing):
    """Members of closing groups (``closing[g]``) leave them."""
    for i in range(group.size):
        g = group[i]
        if g >= 0 and closing[g]:
            group[i] = -1


@njit(cache=True, error_model="numpy")
def split_members(alive, group, organiser, new_of, members, organisers, draws, share):
    """Each member of a splitting group (``new_of[g] >= 0``) moves to the new group on a
    draw below ``share`` (``sim.community._split_groups``), taking their place in the
    ``members`` and ``organisers`` counts with them. ``draws`` as :func:`leave_groups`."""
    crn, uid, key, useq = draws
    for i in range(group.size):
        g = group[i]
        if (alive[i] and g >= 0 and new_of[g] >= 0
                and _draw(i, crn, uid, key, useq) < share):
            h = new_of[g]
            group[i] = h
            members[g] -= 1
            members[h] += 1
            organisers[g] -= organiser[i]
            organisers[h] += organiser[i]


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
def free_organisers(alive, organiser, group, age):
    """Living adult organisers in no group: those who may start one."""
    n = alive.size
    marks = mask(n)
    for i in range(n):
        marks[i] = alive[i] & organiser[i] & (group[i] < 0) & (age[i] >= 18)
    return rows_marked(marks, n)


@njit(cache=True, error_model="numpy")
def participants_by_neighbourhood(alive, role, neighbourhood, neighbourhoods):
    """Living movement participants (any role) in each neighbourhood."""
    out = np.zeros(neighbourhoods, np.int64)
    for i in range(alive.size):
        out[neighbourhood[i]] += alive[i] & (role[i] > 0)
    return out


@njit(cache=True, error_model="numpy")
def contacts(alive, group, age, min_age, uid, crn, key, useq, p):
    """Living people of ``min_age`` or over, in no group, whose uniform is below ``p``."""
    n = alive.size
    marks = mask(n)
    buf = np.empty(CHUNK, np.float64)
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        _fill(buf, crn, key, uid, useq, start, m)
        c_alive, c_group, c_age = alive[start: start + m], group[start: start + m], age[start: start + m]
        c_marks = marks[start: start + m]
        for j in range(m):
            c_marks[j] = c_alive[j] & (c_group[j] < 0) & (c_age[j] >= min_age) & (buf[j] < p)
    return rows_marked(marks, n)
