"""Acute care's compiled passes (sim.kernels.acute) against the vectorised NumPy form
they replaced, bit for bit, on a model's own residents and on random draws, with and
without common random numbers; a resident who comes (or is admitted) twice in a week is
counted and moved once, as NumPy's scatters did."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit, logit

from sim import HealthSystemModel, kernels
from sim.acute import acute_params
from sim.kernels import blocks, threads
from sim.kernels.acute import AdmitPeople, AdmittedPeople, OutpatientPeople
from sim.need import ACUTE, FLARE, LOW, columns
from sim.practice import resident_marks

from .test_threads import needs_two


@pytest.fixture(scope="module")
def model():
    """A place a year on, its people's conditions and activation spread out."""
    m = HealthSystemModel("targets", seed=3, population__size=3000,
                          population__neighbourhoods=2, system__burn_in_weeks=0)
    m.run(52)
    m.levers.incentivised_admission = 0.8  # the pay-for-performance lever acts
    m.levers.op_followup = 0.9
    return m


def _draws(rng, crn, m):
    """(crn, key, sequential draws) and the uniforms they give ``uid``s."""
    key = np.uint64(rng.integers(1, 2**63))
    return (True, key, np.empty(0)) if crn else (False, np.uint64(0), rng.random(m))


def _uniforms(draws, uid):
    crn, key, useq = draws
    return kernels.hash_uniform(key, uid) if crn else useq


@pytest.mark.parametrize("crn", [True, False])
def test_admission_chances_are_numpys_and_attendances_count_once(model, crn):
    rng = np.random.default_rng(1)
    p, a, lev = model.people, model.spec.acute, model.levers
    n = p.n
    rows = np.concatenate([rng.choice(n, 400, replace=False), np.arange(20)])  # 20 twice
    kind = rng.choice(np.array([ACUTE, FLARE, LOW], np.int8), rows.size)
    draws = _draws(rng, crn, rows.size)
    # The vectorised form of before (SciPy's expit, NumPy's promotions).
    factor = np.where(kind == ACUTE, 1.0, np.where(kind == FLARE, a.admit_share_flare,
                                                   a.admit_share_other))
    managed = (p.diagnosed[rows] > 0) & ((kind == FLARE) | (kind == ACUTE))
    factor[managed] *= lev.incentivised_admission
    expected = factor * expit(logit(a.p_admit) + a.admit_age_slope * (p.age[rows] - a.admit_age_centre)
                              + a.admit_per_ltc * p.ltc[rows])
    u = _uniforms(draws, p.uid[rows])
    n_ae, cum_ae = p.n_ae.copy(), p.cum_ae.copy()
    n_ae[rows] += 1
    cum_ae[rows] += 1
    got_u, got_p, want = kernels.admissions_wanted(
        rows, kind, columns(p, AdmitPeople), resident_marks(model),
        acute_params(model.spec, lev), draws)
    assert managed.any() and 0 < want.size < rows.size
    assert np.array_equal(got_p, expected)  # bit for bit
    assert np.array_equal(got_u, u) and np.array_equal(want, np.flatnonzero(u < expected))
    assert np.array_equal(p.n_ae, n_ae) and np.array_equal(p.cum_ae, cum_ae)
    assert not model._consult_seen.any()


@pytest.mark.parametrize("crn", [True, False])
def test_admitting_twice_moves_once_and_keeps_the_last_stay(model, crn):
    rng = np.random.default_rng(2)
    p, a = model.people, model.spec.acute
    admitted = np.concatenate([rng.choice(p.n, 300, replace=False), [7, 7, 11]])
    stay = rng.integers(1, 9, admitted.size).astype(np.int32)
    p.ti_op_followup[admitted[::3]] = -1  # some without a booking, who may get one
    draws = _draws(rng, crn, admitted.size)
    week = model.week
    # The vectorised form of before, on copies.
    n_admit, dep = p.n_admit.copy(), p.dependence.copy()
    discharge, booked = p.ti_discharge.copy(), p.ti_op_followup.copy()
    n_admit[admitted] += 1
    discharge[admitted] = week + stay
    dep[admitted] += a.dependence_per_cascade * (1.0 - dep[admitted])
    follow = admitted[(_uniforms(draws, p.uid[admitted]) < a.p_refer_after_admission)
                      & (booked[admitted] < 0)]
    booked[follow] = discharge[follow] + a.discharge_followup_weeks
    kernels.admit(admitted, stay, columns(p, AdmittedPeople), resident_marks(model), week,
                  acute_params(model.spec, model.levers), draws)
    assert follow.size > 0
    for got, expected in ((p.n_admit, n_admit), (p.dependence, dep),
                          (p.ti_discharge, discharge), (p.ti_op_followup, booked)):
        assert np.array_equal(got, expected)
    assert p.ti_discharge[7] == week + stay[-2]  # the last of the two stays
    assert not model._consult_seen.any()


@pytest.mark.parametrize("crn", [True, False])
def test_outpatient_attendances_are_numpys(model, crn):
    rng = np.random.default_rng(3)
    p, a, spec = model.people, model.spec.acute, model.spec
    due = np.sort(rng.choice(p.n, 500, replace=False))
    p.diagnosed[due] = 0  # conditions an assessment may find
    finds_draws, next_draws = _draws(rng, crn, due.size), _draws(rng, crn, due.size)
    week = model.week
    n_op, diagnosed, dep, booked = (p.n_op.copy(), p.diagnosed.copy(), p.dependence.copy(),
                                    p.ti_op_followup.copy())
    n_op[due] += 1
    finds = due[(diagnosed[due] < p.ltc[due])
                & (_uniforms(finds_draws, p.uid[due]) < a.p_op_finds)]
    diagnosed[finds] += 1
    dep[due] += a.dependence_per_cascade * (1.0 - dep[due])
    factor = spec.need.rel_followup_activated ** (p.activation[due]
                                                  - spec.population.activation_centre)
    p_next = np.minimum(a.p_op_followup * model.levers.op_followup
                        * (1.0 + a.op_followup_per_ltc * p.ltc[due]) * factor,
                        spec.primary_care.followup_cap)
    again = _uniforms(next_draws, p.uid[due]) < p_next
    booked[due] = np.where(again, week + int(round(a.op_followup_weeks)), -1)
    kernels.outpatient_visits(due, columns(p, OutpatientPeople), factor,
                              acute_params(spec, model.levers), finds_draws, next_draws,
                              week + int(round(a.op_followup_weeks)))
    assert finds.size > 0 and again.any() and not again.all()
    for got, expected in ((p.n_op, n_op), (p.diagnosed, diagnosed), (p.dependence, dep),
                          (p.ti_op_followup, booked)):
        assert np.array_equal(got, expected)


@needs_two
@pytest.mark.parametrize("crn", [True, False])
def test_outpatient_attendances_in_threads_are_the_plain_ones(model, crn):
    """outpatient_visits_threads changes the residents as the plain form does, bit for
    bit, on attendances enough for threads (residents made up, the rules' parameters
    the model's)."""
    rng = np.random.default_rng(8)
    n = 4 * blocks.BLOCK
    due = np.sort(rng.choice(n, 2 * blocks.BLOCK + 99, replace=False))
    factor = (rng.random(due.size) + 0.5).astype(np.float32)
    finds_draws, next_draws = _draws(rng, crn, due.size), _draws(rng, crn, due.size)
    ap = acute_params(model.spec, model.levers)
    after = []
    with threads.use_threads(2):
        for run in (kernels.outpatient_visits, kernels.outpatient_visits_threads):
            r = np.random.default_rng(9)
            ltc = r.integers(0, 5, n).astype(np.int8)
            people = OutpatientPeople(r.integers(0, 2**63, n).astype(np.uint64), ltc,
                                      (ltc * r.random(n)).astype(np.int8),
                                      r.random(n, np.float32), np.zeros(n, np.int16),
                                      np.full(n, -1, np.int32))
            before = [column.copy() for column in people]
            run(due, people, factor, ap, finds_draws, next_draws, 40)
            after.append(people)
    for a, b in zip(*after):
        assert np.array_equal(a, b)
    assert (after[0].n_op[due] == 1).all() and (after[0].diagnosed != before[2]).any()
    booked = after[0].ti_op_followup[due] == 40
    assert booked.any() and not booked.all()
