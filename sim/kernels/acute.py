"""Phase 5, compiled: who A&E would admit, and the outpatient appointments that take
place (:mod:`sim.acute`).

The rules (:func:`p_admit`, :func:`p_op_followup`) take a person's numbers and the
named tuple :data:`AcuteParams` ``ap`` (the ``acute`` section, by name, and the week's
levers). Both passes compute exactly what NumPy computed over the same arrays before:
float32 where NumPy's arithmetic over a float32 column was float32 (a Python number
meeting a float32 array is rounded to float32 first), float64 elsewhere, and the
logistic function with the C library's ``exp`` (as :mod:`sim.kernels.logistic`).
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit, prange

from ..need import ACUTE, FLARE
from .blocks import block_rows, n_blocks
from .bounds import rule_tuple
from .draws import _unit

# The rules' parameters: the acute section by name; the log-odds of p_admit (made once,
# as SciPy's logit makes it: sim.logistic), and the levers the rules read.
AcuteParams = rule_tuple("AcuteParams", __name__, ("acute",),
                         ("admit_log_odds", "incentivised_admission", "op_followup_lever",
                          "followup_cap"))


@njit(inline="always", error_model="numpy")
def p_admit(age, ltc, diagnosed, kind, ap):
    """Chance an A&E attendance of ``kind`` (of a person of ``age`` years with ``ltc``
    conditions, ``diagnosed`` of them known) is admitted: log-odds ``admit_log_odds`` at
    ``admit_age_centre``, rising ``admit_age_slope`` a year and ``admit_per_ltc`` a
    condition, times the share of its kind (acute 1, flare ``admit_share_flare``, other
    ``admit_share_other``), and for a flare or acute episode of a diagnosed condition the
    pay-for-performance lever ``incentivised_admission`` (1: none)."""
    share = 1.0 if kind == ACUTE else ap.admit_share_flare if kind == FLARE \
        else ap.admit_share_other
    if (diagnosed > 0) & ((kind == FLARE) | (kind == ACUTE)):
        share = share * ap.incentivised_admission
    # Age is float32, and so is the age term (its parameters rounded to float32).
    older = np.float32(ap.admit_age_slope) * (np.float32(age) - np.float32(ap.admit_age_centre))
    log_odds = ap.admit_log_odds + older + ap.admit_per_ltc * ltc
    return share * (1.0 / (1.0 + math.exp(-log_odds)))


@njit(inline="always", error_model="numpy")
def p_op_followup(ltc, activation_factor, ap):
    """Chance an outpatient attendance books another: ``p_op_followup`` times the lever
    ``op_followup_lever``, rising ``op_followup_per_ltc`` a condition, times the
    activation factor (``need.rel_followup_activated`` to the person's activation about
    its centre: a float32 power NumPy takes, whose bits the C library's would not
    give), at most ``followup_cap``."""
    chance = (ap.p_op_followup * ap.op_followup_lever * (1.0 + ap.op_followup_per_ltc * ltc)
              * np.float64(activation_factor))
    return min(chance, ap.followup_cap)


AdmitPeople = namedtuple("AdmitPeople", ("uid", "age", "ltc", "diagnosed", "n_ae", "cum_ae"))


@njit(cache=True, error_model="numpy")
def admissions_wanted(rows, kind, people, seen, ap, draws):
    """The A&E attendances of residents ``rows`` (of ``kind``; ``people``:
    :data:`AdmitPeople`): each resident's counts rise by one (once however often they
    came, as NumPy's scatter did; ``seen``: a zero byte a resident, left zero); returns
    each attendance's draw ``u`` and chance ``p`` (:func:`p_admit`) and the positions of
    those that would be admitted (``u < p``, in order). ``draws`` is (crn, key,
    sequential draws)."""
    crn, key, useq = draws
    m = rows.size
    u, p = np.empty(m, np.float64), np.empty(m, np.float64)
    want = np.empty(m, np.int64)
    k = 0
    for j in range(m):
        i = rows[j]
        if seen[i] == 0:
            seen[i] = 1
            people.n_ae[i] += 1
            people.cum_ae[i] += 1
        u[j] = _unit(people.uid[i], key) if crn else useq[j]
        p[j] = p_admit(people.age[i], people.ltc[i], people.diagnosed[i], kind[j], ap)
        want[k] = j
        k += u[j] < p[j]
    for j in range(m):
        seen[rows[j]] = 0
    return u, p, want[:k].copy()


OutpatientPeople = namedtuple("OutpatientPeople", ("uid", "ltc", "diagnosed", "dependence",
                                                   "n_op", "ti_op_followup"))


@njit(cache=True, error_model="numpy")
def outpatient_visits(due, people, activation_factor, ap, finds_draws, next_draws, next_week):
    """The outpatient attendances of residents ``due`` (each once): counted; an
    assessment may find a condition not yet known (``p_op_finds``); the cascade raises
    dependence (``dependence_per_cascade``); another appointment is booked for
    ``next_week`` (:func:`p_op_followup`) or none (-1). ``people`` is
    :data:`OutpatientPeople`; the draws are (crn, key, sequential draws). Block by block
    of the attendances (:func:`outpatient_visits_threads`: in threads)."""
    for b in range(n_blocks(0, due.size)):
        _visits(b, due, people, activation_factor, ap, finds_draws, next_draws, next_week)


@njit(cache=True, error_model="numpy", parallel=True)
def outpatient_visits_threads(due, people, activation_factor, ap, finds_draws, next_draws,
                              next_week):
    """:func:`outpatient_visits` with its blocks in threads: each resident is due once,
    and an attendance reads and writes only its own resident and draws."""
    for b in prange(n_blocks(0, due.size)):
        _visits(b, due, people, activation_factor, ap, finds_draws, next_draws, next_week)


@njit(error_model="numpy")
def _visits(b, due, people, activation_factor, ap, finds_draws, next_draws, next_week):
    """Block ``b`` of :func:`outpatient_visits`."""
    crn_f, key_f, useq_f = finds_draws
    crn_n, key_n, useq_n = next_draws
    one, cascade = np.float32(1.0), np.float32(ap.dependence_per_cascade)
    lo, hi = block_rows(0, due.size, b)
    for j in range(lo, hi):
        i = due[j]
        uid = people.uid[i]
        people.n_op[i] += 1
        u_finds = _unit(uid, key_f) if crn_f else useq_f[j]
        if (people.diagnosed[i] < people.ltc[i]) & (u_finds < ap.p_op_finds):
            people.diagnosed[i] += 1
        d = people.dependence[i]
        people.dependence[i] = d + cascade * (one - d)  # float32, as NumPy's update was
        u_next = _unit(uid, key_n) if crn_n else useq_n[j]
        again = u_next < p_op_followup(people.ltc[i], activation_factor[j], ap)
        people.ti_op_followup[i] = next_week if again else -1


AdmittedPeople = namedtuple("AdmittedPeople", ("uid", "n_admit", "ti_discharge", "dependence",
                                               "ti_op_followup"))


@njit(cache=True, error_model="numpy")
def admit(admitted, stay, people, seen, week, ap, draws):
    """Residents ``admitted`` (a row again for each admission of the same person) go into
    a bed for ``stay`` weeks; the cascade raises dependence (``dependence_per_cascade``);
    an admission may lead to an outpatient follow-up ``discharge_followup_weeks`` after
    discharge (``p_refer_after_admission``, ``draws``: crn, key, sequential draws), if
    none is booked. ``people`` is :data:`AdmittedPeople`.

    As NumPy's scatters over the rows did: a person admitted twice is counted and moved
    once, their discharge is the last admission's, and whether one is booked is read
    from the bookings before the week's (``seen``: a zero byte a resident, left zero).
    """
    crn, key, useq = draws
    one, cascade = np.float32(1.0), np.float32(ap.dependence_per_cascade)
    follow = np.empty(admitted.size, np.bool_)
    for j in range(admitted.size):
        i = admitted[j]
        people.ti_discharge[i] = week + stay[j]
        u = _unit(people.uid[i], key) if crn else useq[j]
        follow[j] = (u < ap.p_refer_after_admission) & (people.ti_op_followup[i] < 0)
        if seen[i] == 0:
            seen[i] = 1
            people.n_admit[i] += 1
            d = people.dependence[i]
            people.dependence[i] = d + cascade * (one - d)  # float32, as NumPy's update was
    later = np.int64(ap.discharge_followup_weeks)
    for j in range(admitted.size):
        i = admitted[j]
        seen[i] = 0
        if follow[j]:
            people.ti_op_followup[i] = people.ti_discharge[i] + later
