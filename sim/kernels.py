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

import _signal
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
    """Uniforms of persons ``start .. start + m`` into ``buf`` (vectorised when hashed).

    Through views from 0: indexing with ``start + j`` makes Numba check for a negative
    index, which stops LLVM vectorising the loop (4.5 times slower).
    """
    if crn:
        ids = uid[start: start + m]
        for j in range(m):
            buf[j] = _unit(ids[j], key)
    else:
        seq = useq[start: start + m]
        for j in range(m):
            buf[j] = seq[j]


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


@njit(inline="always", error_model="numpy")
def _p_death(a, k, q, infant, m80, gompertz, r, log_r, l80, ltc_slope, dep_mult):
    """Weekly probability of death at age ``a`` with ``k`` conditions in quintile ``q``.

    :func:`sim.health.annual_mortality` in scalar arithmetic (an approximation of it:
    ``exp`` and ``**`` may differ by ulps, which the band of :func:`_band` absorbs).
    """
    week = 1.0 / 52.0
    if a < 1.0:
        base = infant
    else:
        base = m80 * math.exp(gompertz * (a - 80.0))
    mean = l80 * math.exp(ltc_slope * (a - 80.0)) * dep_mult[q]
    am = base * math.exp((k - mean) * log_r) * math.exp(-mean * (r - 1.0 - log_r))
    am = min(am, 1.0)
    return 1.0 - math.exp(week * math.log1p(-am)) if am < 1.0 else 1.0


@njit(inline="always", error_model="numpy")
def _may_die(u, b):
    """Whether a death could be drawn by uniform ``u`` where annual mortality is below ``b``.

    The weekly probability 1 - (1 - m) ** w (w = 1/52) is below -w log(1 - m), hence
    below w b / (1 - b) for b < 1: for small ``b`` about 52 times tighter than ``b``
    itself, so 52 times fewer rows go on to :func:`_p_death`. Written without the
    division, so that a ``b`` of 1 or more (or infinite) always passes.
    """
    return (b >= 1.0) | (u * (1.0 - b) < b * (1.0 / 52.0))


@njit(inline="always", error_model="numpy")
def _p_onset(a, q, con, act, grp, scale, lonely_below, rel_lonely, log_rel_act, rel_group,
             l80, ltc_slope, dep_mult):
    """Weekly probability of a new condition: :func:`sim.health.onset_hazard`, approximately."""
    rel = rel_lonely if con < lonely_below else 1.0
    rel *= math.exp(act * log_rel_act)
    if grp >= 0:
        rel *= rel_group
    return scale * l80 * math.exp(ltc_slope * (a - 80.0)) * dep_mult[q] * rel


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
def health_pass(spans, deaths, onsets, traits, people, draws, death, onset, trait, ltc_mean,
                lonely_below, birth_p):
    """Phase 1 for the rows of ``spans`` (pairs ``lo, hi``) in one pass over them.

    Ageing and deaths, births, onsets, then traits and wellbeing were four passes over
    a million rows, each hashing its uniforms and testing every row against its bound;
    here the bounds are tested together and each row goes through the steps of
    :func:`sim.health.advance_health`, in their order, while it is in cache. Each step
    is done when its flag is set:

    - ``deaths``: age a week (the living); decide death. The living who are not
      certainly dead are *birth candidates* when a woman aged 15-44 draws below
      ``birth_p`` (the phase keeps those alive once the ambiguous deaths are decided).
    - ``onsets``: decide a new condition for the living; a certain one adds to ``ltc``
      at once, since the wellbeing target counts it.
    - ``traits``: every row, dead or alive (as the phase always did): traits revert,
      wellbeing drifts. The wellbeing target of a row that certainly dies counts it
      out of its group, as ``remove_residents`` (called after the pass) will leave it.

    A row whose death or onset is too close to call is *held*: no later step is done
    to it (its onset and traits need the death decided, its traits need ``ltc``). The
    phase decides the event with NumPy and passes the row again, as a span of one,
    for the steps left. ``people``, ``draws``, ``death``, ``onset``, ``trait`` and
    ``ltc_mean`` are tuples of columns and parameters in the order unpacked below.

    Returns (certain deaths, ambiguous deaths, their uniforms, birth candidates,
    ambiguous onsets, their uniforms), each ascending within a span.
    """
    (age, alive, female, ltc, quintile, connectedness, activation, dependence,
     activation0, dependence0, connectedness0, wellbeing, group, uid) = people
    crn, key_death, seq_death, key_birth, seq_birth, key_onset, seq_onset, key_wb, seq_wb = draws
    death_age, death_ltc, infant, m80, gompertz, r, log_r = death
    onset_age, onset_rel, scale, rel_lonely, log_rel_act, rel_group = onset
    rho, nudge, drift = trait
    l80, ltc_slope, dep_mult = ltc_mean
    total = 0
    for s in range(spans.shape[0]):
        total += spans[s, 1] - spans[s, 0]
    dead = np.empty(total, np.int64)
    amb_dead = np.empty(total, np.int64)
    amb_dead_u = np.empty(total, np.float64)
    mothers = np.empty(total, np.int64)
    amb_onset = np.empty(total, np.int64)
    amb_onset_u = np.empty(total, np.float64)
    nd = 0
    nad = 0
    nm = 0
    nao = 0
    week = 1.0 / 52.0
    no_draw = np.ones(CHUNK, np.float64)  # the uniform of a step not done: no event
    u_death = no_draw.copy()
    u_birth = no_draw.copy()
    u_onset = no_draw.copy()
    u_wb = np.empty(CHUNK, np.float64)
    maybe = np.empty(CHUNK, np.int64)  # positions in the chunk that may have an event
    dying = np.empty(CHUNK, np.int64)  # rows certainly dying, and their groups
    dying_group = np.empty(CHUNK, np.int32)
    held = np.empty(CHUNK, np.int64)  # rows held back, and what their traits were
    held_act = np.empty(CHUNK, np.float32)
    held_dep = np.empty(CHUNK, np.float32)
    held_con = np.empty(CHUNK, np.float32)
    held_wb = np.empty(CHUNK, np.float32)
    bx = np.empty(CHUNK, np.float64)  # work space of _traits
    bz = np.empty(CHUNK, np.float64)
    tail = np.empty(CHUNK, np.int64)
    tx = np.empty(CHUNK, np.float64)
    tlog = np.empty(CHUNK, np.float64)
    tz = np.empty(CHUNK, np.float64)
    for s in range(spans.shape[0]):
        lo, hi = spans[s, 0], spans[s, 1]
        for start in range(lo, hi, CHUNK):
            m = min(CHUNK, hi - start)
            end = start + m
            # The vectorised loops index views of the chunk from 0: with ``start + j``
            # the index might be negative, and its wraparound check stops LLVM.
            ids, ages, lives = uid[start:end], age[start:end], alive[start:end]
            if deaths:
                _fill(u_death, crn, key_death, ids, seq_death[start:end], 0, m)
                _fill(u_birth, crn, key_birth, ids, seq_birth[start:end], 0, m)
                for j in range(m):
                    if lives[j]:
                        ages[j] = np.float32(np.float64(ages[j]) + week)
            if onsets:
                _fill(u_onset, crn, key_onset, ids, seq_onset[start:end], 0, m)
            if traits:
                _fill(u_wb, crn, key_wb, ids, seq_wb[start:end], 0, m)
            # Upper bounds on the probabilities set aside the few living rows that may
            # have an event (the uniform of a step not done, 1, passes few; the events
            # below check the flags).
            ltcs, women, quintiles = ltc[start:end], female[start:end], quintile[start:end]
            n_maybe = 0
            for j in range(m):
                a = ages[j]
                b = death_age[min(int(a), death_age.size - 1)] * death_ltc[ltcs[j]]
                event = (_may_die(u_death[j], b)
                         | (women[j] & (a >= 15) & (a < 45) & (u_birth[j] < birth_p))
                         | (u_onset[j] < onset_age[min(int(a), onset_age.size - 1)]
                            * dep_mult[quintiles[j]] * onset_rel))
                maybe[n_maybe] = j
                n_maybe += lives[j] & event
            # The events of those rows, in order.
            n_dying = 0
            n_held = 0
            for t in range(n_maybe):
                j = maybe[t]
                i = start + j
                hold = False
                live = True  # and not certainly dead this week
                if deaths:
                    a = age[i]
                    u = u_death[j]
                    b = death_age[min(int(a), death_age.size - 1)] * death_ltc[ltc[i]]
                    if _may_die(u, b):
                        p = _p_death(a, ltc[i], quintile[i], infant, m80, gompertz, r, log_r,
                                     l80, ltc_slope, dep_mult)
                        outcome = _band(u, p)
                        nd, nad = _push(outcome, i, u, dead, nd, amb_dead, amb_dead_u, nad)
                        if outcome == EVENT:
                            live = False
                            dying[n_dying] = i
                            dying_group[n_dying] = group[i]
                            n_dying += 1
                        hold = outcome == AMBIGUOUS
                    mothers[nm] = i
                    nm += live & female[i] & (a >= 15) & (a < 45) & (u_birth[j] < birth_p)
                if onsets & live & (not hold):
                    a = age[i]
                    u = u_onset[j]
                    q = quintile[i]
                    if u < onset_age[min(int(a), onset_age.size - 1)] * dep_mult[q] * onset_rel:
                        p = _p_onset(a, q, connectedness[i], activation[i], group[i], scale,
                                     lonely_below, rel_lonely, log_rel_act, rel_group, l80,
                                     ltc_slope, dep_mult)
                        outcome = _band(u, p)
                        if outcome == EVENT:
                            ltc[i] = min(ltc[i] + 1, 40)
                        elif outcome == AMBIGUOUS:
                            amb_onset[nao] = i
                            amb_onset_u[nao] = u
                            nao += 1
                            hold = True
                if hold:
                    held[n_held] = i
                    held_act[n_held] = activation[i]
                    held_dep[n_held] = dependence[i]
                    held_con[n_held] = connectedness[i]
                    held_wb[n_held] = wellbeing[i]
                    n_held += 1
            if traits:
                for t in range(n_dying):  # out of the group for the wellbeing target
                    group[dying[t]] = -1
                _traits(m, u_wb, activation[start:end], dependence[start:end],
                        connectedness[start:end], activation0[start:end],
                        dependence0[start:end], connectedness0[start:end],
                        wellbeing[start:end], ltc[start:end], group[start:end], rho, nudge,
                        lonely_below, drift, bx, bz, tail, tx, tlog, tz)
                for t in range(n_held):  # undone for the held rows, passed again later
                    i = held[t]
                    activation[i] = held_act[t]
                    dependence[i] = held_dep[t]
                    connectedness[i] = held_con[t]
                    wellbeing[i] = held_wb[t]
            for t in range(n_dying):  # remove_residents takes them out of their groups
                group[dying[t]] = dying_group[t]
    return (dead[:nd].copy(), amb_dead[:nad].copy(), amb_dead_u[:nad].copy(),
            mothers[:nm].copy(), amb_onset[:nao].copy(), amb_onset_u[:nao].copy())


@njit(inline="always", error_model="numpy")
def _traits(m, bu, activation, dependence, connectedness, activation0, dependence0,
            connectedness0, wellbeing, ltc, group, rho, nudge, lonely_below, drift,
            bx, bz, tail, tx, tlog, tz):
    """Traits revert toward the person's own level; wellbeing drifts toward its target.

    For the ``m`` rows of a chunk (views of the columns), with uniforms ``bu``. The
    float32/float64 operations mirror NumPy's in the phase and in
    ``Residents.wellbeing_level`` exactly (NumPy promotes a float32 array with a Python
    float to float32, with an int8, bool or float64 array to float64).
    """
    rho32 = np.float32(rho)
    nudge32 = np.float32(nudge)
    drift32 = np.float32(drift)
    one32 = np.float32(1.0)
    zero32 = np.float32(0.0)
    half32 = np.float32(0.5)
    point3 = np.float32(0.3)
    nudged = nudge != 0.0
    # Passes over the chunk: the arithmetic passes vectorise; only exp and the normal's
    # tails (which need the C library's exp and log, as SciPy uses) run one person at a
    # time. bx: logit of the wellbeing target, then exp(-logit); bz: standard normals.
    for j in range(m):
        act = activation[j]
        act = act + rho32 * (activation0[j] - act)
        dep = dependence[j]
        dep = dep + rho32 * (dependence0[j] - dep)
        con = connectedness[j]
        con = con + rho32 * (connectedness0[j] - con)
        if nudged:
            act = act + nudge32 * (one32 - act)
        activation[j] = act
        dependence[j] = dep
        connectedness[j] = con
        # Residents.wellbeing_level: 1.2 - 0.35 ltc - 0.8 lonely + (act - 0.5)
        # + 0.3 member - 0.5 (dep - 0.3), in NumPy's dtypes and order.
        x = 1.2 - 0.35 * np.float64(ltc[j])
        x = x - (0.8 if con < lonely_below else 0.0)
        x = x + np.float64(act - half32)
        x = x + (0.3 if group[j] >= 0 else 0.0)
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
        tail[nt] = j
        nt += (u <= _EXP_M2) | (u > 1.0 - _EXP_M2)
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
        z = tz[t]
        bz[j] = z if bu[j] > 1.0 - _EXP_M2 else -z
        if tx[t] >= 8.0:  # beyond 1e-14 from 0 or 1: the other rational function
            bz[j] = _standard_normal(bu[j])
    for j in range(m):
        target = np.float32(1.0 / (1.0 + bx[j]))
        w = wellbeing[j]
        step = np.float64(drift32 * (target - w)) + 0.02 * bz[j]
        w = np.float32(np.float64(w) + step)
        wellbeing[j] = min(max(w, zero32), one32)

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
        # Branch-free: which kinds each person may have (the upper bounds). Through
        # views of the chunk (indexing with start + j would stop vectorisation; see _fill).
        c_alive, c_away = alive[start: start + m], ti_discharge[start: start + m]
        c_ltc, c_diag = ltc[start: start + m], diagnosed[start: start + m]
        c_wb, c_act = wellbeing[start: start + m], activation[start: start + m]
        c_age, c_q = age[start: start + m], quintile[start: start + m]
        nt = 0
        for j in range(m):
            home = c_alive[j] & (c_away[j] <= week)
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


@njit(cache=True, error_model="numpy")
def due(alive, ti_due, ti_discharge, week):
    """Living residents at home with an appointment booked for this week or earlier
    (``ti_due`` is -1 where none is booked)."""
    n = alive.size
    out = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        out[k] = i
        k += alive[i] & (ti_due[i] >= 0) & (ti_due[i] <= week) & (ti_discharge[i] <= week)
    return out[:k].copy()


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
def leave_groups(alive, group, organiser, vitality, burden, members, organisers, uid, key,
                 p_leave):
    """Members leave with probability p_leave (1 - vitality) (1 + burden) of their group
    (float32, as ``sim.community._leave``); CRN draws. Updates ``group`` in place and
    takes the leavers off their groups' ``members`` and ``organisers`` counts."""
    p32 = np.float32(p_leave)
    one = np.float32(1.0)
    for i in range(group.size):
        g = group[i]
        if alive[i] and g >= 0:
            p = p32 * (one - vitality[g]) * (one + burden[g])
            if _unit(uid[i], key) < p:
                group[i] = -1
                members[g] -= 1
                organisers[g] -= organiser[i]


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
def split_members(alive, group, organiser, new_of, members, organisers, uid, key):
    """Each member of a splitting group (``new_of[g] >= 0``) moves to the new group on a
    CRN draw below 0.5 (as ``sim.community._split_groups``), taking their place in the
    ``members`` and ``organisers`` counts with them."""
    for i in range(group.size):
        g = group[i]
        if alive[i] and g >= 0 and new_of[g] >= 0 and _unit(uid[i], key) < 0.5:
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
    out = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        out[k] = i
        k += alive[i] & organiser[i] & (group[i] < 0) & (age[i] >= 18)
    return out[:k].copy()


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
    out = np.empty(n, np.int64)
    k = 0
    buf = np.empty(CHUNK, np.float64)
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        _fill(buf, crn, key, uid, useq, start, m)
        c_alive, c_group, c_age = alive[start: start + m], group[start: start + m], age[start: start + m]
        for j in range(m):
            out[k] = start + j
            k += c_alive[j] & (c_group[j] < 0) & (c_age[j] >= min_age) & (buf[j] < p)
    return out[:k].copy()


# --- the network ----------------------------------------------------------------------------


@njit(cache=True, error_model="numpy")
def spread_norms(indptr, indices, ell, live_degree, alive, dependence, dependence0, activation,
                 activation0, rate, work):
    """Dependence and activation drift toward the mean departure of living ties.

    Mirrors ``sim.community._spread_norms``: departures are float32, summed over ties in
    float32 in CSR order, divided by the living-tie count, and applied with a float32 step.
    ``work`` is a (4, rows + 1) float32 scratch array kept between weeks: allocating
    its four rows afresh each week costs page faults worth half the pass at 50,000.
    """
    n = alive.size
    size = indptr.size - 1
    zero = np.float32(0.0)
    dep_x, act_x, dep_sum, act_sum = work[0], work[1], work[2], work[3]
    for i in range(size):  # departures; the dead (and the padding at `size`) count 0
        if alive[i]:
            dep_x[i] = dependence[i] - dependence0[i]
            act_x[i] = activation[i] - activation0[i]
        else:
            dep_x[i] = zero
            act_x[i] = zero
        dep_sum[i] = zero
        act_sum[i] = zero
    dep_x[size] = zero
    act_x[size] = zero
    # The two sums over ties, each accumulated in CSR order, then the float32 step of
    # each trait. The first ties of every row are summed column by column of the padded
    # (ELL) layout, which keeps each row's order and runs without a branch per row; the
    # padding points at a zero, and adding +0.0 leaves a float32 sum as it was.
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
            v = dependence[i] + rate32 * (dep_sum[i] / denom - dep_x[i])
            dependence[i] = min(max(v, zero), one)
            v = activation[i] + rate32 * (act_sum[i] / denom - act_x[i])
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
def update_tie_sum(indptr, indices, values, last, total, limit):
    """Bring ``total``, the sum of ``last`` over each row's ties, to the sum of ``values``,
    by walking only the ties of rows whose value changed; ``last`` becomes ``values``.

    Exact for whole numbers (see ``Network.whole_tie_sum``): returns False, changing
    nothing, if a changed value is not a whole number within +-``limit``.
    """
    size = indptr.size - 1
    for i in range(size):
        v = values[i]
        if v != last[i] and not ((abs(v) <= limit) & (math.floor(v) == v)):
            return False
    for i in range(size):
        delta = values[i] - last[i]
        if delta != 0:
            for jj in range(indptr[i], indptr[i + 1]):
                total[indices[jj]] += delta
            last[i] = values[i]
    return True


@njit(cache=True, error_model="numpy")
def with_role(role, alive, wanted):
    """1 for living residents of the ``wanted`` role, else 0 (float32)."""
    out = np.zeros(role.size, np.float32)
    for i in range(role.size):
        if alive[i] and role[i] == wanted:
            out[i] = 1.0
    return out


@njit(cache=True, error_model="numpy")
def random_tie(indptr, indices, rows, u):
    """One tie of each row, the ``int(u * degree)``-th in CSR order (-1 for a row with
    none, or beyond the network)."""
    size = indptr.size - 1
    out = np.full(rows.size, -1, np.int64)
    for j in range(rows.size):
        r = rows[j]
        if r < size:
            degree = indptr[r + 1] - indptr[r]
            if degree > 0:
                out[j] = indices[indptr[r] + np.int64(u[j] * degree)]
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
               high_dependence, lonely_below, dep, act, wb):
    """One pass over the residents for this week's state metrics.

    Returns the living residents' dependence, activation and wellbeing as compact
    arrays (in row order, so NumPy's means of them are the means it always took), the
    leading rows of the scratch arrays ``dep``, ``act`` and ``wb``, and the counts:
    living, highly dependent, adults, lonely adults, group members, movement
    participants.
    """
    n = alive.size
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

_HELD = (signal.SIGINT, signal.SIGTERM)


def _shielded(kernel):
    if not hasattr(_signal, "pthread_sigmask"):
        return kernel
    # The C function itself: signal.pthread_sigmask wraps it to turn the returned set
    # into Signals enums, which costs more than a small kernel (~70 calls a week).
    sigmask, block, setmask = _signal.pthread_sigmask, _signal.SIG_BLOCK, _signal.SIG_SETMASK

    def call(*args):
        previous = sigmask(block, _HELD)
        try:
            return kernel(*args)
        finally:
            sigmask(setmask, previous)

    call.__name__, call.__doc__, call.__wrapped__ = kernel.__name__, kernel.__doc__, kernel
    return call


for _name in ("hash_uniform", "health_pass", "standard_normal",
              "needs", "low_need_choice", "low_need_outcomes", "movement_weights",
              "movement_rules", "tied_to_organisers", "movement_effects", "contacts", "count_members",
              "free_organisers", "participants_by_neighbourhood", "due", "join_groups",
              "best_open_groups",
              "leave_groups", "member_effects", "release_members", "split_members",
              "spread_norms", "padded_tie_sum", "update_tie_sum", "with_role", "random_tie",
              "padded_ties",
              "week_state"):
    globals()[_name] = _shielded(globals()[_name])
del _name
