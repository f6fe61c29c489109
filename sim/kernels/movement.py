"""Phase 7, compiled: the threshold contagion, its roles and burnout
(:mod:`sim.movement`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .draws import _unit


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


@njit(cache=True, error_model="numpy")
def movement_rules(role, alive, age, threshold, group, uid, total, live_degree, min_age,
                   group_effect, burnout, crn_b, key_b, useq_b, roles, lone_wolf, lone_wolf_p,
                   crn_l, key_l, useq_l):
    """Shares, joiners, burnout and lone wolves: ``sim.movement.spread_movement`` up to the
    growth of organisers, in its dtypes (float32, or float64 once the group effect scales
    thresholds). Returns the joiners; updates ``role`` in place."""
    n = role.size
    size = live_degree.size
    joiners = np.empty(n, np.int64)
    nj = 0
    thr_floor32 = np.float32(1e-6)
    burnout32 = np.float32(burnout)
    one32 = np.float32(1.0)
    for i in range(n):
        sh = np.float32(0.0)
        if i < size and live_degree[i] > 0:
            sh = total[i] / live_degree[i]
        in_movement = role[i] > 0
        thr32 = threshold[i]
        if group_effect != 0.0:
            thr = np.float64(thr32) * ((1.0 - group_effect) if group[i] >= 0 else 1.0)
        else:
            thr = np.float64(thr32)
        if alive[i] and age[i] >= min_age and not in_movement and np.float64(sh) >= thr:
            joiners[nj] = i
            nj += 1
        if burnout != 0.0 and in_movement and role[i] != lone_wolf:
            if group_effect != 0.0:
                support = min(np.float64(sh) / max(thr, 1e-6), 1.0)
                p_leave = burnout * (1.0 - support)
            else:
                support32 = min(sh / max(thr32, thr_floor32), one32)
                p_leave = np.float64(burnout32 * (one32 - support32))
            # Fully supported participants (p_leave 0) stay whatever their draw, so only
            # the others' draws are hashed.
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
    out = np.empty(size, np.int64)
    k = 0
    for i in range(size):
        out[k] = i
        k += (organiser_ties[i] > 0) & (role[i] == participant)
    return out[:k].copy()


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
