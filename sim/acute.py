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

from .logistic import expit, logit
from .mesa_import import mesa
from .need import ACUTE, FLARE

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
    people, a, s, week, log = model.people, model.spec.acute, model.streams, model.week, model.log
    trust = model.acute
    arrivals = model.ae_arrivals
    rows, kind = arrivals.rows, arrivals.kind
    log.ae_attendances += int(rows.size)
    people.n_ae[rows] += 1
    people.cum_ae[rows] += 1

    # Admission: odds rise with age and conditions; bounded by free beds.
    uid = people.uid[rows]
    # Admission odds by the kind of need that brought a person to A&E.
    factor = np.where(kind == ACUTE, 1.0, np.where(kind == FLARE, a.admit_share_flare,
                                                   a.admit_share_other))
    # Pay-for-performance (QOF) incentivises the care of diagnosed long-term conditions;
    # the model does not know an admission's cause, so the flares and acute episodes of
    # people with a diagnosed condition stand for admissions for incentivised conditions.
    if model.levers.incentivised_admission != 1.0:
        managed = (people.diagnosed[rows] > 0) & ((kind == FLARE) | (kind == ACUTE))
        factor[managed] *= model.levers.incentivised_admission
    p_admit = factor * expit(logit(a.p_admit)
                             + a.admit_age_slope * (people.age[rows] - a.admit_age_centre)
                             + a.admit_per_ltc * people.ltc[rows])
    u = s.uniform("acute.admit", uid)
    want = np.flatnonzero(u < p_admit)
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
    people.n_admit[admitted] += 1
    if model.journeys is not None:  # a few residents are followed (sim.journey)
        model.journeys.note("admitted", admitted)
    stay = _length_of_stay(s.uniform("acute.stay", people.uid[admitted]), a.length_of_stay_weeks)
    people.ti_discharge[admitted] = week + stay
    trust.occupied += int(admitted.size)
    dep = people.dependence
    dep[admitted] += a.dependence_per_cascade * (1.0 - dep[admitted])
    follow = admitted[(s.uniform("acute.after_admission", people.uid[admitted])
                       < a.p_refer_after_admission) & (people.ti_op_followup[admitted] < 0)]
    people.ti_op_followup[follow] = people.ti_discharge[follow] + a.discharge_followup_weeks

    _outpatients(model)


def _length_of_stay(u: np.ndarray, mean_weeks: float) -> np.ndarray:
    """Whole weeks in a bed: geometric with the given mean (at least one week)."""
    if mean_weeks <= 1.0:
        return np.ones(u.size, dtype=np.int32)
    return np.ceil(np.log(np.maximum(u, 1e-12)) / np.log(1.0 - 1.0 / mean_weeks)).astype(np.int32)


def _outpatients(model: "HealthSystemModel") -> None:
    """Outpatient appointments that fall due this week, and their cascade."""
    people, a, s, week = model.people, model.spec.acute, model.streams, model.week
    from . import kernels

    n = people.n
    due = kernels.due(people.alive[:n], people.ti_op_followup[:n], people.ti_discharge[:n], week)
    model.log.outpatient_attendances += int(due.size)
    people.n_op[due] += 1
    if model.journeys is not None:
        model.journeys.note("outpatients", due)
    uid = people.uid[due]
    # Assessments find conditions not yet known.
    finds = due[(people.diagnosed[due] < people.ltc[due])
                & (s.uniform("acute.op_finds", uid) < a.p_op_finds)]
    people.diagnosed[finds] += 1
    dep = people.dependence
    dep[due] += a.dependence_per_cascade * (1.0 - dep[due])
    p_next = np.minimum(a.p_op_followup * model.levers.op_followup
                        * (1.0 + a.op_followup_per_ltc * people.ltc[due])
                        * model.spec.need.rel_followup_activated
                        ** (people.activation[due] - model.spec.population.activation_centre),
                        model.spec.primary_care.followup_cap)
    again = s.uniform("acute.op_followup", uid) < p_next
    people.ti_op_followup[due] = np.where(again, week + int(round(a.op_followup_weeks)), -1)
