"""Phases 2 and 3, compiled: the need and choice rules, the week's needs, booked
appointments that fall due, and where low-level complaints go (:mod:`sim.need`).

Each rule is a formula of a person's numbers and a named tuple of parameters
(:data:`NeedParams` ``nd``, :data:`ChoiceParams` ``c``); the kernels decide an event
as ``u < rule(...)``.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit, prange

from .blocks import BLOCK, block_rows, joined, n_blocks
from .bounds import axis, cell, rule_tuple
from .draws import CHUNK, _fill, _unit
from .health import WEEK, toward
from .marked_blocks import total
from ..need import ACUTE, FLARE, FOLLOWUP, LOW, RETRY, REVIEW
from .rows import mask, rows_marked

# The parameters of the rules: every scenario parameter of the sections named, by its
# name, and (for choice) the week's pull of minor complaints to a GP (levers).
NeedParams = rule_tuple("NeedParams", __name__, ("need", "population"))
ChoiceParams = rule_tuple("ChoiceParams", __name__, ("choice", "need"), ("low_gp_utility",))


# --- the rules ----------------------------------------------------------------------------


@njit(inline="always", error_model="numpy")
def causal(trait, own_level, share):
    """The value of a trait that the need and choice rules see.

    Their gradients in activation and dependence are fitted across people (Deeny 2018).
    Only ``share`` of that gradient is taken to be causal: a person at their own level
    ``own_level`` is where the cross-section puts them, and a change from it (a policy,
    a group, self-care) moves the rules by ``share`` of what the gradient says.
    """
    return own_level + share * (trait - own_level)


@njit(inline="always", error_model="numpy")
def p_low(wellbeing, season, nd):
    """Weekly probability of a low-level complaint: more often at low wellbeing."""
    return (nd.low_per_year * WEEK * season
            * math.exp(nd.low_wellbeing_slope * (nd.low_wellbeing_centre - wellbeing)))


@njit(inline="always", error_model="numpy")
def p_flare(ltc, activation, season, nd):
    """Weekly probability of a flare of one of ``ltc`` conditions. Activated people
    manage their conditions and spot deterioration early (Deeny et al. 2018; Hibbard &
    Gilburt 2014): ``rel_flare_activated`` per unit of activation about its centre."""
    rate = (nd.flares_per_ltc_year * WEEK * season * ltc
            * nd.rel_flare_activated ** (activation - nd.activation_centre))
    return -math.expm1(-rate)


@njit(inline="always", error_model="numpy")
def p_review(diagnosed, nd):
    """Weekly probability of a planned review of one of ``diagnosed`` conditions."""
    return -math.expm1(-nd.reviews_per_diagnosed_year * WEEK * diagnosed)


@njit(inline="always", error_model="numpy")
def p_acute(age, ltc, diagnosed, quintile, activation, season, nd):
    """Weekly probability of an acute episode: rising with age; each undiagnosed
    condition multiplies the rate by ``rel_acute_per_ltc``, a managed (diagnosed) one by
    less; higher where deprived and lower where activated."""
    exponent = (ltc - diagnosed) + nd.rel_acute_managed * diagnosed
    return (nd.acute_per_year_age40 * WEEK * season * math.exp(nd.acute_age_slope * (age - 40.0))
            * nd.rel_acute_per_ltc ** exponent
            * nd.acute_deprivation_ratio ** ((5.0 - quintile) / 4.0)
            * nd.rel_acute_activated ** (activation - nd.activation_centre))


@njit(inline="always", error_model="numpy")
def low_need_choice_of(u, activation, connectedness, member, dependence, wait, c):
    """Where a low-level complaint goes (0 self-care, 1 peers, 2 GP, 3 A&E) on the
    uniform ``u``: the first option whose cumulative multinomial-logit probability ``u``
    does not exceed. ``wait`` is the practice's wait in weeks."""
    u_self = c.activation_weight * activation
    u_peer = (c.low_peer_base + c.connectedness_weight * connectedness
              + (c.group_weight if member else 0.0))
    u_gp = c.low_gp_base + c.dependence_weight * dependence - c.wait_weight * wait \
        + c.low_gp_utility
    u_ae = c.low_ae_base + c.dependence_weight * dependence \
        + c.ae_wait_share * c.wait_weight * wait
    top = max(max(u_self, u_peer), max(u_gp, u_ae))
    e0, e1 = math.exp(u_self - top), math.exp(u_peer - top)
    e2, e3 = math.exp(u_gp - top), math.exp(u_ae - top)
    total = e0 + e1 + e2 + e3
    # The cumulative probabilities rise, so the count of those below u is the option
    # (counted without a branch: which option wins is a toss-up a branch mispredicts).
    cum0 = e0 / total
    cum1 = cum0 + e1 / total
    cum2 = cum1 + e2 / total
    return int(u > cum0) + int(u > cum1) + int(u > cum2)


# --- phase 2: needs -----------------------------------------------------------------------

People = namedtuple("People", ("alive", "ti_discharge", "wellbeing", "activation",
                               "activation0", "ltc", "diagnosed", "age", "deprivation", "uid"))
# The bound tables of the four rules and the axes they are kept over.
Bounds = namedtuple("Bounds", "low flare review acute wellbeing_axis activation_axis age_axis")


@njit(cache=True, error_model="numpy")
def needs(people, week, season, draws, nd, bounds):
    """This week's low-level, flare, review and acute needs (``sim.need.arise_needs``),
    block by block of rows (:func:`needs_threads`: the blocks in threads).

    ``draws`` is (crn, the four streams' keys, their sequential draws 4 x n when CRN is
    off). A draw at or above a rule's bound (``bounds``, from the rule) has no event;
    below it the rule decides. Returns the rows of each kind, ascending, then the count of
    the living who are in a hospital bed (not at home).
    """
    crn, keys, useq = draws
    rows, found, in_bed = _needs_found(people.alive.size)
    for b in range(in_bed.size):
        _needs_block(b, people, week, season, crn, keys, useq, nd, bounds, rows, found, in_bed)
    return (joined(rows[0], found[0]), joined(rows[1], found[1]), joined(rows[2], found[2]),
            joined(rows[3], found[3]), total(in_bed))


@njit(cache=True, error_model="numpy", parallel=True)
def needs_threads(people, week, season, draws, nd, bounds):
    """:func:`needs` with its blocks in threads (:mod:`sim.kernels.blocks`)."""
    crn, keys, useq = draws
    rows, found, in_bed = _needs_found(people.alive.size)
    for b in prange(in_bed.size):
        _needs_block(b, people, week, season, crn, keys, useq, nd, bounds, rows, found, in_bed)
    return (joined(rows[0], found[0]), joined(rows[1], found[1]), joined(rows[2], found[2]),
            joined(rows[3], found[3]), total(in_bed))


@njit(inline="always", error_model="numpy")
def _needs_found(n):
    """Room for each kind's rows (block ``b``'s from ``b * BLOCK`` on; int32 halves it),
    how many of each a block found, and its count in a bed."""
    blocks = n_blocks(0, n)
    return (np.empty((4, blocks * BLOCK), np.int32), np.empty((4, blocks), np.int64),
            np.empty(blocks, np.int64))  # each block writes its own counts


@njit(error_model="numpy")
def _needs_block(b, people, week, season, crn, keys, useq, nd, bounds, rows_all, found, beds):
    """Block ``b`` of :func:`needs`: each kind's rows into its row of its stretch of
    ``rows_all``, how many into ``found[:, b]`` and the count in a bed into ``beds[b]``
    (counted here and written once: a thread writing its counts in place beside
    another's would slow both)."""
    lo, hi = block_rows(0, people.alive.size, b)
    rows = rows_all[:, b * BLOCK: (b + 1) * BLOCK]
    count = np.zeros(4, np.int64)
    buf = np.empty((4, CHUNK), np.float64)
    flags = np.empty(CHUNK, np.int64)
    todo = np.empty(CHUNK, np.int64)
    in_bed = 0
    share = nd.activation_causal_share
    wb_axis, act_axis, age_axis = (axis(bounds.wellbeing_axis), axis(bounds.activation_axis),
                                   axis(bounds.age_axis))
    for start in range(lo, hi, CHUNK):
        m = min(CHUNK, hi - start)
        end = start + m
        for kind in range(4):
            _fill(buf[kind], crn, keys[kind], people.uid, useq[0 if crn else kind], start, m)
        # Branch-free: which kinds each person may have (through views of the chunk:
        # indexing with start + j would stop vectorisation; see _fill).
        alive, away = people.alive[start:end], people.ti_discharge[start:end]
        ltc, diag, age = people.ltc[start:end], people.diagnosed[start:end], people.age[start:end]
        wb, act, act0 = people.wellbeing[start:end], people.activation[start:end], \
            people.activation0[start:end]
        nt = 0
        for j in range(m):
            home = alive[j] & (away[j] <= week)
            in_bed += alive[j] & (away[j] > week)
            ia = cell(causal(act[j], act0[j], share), act_axis)
            f = ((buf[0, j] < bounds.low[cell(wb[j], wb_axis)]) * 1
                 + (buf[1, j] < bounds.flare[ltc[j], ia]) * 2
                 + (buf[2, j] < bounds.review[diag[j]]) * 4
                 + (buf[3, j] < bounds.acute[cell(age[j], age_axis), ltc[j]]) * 8) * home
            flags[j] = f
            todo[nt] = j
            nt += f != 0
        for t in range(nt):
            j = todo[t]
            i = start + j
            a = causal(np.float64(people.activation[i]), people.activation0[i], share)
            k, d, f = people.ltc[i], people.diagnosed[i], flags[j]
            event = ((f & 1) != 0 and buf[0, j] < p_low(people.wellbeing[i], season, nd),
                     (f & 2) != 0 and buf[1, j] < p_flare(k, a, season, nd),
                     (f & 4) != 0 and buf[2, j] < p_review(d, nd),
                     (f & 8) != 0 and buf[3, j] < p_acute(people.age[i], k, d,
                                                          people.deprivation[i], a, season, nd))
            for kind in range(4):  # written here, not by a helper given the arrays
                rows[kind, count[kind]] = i
                count[kind] += event[kind]
    found[:, b] = count
    beds[b] = in_bed


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

Choosers = namedtuple("Choosers", ("practice", "group", "activation", "activation0",
                                   "connectedness", "dependence", "dependence0"))


@njit(cache=True, error_model="numpy")
def low_need_choice(rows, u, wait_of_practice, people, c):
    """:func:`low_need_choice_of` for each low-level complaint of ``rows`` on draws ``u``
    (``people`` is :data:`Choosers`; :func:`low_need_choice_threads`: in threads)."""
    out = np.empty(rows.size, np.int8)
    _choices(0, rows.size, rows, u, wait_of_practice, people, c, out)
    return out


@njit(cache=True, error_model="numpy", parallel=True)
def low_need_choice_threads(rows, u, wait_of_practice, people, c):
    """:func:`low_need_choice` with blocks of the complaints in threads (each choice is
    the person's own: :mod:`sim.kernels.blocks`)."""
    out = np.empty(rows.size, np.int8)
    for b in prange(n_blocks(0, rows.size)):
        lo, hi = block_rows(0, rows.size, b)
        _choices(lo, hi, rows, u, wait_of_practice, people, c, out)
    return out


@njit(error_model="numpy")
def _choices(lo, hi, rows, u, wait_of_practice, people, c, out):
    """:func:`low_need_choice` of complaints ``lo .. hi`` into ``out``."""
    for j in range(lo, hi):
        i = rows[j]
        act = causal(np.float64(people.activation[i]), people.activation0[i],
                     c.activation_causal_share)
        dep = causal(np.float64(people.dependence[i]), people.dependence0[i],
                     c.dependence_causal_share)
        out[j] = low_need_choice_of(u[j], act, people.connectedness[i], people.group[i] >= 0,
                                    dep, wait_of_practice[people.practice[i]], c)


SELF, PEERS, GP, AE = range(4)


# The complainants' columns the pass of :func:`low_need_choices` reads and writes.
Complainants = namedtuple("Complainants", (*Choosers._fields, "uid", "n_low", "n_low_service"))


@njit(cache=True, error_model="numpy")
def low_need_choices(rows, draws, wait_of_practice, people, c):
    """Where each low-level complaint of ``rows`` goes (:func:`low_need_choice`), on the
    draws of ``draws`` (crn, key, sequential draws), and what going there does
    (:func:`_outcomes`), in one pass block by block (:func:`low_need_choices_threads`:
    the blocks in threads). ``rows`` holds each resident once, and a choice reads only
    its own resident, so choosing and acting in turn gives what choosing all, then
    acting, did. ``people`` is :data:`Complainants`."""
    out = np.empty(rows.size, np.int8)
    u = np.empty(rows.size, np.float64)
    for b in range(n_blocks(0, rows.size)):
        _choose_and_act(b, rows, draws, u, wait_of_practice, people, c, out)
    return out


@njit(cache=True, error_model="numpy", parallel=True)
def low_need_choices_threads(rows, draws, wait_of_practice, people, c):
    """:func:`low_need_choices` with its blocks in threads (:mod:`sim.kernels.blocks`)."""
    out = np.empty(rows.size, np.int8)
    u = np.empty(rows.size, np.float64)
    for b in prange(n_blocks(0, rows.size)):
        _choose_and_act(b, rows, draws, u, wait_of_practice, people, c, out)
    return out


@njit(error_model="numpy")
def _choose_and_act(b, rows, draws, u, wait_of_practice, people, c, out):
    """Block ``b`` of :func:`low_need_choices`, a chunk at a time: the chunk's draws,
    its choices, then their outcomes (while its residents are still in the cache)."""
    crn, key, useq = draws
    lo, hi = block_rows(0, rows.size, b)
    for start in range(lo, hi, CHUNK):
        end = min(start + CHUNK, hi)
        for j in range(start, end):
            u[j] = _unit(people.uid[rows[j]], key) if crn else useq[j]
        _choices(start, end, rows, u, wait_of_practice, people, c, out)
        _outcomes(start, end, rows, out, people, c)


@njit(error_model="numpy")
def _outcomes(lo, hi, low, choice, people, c):
    """Count low-level complaints ``lo .. hi`` and where they went; managing one
    oneself or with peers builds activation or connection and loosens dependence."""
    for j in range(lo, hi):  # each written, changed or not: no branch to mispredict
        i = low[j]
        k = choice[j]
        people.n_low[i] += 1
        people.n_low_service[i] += (k == GP) | (k == AE)
        act, dep, con = people.activation[i], people.dependence[i], people.connectedness[i]
        people.activation[i] = toward(act, 1.0, c.activation_per_self_care) if k == SELF else act
        people.dependence[i] = toward(dep, 0.0, c.dependence_per_self_care) \
            if (k == SELF) | (k == PEERS) else dep
        people.connectedness[i] = toward(con, 1.0, c.connectedness_per_peer_help) \
            if k == PEERS else con



# --- the week's requests ------------------------------------------------------------------

# The residents' columns :func:`requests_of_week` reads and writes.
Waiting = namedtuple("Waiting", ("alive", "ti_gp_followup", "ti_discharge", "gp_waiting", "uid"))


@njit(cache=True, error_model="numpy")
def requests_of_week(people, week, needs, choice, draws, c):
    """This week's GP requests and A&E arrivals (``sim.need.choose_care``), in one call.

    ``needs`` is the (low, review, flare, acute) rows, ``choice`` where each low-level
    complaint went (:func:`low_need_choices`); a flare goes to A&E on a draw below
    ``c.flare_ae_share``, an acute episode below ``c.acute_ae_share`` (``draws``: the
    flare's and acute's streams, each (crn, key, sequential draws)). Booked follow-ups
    that fall due (:func:`due`) are cleared, and so is the mark of last week's unserved
    requests, which try again. Returns the GP requests' rows and kinds (follow-ups,
    reviews, acute episodes, flares, retries, minor complaints), A&E's (acute episodes,
    flares, minor complaints), and the count of each kind code: a row for GP, one for A&E.
    """
    low, review, flare, acute = needs
    followups = due(people.alive, people.ti_gp_followup, people.ti_discharge, week)
    n = people.alive.size
    marks = mask(n)
    for i in range(n):
        marks[i] = people.gp_waiting[i]
    retry = rows_marked(marks, n)
    for i in followups:
        people.ti_gp_followup[i] = -1
    for i in retry:
        people.gp_waiting[i] = False
    to_ae = (_severe(flare, people.uid, draws[0], c.flare_ae_share),
             _severe(acute, people.uid, draws[1], c.acute_ae_share))
    gp_size = followups.size + review.size + acute.size + flare.size + retry.size + low.size
    out = (np.empty(gp_size, np.int64), np.empty(gp_size, np.int8),
           np.empty(acute.size + flare.size + low.size, np.int64),
           np.empty(acute.size + flare.size + low.size, np.int8))
    counts = np.zeros((2, len(KIND_CODES)), np.int64)  # GP, A&E by kind code
    # Each part in its turn; a row goes to A&E where its ``to_ae`` is 1.
    _put(followups, FOLLOWUP, np.zeros(followups.size, np.uint8), out, counts)
    _put(review, REVIEW, np.zeros(review.size, np.uint8), out, counts)
    _put(acute, ACUTE, to_ae[1], out, counts)
    _put(flare, FLARE, to_ae[0], out, counts)
    _put(retry, RETRY, np.zeros(retry.size, np.uint8), out, counts)
    where = np.empty(low.size, np.uint8)
    for j in range(low.size):  # only those who turned to a service
        where[j] = 0 if choice[j] == GP else 1 if choice[j] == AE else 2
    _put(low, LOW, where, out, counts)
    gp_n, ae_n = counts[0].sum(), counts[1].sum()
    return out[0][:gp_n], out[1][:gp_n], out[2][:ae_n], out[3][:ae_n], counts


KIND_CODES = (FOLLOWUP, REVIEW, ACUTE, FLARE, RETRY, LOW)


@njit(inline="always", error_model="numpy")
def _severe(rows, uid, draws, share):
    """1 where a flare or acute episode of ``rows`` goes to A&E (its draw below
    ``share``), 0 where to a GP."""
    crn, key, useq = draws
    flags = np.empty(rows.size, np.uint8)
    for j in range(rows.size):
        flags[j] = (_unit(uid[rows[j]], key) if crn else useq[j]) < share
    return flags


@njit(inline="always", error_model="numpy")
def _put(rows, kind, where, out, counts):
    """Rows of one ``kind`` to the GP requests (``where`` 0) or A&E's arrivals (1), or
    neither (2: managed without services), after those already there (``counts``)."""
    gp_rows, gp_kind, ae_rows, ae_kind = out
    gp_start, ae_start = counts[0].sum(), counts[1].sum()
    gp_at, ae_at = gp_start, ae_start
    for j in range(rows.size):
        w = where[j]
        if w == 0:
            gp_rows[gp_at], gp_kind[gp_at] = rows[j], kind
            gp_at += 1
        elif w == 1:
            ae_rows[ae_at], ae_kind[ae_at] = rows[j], kind
            ae_at += 1
    counts[0, kind] = gp_at - gp_start
    counts[1, kind] = ae_at - ae_start
