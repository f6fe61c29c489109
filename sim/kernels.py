"""Compiled kernels (Numba) for the measured hot spots of a week.

Imported lazily by the phases (never by ``import sim``); each kernel compiles on
first use and is cached on disk (``cache=True``). Profiles of a million residents
showed where NumPy spent its time: hashing uniforms for everyone, full-population
probability arithmetic with many temporaries, and sparse products for norms and
the movement. These kernels do the same work in one pass each, with the same results:

- **Uniforms** are the SplitMix64 hash of :mod:`sim.streams`, bit for bit.
- **Events** ("does this person have a need / die / develop a condition this
  week?") are decided by comparing the person's uniform with a probability. The
  kernels reject most people with a cheap upper bound on the probability, compute
  an approximation for the rest, and decide wherever the uniform is clear of the
  approximation by a safety band (:data:`REL_BAND`, far wider than the few ulps by
  which the kernel's ``exp`` may differ from NumPy's SIMD ``exp``). The rare rows
  inside the band are returned as *ambiguous*, and the phase evaluates them with the
  very NumPy expression the model always used. So every event is decided by exactly
  the same arithmetic as before, and results do not change.
- **Continuous updates** (wellbeing, traits, norms) repeat NumPy's operations in the
  same order and the same dtypes (float32 where the arrays are float32, float64 where
  NumPy promotes), with ``math.exp`` (the C library's, as SciPy's ``expit`` uses) and
  a line-by-line port of Cephes ``ndtri`` (as ``scipy.special.ndtri``), so they are
  bit-identical; ``tests/test_golden.py`` holds them to it.
"""

from __future__ import annotations

import math
import signal

import numpy as np
from numba import njit

# --- uniforms: SplitMix64, exactly as sim.streams ------------------------------------------

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / float(1 << 53)

# Events within this relative distance of the approximate probability are decided by
# NumPy instead. Kernel and NumPy differ by at most a few float32 ulps (~1e-6 relative).
REL_BAND = 1e-4
ABS_BAND = 1e-12

EVENT, NO_EVENT, AMBIGUOUS = 1, 0, 2


@njit(inline="always", error_model="numpy")
def _unit(uid, key):
    x = uid * _GOLDEN
    x ^= key
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return np.float64(x >> _S11) * _TO_UNIT


CHUNK = 512  # draws hashed ahead in a vectorised loop, then used by the scalar loop


@njit(inline="always", error_model="numpy")
def _fill(buf, crn, key, uid, useq, start, m):
    """Uniforms of persons ``start .. start + m`` into ``buf`` (vectorised when hashed)."""
    if crn:
        for j in range(m):
            buf[j] = _unit(uid[start + j], key)
    else:
        for j in range(m):
            buf[j] = useq[start + j]


@njit(cache=True, error_model="numpy")
def hash_uniform(key, uids):
    """Uniforms on [0, 1) for ``uids`` under ``key`` (see :func:`sim.streams.hash_uniform`)."""
    out = np.empty(uids.size, np.float64)
    for i in range(uids.size):
        out[i] = _unit(uids[i], key)
    return out


@njit(inline="always", error_model="numpy")
def _band(u, p):
    """EVENT, NO_EVENT, or AMBIGUOUS when ``u`` is too close to ``p`` to tell."""
    margin = REL_BAND * abs(p) + ABS_BAND
    if u < p - margin:
        return EVENT
    if u >= p + margin:
        return NO_EVENT
    return AMBIGUOUS


@njit(inline="always", error_model="numpy")
def _push(outcome, i, u, events, n_events, amb, amb_u, n_amb):
    if outcome == EVENT:
        events[n_events] = i
        n_events += 1
    elif outcome == AMBIGUOUS:
        amb[n_amb] = i
        amb_u[n_amb] = u
        n_amb += 1
    return n_events, n_amb


# --- phase 1: health ------------------------------------------------------------------------


@njit(cache=True, error_model="numpy")
def age_and_deaths(age, alive, ltc, quintile, uid, crn, key, useq,
                   bound_age, bound_ltc, infant, m80, gompertz, l80, ltc_slope, dep_mult,
                   r, log_r):
    """Age everyone a week; candidates for death this week.

    Returns (certain deaths, ambiguous rows, their uniforms). ``bound_age[a]`` and
    ``bound_ltc[k]`` bound the annual mortality from above for age in [a, a+1) and k
    conditions; the weekly probability never exceeds the annual one.
    """
    n = age.size
    events = np.empty(n, np.int64)
    amb = np.empty(n, np.int64)
    amb_u = np.empty(n, np.float64)
    ne = 0
    na = 0
    week = 1.0 / 52.0
    for i in range(n):
        if alive[i]:
            age[i] = np.float32(np.float64(age[i]) + week)
    buf = np.empty(CHUNK, np.float64)
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        _fill(buf, crn, key, uid, useq, start, m)
        for j in range(m):
            i = start + j
            a = age[i]
            u = buf[j]
            ia = min(int(a), bound_age.size - 1)
            if alive[i] & (u < bound_age[ia] * bound_ltc[ltc[i]]):
                ne, na = _death(i, a, u, ltc[i], quintile[i], infant, m80, gompertz, l80,
                                ltc_slope, dep_mult, r, log_r, events, ne, amb, amb_u, na)
    return events[:ne].copy(), amb[:na].copy(), amb_u[:na].copy()


@njit(inline="always", error_model="numpy")
def _death(i, a, u, k, q, infant, m80, gompertz, l80, ltc_slope, dep_mult, r, log_r,
           events, ne, amb, amb_u, na):
    week = 1.0 / 52.0
    if a < 1.0:
        base = infant
    else:
        base = m80 * math.exp(gompertz * (a - 80.0))
    mean = l80 * math.exp(ltc_slope * (a - 80.0)) * dep_mult[q]
    am = base * math.exp((k - mean) * log_r) * math.exp(-mean * (r - 1.0 - log_r))
    am = min(am, 1.0)
    p = 1.0 - math.exp(week * math.log1p(-am)) if am < 1.0 else 1.0
    ne, na = _push(_band(u, p), i, u, events, ne, amb, amb_u, na)
    return ne, na


@njit(cache=True, error_model="numpy")
def births(alive, female, age, uid, crn, key, useq, p):
    """Living women aged 15-44 whose uniform falls below ``p`` (a constant)."""
    n = alive.size
    out = np.empty(n, np.int64)
    k = 0
    buf = np.empty(CHUNK, np.float64)
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        _fill(buf, crn, key, uid, useq, start, m)
        for j in range(m):
            i = start + j
            out[k] = i
            k += alive[i] & female[i] & (age[i] >= 15) & (age[i] < 45) & (buf[j] < p)
    return out[:k].copy()


@njit(cache=True, error_model="numpy")
def onsets(alive, age, quintile, connectedness, activation, group, uid, crn, key, useq,
           scale, bound_age, bound_rel, l80, ltc_slope, dep_mult, lonely_below, rel_lonely,
           log_rel_act, rel_group):
    """Candidates for a new long-term condition (certain, ambiguous, uniforms)."""
    n = alive.size
    events = np.empty(n, np.int64)
    amb = np.empty(n, np.int64)
    amb_u = np.empty(n, np.float64)
    ne = 0
    na = 0
    buf = np.empty(CHUNK, np.float64)
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        _fill(buf, crn, key, uid, useq, start, m)
        for j in range(m):
            i = start + j
            ia = min(int(age[i]), bound_age.size - 1)
            if alive[i] & (buf[j] < bound_age[ia] * dep_mult[quintile[i]] * bound_rel):
                ne, na = _onset(i, buf[j], age[i], quintile[i], connectedness[i], activation[i],
                                group[i], scale, l80, ltc_slope, dep_mult, lonely_below,
                                rel_lonely, log_rel_act, rel_group, events, ne, amb, amb_u, na)
    return events[:ne].copy(), amb[:na].copy(), amb_u[:na].copy()


@njit(inline="always", error_model="numpy")
def _onset(i, u, a, q, con, act, grp, scale, l80, ltc_slope, dep_mult, lonely_below,
           rel_lonely, log_rel_act, rel_group, events, ne, amb, amb_u, na):
    rel = rel_lonely if con < lonely_below else 1.0
    rel *= math.exp(act * log_rel_act)
    if grp >= 0:
        rel *= rel_group
    p = scale * l80 * math.exp(ltc_slope * (a - 80.0)) * dep_mult[q] * rel
    ne, na = _push(_band(u, p), i, u, events, ne, amb, amb_u, na)
    return ne, na


# Cephes ndtri (Moshier), as in scipy.special.ndtri: same coefficients, same order.
_P0 = np.array([-5.99633501014107895267E1, 9.80010754185999661536E1,
                -5.66762857469070293439E1, 1.39312609387279679503E1,
                -1.23916583867381258016E0])
_Q0 = np.array([1.95448858338141759834E0, 4.67627912898881538453E0,
                8.63602421390890590575E1, -2.25462687854119370527E2,
                2.00260212380060660359E2, -8.20372256168333339912E1,
                1.59056225126211695515E1, -1.18331621121330003142E0])
_P1 = np.array([4.05544892305962419923E0, 3.15251094599893866154E1,
                5.71628192246421288162E1, 4.40805073893200834700E1,
                1.46849561928858024014E1, 2.18663306850790267539E0,
                -1.40256079171354495875E-1, -3.50424626827848203418E-2,
                -8.57456785154685413611E-4])
_Q1 = np.array([1.57799883256466749731E1, 4.53907635128879210584E1,
                4.13172038254672030440E1, 1.50425385692907503408E1,
                2.50464946208309415979E0, -1.42182922854787788574E-1,
                -3.80806407691578277194E-2, -9.33259480895457427372E-4])
_P2 = np.array([3.23774891776946035970E0, 6.91522889068984211695E0,
                3.93881025292474443415E0, 1.33303460815807542389E0,
                2.01485389549179081538E-1, 1.23716634817820021358E-2,
                3.01581553508235416007E-4, 2.65806974686737550832E-6,
                6.23974539184983293730E-9])
_Q2 = np.array([6.02427039364742014255E0, 3.67983563856160859403E0,
                1.37702099489081330271E0, 2.16236993594496635890E-1,
                1.34204006088543189037E-2, 3.28014464682127739104E-4,
                2.89247864745380683936E-6, 6.79019408009981274425E-9])
_EXP_M2 = 0.13533528323661269189  # exp(-2)
_S2PI = 2.50662827463100050242E0


@njit(inline="always", error_model="numpy")
def _polevl(x, c):
    ans = c[0]
    for i in range(1, c.size):
        ans = ans * x + c[i]
    return ans


@njit(inline="always", error_model="numpy")
def _p1evl(x, c):
    ans = x + c[0]
    for i in range(1, c.size):
        ans = ans * x + c[i]
    return ans


@njit(inline="always", error_model="numpy")
def _ndtri(y0):
    """Inverse of the standard normal CDF on (0, 1): Cephes, bit-identical to SciPy."""
    negate = True
    y = y0
    if y > 1.0 - _EXP_M2:
        y = 1.0 - y
        negate = False
    if y > _EXP_M2:
        y = y - 0.5
        y2 = y * y
        x = y + y * (y2 * _polevl(y2, _P0) / _p1evl(y2, _Q0))
        return x * _S2PI
    x = math.sqrt(-2.0 * math.log(y))
    x0 = x - math.log(x) / x
    z = 1.0 / x
    if x < 8.0:
        x1 = z * _polevl(z, _P1) / _p1evl(z, _Q1)
    else:
        x1 = z * _polevl(z, _P2) / _p1evl(z, _Q2)
    x = x0 - x1
    if negate:
        x = -x
    return x


@njit(inline="always", error_model="numpy")
def _standard_normal(u):
    """``Streams.normal``: clip the uniform to [1e-12, 1 - 1e-12], then ``ndtri``."""
    if u < 1e-12:
        u = 1e-12
    elif u > 1.0 - 1e-12:
        u = 1.0 - 1e-12
    return _ndtri(u)


@njit(cache=True, error_model="numpy")
def standard_normal(u):
    """Standard normals from uniforms, as ``ndtri(clip(u, 1e-12, 1 - 1e-12))``."""
    out = np.empty(u.size, np.float64)
    for i in range(u.size):
        out[i] = _standard_normal(u[i])
    return out


@njit(cache=True, error_model="numpy")
def traits_and_wellbeing(activation, dependence, connectedness, activation0, dependence0,
                         connectedness0, wellbeing, ltc, group, uid, crn, key, useq,
                         rho, nudge, lonely_below, drift):
    """Traits revert toward the person's own level; wellbeing drifts toward its target.

    The float32/float64 operations mirror ``sim.health.advance_health`` and
    ``Residents.wellbeing_level`` exactly (NumPy promotes a float32 array with a
    Python float to float32, with an int8, bool or float64 array to float64).
    """
    n = activation.size
    rho32 = np.float32(rho)
    nudge32 = np.float32(nudge)
    drift32 = np.float32(drift)
    one32 = np.float32(1.0)
    zero32 = np.float32(0.0)
    half32 = np.float32(0.5)
    point3 = np.float32(0.3)
    nudged = nudge != 0.0
    bu = np.empty(CHUNK, np.float64)  # uniforms
    bx = np.empty(CHUNK, np.float64)  # logit of the wellbeing target, then exp(-logit)
    bz = np.empty(CHUNK, np.float64)  # standard normals
    tail = np.empty(CHUNK, np.int64)  # the normal's tails: positions, sqrt(-2 log y), ...
    tx = np.empty(CHUNK, np.float64)
    tlog = np.empty(CHUNK, np.float64)
    tz = np.empty(CHUNK, np.float64)
    # Chunks of passes: the arithmetic passes vectorise; only exp and the normal's tails
    # (which need the C library's exp and log, as SciPy uses) run one person at a time.
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        _fill(bu, crn, key, uid, useq, start, m)
        for j in range(m):
            i = start + j
            act = activation[i]
            act = act + rho32 * (activation0[i] - act)
            dep = dependence[i]
            dep = dep + rho32 * (dependence0[i] - dep)
            con = connectedness[i]
            con = con + rho32 * (connectedness0[i] - con)
            if nudged:
                act = act + nudge32 * (one32 - act)
            activation[i] = act
            dependence[i] = dep
            connectedness[i] = con
            # Residents.wellbeing_level: 1.2 - 0.35 ltc - 0.8 lonely + (act - 0.5)
            # + 0.3 member - 0.5 (dep - 0.3), in NumPy's dtypes and order.
            x = 1.2 - 0.35 * np.float64(ltc[i])
            x = x - (0.8 if con < lonely_below else 0.0)
            x = x + np.float64(act - half32)
            x = x + (0.3 if group[i] >= 0 else 0.0)
            bx[j] = x - np.float64(half32 * (dep - point3))
        for j in range(m):
            bx[j] = math.exp(-bx[j])
        for j in range(m):  # the normal's central region (Cephes), for everyone
            y = bu[j] - 0.5
            y2 = y * y
            bz[j] = (y + y * (y2 * _polevl(y2, _P0) / _p1evl(y2, _Q0))) * _S2PI
        # ... and its tails, where the uniform is below exp(-2) or above 1 - exp(-2):
        # the logs one at a time, the rational function vectorised.
        nt = 0
        for j in range(m):
            u = bu[j]
            if (u <= _EXP_M2) | (u > 1.0 - _EXP_M2):
                tail[nt] = j
                nt += 1
        for t in range(nt):
            u = bu[tail[t]]
            if u < 1e-12:
                u = 1e-12
            elif u > 1.0 - 1e-12:
                u = 1.0 - 1e-12
            y = 1.0 - u if u > 1.0 - _EXP_M2 else u
            x = math.sqrt(-2.0 * math.log(y))
            tx[t] = x
            tlog[t] = math.log(x)
        for t in range(nt):
            x = tx[t]
            z = 1.0 / x
            tz[t] = (x - tlog[t] / x) - z * _polevl(z, _P1) / _p1evl(z, _Q1)
        for t in range(nt):
            j = tail[t]
            if tx[t] >= 8.0:  # beyond 1e-14 from 0 or 1: the other rational function
                bz[j] = _standard_normal(bu[j])
            elif bu[j] > 1.0 - _EXP_M2:
                bz[j] = tz[t]
            else:
                bz[j] = -tz[t]
        for j in range(m):
            i = start + j
            target = np.float32(1.0 / (1.0 + bx[j]))
            w = wellbeing[i]
            step = np.float64(drift32 * (target - w)) + 0.02 * bz[j]
            w = np.float32(np.float64(w) + step)
            wellbeing[i] = min(max(w, zero32), one32)


# --- phase 2: need --------------------------------------------------------------------------


@njit(cache=True, error_model="numpy")
def needs(alive, ti_discharge, week, wellbeing, activation, ltc, diagnosed, age, quintile,
          uid, crn, keys, useq, low_lo, low_hi, c_low, flare_lo, flare_hi, c_flare,
          log_rel_flare, p_review, age_lo, age_hi, age_bins, c_acute, acute_slope, ltc_mult,
          dq_mult, act_lo, act_hi, log_rel_act):
    """This week's low-level, flare, review and acute needs (see ``sim.need.arise_needs``).

    Returns, for each of the four kinds, (certain rows, ambiguous rows, their uniforms).
    ``useq`` holds the four sequential draws (4 x n) when CRN is off.

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
    bins = low_lo.size - 1
    last_age = age_lo.size - 1
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        for kind in range(4):
            if crn:
                _fill(buf[kind], crn, keys[kind], uid, useq[0], start, m)
            else:
                _fill(buf[kind], crn, keys[kind], uid, useq[kind], start, m)
        # Branch-free: which kinds each person may have (the upper bounds).
        nt = 0
        for j in range(m):
            i = start + j
            home = alive[i] & (ti_discharge[i] <= week)
            k = ltc[i]
            d = diagnosed[i]
            wb = min(max(int(wellbeing[i] * bins), 0), bins)
            ab = min(max(int(activation[i] * bins), 0), bins)
            ia = min(int(age[i] * age_bins), last_age)
            f = ((buf[0, j] < low_hi[wb]) * 1
                 + (buf[1, j] < flare_hi[ab] * k) * 2
                 + (buf[2, j] < p_review[d]) * 4
                 + (buf[3, j] < age_hi[ia] * ltc_mult[k, d] * dq_mult[quintile[i]]
                    * act_hi[ab]) * 8) * home
            flags[j] = f
            todo[nt] = j
            nt += f != 0
        for t in range(nt):
            j = todo[t]
            i = start + j
            f = flags[j]
            if f & 1:
                u = buf[0, j]
                wb = min(max(int(wellbeing[i] * bins), 0), bins)
                if u < low_lo[wb]:
                    _push_kind(EVENT, 0, i, u, ev, ne, amb, amb_u, na)
                else:
                    p = c_low * math.exp(1.5 * (0.65 - np.float64(wellbeing[i])))
                    _push_kind(_band(u, p), 0, i, u, ev, ne, amb, amb_u, na)
            if f & 2:
                u = buf[1, j]
                ab = min(max(int(activation[i] * bins), 0), bins)
                if u < flare_lo[ab] * ltc[i]:
                    _push_kind(EVENT, 1, i, u, ev, ne, amb, amb_u, na)
                else:
                    act = np.float64(activation[i] - np.float32(0.5))
                    p = -math.expm1(-(c_flare * ltc[i] * math.exp(act * log_rel_flare)))
                    _push_kind(_band(u, p), 1, i, u, ev, ne, amb, amb_u, na)
            if f & 4:
                _push_kind(EVENT, 2, i, buf[2, j], ev, ne, amb, amb_u, na)
            if f & 8:
                u = buf[3, j]
                ab = min(max(int(activation[i] * bins), 0), bins)
                ia = min(int(age[i] * age_bins), last_age)
                rest = ltc_mult[ltc[i], diagnosed[i]] * dq_mult[quintile[i]]
                if u < age_lo[ia] * rest * act_lo[ab]:
                    _push_kind(EVENT, 3, i, u, ev, ne, amb, amb_u, na)
                else:
                    act = np.float64(activation[i] - np.float32(0.5))
                    p = (c_acute * math.exp(acute_slope * (age[i] - 40.0)) * rest
                         * math.exp(act * log_rel_act))
                    _push_kind(_band(u, p), 3, i, u, ev, ne, amb, amb_u, na)
    return (ev[0, :ne[0]].copy(), amb[0, :na[0]].copy(), amb_u[0, :na[0]].copy(),
            ev[1, :ne[1]].copy(), amb[1, :na[1]].copy(), amb_u[1, :na[1]].copy(),
            ev[2, :ne[2]].copy(), amb[2, :na[2]].copy(), amb_u[2, :na[2]].copy(),
            ev[3, :ne[3]].copy(), amb[3, :na[3]].copy(), amb_u[3, :na[3]].copy())


@njit(inline="always", error_model="numpy")
def _push_kind(outcome, kind, i, u, ev, ne, amb, amb_u, na):
    if outcome == EVENT:
        ev[kind, ne[kind]] = i
        ne[kind] += 1
    elif outcome == AMBIGUOUS:
        amb[kind, na[kind]] = i
        amb_u[kind, na[kind]] = u
        na[kind] += 1


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


# --- phase 7: the movement -----------------------------------------------------------------


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
    thresholds). Returns (share, joiners); updates ``role`` in place."""
    n = role.size
    size = live_degree.size
    share = np.zeros(n, np.float32)
    joiners = np.empty(n, np.int64)
    nj = 0
    thr_floor32 = np.float32(1e-6)
    burnout32 = np.float32(burnout)
    one32 = np.float32(1.0)
    for i in range(n):
        if i < size and live_degree[i] > 0:
            share[i] = total[i] / live_degree[i]
        sh = share[i]
        in_movement = role[i] > 0
        thr32 = threshold[i]
        if group_effect != 0.0:
            thr = np.float64(thr32) * ((1.0 - group_effect) if group[i] >= 0 else 1.0)
        else:
            thr = np.float64(thr32)
        if alive[i] and age[i] >= min_age and not in_movement and np.float64(sh) >= thr:
            joiners[nj] = i
            nj += 1
        if burnout != 0.0:
            u = useq_b[i] if not crn_b else 0.0
            if in_movement and role[i] != lone_wolf:
                if crn_b:
                    u = _unit(uid[i], key_b)
                if group_effect != 0.0:
                    support = min(np.float64(sh) / max(thr, 1e-6), 1.0)
                    p_leave = burnout * (1.0 - support)
                else:
                    support32 = min(sh / max(thr32, thr_floor32), one32)
                    p_leave = np.float64(burnout32 * (one32 - support32))
                if u < p_leave:
                    role[i] = 0
        if roles and role[i] == lone_wolf and sh <= 0.0:
            u = _unit(uid[i], key_l) if crn_l else useq_l[i]
            if u < lone_wolf_p:
                role[i] = 0
    return share, joiners[:nj].copy()


@njit(cache=True, error_model="numpy")
def organiser_ties(indptr, indices, role, alive, organiser, participant):
    """Participants with living organisers among their ties, and how many.

    Walks out from the few organisers rather than in from every participant: ties are
    symmetric, and a count of whole ties is exact in float32 in any order, so this is
    ``Network.tie_sum((role == organiser) & alive)`` at the participants it touches.
    """
    size = indptr.size - 1
    counts = np.zeros(size, np.float32)
    for o in range(size):
        if role[o] == organiser and alive[o]:
            for jj in range(indptr[o], indptr[o + 1]):
                counts[indices[jj]] += np.float32(1.0)
    k = 0
    rows = np.empty(size, np.int64)
    for i in range(size):
        if (counts[i] > 0) & (role[i] == participant):
            rows[k] = i
            k += 1
    rows = rows[:k].copy()
    return rows, counts[rows]


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


# --- phase 6: community ------------------------------------------------------------------


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
def leave_groups(alive, group, vitality, burden, uid, key, p_leave):
    """Members leave with probability p_leave (1 - vitality) (1 + burden) of their group
    (float32, as ``sim.community._leave``); CRN draws. Updates ``group`` in place."""
    p32 = np.float32(p_leave)
    one = np.float32(1.0)
    for i in range(group.size):
        g = group[i]
        if alive[i] and g >= 0:
            p = p32 * (one - vitality[g]) * (one + burden[g])
            if _unit(uid[i], key) < p:
                group[i] = -1


@njit(cache=True, error_model="numpy")
def member_effects(alive, group, vitality, activation, dependence, connectedness,
                   activation_per_week, dependence_per_week, connectedness_per_week):
    """Members of vital groups gain activation and connection and lean less on services
    (float32 steps, as ``sim.community._member_effects`` takes them)."""
    a32 = np.float32(activation_per_week)
    d32 = np.float32(dependence_per_week)
    c32 = np.float32(connectedness_per_week)
    one = np.float32(1.0)
    for i in range(group.size):
        g = group[i]
        if alive[i] and g >= 0:
            v = vitality[g]
            activation[i] = activation[i] + a32 * v * (one - activation[i])
            dependence[i] = dependence[i] - d32 * v * dependence[i]
            connectedness[i] = connectedness[i] + c32 * v * (one - connectedness[i])


@njit(cache=True, error_model="numpy")
def release_members(group, closing):
    """Members of closing groups (``closing[g]``) leave them."""
    for i in range(group.size):
        g = group[i]
        if g >= 0 and closing[g]:
            group[i] = -1


@njit(cache=True, error_model="numpy")
def split_members(alive, group, new_of, uid, key):
    """Each member of a splitting group (``new_of[g] >= 0``) moves to the new group on a
    CRN draw below 0.5 (as ``sim.community._split_groups``)."""
    for i in range(group.size):
        g = group[i]
        if alive[i] and g >= 0 and new_of[g] >= 0 and _unit(uid[i], key) < 0.5:
            group[i] = new_of[g]


@njit(cache=True, error_model="numpy")
def contacts(alive, group, age, min_age, uid, crn, key, useq, p):
    """Living people of ``min_age`` or over, in no group, whose uniform is below ``p``."""
    n = alive.size
    out = np.empty(n, np.int64)
    k = 0
    buf = np.empty(CHUNK, np.float64)
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        _fill(buf, crn, key, uid, useq, start, m)
        for j in range(m):
            i = start + j
            out[k] = i
            k += alive[i] & (group[i] < 0) & (age[i] >= min_age) & (buf[j] < p)
    return out[:k].copy()


# --- the network ----------------------------------------------------------------------------


@njit(cache=True, error_model="numpy")
def spread_norms(indptr, indices, ell, live_degree, alive, dependence, dependence0, activation,
                 activation0, rate):
    """Dependence and activation drift toward the mean departure of living ties.

    Mirrors ``sim.community._spread_norms``: departures are float32, summed over ties in
    float32 in CSR order, divided by the living-tie count, and applied with a float32 step.
    """
    n = alive.size
    size = indptr.size - 1
    dep_dev = np.empty(n, np.float32)
    act_dev = np.empty(n, np.float32)
    zero = np.float32(0.0)
    for i in range(n):
        if alive[i]:
            dep_dev[i] = dependence[i] - dependence0[i]
            act_dev[i] = activation[i] - activation0[i]
        else:
            dep_dev[i] = zero
            act_dev[i] = zero
    # The two sums over ties, each accumulated in CSR order, then the float32 step of
    # each trait. The first ties of every row are summed column by column of the padded
    # (ELL) layout, which keeps each row's order and runs without a branch per row; the
    # padding points at a zero, and adding +0.0 leaves a float32 sum as it was.
    dep_sum = np.zeros(size, np.float32)
    act_sum = np.zeros(size, np.float32)
    dep_x = np.zeros(size + 1, np.float32)
    act_x = np.zeros(size + 1, np.float32)
    dep_x[:size] = dep_dev[:size]
    act_x[:size] = act_dev[:size]
    width = ell.shape[0]
    for k in range(width):
        col = ell[k]
        for i in range(size):
            j = col[i]
            dep_sum[i] += dep_x[j]
            act_sum[i] += act_x[j]
    for i in range(size):  # the rest of the ties of rows with more than `width`
        lo = indptr[i] + width
        hi = indptr[i + 1]
        if hi > lo:
            sx = dep_sum[i]
            sy = act_sum[i]
            for jj in range(lo, hi):
                j = indices[jj]
                sx += dep_x[j]
                sy += act_x[j]
            dep_sum[i] = sx
            act_sum[i] = sy
    rate32 = np.float32(rate)
    one = np.float32(1.0)
    for i in range(min(size, n)):
        denom = live_degree[i]
        if alive[i] and denom > 0:
            v = dependence[i] + rate32 * (dep_sum[i] / denom - dep_dev[i])
            dependence[i] = min(max(v, zero), one)
            v = activation[i] + rate32 * (act_sum[i] / denom - act_dev[i])
            activation[i] = min(max(v, zero), one)


@njit(cache=True, error_model="numpy")
def padded_tie_sum(indptr, indices, ell, values):
    """``Network.tie_sum`` of float32 ``values`` for the rows of the network: each row's
    sum in CSR order and float32, by columns of the padded layout (see spread_norms)."""
    size = indptr.size - 1
    x = np.zeros(size + 1, np.float32)
    x[:size] = values[:size]
    out = np.zeros(size, np.float32)
    width = ell.shape[0]
    for k in range(width):
        col = ell[k]
        for i in range(size):
            out[i] += x[col[i]]
    for i in range(size):
        lo = indptr[i] + width
        hi = indptr[i + 1]
        if hi > lo:
            s = out[i]
            for jj in range(lo, hi):
                s += x[indices[jj]]
            out[i] = s
    return out


@njit(cache=True, error_model="numpy")
def padded_ties(indptr, indices, width):
    """The first ``width`` ties of each row as a (width, rows) array, padded with the
    row count (an index one past the last row)."""
    size = indptr.size - 1
    ell = np.full((width, size), size, np.int32)
    for i in range(size):
        lo = indptr[i]
        for k in range(min(indptr[i + 1] - lo, width)):
            ell[k, i] = indices[lo + k]
    return ell


# --- phase 9: accounting --------------------------------------------------------------------


@njit(cache=True, error_model="numpy")
def week_state(alive, dependence, activation, wellbeing, age, connectedness, group, role,
               high_dependence, lonely_below):
    """One pass over the residents for this week's state metrics.

    Returns the living residents' dependence, activation and wellbeing as compact
    arrays (in row order, so NumPy's means of them are the means it always took) and
    the counts: living, highly dependent, adults, lonely adults, group members,
    movement participants.
    """
    n = alive.size
    dep = np.empty(n, np.float32)
    act = np.empty(n, np.float32)
    wb = np.empty(n, np.float32)
    k = 0
    high = 0
    adults = 0
    lonely = 0
    members = 0
    movement = 0
    for i in range(n):
        if alive[i]:
            dep[k] = dependence[i]
            act[k] = activation[i]
            wb[k] = wellbeing[i]
            k += 1
            high += dependence[i] > high_dependence
            adult = age[i] >= 18
            adults += adult
            lonely += adult & (connectedness[i] < lonely_below)
            members += group[i] >= 0
            movement += role[i] > 0
    return dep[:k], act[:k], wb[:k], k, high, adults, lonely, members, movement


# --- signals ---------------------------------------------------------------------------------
# A Python signal handler (Ctrl-C, or SIGTERM turned into an interrupt by sim.results) that
# runs while Numba's dispatcher is between C and Python, or while a kernel compiles, leaves
# the dispatcher "returning a result with an exception set", or crashes the process. So
# INT and TERM are held back for the length of a kernel call (microseconds to milliseconds)
# and delivered, to the same handlers, as soon as it returns.

_HELD = {signal.SIGINT, signal.SIGTERM}


def _shielded(kernel):
    if not hasattr(signal, "pthread_sigmask"):
        return kernel

    def call(*args):
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
        try:
            return kernel(*args)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)

    call.__name__, call.__doc__, call.__wrapped__ = kernel.__name__, kernel.__doc__, kernel
    return call


for _name in ("hash_uniform", "age_and_deaths", "births", "onsets", "standard_normal",
              "traits_and_wellbeing", "needs", "low_need_choice", "movement_weights",
              "movement_rules", "organiser_ties", "movement_effects", "contacts", "count_members",
              "leave_groups", "member_effects", "release_members", "split_members",
              "spread_norms", "padded_tie_sum", "padded_ties", "week_state"):
    globals()[_name] = _shielded(globals()[_name])
del _name
