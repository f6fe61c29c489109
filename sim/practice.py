"""GP practices (``mesa.Agent``) and phase 4 of the week — primary care.

Each practice serves its registered list up to its weekly appointment capacity:
booked follow-ups and reviews first, then urgent requests, then minor complaints,
in a random order within each. Requests it cannot serve go to A&E, try again next
week, or give up (unmet need). A consultation may diagnose, book a follow-up, refer
to outpatients or (with social prescribing) to a link worker; its style moves the
patient: directive care raises dependence, shared decision-making raises activation.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from .mesa_import import mesa
from .need import KIND_NAMES, PRIORITY, Requests, columns, compiled

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
    kernels = compiled()
    people, pc, s, log, lev = model.people, model.spec.primary_care, model.streams, model.log, \
        model.levers
    req: Requests = model.gp_requests
    model.link_worker_referrals = _NO_ROWS
    rows, kind = req.rows, req.kind
    practices = model.practices
    n_practices = len(practices)
    capacity = np.array([p.capacity for p in practices]) * lev.gp_capacity
    if lev.practice_capacity is not None:  # time freed by improvement (per practice)
        capacity = capacity * lev.practice_capacity
    capacity = np.floor(capacity + s.generator("primary_care.rounding").random(n_practices))

    # Ration: each practice serves its requests by priority, then in a random order
    # (one draw per request), up to its capacity.
    run = kernels.ration_requests_threads if kernels.threaded(rows.size) \
        else kernels.ration_requests
    served_mask, demand, served_n = run(
        rows, kind, people.practice, PRIORITY, people.uid,
        s.kernel_draws("primary_care.queue", rows.size), capacity)

    # Unserved requests: to A&E, try again next week, or give up (one compiled pass,
    # which also picks out the served).
    unserved_n = rows.size - int(np.count_nonzero(served_mask))
    stay = pc.p_unserved_ae + (1 - pc.p_unserved_ae) * pc.p_unserved_retry  # A&E or retry
    sent_rows, sent_kind, gave_up, carried, served_rows, served_kind = kernels.unserved_requests(
        rows, kind, served_mask, columns(people, kernels.primary_care.UnservedPeople),
        resident_marks(model), s.kernel_draws("primary_care.unserved", unserved_n),
        pc.p_unserved_ae, stay, n_practices)
    log.unmet_need += int(gave_up.size)
    log.ae_after_failed_gp += int(sent_rows.size)
    ae = model.ae_arrivals
    model.ae_arrivals = Requests(np.concatenate((ae.rows, sent_rows)),
                                 np.concatenate((ae.kind, sent_kind)))
    carried, demand, served_n = carried.tolist(), demand.tolist(), served_n.tolist()
    for p in practices:
        p.update_wait(demand[p.index], served_n[p.index], carried[p.index])
    model.practice_wait[:] = [p.wait_weeks for p in practices]

    consult(model, served_rows, served_kind)


_NO_ROWS = np.empty(0, np.int64)


def consult(model: "HealthSystemModel", rows: np.ndarray, kind: np.ndarray) -> None:
    """Outcomes of consultations that took place.

    Two compiled passes over the consultations (:func:`sim.kernels.consult_style`, then
    :func:`sim.kernels.consult_bookings`) with their factors made here by NumPy, over
    the few values they take (per practice, per count of conditions), exactly as NumPy
    made them over the consultations: the same numbers to the bit.
    """
    kernels = compiled()
    k = kernels.primary_care
    people, pc, s, lev = model.people, model.spec.primary_care, model.streams, model.levers
    model.log.gp_appointments += int(rows.size)
    seen = resident_marks(model)
    if s.crn:
        # In row order: with common random numbers each outcome is the person's own, so
        # the order changes none of them, and the passes then go through memory in order
        # (four times quicker at a million residents). Sorted as one key of row and kind
        # (a vectorised sort; a person's consultations then come by kind, which changes
        # nothing either). Without them, draws are dealt out in order, which must stay.
        code = (rows << _KIND_BITS) | kind
        code.sort()
        rows, kind = code >> _KIND_BITS, (code & ((1 << _KIND_BITS) - 1)).astype(np.int8)

    # Consultation style: directive care teaches reliance, shared decisions build activation.
    dependence_gain, activation_gain, follow_style = _by_style(model)
    # Flares and acute episodes of an undiagnosed condition may be diagnosed; while a
    # campaign is on air, so may a minor complaint (the symptom was the condition's).
    effects = k.StyleEffects(dependence_gain, activation_gain,
                             float(pc.p_diagnose_flare), float(lev.diagnose_low))
    crn, key, useq = s.kernel_draws("primary_care.diagnose", rows.size)
    # In threads only in row order (see sim.kernels.primary_care.resident_edges).
    threads = crn and kernels.threaded(rows.size)
    style_pass = kernels.consult_style_threads if threads else kernels.consult_style
    bookings_pass = kernels.consult_bookings_threads if threads else kernels.consult_bookings
    act_after, met = style_pass(rows, kind, columns(people, k.ConsultPeople), seen, effects,
                                (crn, key, useq))

    booking = _booking(model, follow_style)
    link = booking.link
    follow_activation = (model.spec.need.rel_followup_activated
                         ** (act_after - model.spec.population.activation_centre))
    # The link workers' stream is drawn from only when they take anyone (as before).
    if crn:
        keys = np.array([s.key(name) if link or name != _BOOKING_STREAMS[-1] else 0
                         for name in _BOOKING_STREAMS], np.uint64)
        sequential = _NO_SEQUENTIAL
    else:
        sequential = np.stack([s.kernel_draws(name, rows.size)[2]
                               if link or name != _BOOKING_STREAMS[-1] else np.empty(rows.size)
                               for name in _BOOKING_STREAMS])
        keys = _NO_KEYS
    averted, eligible, u = bookings_pass(rows, kind, met, columns(people, k.ReferPeople), seen,
                                          follow_activation, booking, (crn, keys, sequential))
    model.followups_averted = averted
    if link:
        candidates = rows[eligible]
        first = np.argsort(u, kind="stable")[: lev.link_worker_places]
        offered = candidates[first]
        # A person seen twice this week (a complaint and its retry) is referred once.
        offered = kernels.first_occurrences(offered, seen)
        model.link_worker_referrals = offered
        model.log.link_worker_referrals += int(offered.size)


def _by_style(model: "HealthSystemModel") -> tuple:
    """What each practice's consultation style (``practice_style`` shifted by the levers,
    within 0..1) makes this week: the gains of dependence and activation of a
    consultation, and the style's factor of follow-up booking (float64). Made again only
    when the styles or the parameters change (most weeks they do not)."""
    pc, shift = model.spec.primary_care, model.levers.consultation_style_shift
    key = (model.practice_style.tobytes(), shift, pc)
    made = getattr(model, "_by_style", None)
    if made is not None and made[0] == key:
        return made[1]
    style = np.clip(model.practice_style + shift, 0.0, 1.0)
    tables = (pc.dependence_per_directive * (1.0 - style), pc.activation_per_shared * style,
              _f64(pc.followup_directive - pc.followup_per_style * style))
    model._by_style = (key, tables)
    return tables


def _booking(model: "HealthSystemModel", follow_style: np.ndarray):
    """What books this week's follow-ups, referrals and link worker offers
    (:data:`sim.kernels.primary_care.Booking`), but the activation factor;
    ``follow_style`` is the style's factor by practice (:func:`_by_style`)."""
    pc, lev, week = model.spec.primary_care, model.levers, model.week
    # Follow-up: more for people with more conditions, fewer under shared decisions,
    # scaled by the levers for resolution (targets) and failure demand (co-design).
    follow_ltc = _per_condition(pc.p_followup * lev.followup * lev.failure_demand,
                                pc.followup_per_ltc)
    # Referral to outpatients (one pathway at a time).
    refer_ltc = _per_condition(pc.p_refer * lev.refer, pc.refer_per_ltc)
    # Social prescribing: minor complaints may be referred to a link worker, up to the
    # places the link workers have this week.
    link = bool(lev.link_worker_share > 0 and lev.link_worker_places > 0)
    by_area = link and lev.link_worker_weight is not None
    link_share = (lev.link_worker_share * lev.link_worker_weight) if by_area \
        else np.array([lev.link_worker_share])
    return compiled().primary_care.Booking(
        follow_ltc, follow_style,
        _f64(lev.practice_followup) if lev.practice_followup is not None else _NONE,
        float(pc.followup_cap), week + int(round(pc.followup_weeks)), refer_ltc,
        week + int(round(pc.referral_wait_weeks)), link, _f64(link_share), by_area)


_KIND_BITS = (len(KIND_NAMES) - 1).bit_length()  # bits of a request's kind code
_LTC_VALUES = np.arange(np.iinfo(np.int8).max + 1, dtype=np.float32)  # every count an int8 holds
_NONE = np.empty(0, np.float64)
_BOOKING_STREAMS = ("primary_care.followup", "primary_care.refer", "primary_care.link_worker")
_NO_KEYS = np.zeros(len(_BOOKING_STREAMS), np.uint64)
_NO_SEQUENTIAL = np.empty((len(_BOOKING_STREAMS), 0), np.float64)


def _per_condition(base, per_ltc) -> np.ndarray:
    """``base * (1 + per_ltc * ltc)`` for every count of conditions ``ltc``, as float64
    (:func:`_f64`): remembered, as the week asks for the same numbers again."""
    return _per_condition_of(base, type(base), per_ltc, type(per_ltc))


@functools.lru_cache(maxsize=8)
def _per_condition_of(base, base_type, per_ltc, per_type) -> np.ndarray:
    # Keyed by the numbers' types too: a NumPy float64 would make the product float64,
    # a Python float leaves it float32 (what NumPy made, widened afterwards).
    # Shared by the weeks that ask: the passes only read it.
    return _f64(base * (1.0 + per_ltc * _LTC_VALUES))


def _f64(values) -> np.ndarray:
    """``values`` as float64 (exactly: NumPy widened them so where it met float64)."""
    return np.ascontiguousarray(values, dtype=np.float64)


def resident_marks(model: "HealthSystemModel") -> np.ndarray:
    """A byte a resident, zero between the passes that use it (consultations, admissions)
    to mark whom they have met."""
    seen = getattr(model, "_consult_seen", None)
    if seen is None or seen.size < model.people.capacity:
        seen = model._consult_seen = np.zeros(model.people.capacity, np.uint8)
    return seen
