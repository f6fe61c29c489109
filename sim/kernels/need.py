"""Phases 2 and 3, compiled: the week's needs, booked appointments that fall due, and
where low-level complaints go (:mod:`sim.need`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .draws import AMBIGUOUS, CHUNK, EVENT, NO_EVENT, _band, _fill
from .rows import mask, rows_marked


@njit(cache=True, error_model="numpy")
def needs(alive, ti_discharge, week, wellbeing, activation, ltc, diagnosed, age, quintile,
          uid, crn, keys, useq, low_lo, low_hi, c_low, flare_lo, flare_hi, c_flare,
          log_rel_flare, p_review, age_lo, age_hi, age_bins, c_acute, acute_slope, ltc_mult,
          dq_mult, act_lo, act_hi, log_rel_act):
    """This week's low-level, flare, review and acute needs (see ``sim.need.arise_needs``).

    Returns, for each of the four kinds, (certain rows, ambiguous rows, their uniforms),
    then the count of the living who are in a hospital bed (not at home). ``useq`` holds
    the four sequential draws (4 x n) when CRN is off.

    Each probability is sandwiched between tabulated bounds (over 1,024 bins of
    wellbeing or activation, ``age_bins`` bins a year of age, and the counts of
    conditions): a draw below the lower bound is an event, one above the upper bound
    is not, and only the few in between are computed. Reviews depend on the count of
    diagnosed conditions alone, so ``p_review`` holds NumPy's own probabilities.
    """
    n = alive.size
    ev = np.empty((4, n), np.int64)
    amb = np.empty((4, n), np.int64)
    amb_u = np.empty((4, n), np.float64)
    ne = np.zeros(4, np.int64)
    na = np.zeros(4, np.int64)
    buf = np.empty((4, CHUNK), np.float64)
    flags = np.empty(CHUNK, np.int64)
    todo = np.empty(CHUNK, np.int64)
    outcome = np.empty(4, np.int64)  # of the row's four kinds: EVENT, NO_EVENT, AMBIGUOUS
    bins = low_lo.size - 1
    last_age = age_lo.size - 1
    in_bed = 0
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        for kind in range(4):
            if crn:
                _fill(buf[kind], crn, keys[kind], uid, useq[0], start, m)
            else:
                _fill(buf[kind], crn, keys[kind], uid, useq[kind], start, m)
        # Branch-free: which kinds each person may have (the upper bounds). Through
        # views of the chunk (indexing with start + j would stop vectorisation; see _fill).
        c_alive, c_away = alive[start: start + m], ti_discharge[start: start + m]
        c_ltc, c_diag = ltc[start: start + m], diagnosed[start: start + m]
        c_wb, c_act = wellbeing[start: start + m], activation[start: start + m]
        c_age, c_q = age[start: start + m], quintile[start: start + m]
        nt = 0
        for j in range(m):
            home = c_alive[j] & (c_away[j] <= week)
            in_bed += c_alive[j] & (c_away[j] > week)
            k = c_ltc[j]
            d = c_diag[j]
            wb = min(max(int(c_wb[j] * bins), 0), bins)
            ab = min(max(int(c_act[j] * bins), 0), bins)
            ia = min(int(c_age[j] * age_bins), last_age)
            f = ((buf[0, j] < low_hi[wb]) * 1
                 + (buf[1, j] < flare_hi[ab] * k) * 2
                 + (buf[2, j] < p_review[d]) * 4
                 + (buf[3, j] < age_hi[ia] * ltc_mult[k, d] * dq_mult[c_q[j]]
                    * act_hi[ab]) * 8) * home
            flags[j] = f
            todo[nt] = j
            nt += f != 0
        for t in range(nt):
            j = todo[t]
            i = start + j
            f = flags[j]
            outcome[:] = NO_EVENT
            if f & 1:
                u = buf[0, j]
                wb = min(max(int(wellbeing[i] * bins), 0), bins)
                if u < low_lo[wb]:
                    outcome[0] = EVENT
                else:
                    p = c_low * math.exp(1.5 * (0.65 - np.float64(wellbeing[i])))
                    outcome[0] = _band(u, p)
            if f & 2:
                u = buf[1, j]
                ab = min(max(int(activation[i] * bins), 0), bins)
                if u < flare_lo[ab] * ltc[i]:
                    outcome[1] = EVENT
                else:
                    act = np.float64(activation[i] - np.float32(0.5))
                    p = -math.expm1(-(c_flare * ltc[i] * math.exp(act * log_rel_flare)))
                    outcome[1] = _band(u, p)
            if f & 4:
                outcome[2] = EVENT
            if f & 8:
                u = buf[3, j]
                ab = min(max(int(activation[i] * bins), 0), bins)
                ia = min(int(age[i] * age_bins), last_age)
                rest = ltc_mult[ltc[i], diagnosed[i]] * dq_mult[quintile[i]]
                if u < age_lo[ia] * rest * act_lo[ab]:
                    outcome[3] = EVENT
                else:
                    act = np.float64(activation[i] - np.float32(0.5))
                    p = (c_acute * math.exp(acute_slope * (age[i] - 40.0)) * rest
                         * math.exp(act * log_rel_act))
                    outcome[3] = _band(u, p)
            # The row's events, and its draws too close to call (written here, not by a
            # helper given the arrays: see sim.kernels).
            for kind in range(4):
                if outcome[kind] == EVENT:
                    ev[kind, ne[kind]] = i
                    ne[kind] += 1
                elif outcome[kind] == AMBIGUOUS:
                    amb[kind, na[kind]] = i
                    amb_u[kind, na[kind]] = buf[kind, j]
                    na[kind] += 1
    return (ev[0, :ne[0]].copy(), amb[0, :na[0]].copy(), amb_u[0, :na[0]].copy(),
            ev[1, :ne[1]].copy(), amb[1, :na[1]].copy(), amb_u[1, :na[1]].copy(),
            ev[2, :ne[2]].copy(), amb[2, :na[2]].copy(), amb_u[2, :na[2]].copy(),
            ev[3, :ne[3]].copy(), amb[3, :na[3]].copy(), amb_u[3, :na[3]].copy(), in_bed)


@njit(cache=True, error_model="numpy")
def due(alive, ti_due, ti_discharge, week):
    """Living residents at home with an appointment booked for this week or earlier
    (``ti_due`` is -1 where none is booked)."""
    n = alive.size
    marks = mask(n)
    for i in range(n):
        marks[i] = alive[i] & (ti_due[i] >= 0) & (ti_due[i] <= week) & (ti_discharge[i] <= week)
    return rows_marked(marks, n)


# --- phase 3: where to turn -------------------------------------------------------------


@njit(cache=True, error_model="numpy")
def low_need_choice(rows, u, wait_of_practice, practice, group, activation, connectedness,
                    dependence, aw32, pb32, cw32, gw, gb32, dw32, ww, lever, ab32, ae_wait):
    """Choice (0 self-care, 1 peers, 2 GP, 3 A&E) for each low-level complaint.

    Mirrors ``sim.need.low_need_choice_probabilities`` in NumPy's dtypes and order, so
    the cumulative probabilities differ from NumPy's by a few ulps of ``exp`` at most;
    a draw within 1e-9 of one of them is marked ambiguous (-1) for NumPy to decide.
    """
    m = rows.size
    out = np.empty(m, np.int8)
    util = np.empty(4, np.float64)
    for j in range(m):
        i = rows[j]
        wait = wait_of_practice[practice[i]]
        act = activation[i]
        dep = dependence[i]
        util[0] = np.float64(aw32 * act)
        util[1] = np.float64(pb32 + cw32 * connectedness[i]) + (gw if group[i] >= 0 else 0.0)
        util[2] = np.float64(gb32 + dw32 * dep) - ww * wait + lever
        util[3] = np.float64(ab32 + dw32 * dep) + ae_wait * wait
        top = max(max(util[0], util[1]), max(util[2], util[3]))
        total = 0.0
        for k in range(4):
            util[k] = math.exp(util[k] - top)
            total += util[k]
        x = u[j]
        cum = 0.0
        choice = 0
        ambiguous = False
        for k in range(4):
            cum += util[k] / total
            if abs(x - cum) <= 1e-9:
                ambiguous = True
            if x > cum:
                choice += 1
        out[j] = -1 if ambiguous else min(choice, 3)
    return out


@njit(cache=True, error_model="numpy")
def low_need_outcomes(low, choice, self_care, peers, gp, ae, n_low, n_low_service,
                      activation, dependence, connectedness, activation_per_self_care,
                      dependence_per_self_care, connectedness_per_peer_help):
    """Count each low-level complaint and where it went; managing it oneself or with
    peers builds activation or connection and loosens dependence (float32 steps, as
    ``sim.need.choose_care`` took them in NumPy). ``low`` holds each resident once."""
    a32 = np.float32(activation_per_self_care)
    d32 = np.float32(dependence_per_self_care)
    c32 = np.float32(connectedness_per_peer_help)
    one = np.float32(1.0)
    for j in range(low.size):
        i = low[j]
        k = choice[j]
        n_low[i] += 1
        if k == gp or k == ae:
            n_low_service[i] += 1
        elif k == self_care:
            activation[i] = activation[i] + a32 * (one - activation[i])
            dependence[i] = dependence[i] - d32 * dependence[i]
        elif k == peers:
            connectedness[i] = connectedness[i] + c32 * (one - connectedness[i])
            dependence[i] = dependence[i] - d32 * dependence[i]
