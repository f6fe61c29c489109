"""Acute services (``mesa.Agent``) and phase 5 of the week — acute care.

A&E receives this week's arrivals (acute episodes, flares, minor complaints and
requests general practice could not serve). Some are admitted, bounded by the beds
free this week; an admission may lead to outpatient follow-up. Outpatient
appointments fall due from referrals and earlier appointments, and cascade: once a
person is in the system, further assessments find more and book more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .logistic import logit
from .mesa_import import mesa
from .need import columns, compiled
from .practice import resident_marks

if TYPE_CHECKING:
    from .model import HealthSystemModel

__all__ = ["AcuteTrust", "run_acute_care"]


class AcuteTrust(mesa.Agent):
    """The place's acute hospital: A&E, emergency beds and outpatients.

    Args:
        model: the model.
        population: residents at the start (beds are sized per 1,000).
    """

    def __init__(self, model: "HealthSystemModel", population: int):
        super().__init__(model)
        self.beds = int(round(model.spec.acute.beds_per_1000 * population / 1000.0))
        self.occupied = 0
        self.turned_away = 0  # admissions refused for want of a bed, over the run


def run_acute_care(model: "HealthSystemModel") -> None:
    """Phase 5: A&E attendances, admissions bounded by beds, outpatient appointments."""
    kernels = compiled()
    people, s, log = model.people, model.streams, model.log
    trust = model.acute
    arrivals = model.ae_arrivals
    rows, kind = arrivals.rows, arrivals.kind
    log.ae_attendances += int(rows.size)

    # Attendances are counted; admission: odds rise with age and conditions, by the kind
    # of need that brought a person to A&E (sim.kernels.acute.p_admit); bounded by free
    # beds. Pay-for-performance (QOF) incentivises the care of diagnosed long-term
    # conditions; the model does not know an admission's cause, so the flares and acute
    # episodes of people with a diagnosed condition stand for admissions for
    # incentivised conditions.
    ap = acute_params(model.spec, model.levers)
    u, p_admit, want = kernels.admissions_wanted(
        rows, kind, columns(people, kernels.acute.AdmitPeople), resident_marks(model), ap,
        s.kernel_draws("acute.admit", rows.size))
    free = max(trust.beds - trust.occupied, 0)  # occupied: counted in phase 2 (arise_needs)
    if want.size > free:  # the sickest (lowest draw relative to risk) first
        order = np.argsort(u[want] / p_admit[want], kind="stable")
        turned = rows[want[order[free:]]]
        trust.turned_away += int(turned.size)
        log.unmet_need += int(turned.size)  # needed a bed and did not get one
        log.turned_away += int(turned.size)  # and costed as an admission elsewhere
        people.n_unmet[turned] += 1
        want = want[order[:free]]
    admitted = rows[want]
    log.emergency_admissions += int(admitted.size)
    if admitted.size:  # (none: nothing below changes anyone, and nothing is drawn)
        _admit(model, admitted)

    _outpatients(model)


def _admit(model: "HealthSystemModel", admitted: np.ndarray) -> None:
    """Residents ``admitted`` (a row again for each admission) go into a bed; an admission
    may lead to outpatient follow-up (:func:`sim.kernels.admit`)."""
    kernels = compiled()
    people, a, s = model.people, model.spec.acute, model.streams
    if model.journeys is not None:  # a few residents are followed (sim.journey)
        model.journeys.note("admitted", admitted)
    stay = _length_of_stay(s, people.uid[admitted], a.length_of_stay_weeks)
    kernels.admit(admitted, stay, columns(people, kernels.acute.AdmittedPeople),
                  resident_marks(model), model.week, acute_params(model.spec, model.levers),
                  s.kernel_draws("acute.after_admission", admitted.size))
    model.acute.occupied += int(admitted.size)


def acute_params(spec, levers):
    """The named tuple of the acute rules' parameters (:data:`sim.kernels.acute.AcuteParams`):
    made again only when a section or a lever it reads changes (the phase asks weekly)."""
    incentivised, op_followup = float(levers.incentivised_admission), float(levers.op_followup)
    key = (spec.acute, spec.primary_care, incentivised, op_followup)
    made, ap = _PARAMS.get("acute", (None, None))
    if made is not None and all(x is y or x == y for x, y in zip(made, key)):
        return ap
    from .kernels.bounds import rule_params

    ap = rule_params(compiled().acute.AcuteParams, spec.acute,
                     admit_log_odds=float(logit(spec.acute.p_admit)),
                     incentivised_admission=incentivised, op_followup_lever=op_followup,
                     followup_cap=float(spec.primary_care.followup_cap))
    _PARAMS["acute"] = (key, ap)
    return ap


_PARAMS: dict = {}


def _length_of_stay(s, uids: np.ndarray, mean_weeks: float) -> np.ndarray:
    """Whole weeks in a bed of the residents ``uids``, on their draws of ``acute.stay``:
    geometric with the given mean (at least one week)."""
    if mean_weeks <= 1.0:
        if not s.crn:  # drawn all the same, as the sequence that follows depends on it
            s.uniform("acute.stay", uids)
        return np.ones(uids.size, dtype=np.int32)
    u = s.uniform("acute.stay", uids)
    return np.ceil(np.log(np.maximum(u, 1e-12)) / np.log(1.0 - 1.0 / mean_weeks)).astype(np.int32)


def _outpatients(model: "HealthSystemModel") -> None:
    """Outpatient appointments that fall due this week, and their cascade: one compiled
    pass (:func:`sim.kernels.outpatient_visits`) but the activation factor of booking
    another, a float32 power NumPy takes."""
    kernels = compiled()
    people, a, s, week = model.people, model.spec.acute, model.streams, model.week
    n = people.n
    due = kernels.due(people.alive[:n], people.ti_op_followup[:n], people.ti_discharge[:n], week)
    model.log.outpatient_attendances += int(due.size)
    if model.journeys is not None:
        model.journeys.note("outpatients", due)
    if due.size == 0:  # nothing to change, and nothing is drawn
        return
    spec = model.spec
    activation_factor = (spec.need.rel_followup_activated
                         ** (people.activation[due] - spec.population.activation_centre))
    # In threads where the place is big enough and the attendances fill more than one
    # block (sim.kernels.blocks): each is about fifty nanoseconds of scattered reads.
    run = kernels.outpatient_visits_threads \
        if kernels.threaded(n) and due.size > kernels.blocks.BLOCK \
        else kernels.outpatient_visits
    run(due, columns(people, kernels.acute.OutpatientPeople),
        activation_factor, acute_params(spec, model.levers),
        s.kernel_draws("acute.op_finds", due.size), s.kernel_draws("acute.op_followup", due.size),
        week + int(round(a.op_followup_weeks)))
