"""Phase 7, compiled: the threshold contagion, its roles and burnout
(:mod:`sim.movement`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .draws import _unit
from .rows import mask, rows_marked


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
def _threshold(thr32, in_group, group_effect):
    """A person's threshold (float64), lowered by the group effect for group members."""
    thr = np.float64(thr32)
    if group_effect != 0.0 and in_group:
        thr = thr * (1.0 - group_effect)
    return thr


@njit(inline="always", error_model="numpy")
def _p_burnout(sh, thr, thr32, group_effect, burnout):
    """Weekly probability that a participant leaves: burnout where ties' support falls
    short of the threshold (float32, or float64 once the group effect scales it)."""
    if group_effect != 0.0:
        support = min(np.float64(sh) / max(thr, 1e-6), 1.0)
        return burnout * (1.0 - support)
    support32 = min(sh / max(thr32, np.float32(1e-6)), np.float32(1.0))
    return np.float64(np.float32(burnout) * (np.float32(1.0) - support32))


@njit(cache=True, error_model="numpy")
def movement_rules(role, alive, age, threshold, group, uid, total, live_degree, min_age,
                   group_effect, burnout, crn_b, key_b, useq_b, roles, lone_wolf, lone_wolf_p,
                   crn_l, key_l, useq_l):
    """Shares, joiners, burnout and lone wolves: ``sim.movement.spread_movement`` up to the
    growth of organisers, in its dtypes (float32, or float64 once the group effect scales
    thresholds). Returns the joiners; updates ``role`` in place.

    A first pass takes everyone's share of ties in the movement and marks who may change:
    those whose share reaches their threshold, participants short of support (who may
    burn out) and lone wolves with no support. Most people are neither (outside the
    movement and below threshold, or in it and fully supported); only the marked go on,
    in order.
    """
    n = role.size
    size = live_degree.size
    share = np.zeros(n, np.float32)  # beyond the network: no ties, a share of 0
    for i in range(min(n, size)):
        degree = live_degree[i]
        share[i] = total[i] / degree if degree > 0 else np.float32(0.0)
    marks = mask(n)
    burns = burnout != 0.0
    for i in range(n):
        sh, r, thr32 = share[i], role[i], threshold[i]
        thr = _threshold(thr32, group[i] >= 0, group_effect)
        marks[i] = ((alive[i] & (age[i] >= min_age) & (r == 0) & (np.float64(sh) >= thr))
                    | (burns & (r > 0) & (r != lone_wolf)
                       & (_p_burnout(sh, thr, thr32, group_effect, burnout) > 0.0))
                    | (roles & (r == lone_wolf) & (sh <= 0.0)))
    joiners = np.empty(n, np.int64)
    nj = 0
    for i in rows_marked(marks, n):
        sh, thr32 = share[i], threshold[i]
        thr = _threshold(thr32, group[i] >= 0, group_effect)
        in_movement = role[i] > 0
        if alive[i] and age[i] >= min_age and not in_movement and np.float64(sh) >= thr:
            joiners[nj] = i
            nj += 1
        if burns and in_movement and role[i] != lone_wolf:
            p_leave = _p_burnout(sh, thr, thr32, group_effect, burnout)
            if p_leave > 0.0 and (_unit(uid[i], key_b) if crn_b else useq_b[i]) < p_leave:
                role[i] = 0
        if roles and role[i] == lone_wolf and sh <= 0.0:
            u = _unit(uid[i], key_l) if crn_l else useq_l[i]
            if u < lone_wolf_p:
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
def movement_effects(role, alive, joiners, participant, activation, dependence,
                     activation_per_week, dependence_per_week):
    """Joiners become participants; everyone alive in the movement gains activation and
    loosens dependence (float32 steps, as NumPy takes them)."""
    for j in range(joiners.size):
        role[joiners[j]] = participant
    a32 = np.float32(activation_per_week)
    d32 = np.float32(dependence_per_week)
    one32 = np.float32(1.0)
    for i in range(role.size):
        if role[i] > 0 and alive[i]:
            activation[i] = activation[i] + a32 * (one32 - activation[i])
            dependence[i] = dependence[i] - d32 * dependence[i]


@njit(cache=True, error_model="numpy")
def with_role(role, alive, wanted):
    """1 for living residents of the ``wanted`` role, else 0 (float32)."""
    out = np.zeros(role.size, np.float32)
    for i in range(role.size):
        if alive[i] and role[i] == wanted:
            out[i] = 1.0
    return out
