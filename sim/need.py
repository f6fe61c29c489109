"""Phases 2 and 3 of the week — need, and where people turn with it.

Need: a low-level complaint, a flare of a long-term condition, an acute episode, or
a planned review, with probabilities from each person's state and the season.
Where to turn: a multinomial-logit choice among self-care, peers or a group, a GP,
and A&E, whose utilities come from dependence, activation, connectedness, group
membership and the practice's waiting time. Flares and acute episodes go to a GP or
A&E by severity. The result is this week's GP requests and A&E arrivals.
"""

from __future__ import annotations

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
        rows = [r for r, _ in parts]
        kinds = [np.broadcast_to(np.asarray(k, np.int8), r.shape) for r, k in parts]
        if not rows:
            return cls.empty()
        return cls(np.concatenate(rows).astype(np.int64), np.concatenate(kinds).astype(np.int8))

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
    """Phase 2: draw this week's needs for everyone at home."""
    people, nd, s = model.people, model.spec.need, model.streams
    n = people.n
    uid = people.uid[:n]
    at_home = people.alive[:n] & (people.ti_discharge[:n] <= model.week)
    f = season(model.week, model.spec.health.seasonality)

    w = people.wellbeing[:n]
    p_low = nd.low_per_year * WEEK * f * np.exp(1.5 * (0.65 - w))
    low = np.flatnonzero(at_home & (s.uniform("need.low", uid) < p_low))

    # Activated people manage their conditions and spot deterioration early, so they
    # have fewer flares and acute episodes (Deeny et al. 2018; Hibbard & Gilburt 2014).
    # The rate ratios are per unit of activation, centred on activation 0.5.
    act = people.activation[:n] - 0.5
    ltc = people.ltc[:n].astype(np.float32)
    p_flare = 1.0 - np.exp(-nd.flares_per_ltc_year * WEEK * f * ltc
                           * nd.rel_flare_activated ** act)
    flare = np.flatnonzero(at_home & (s.uniform("need.flare", uid) < p_flare))

    diagnosed = people.diagnosed[:n].astype(np.float32)
    p_review = 1.0 - np.exp(-nd.reviews_per_diagnosed_year * WEEK * diagnosed)
    review = np.flatnonzero(at_home & (s.uniform("need.review", uid) < p_review))

    # Acute episodes: rise with age; each undiagnosed condition multiplies the rate by
    # rel_acute_per_ltc, a managed (diagnosed) one by less.
    age = people.age[:n]
    undiagnosed = ltc - diagnosed
    exponent = undiagnosed + nd.rel_acute_managed * diagnosed
    q = people.deprivation[:n].astype(np.float32)
    p_acute = (nd.acute_per_year_age40 * WEEK * f * np.exp(nd.acute_age_slope * (age - 40.0))
               * nd.rel_acute_per_ltc ** exponent
               * nd.acute_deprivation_ratio ** ((5.0 - q) / 4.0)
               * nd.rel_acute_activated ** act)
    acute = np.flatnonzero(at_home & (s.uniform("need.acute", uid) < p_acute))
    model.needs = Needs(low=low, flare=flare, acute=acute, review=review)


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


def choose_care(model: "HealthSystemModel") -> None:
    """Phase 3: decide where each need goes; fill ``model.gp_requests`` and ``model.ae_arrivals``."""
    people, c, s, week = model.people, model.spec.choice, model.streams, model.week
    needs = model.needs

    # Low-level complaints: logit choice.
    low = needs.low
    probs = low_need_choice_probabilities(model, low)
    u = s.uniform("choice.low", people.uid[low])
    choice = (u[:, None] > np.cumsum(probs, axis=1)).sum(axis=1)
    choice = np.minimum(choice, AE)
    self_care, peers = low[choice == SELF], low[choice == PEERS]
    to_gp, to_ae = low[choice == GP], low[choice == AE]
    model.log.low_needs += int(low.size)
    model.log.low_to_service += int(to_gp.size + to_ae.size)
    people.n_low[low] += 1
    people.n_low_service[to_gp] += 1
    people.n_low_service[to_ae] += 1

    # Managing oneself or with peers builds activation and loosens dependence.
    act, dep, con = people.activation, people.dependence, people.connectedness
    act[self_care] += c.activation_per_self_care * (1.0 - act[self_care])
    dep[self_care] -= c.dependence_per_self_care * dep[self_care]
    con[peers] += c.connectedness_per_peer_help * (1.0 - con[peers])
    dep[peers] -= c.dependence_per_self_care * dep[peers]

    # Flares and acute episodes go by severity.
    flare, acute = needs.flare, needs.acute
    flare_ae = s.uniform("choice.flare", people.uid[flare]) < c.flare_ae_share
    acute_ae = s.uniform("choice.acute", people.uid[acute]) < c.acute_ae_share

    # Booked follow-ups that fall due, and last week's unserved requests trying again.
    n = people.n
    due = np.flatnonzero(people.alive[:n] & (people.ti_gp_followup[:n] >= 0)
                         & (people.ti_gp_followup[:n] <= week)
                         & (people.ti_discharge[:n] <= week))
    people.ti_gp_followup[due] = -1
    retry = np.flatnonzero(people.gp_waiting[:n] & people.alive[:n])
    people.gp_waiting[retry] = False

    model.gp_requests = Requests.concat([
        (due, FOLLOWUP), (needs.review, REVIEW), (acute[~acute_ae], ACUTE),
        (flare[~flare_ae], FLARE), (retry, RETRY), (to_gp, LOW)])
    model.ae_arrivals = Requests.concat([
        (acute[acute_ae], ACUTE), (flare[flare_ae], FLARE), (to_ae, LOW)])
