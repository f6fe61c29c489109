"""Phase 4, compiled: which GP requests a practice serves this week (:mod:`sim.practice`)."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit, prange

from ..need import ACUTE, FLARE, LOW, RETRY
from .blocks import BLOCK, block_rows, n_blocks
from .draws import _unit
from .marked_blocks import summed_in_order


@njit(cache=True, error_model="numpy")
def ration(practice, priority, key, capacity, n_priorities):
    """Which requests are served: those ranked below their practice's ``capacity`` when
    each practice's requests are ranked by priority, then ``key``, then position.

    That is the order ``np.lexsort((key, priority, practice))`` puts them in, found
    without sorting them all: requests are counted by (practice, priority); the
    priorities a practice serves in full or not at all are settled by the counts, and
    only the one it serves in part is sorted by its keys (stably, so that equal keys
    stay in their order, as in lexsort).

    Returns the mask of served requests and, per practice, requests and served.
    """
    bucket = np.empty(practice.size, np.int64)
    for i in range(practice.size):
        bucket[i] = practice[i] * n_priorities + priority[i]
    verdict, places, demand, served_n = _verdicts(bucket, capacity, n_priorities)
    return _served(bucket, verdict, places, key), demand, served_n


@njit(cache=True, error_model="numpy")
def ration_requests(rows, kind, practice_of, priority_of_kind, uid, draws, capacity):
    """:func:`ration` of the requests of residents ``rows`` (of ``kind``), by their
    practice (``practice_of``, the residents' column) and their kind's priority, on the
    draws ``draws`` (crn, key, sequential draws): hashed only for the requests of a
    priority their practice serves in part, the only ones whose draw is read. The
    requests' buckets and counts block by block (:func:`ration_requests_threads`: the
    blocks in threads); their draws and which are served, in one thread."""
    n_priorities = _priorities(priority_of_kind)
    bucket = np.empty(rows.size, np.int64)
    # a row a block, each written in full by its block
    count = np.empty((n_blocks(0, rows.size), capacity.size * n_priorities), np.int64)
    for b in range(count.shape[0]):
        _bucket_block(b, rows, kind, practice_of, priority_of_kind, n_priorities, bucket, count)
    verdict, places, demand, served_n = _verdicts_of(summed_in_order(count), capacity,
                                                     n_priorities)
    draw = _queue_draws(rows, uid, draws, bucket, verdict, count.shape[0])
    return _served(bucket, verdict, places, draw), demand, served_n


@njit(cache=True, error_model="numpy", parallel=True)
def ration_requests_threads(rows, kind, practice_of, priority_of_kind, uid, draws, capacity):
    """:func:`ration_requests` with its blocks in threads (:mod:`sim.kernels.blocks`);
    the counts are whole numbers, added up the same whatever the order."""
    n_priorities = _priorities(priority_of_kind)
    bucket = np.empty(rows.size, np.int64)
    # a row a block, each written in full by its block
    count = np.empty((n_blocks(0, rows.size), capacity.size * n_priorities), np.int64)
    for b in prange(count.shape[0]):
        _bucket_block(b, rows, kind, practice_of, priority_of_kind, n_priorities, bucket, count)
    verdict, places, demand, served_n = _verdicts_of(summed_in_order(count), capacity,
                                                     n_priorities)
    # The draws in one thread, as in the plain form: only requests in buckets served in
    # part are drawn, and in threads it was no quicker at a million residents (1.29-1.64
    # against 1.25-1.27 ms a week for the whole pass).
    draw = _queue_draws(rows, uid, draws, bucket, verdict, count.shape[0])
    return _served(bucket, verdict, places, draw), demand, served_n


@njit(error_model="numpy")  # on its own: see sim.kernels.marked_blocks
def _priorities(priority_of_kind):
    """How many priorities the kinds of request have (0 ..)."""
    return np.int64(priority_of_kind.max()) + 1


@njit(error_model="numpy")
def _bucket_block(b, rows, kind, practice_of, priority_of_kind, n_priorities, bucket, count):
    """Block ``b`` of the requests: each one's (practice, priority) bucket, and how many
    of the block's are in each bucket into ``count[b]`` (written once, at the end)."""
    lo, hi = block_rows(0, rows.size, b)
    mine = np.zeros(count.shape[1], np.int64)
    residents, kinds, buckets = rows[lo:hi], kind[lo:hi], bucket[lo:hi]  # views: see needs
    for j in range(hi - lo):
        buckets[j] = practice_of[residents[j]] * n_priorities + priority_of_kind[kinds[j]]
    for j in range(hi - lo):
        mine[buckets[j]] += 1
    count[b] = mine


@njit(error_model="numpy")
def _queue_draws(rows, uid, draws, bucket, verdict, blocks):
    """Each request's queue draw: hashed, block by block, for those whose bucket is
    served in part (with CRN), else the sequential draws."""
    if not draws[0]:
        return draws[2]
    draw = np.empty(rows.size, np.float64)
    for b in range(blocks):
        _queue_draws_block(b, rows, uid, draws[1], bucket, verdict, draw)
    return draw


@njit(error_model="numpy")
def _queue_draws_block(b, rows, uid, key, bucket, verdict, draw):
    """Block ``b`` of the requests: the draws of those whose bucket is served in part."""
    lo, hi = block_rows(0, rows.size, b)
    residents, buckets, draws = rows[lo:hi], bucket[lo:hi], draw[lo:hi]
    for j in range(hi - lo):
        if verdict[buckets[j]] == -1:
            draws[j] = _unit(uid[residents[j]], key)


# The residents' columns :func:`unserved_requests` reads and writes.
UnservedPeople = namedtuple("UnservedPeople", ("uid", "practice", "gp_waiting", "n_unmet"))


@njit(cache=True, error_model="numpy")
def unserved_requests(rows, kind, served, people, seen, draws, p_ae, p_ae_or_retry,
                      n_practices):
    """What becomes of the requests of residents ``rows`` (of ``kind``) not ``served``:
    on a draw (``draws``: crn, key, sequential draws, one an unserved request in order)
    below ``p_ae`` the request goes to A&E; below ``p_ae_or_retry`` it tries again next
    week (``people.gp_waiting`` is set; counted by practice); otherwise it is given up
    (``people.n_unmet`` rises by one a resident however many they gave up, as NumPy's
    scatter did; ``seen``: a zero byte a resident, left zero). ``people`` is
    :data:`UnservedPeople`. Returns, each in the requests' order, the rows and kinds sent
    to A&E, the rows given up, the count trying again by practice, and the rows and
    kinds served."""
    crn, key, useq = draws
    m = rows.size
    sent_rows, sent_kind = np.empty(m, np.int64), np.empty(m, np.int8)
    served_rows, served_kind = np.empty(m, np.int64), np.empty(m, np.int8)
    gave_up = np.empty(m, np.int64)
    carried = np.zeros(n_practices, np.int64)
    n_sent = n_served = n_gave_up = n_unserved = 0
    for j in range(m):
        i = rows[j]
        if served[j]:
            served_rows[n_served], served_kind[n_served] = i, kind[j]
            n_served += 1
            continue
        u = _unit(people.uid[i], key) if crn else useq[n_unserved]
        n_unserved += 1
        if u < p_ae:
            sent_rows[n_sent], sent_kind[n_sent] = i, kind[j]
            n_sent += 1
        elif u < p_ae_or_retry:
            people.gp_waiting[i] = True
            carried[people.practice[i]] += 1
        else:
            gave_up[n_gave_up] = i
            n_gave_up += 1
            if seen[i] == 0:
                seen[i] = 1
                people.n_unmet[i] += 1
    for t in range(n_gave_up):
        seen[gave_up[t]] = 0
    return (sent_rows[:n_sent], sent_kind[:n_sent], gave_up[:n_gave_up], carried,
            served_rows[:n_served], served_kind[:n_served])


@njit(inline="always", error_model="numpy")
def _verdicts(bucket, capacity, n_priorities):
    """What each (practice, priority) ``bucket`` gets: 1 all served, 0 none, -1 the
    first ``places`` by key; and per practice, requests and served."""
    count = np.zeros(capacity.size * n_priorities, np.int64)
    for i in range(bucket.size):
        count[bucket[i]] += 1
    return _verdicts_of(count, capacity, n_priorities)


@njit(inline="always", error_model="numpy")
def _verdicts_of(count, capacity, n_priorities):
    """:func:`_verdicts` of the requests counted by bucket (``count``)."""
    n_practices = capacity.size
    buckets = n_practices * n_priorities
    verdict = np.zeros(buckets, np.int8)
    places = np.zeros(buckets, np.int64)
    demand = np.zeros(n_practices, np.int64)
    served_n = np.zeros(n_practices, np.int64)
    for p in range(n_practices):
        left = capacity[p]  # whole number of appointments (a float, as NumPy compares)
        for r in range(n_priorities):
            b = p * n_priorities + r
            c = count[b]
            demand[p] += c
            if c <= left:
                verdict[b] = 1
                served_n[p] += c
                left -= c
            elif left > 0:
                verdict[b] = -1
                places[b] = np.int64(np.ceil(left))
                served_n[p] += places[b]
                left = 0.0
            else:
                left = 0.0
    return verdict, places, demand, served_n


@njit(inline="always", error_model="numpy")
def _served(bucket, verdict, places, key):
    """The mask of served requests, by their buckets' verdicts, the part-served
    buckets' first ``places`` by ``key`` (read only there)."""
    n = bucket.size
    buckets = verdict.size
    served = np.empty(n, np.bool_)
    # The requests of part-served buckets, grouped by bucket in their original order.
    start = np.zeros(buckets + 1, np.int64)
    for i in range(n):
        if verdict[bucket[i]] == -1:
            start[bucket[i] + 1] += 1
    for b in range(buckets):
        start[b + 1] += start[b]
    fill = start[:-1].copy()
    partial = np.empty(start[buckets], np.int64)
    for i in range(n):
        b = bucket[i]
        v = verdict[b]
        served[i] = v == 1
        if v == -1:
            partial[fill[b]] = i
            fill[b] += 1
    for b in range(buckets):
        if verdict[b] == -1:
            rows = partial[start[b]: start[b + 1]]
            first = np.argsort(key[rows], kind="mergesort")[: places[b]]
            for t in range(first.size):
                served[rows[first[t]]] = True
    return served


# --- consultations ------------------------------------------------------------------------
# The outcomes of the week's consultations (sim.practice.consult) in two passes over them,
# with NumPy's one step between: the activation factor of follow-up booking, a power taken
# by NumPy (its float32 power is not the C library's, so a compiled one would change bits).
#
# A resident may be seen more than once in a week (a complaint and its retry, a flare and
# a follow-up). What the NumPy form did with its gathers and scatters is kept exactly:
# every consultation reads the resident as the week found them, and a count or a change of
# state lands once. ``seen`` (one byte a resident, zero between calls) marks who has been
# met: 1 seen, 2 seen and diagnosed.

ConsultPeople = namedtuple("ConsultPeople", ("uid", "practice", "dependence", "activation",
                                             "diagnosed", "ltc", "n_gp", "cum_gp"))
# Per practice: what a consultation adds to dependence (x (1 - dependence)) and to
# activation (x (1 - activation)), from its style; and the chances a flare or acute
# episode (``flare``), or a minor complaint or its retry (``low``), is diagnosed.
StyleEffects = namedtuple("StyleEffects", ("dependence_gain", "activation_gain",
                                           "p_diagnose_flare", "p_diagnose_low"))


@njit(cache=True, error_model="numpy")
def consult_style(rows, kind, people, seen, effects, draws):
    """The first pass over the consultations ``rows`` (of ``kind``): counts, the style's
    move of dependence and activation, and diagnoses (``draws``: crn, key, sequential
    draws), block by block (:func:`consult_style_threads`: in threads). Returns each
    consultation's activation after it (float32) and the patient's uid, practice and
    conditions (:data:`Met`: for the second pass, which reads them in order instead of
    from the residents' columns again)."""
    m = rows.size
    act_after = np.empty(m, np.float32)
    met = Met(np.empty(m, np.uint64), np.empty(m, np.int32), np.empty(m, np.int8))
    edges = resident_edges(rows)
    for b in range(edges.size - 1):
        _style_block(edges[b], edges[b + 1], rows, kind, people, seen, effects, draws,
                     act_after, met)
    return act_after, met


@njit(cache=True, error_model="numpy", parallel=True)
def consult_style_threads(rows, kind, people, seen, effects, draws):
    """:func:`consult_style` with its blocks in threads: for consultations in row order
    only (a resident's are then side by side, and a block holds them all)."""
    m = rows.size  # made here, not by a helper: Numba's threads do not take its tuple
    act_after = np.empty(m, np.float32)
    met = Met(np.empty(m, np.uint64), np.empty(m, np.int32), np.empty(m, np.int8))
    edges = resident_edges(rows)
    for b in prange(edges.size - 1):
        _style_block(edges[b], edges[b + 1], rows, kind, people, seen, effects, draws,
                     act_after, met)
    return act_after, met


@njit(error_model="numpy")
def resident_edges(rows):
    """The consultations' blocks (:mod:`sim.kernels.blocks`), each edge moved on past
    the consultations of the resident it would split (at most a few): in row order, a
    block then holds all of a resident's consultations. From the rows alone."""
    blocks = n_blocks(0, rows.size)
    edges = np.empty(blocks + 1, np.int64)
    edges[0] = 0
    for b in range(1, blocks + 1):
        e = min(b * BLOCK, rows.size)
        while 0 < e < rows.size and rows[e] == rows[e - 1]:
            e += 1
        edges[b] = max(e, edges[b - 1])
    return edges


@njit(error_model="numpy")
def _style_block(lo, hi, rows, kind, people, seen, effects, draws, act_after, met):
    """Consultations ``lo .. hi`` of :func:`consult_style`."""
    crn, key, useq = draws
    one = np.float32(1.0)
    for j in range(lo, hi):
        i = rows[j]
        p, uid = people.practice[i], people.uid[i]
        met.uid[j], met.practice[j], met.ltc[j] = uid, p, people.ltc[i]
        if seen[i] == 0:  # the first of the resident's consultations this week
            seen[i] = 1
            people.n_gp[i] += 1
            people.cum_gp[i] += 1
            d, a = people.dependence[i], people.activation[i]
            people.dependence[i] = np.float64(d) + effects.dependence_gain[p] * np.float64(one - d)
            people.activation[i] = np.float64(a) + effects.activation_gain[p] * np.float64(one - a)
        act_after[j] = people.activation[i]
        u = _unit(uid, key) if crn else useq[j]
        k = kind[j]
        chance = effects.p_diagnose_flare if (k == FLARE) | (k == ACUTE) else \
            effects.p_diagnose_low if (k == LOW) | (k == RETRY) else -1.0
        if seen[i] == 1 and people.diagnosed[i] < people.ltc[i] and u < chance:
            seen[i] = 2
            people.diagnosed[i] += 1


# What the first pass read of each consultation's patient, for the second.
Met = namedtuple("Met", ("uid", "practice", "ltc"))


ReferPeople = namedtuple("ReferPeople", ("neighbourhood", "group", "ti_gp_followup",
                                         "ti_op_followup"))
# What books a follow-up or a referral: ``follow_ltc`` and ``refer_ltc`` by count of
# conditions, ``follow_style`` by practice (float64, as NumPy multiplied them),
# ``follow_practice`` the improvement's factor by practice (empty: none), the cap, the
# weeks to the booking, and the link workers' share by neighbourhood (``link_by_area``)
# or for all (``link_share[0]``), ``link`` whether they take anyone.
Booking = namedtuple("Booking", ("follow_ltc", "follow_style", "follow_practice", "cap",
                                 "followup_week", "refer_ltc", "referral_week", "link",
                                 "link_share", "link_by_area"))


@njit(cache=True, error_model="numpy")
def consult_bookings(rows, kind, met, people, seen, follow_activation, booking, draws):
    """The second pass: follow-ups booked (and those an improvement averted), referrals
    to outpatients, and who may be offered a link worker; clears ``seen``. Block by block
    (:func:`consult_bookings_threads`: in threads, for consultations in row order).

    ``met`` is what the first pass returned, ``follow_activation`` each consultation's
    activation factor (from its activation after the first); ``draws`` is (crn,
    keys of follow-up, referral and link worker, their sequential draws 3 x n). Returns
    the rows whose follow-up was averted and the consultations eligible for a link
    worker with their draws (each in consultation order: joined in block order)."""
    edges = resident_edges(rows)
    collected = _bookings_collected(rows.size, edges)
    for b in range(edges.size - 1):
        _bookings_block(b, edges, rows, kind, met, people, seen, follow_activation, booking,
                        draws, collected)
    averted, eligible, eligible_u, found = collected
    return _bookings_joined(averted, eligible, eligible_u, found, edges)


@njit(cache=True, error_model="numpy", parallel=True)
def consult_bookings_threads(rows, kind, met, people, seen, follow_activation, booking, draws):
    """:func:`consult_bookings` with its blocks in threads (consultations in row order)."""
    edges = resident_edges(rows)
    collected = _bookings_collected(rows.size, edges)
    for b in prange(edges.size - 1):
        _bookings_block(b, edges, rows, kind, met, people, seen, follow_activation, booking,
                        draws, collected)
    averted, eligible, eligible_u, found = collected
    return _bookings_joined(averted, eligible, eligible_u, found, edges)


@njit(inline="always", error_model="numpy")
def _bookings_collected(m, edges):
    """Room for what the blocks of ``m`` consultations collect: the averted rows, the
    eligible consultations and their draws (block ``b``'s from ``edges[b]`` on), and
    how many of each a block found."""
    return (np.empty(m, np.int64), np.empty(m, np.int64), np.empty(m, np.float64),
            np.zeros((2, edges.size - 1), np.int64))


@njit(error_model="numpy")
def _bookings_joined(averted, eligible, eligible_u, found, edges):
    """What the blocks collected (each from its first consultation on; ``found``: how
    many), joined in block order."""
    n_averted, n_eligible = found[0].sum(), found[1].sum()
    out = (np.empty(n_averted, np.int64), np.empty(n_eligible, np.int64),
           np.empty(n_eligible, np.float64))
    k0 = k1 = 0
    for b in range(edges.size - 1):
        lo, c0, c1 = edges[b], found[0, b], found[1, b]
        out[0][k0: k0 + c0] = averted[lo: lo + c0]
        out[1][k1: k1 + c1] = eligible[lo: lo + c1]
        out[2][k1: k1 + c1] = eligible_u[lo: lo + c1]
        k0 += c0
        k1 += c1
    return out


@njit(error_model="numpy")
def _bookings_block(b, edges, rows, kind, met, people, seen, follow_activation, booking,
                    draws, collected):
    """Block ``b`` of :func:`consult_bookings`: the rows averted and the consultations
    eligible (with their draws) into ``collected`` from the block's first consultation
    on (a block collects at most one a consultation), how many into its column of
    ``collected[3]``."""
    crn, keys, useq = draws
    averted, eligible, eligible_u, found = collected
    lo, hi = edges[b], edges[b + 1]
    n_averted = lo
    n_eligible = lo
    improving = booking.follow_practice.size > 0
    for j in range(lo, hi):
        i = rows[j]
        seen[i] = 0
        p, k, uid = met.practice[j], met.ltc[j], met.uid[j]
        u_follow = _unit(uid, keys[0]) if crn else useq[0, j]
        p_follow = booking.follow_ltc[k] * booking.follow_style[p] * follow_activation[j]
        if improving:
            p_without = min(p_follow, booking.cap)
            p_follow = p_follow * booking.follow_practice[p]
            averted[n_averted] = i
            n_averted += (u_follow < p_without) & (u_follow >= min(p_follow, booking.cap))
        # Written without a branch (the outcomes are a toss-up: a branch mispredicts).
        follow = u_follow < min(p_follow, booking.cap)
        people.ti_gp_followup[i] = booking.followup_week if follow else people.ti_gp_followup[i]
        u_refer = _unit(uid, keys[1]) if crn else useq[1, j]
        was = people.ti_op_followup[i]
        refer = (u_refer < booking.refer_ltc[k]) & (was < 0)
        people.ti_op_followup[i] = booking.referral_week if refer else was
        if booking.link:
            u = _unit(uid, keys[2]) if crn else useq[2, j]
            share = booking.link_share[people.neighbourhood[i] if booking.link_by_area else 0]
            eligible[n_eligible] = j
            eligible_u[n_eligible] = u
            n_eligible += ((kind[j] == LOW) | (kind[j] == RETRY)) & (u < share) \
                & (people.group[i] < 0)
    found[0, b] = n_averted - lo
    found[1, b] = n_eligible - lo


@njit(cache=True, error_model="numpy")
def first_occurrences(rows, seen):
    """``rows`` without repeats, each where it first comes (``seen``: a zero byte a
    resident, left zero)."""
    out = np.empty(rows.size, np.int64)
    k = 0
    for i in rows:
        out[k] = i
        k += seen[i] == 0
        seen[i] = 1
    for i in rows:
        seen[i] = 0
    return out[:k].copy()
