"""Phases 2 and 3 of the week — need, and where people turn with it.

Need: a low-level complaint, a flare of a long-term condition, an acute episode, or
a planned review, with probabilities from each person's state and the season.
Where to turn: a multinomial-logit choice among self-care, peers or a group, a GP,
and A&E, whose utilities come from dependence, activation, connectedness, group
membership and the practice's waiting time. Flares and acute episodes go to a GP or
A&E by severity. The result is this week's GP requests and A&E arrivals.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .model import HealthSystemModel

__all__ = ["Requests", "arise_needs", "choose_care", "LOW", "FLARE", "ACUTE", "REVIEW",
           "FOLLOWUP", "RETRY", "SCREEN_FOLLOWUP", "KIND_NAMES"]

# Kinds of request; the order is the priority a practice serves them in (booked first).
FOLLOWUP, REVIEW, SCREEN_FOLLOWUP, ACUTE, FLARE, RETRY, LOW = range(7)
KIND_NAMES = ("follow-up", "review", "screening follow-up", "acute", "flare", "retry", "minor")
PRIORITY = np.array([0, 0, 0, 1, 1, 1, 2], dtype=np.int8)

WEEK = 1.0 / 52.0
SEASON_PEAK_WEEK = 40  # week 0 is 1 April; the winter peak falls in early January


@dataclass
class Requests:
    """Who asks for care this week and for what (parallel arrays)."""

    rows: np.ndarray
    kind: np.ndarray

    @classmethod
    def empty(cls) -> "Requests":
        """No requests."""
        return cls(np.empty(0, np.int64), np.empty(0, np.int8))

    @classmethod
    def concat(cls, parts: list[tuple[np.ndarray, int | np.ndarray]]) -> "Requests":
        """Join (rows, kind) pieces into one set of requests."""
        if not parts:
            return cls.empty()
        rows = np.concatenate([r for r, _ in parts]).astype(np.int64, copy=False)
        kind = np.empty(rows.size, np.int8)
        at = 0
        for r, k in parts:  # a kind for each part, or one per row
            kind[at: at + r.size] = k
            at += r.size
        return cls(rows, kind)

    def __len__(self) -> int:
        return int(self.rows.size)


@dataclass
class Needs:
    """This week's needs (row indices)."""

    low: np.ndarray
    flare: np.ndarray
    acute: np.ndarray
    review: np.ndarray


def season(week: int, amplitude: float) -> float:
    """Seasonal multiplier of minor illness and acute episodes (peak in winter)."""
    return 1.0 + amplitude * np.cos(2.0 * np.pi * (week - SEASON_PEAK_WEEK) / 52.0)


def arise_needs(model: "HealthSystemModel") -> None:
    """Phase 2: draw this week's needs for everyone at home.

    One compiled pass (:func:`sim.kernels.needs`) draws the four kinds for everyone at
    home (and counts those in a hospital bed); it decides each event as the expressions
    of :func:`need_probabilities` do, handing back the rare rows too close to call,
    which are evaluated with them.
    """
    from . import kernels

    people, nd, s = model.people, model.spec.need, model.streams
    n = people.n
    f = season(model.week, model.spec.health.seasonality)
    names = ("need.low", "need.flare", "need.review", "need.acute")
    if s.crn:
        crn, keys, useq = True, np.array([s.key(k) for k in names], np.uint64), _NO_DRAWS
    else:
        crn, keys = False, np.zeros(4, np.uint64)
        useq = np.stack([s.kernel_draws(k, n)[2] for k in names])
    t = _need_tables(nd, f)
    out = kernels.needs(
        people.alive[:n], people.ti_discharge[:n], model.week, people.wellbeing[:n],
        people.activation[:n], people.ltc[:n], people.diagnosed[:n], people.age[:n],
        people.deprivation[:n], people.uid[:n], crn, keys, useq, t.low_lo, t.low_hi, t.c_low,
        t.flare_lo, t.flare_hi, t.c_flare, t.log_rel_flare, t.p_review, t.age_lo, t.age_hi,
        AGE_BINS, t.c_acute, float(nd.acute_age_slope), t.ltc_mult, t.dq_mult, t.act_lo,
        t.act_hi, float(np.log(nd.rel_acute_activated)))
    # Rows the kernel could not call are decided by the model's own expressions.
    found = []
    for kind in range(4):
        certain, amb, amb_u = out[3 * kind: 3 * kind + 3]
        if amb.size:
            p = need_probabilities(model, amb, f)[kind]
            certain = _merge(certain, amb[amb_u < p])
        found.append(certain)
    low, flare, review, acute = found
    model.needs = Needs(low=low, flare=flare, acute=acute, review=review)
    # The pass also counted who is in a bed: no one is admitted, discharged, born or
    # dies between here and the acute phase, which needs the count.
    model.acute.occupied = int(out[12])


def need_probabilities(model: "HealthSystemModel", rows, f: float):
    """This week's probabilities of (low, flare, review, acute) need for ``rows``."""
    people, nd = model.people, model.spec.need
    w = people.wellbeing[rows]
    p_low = nd.low_per_year * WEEK * f * np.exp(1.5 * (0.65 - w))

    # Activated people manage their conditions and spot deterioration early, so they
    # have fewer flares and acute episodes (Deeny et al. 2018; Hibbard & Gilburt 2014).
    # The rate ratios are per unit of activation, centred on activation 0.5.
    act = people.activation[rows] - 0.5
    ltc = people.ltc[rows].astype(np.float32)
    p_flare = 1.0 - np.exp(-nd.flares_per_ltc_year * WEEK * f * ltc
                           * nd.rel_flare_activated ** act)

    diagnosed = people.diagnosed[rows].astype(np.float32)
    p_review = 1.0 - np.exp(-nd.reviews_per_diagnosed_year * WEEK * diagnosed)

    # Acute episodes: rise with age; each undiagnosed condition multiplies the rate by
    # rel_acute_per_ltc, a managed (diagnosed) one by less.
    age = people.age[rows]
    undiagnosed = ltc - diagnosed
    exponent = undiagnosed + nd.rel_acute_managed * diagnosed
    q = people.deprivation[rows].astype(np.float32)
    p_acute = (nd.acute_per_year_age40 * WEEK * f * np.exp(nd.acute_age_slope * (age - 40.0))
               * nd.rel_acute_per_ltc ** exponent
               * nd.acute_deprivation_ratio ** ((5.0 - q) / 4.0)
               * nd.rel_acute_activated ** act)
    return p_low, p_flare, p_review, p_acute


_NO_DRAWS = np.empty((4, 0), np.float64)
BINS = 1024  # bins of wellbeing and activation (0..1) for the kernel's bounds
AGE_BINS = 8  # bins a year of age
SHRINK, WIDEN = 1.0 - 1e-3, 1.0 + 1e-3  # margins: far wider than float32 rounding


class _NeedTables:
    """Bounds on this week's need probabilities for :func:`sim.kernels.needs`.

    Each is a lower and an upper bound over a bin of the state it depends on, widened by
    the margins, so NumPy's probability (the same quantity in float32 arithmetic) lies
    strictly between them.
    """

    def __init__(self, nd, f: float):
        edges = np.arange(BINS + 2) / BINS  # bin b covers [edges[b], edges[b + 1])
        # Low-level complaints: c exp(1.5 (0.65 - w)), falling with wellbeing w.
        self.c_low = float(nd.low_per_year * WEEK * f)
        curve = self.c_low * np.exp(1.5 * (0.65 - edges))
        self.low_lo = curve[1:] * SHRINK - 1e-12
        self.low_hi = curve[:-1] * WIDEN + 1e-12
        # A factor rel ** (activation - 0.5), over bins of activation.
        def act_bounds(rel):
            ends = rel ** (edges - 0.5)
            return np.minimum(ends[:-1], ends[1:]) * SHRINK, np.maximum(ends[:-1], ends[1:]) * WIDEN
        # Flares: 1 - exp(-x) with x = c k rel ** (a - 0.5); x - x^2 / 2 <= 1 - exp(-x) <= x.
        self.c_flare = float(nd.flares_per_ltc_year * WEEK * f)
        self.log_rel_flare = float(np.log(nd.rel_flare_activated))
        lo, hi = act_bounds(nd.rel_flare_activated)
        x_lo = self.c_flare * lo  # per condition; the kernel multiplies by the count
        self.flare_lo = np.maximum(x_lo - 40.0 * x_lo * x_lo / 2.0, 0.0) * SHRINK - 1e-12
        self.flare_hi = self.c_flare * hi * WIDEN + 1e-12
        # Reviews depend only on the count of diagnosed conditions: NumPy's own values.
        self.p_review = (1.0 - np.exp(-nd.reviews_per_diagnosed_year * WEEK
                                      * np.arange(128, dtype=np.float32))).astype(np.float64)
        # Acute episodes: c exp(slope (age - 40)) ltc_mult[k, d] dq[q] rel ** (a - 0.5).
        self.c_acute = float(nd.acute_per_year_age40 * WEEK * f)
        ages = np.arange(131 * AGE_BINS + 1) / AGE_BINS
        curve = self.c_acute * np.exp(nd.acute_age_slope * (ages - 40.0))
        self.age_lo = np.minimum(curve[:-1], curve[1:]) * SHRINK
        self.age_hi = np.maximum(curve[:-1], curve[1:]) * WIDEN
        self.age_lo[-1], self.age_hi[-1] = 0.0, np.inf  # beyond the table: always compute
        self.ltc_mult = _acute_ltc_mult(float(nd.rel_acute_per_ltc), float(nd.rel_acute_managed))
        self.dq_mult = nd.acute_deprivation_ratio ** ((5.0 - np.arange(6.0)) / 4.0)
        self.act_lo, self.act_hi = act_bounds(nd.rel_acute_activated)


@functools.lru_cache(maxsize=256)
def _need_tables(nd, f: float) -> _NeedTables:
    # Keyed by the (frozen, hashable) need parameters and the season: the seasons of a
    # ten-year run take about 140 distinct values, and each set of tables is ~50 kB.
    return _NeedTables(nd, f)


@functools.lru_cache(maxsize=8)
def _acute_ltc_mult(rel_per_ltc: float, rel_managed: float) -> np.ndarray:
    """rel_per_ltc ** (undiagnosed + rel_managed x diagnosed), by (conditions, diagnosed).

    The same every week for given parameters (128 x 128 powers), so made once.
    """
    k = np.arange(128, dtype=np.float64)
    table = rel_per_ltc ** ((k[:, None] - k[None, :]) + rel_managed * k[None, :])
    table.flags.writeable = False
    return table


def _merge(sorted_rows: np.ndarray, extra: np.ndarray) -> np.ndarray:
    """Merge a few more rows into an ascending array of rows, keeping it ascending."""
    if extra.size == 0:
        return sorted_rows
    return np.insert(sorted_rows, np.searchsorted(sorted_rows, extra), extra)


def low_need_choice_probabilities(model: "HealthSystemModel", rows: np.ndarray) -> np.ndarray:
    """Probabilities (rows x [self-care, peers, GP, A&E]) for low-level complaints."""
    people, c = model.people, model.spec.choice
    wait = model.practice_wait[people.practice[rows]]
    member = people.group[rows] >= 0
    u_self = c.activation_weight * people.activation[rows]
    u_peer = (c.low_peer_base + c.connectedness_weight * people.connectedness[rows]
              + c.group_weight * member)
    dep = people.dependence[rows]
    u_gp = c.low_gp_base + c.dependence_weight * dep - c.wait_weight * wait \
        + model.levers.low_gp_utility
    u_ae = c.low_ae_base + c.dependence_weight * dep + 0.3 * c.wait_weight * wait
    util = np.stack([u_self, u_peer, u_gp, u_ae], axis=1).astype(np.float64)
    util -= util.max(axis=1, keepdims=True)
    expu = np.exp(util)
    return expu / expu.sum(axis=1, keepdims=True)


SELF, PEERS, GP, AE = range(4)


def _low_need_choice(model: "HealthSystemModel", low: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Where each low-level complaint goes: the first option whose cumulative
    probability (:func:`low_need_choice_probabilities`) the draw ``u`` does not exceed.

    A compiled kernel decides all but the draws within 1e-9 of a cumulative
    probability; those are decided here with the NumPy expressions.
    """
    from . import kernels

    people, c = model.people, model.spec.choice
    f32 = np.float32
    choice = kernels.low_need_choice(
        low, u, model.practice_wait, people.practice, people.group, people.activation,
        people.connectedness, people.dependence, f32(c.activation_weight), f32(c.low_peer_base),
        f32(c.connectedness_weight), float(c.group_weight), f32(c.low_gp_base),
        f32(c.dependence_weight), float(c.wait_weight), float(model.levers.low_gp_utility),
        f32(c.low_ae_base), float(0.3 * c.wait_weight))
    unsure = np.flatnonzero(choice < 0)
    if unsure.size:
        probs = low_need_choice_probabilities(model, low[unsure])
        exact = (u[unsure][:, None] > np.cumsum(probs, axis=1)).sum(axis=1)
        choice[unsure] = np.minimum(exact, AE)
    return choice


def choose_care(model: "HealthSystemModel") -> None:
    """Phase 3: decide where each need goes; fill ``model.gp_requests`` and ``model.ae_arrivals``."""
    from . import kernels

    people, c, s, week = model.people, model.spec.choice, model.streams, model.week
    needs = model.needs

    # Low-level complaints: logit choice.
    low = needs.low
    u = s.uniform("choice.low", people.uid[low])
    choice = _low_need_choice(model, low, u)
    to_gp, to_ae = low[choice == GP], low[choice == AE]
    model.log.low_needs += int(low.size)
    model.log.low_to_service += int(to_gp.size + to_ae.size)
    # Counts, and managing oneself or with peers builds activation (or connection) and
    # loosens dependence: one compiled pass over the complaints.
    kernels.low_need_outcomes(low, choice, SELF, PEERS, GP, AE, people.n_low,
                              people.n_low_service, people.activation, people.dependence,
                              people.connectedness, float(c.activation_per_self_care),
                              float(c.dependence_per_self_care),
                              float(c.connectedness_per_peer_help))

    # Flares and acute episodes go by severity.
    flare, acute = needs.flare, needs.acute
    flare_ae = s.uniform("choice.flare", people.uid[flare]) < c.flare_ae_share
    acute_ae = s.uniform("choice.acute", people.uid[acute]) < c.acute_ae_share

    # Booked follow-ups that fall due, and last week's unserved requests trying again.
    n = people.n
    due = kernels.due(people.alive[:n], people.ti_gp_followup[:n], people.ti_discharge[:n], week)
    people.ti_gp_followup[due] = -1
    retry = np.flatnonzero(people.gp_waiting[:n])  # deaths clear it (remove_residents)
    people.gp_waiting[retry] = False

    model.gp_requests = Requests.concat([
        (due, FOLLOWUP), (needs.review, REVIEW), (acute[~acute_ae], ACUTE),
        (flare[~flare_ae], FLARE), (retry, RETRY), (to_gp, LOW)])
    model.ae_arrivals = Requests.concat([
        (acute[acute_ae], ACUTE), (flare[flare_ae], FLARE), (to_ae, LOW)])
