"""GP practices (``mesa.Agent``) and phase 4 of the week — primary care.

Each practice serves its registered list up to its weekly appointment capacity:
booked follow-ups and reviews first, then urgent requests, then minor complaints,
in a random order within each. Requests it cannot serve go to A&E, try again next
week, or give up (unmet need). A consultation may diagnose, book a follow-up, refer
to outpatients or (with social prescribing) to a link worker; its style moves the
patient: directive care raises dependence, shared decision-making raises activation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .mesa_import import mesa
from .need import ACUTE, FLARE, LOW, PRIORITY, RETRY, Requests

if TYPE_CHECKING:
    from .model import HealthSystemModel

__all__ = ["GPPractice", "serve_primary_care"]


class GPPractice(mesa.Agent):
    """One GP practice: its list, capacity, consultation style, queue and wait.

    Args:
        model: the model.
        index: the practice's number (residents' ``practice`` field).
        list_size: registered patients at the start.
    """

    def __init__(self, model: "HealthSystemModel", index: int, list_size: int):
        super().__init__(model)
        pc = model.spec.primary_care
        self.index = index
        self.list_size = int(list_size)
        self.capacity = pc.capacity_per_1000_week * self.list_size / 1000.0
        self.consultation_style = pc.consultation_style
        self.demand = 0
        self.served = 0
        self.backlog = 0  # requests carried to next week
        self.wait_weeks = 0.0

    def relist(self, list_size: int) -> None:
        """Update the registered list; capacity stays at its rate per 1,000 registered."""
        self.list_size = int(list_size)
        self.capacity = self.model.spec.primary_care.capacity_per_1000_week * self.list_size / 1000.0

    def update_wait(self, demand: int, served: int, carried: int) -> None:
        """Record the week and update the typical wait for a routine appointment.

        The wait rises with pressure (demand over capacity), from nothing at half
        capacity to ``wait_at_full`` at full capacity, smoothed over a few weeks.
        """
        self.demand, self.served, self.backlog = int(demand), int(served), int(carried)
        lev = self.model.levers
        own = 1.0 if lev.practice_capacity is None else lev.practice_capacity[self.index]
        capacity = max(self.capacity * lev.gp_capacity * own, 1e-9)
        pressure = demand / capacity
        pc = self.model.spec.primary_care
        free = pc.wait_free_pressure
        target = pc.wait_at_full * max(pressure - free, 0.0) / (1.0 - free)
        self.wait_weeks += pc.wait_adjust * (target - self.wait_weeks)


def serve_primary_care(model: "HealthSystemModel") -> None:
    """Phase 4: serve this week's GP requests, practice by practice."""
    from . import kernels

    people, pc, s, log = model.people, model.spec.primary_care, model.streams, model.log
    req: Requests = model.gp_requests
    model.link_worker_referrals = np.empty(0, np.int64)
    rows, kind = req.rows, req.kind
    practices = model.practices
    n_practices = len(practices)
    practice = people.practice[rows]
    capacity = np.array([p.capacity for p in practices]) * model.levers.gp_capacity
    if model.levers.practice_capacity is not None:  # time freed by improvement (per practice)
        capacity = capacity * model.levers.practice_capacity
    capacity = np.floor(capacity + s.generator("primary_care.rounding").random(n_practices))

    # Ration: each practice serves its requests by priority, then in a random order
    # (one draw per request), up to its capacity.
    key = s.uniform("primary_care.queue", people.uid[rows], draw=0)
    served_mask, demand, served_n = kernels.ration(
        practice, PRIORITY[kind], key, capacity, int(PRIORITY.max()) + 1)

    # Unserved requests: to A&E, try again next week, or give up.
    unserved = rows[~served_mask]
    unserved_kind = kind[~served_mask]
    u = s.uniform("primary_care.unserved", people.uid[unserved])
    to_ae = u < pc.p_unserved_ae
    retry = ~to_ae & (u < pc.p_unserved_ae + (1 - pc.p_unserved_ae) * pc.p_unserved_retry)
    people.gp_waiting[unserved[retry]] = True
    gave_up = unserved[~to_ae & ~retry]
    log.unmet_need += int(gave_up.size)
    people.n_unmet[gave_up] += 1
    log.ae_after_failed_gp += int(to_ae.sum())
    model.ae_arrivals = Requests.concat([(model.ae_arrivals.rows, model.ae_arrivals.kind),
                                         (unserved[to_ae], unserved_kind[to_ae])])
    carried = np.bincount(people.practice[unserved[retry]], minlength=n_practices)
    for p in practices:
        p.update_wait(demand[p.index], served_n[p.index], carried[p.index])
    model.practice_wait[:] = [p.wait_weeks for p in practices]

    consult(model, rows[served_mask], kind[served_mask])


def consult(model: "HealthSystemModel", rows: np.ndarray, kind: np.ndarray) -> None:
    """Outcomes of consultations that took place."""
    people, pc, s, week, lev = model.people, model.spec.primary_care, model.streams, model.week, model.levers
    if s.crn:
        # In row order: with common random numbers each outcome is the person's own, so
        # the order changes none of them, and the gathers and scatters below then go
        # through memory in order (a quarter quicker at a million residents). Without
        # them, draws are dealt out in order, which must then stay as it was.
        order = np.argsort(rows, kind="stable")
        rows, kind = rows[order], kind[order]
    model.log.gp_appointments += int(rows.size)
    people.n_gp[rows] += 1
    people.cum_gp[rows] += 1
    uid = people.uid[rows]

    # Consultation style: directive care teaches reliance, shared decisions build activation.
    style = np.clip(model.practice_style[people.practice[rows]] + lev.consultation_style_shift,
                    0.0, 1.0)
    dep, act = people.dependence, people.activation
    dep[rows] += pc.dependence_per_directive * (1.0 - style) * (1.0 - dep[rows])
    act[rows] += pc.activation_per_shared * style * (1.0 - act[rows])

    # Flares and acute episodes of an undiagnosed condition may be diagnosed; while a
    # campaign is on air, so may a minor complaint (the symptom was the condition's).
    undiagnosed = people.diagnosed[rows] < people.ltc[rows]
    symptomatic = (kind == FLARE) | (kind == ACUTE)
    u_find = s.uniform("primary_care.diagnose", uid)
    found = rows[undiagnosed & ((symptomatic & (u_find < pc.p_diagnose_flare))
                                | (((kind == LOW) | (kind == RETRY))
                                   & (u_find < lev.diagnose_low)))]
    people.diagnosed[found] += 1

    # Follow-up: more for people with more conditions, fewer under shared decisions,
    # scaled by the levers for resolution (targets) and failure demand (co-design).
    ltc = people.ltc[rows].astype(np.float32)
    p_follow = (pc.p_followup * lev.followup * lev.failure_demand
                * (1.0 + pc.followup_per_ltc * ltc)
                * (pc.followup_directive - pc.followup_per_style * style)
                * model.spec.need.rel_followup_activated
                ** (people.activation[rows] - model.spec.population.activation_centre))
    u_follow = s.uniform("primary_care.followup", uid)
    model.followups_averted = np.empty(0, np.int64)
    if lev.practice_followup is not None:  # an adopted improvement (quality_improvement)
        p_without = np.minimum(p_follow, pc.followup_cap)
        p_follow = p_follow * lev.practice_followup[people.practice[rows]]
        model.followups_averted = rows[(u_follow < p_without)
                                       & (u_follow >= np.minimum(p_follow, pc.followup_cap))]
    follow = rows[u_follow < np.minimum(p_follow, pc.followup_cap)]
    people.ti_gp_followup[follow] = week + int(round(pc.followup_weeks))

    # Referral to outpatients (one pathway at a time).
    p_refer = pc.p_refer * lev.refer * (1.0 + pc.refer_per_ltc * ltc)
    refer = rows[(s.uniform("primary_care.refer", uid) < p_refer)
                 & (people.ti_op_followup[rows] < 0)]
    people.ti_op_followup[refer] = week + int(round(pc.referral_wait_weeks))

    # Social prescribing: minor complaints may be referred to a link worker, up to the
    # places the link workers have this week.
    if lev.link_worker_share > 0 and lev.link_worker_places > 0:
        u = s.uniform("primary_care.link_worker", uid)
        share = lev.link_worker_share if lev.link_worker_weight is None else \
            lev.link_worker_share * lev.link_worker_weight[people.neighbourhood[rows]]
        eligible = ((kind == LOW) | (kind == RETRY)) & (u < share) \
            & (people.group[rows] < 0)
        first = np.argsort(u[eligible], kind="stable")[: lev.link_worker_places]
        offered = rows[eligible][first]
        # A person seen twice this week (a complaint and its retry) is referred once.
        offered = offered[np.sort(np.unique(offered, return_index=True)[1])]
        model.link_worker_referrals = offered
        model.log.link_worker_referrals += int(offered.size)
