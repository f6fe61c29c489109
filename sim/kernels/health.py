"""Phase 1 of the week, compiled: ageing, deaths, births, new conditions, traits and
wellbeing in one pass (:func:`sim.health.advance_health`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .draws import (AMBIGUOUS, CHUNK, EVENT, _EXP_M2, _P0, _P1, _Q0, _Q1, _S2PI, _band,
                    _fill, _p1evl, _polevl, _standard_normal)


@njit(inline="always", error_model="numpy")
def _p_death(a, k, dep, infant, m80, gompertz, r, log_r, l80, ltc_slope):
    """Weekly probability of death at age ``a`` with ``k`` conditions, where the
    deprivation multiplier of the quintile is ``dep``.

    :func:`sim.health.annual_mortality` in scalar arithmetic (an approximation of it:
    ``exp`` and ``**`` may differ by ulps, which the band of :func:`_band` absorbs).
    """
    week = 1.0 / 52.0
    if a < 1.0:
        base = infant
    else:
        base = m80 * math.exp(gompertz * (a - 80.0))
    mean = l80 * math.exp(ltc_slope * (a - 80.0)) * dep
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
def _p_onset(a, dep, con, act, grp, scale, lonely_below, rel_lonely, log_rel_act, rel_group,
             l80, ltc_slope):
    """Weekly probability of a new condition: :func:`sim.health.onset_hazard`, approximately."""
    rel = rel_lonely if con < lonely_below else 1.0
    rel *= math.exp(act * log_rel_act)
    if grp >= 0:
        rel *= rel_group
    return scale * l80 * math.exp(ltc_slope * (a - 80.0)) * dep * rel


# Cephes ndtri (Moshier), as in scipy.special.ndtri: same coefficients, same order.


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
                        p = _p_death(a, ltc[i], dep_mult[quintile[i]], infant, m80, gompertz, r,
                                     log_r, l80, ltc_slope)
                        outcome = _band(u, p)
                        if outcome == EVENT:
                            dead[nd] = i
                            nd += 1
                            live = False
                            dying[n_dying] = i
                            dying_group[n_dying] = group[i]
                            n_dying += 1
                        elif outcome == AMBIGUOUS:
                            amb_dead[nad] = i
                            amb_dead_u[nad] = u
                            nad += 1
                            hold = True
                    mothers[nm] = i
                    nm += live & female[i] & (a >= 15) & (a < 45) & (u_birth[j] < birth_p)
                if onsets & live & (not hold):
                    a = age[i]
                    u = u_onset[j]
                    q = quintile[i]
                    if u < onset_age[min(int(a), onset_age.size - 1)] * dep_mult[q] * onset_rel:
                        p = _p_onset(a, dep_mult[q], connectedness[i], activation[i], group[i],
                                     scale, lonely_below, rel_lonely, log_rel_act, rel_group,
                                     l80, ltc_slope)
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
