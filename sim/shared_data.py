"""Shared data: the place's weekly data, what those who act see of it, and when.

With ``shared_data.enabled``, each week (phase 8, before the policies act) the place
records its data: GP demand, unmet need and lonely adults by neighbourhood, group
vitality by neighbourhood, and each practice's booked follow-ups and turned-away
requests (the appointments its failure demand and its waits cost). Who sees what
depends on ``system.governance``:

- **distributed**: practices, groups and the commissioner see each week's data
  ``lag_weeks`` later, at the declared ``granularity``, and respond where they act:
  grants (``community_development``) are re-chosen every week, a share of them
  (``response_strength``) shared out among neighbourhoods by how high their
  loneliness and demand are, each to its groups with the most momentum;
  link workers (``social_prescribing``) take more referrals there, and improvement
  teams (``quality_improvement``) pick the target their data show costs most;
- **hierarchical**: the centre sees a report averaging each ``report_weeks`` period,
  ``report_lag_weeks`` after it ends, and re-targets only what it manages: its few
  grants when it next allocates them (quarterly) and its few improvement teams;
  practice link workers are not centrally managed and do not respond.

``response_strength`` sets how far they follow the data (0: not at all). With the data
off (the default) nothing is recorded and every policy acts exactly as without this
module, so a user can ask how much of a package's effect comes from the data.

Signals are relative to the place (a neighbourhood at the place's level has 1), and
link-worker weights average 1 over neighbourhoods: the data move effort and money
around rather than adding any.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from .need import FOLLOWUP

if TYPE_CHECKING:
    from .model import HealthSystemModel

__all__ = ["record", "seen", "responds_weekly", "neighbourhood_weights", "pick_by_need", "improvement_targets", "FIELDS"]

# What one week's record holds: by neighbourhood, then by practice.
FIELDS = ("residents", "adults", "gp_demand", "unmet", "lonely", "vitality", "followups", "turned_away")


class _History:
    """The records kept (only as many weeks as any reader can still look back)."""

    def __init__(self):
        self.weeks: deque[tuple[int, dict[str, np.ndarray]]] = deque()
        self.unmet_before: np.ndarray | None = None


def _history(model: "HealthSystemModel") -> _History:
    history = getattr(model, "shared_history", None)
    if history is None:
        history = model.shared_history = _History()
    return history


def record(model: "HealthSystemModel") -> None:
    """Phase 8: record this week's data (once a week; a no-op with the data off)."""
    sd = model.spec.shared_data
    if not sd.enabled or not model.policies:  # no policy in force (a burn-in): nobody reads
        return
    history = _history(model)
    if history.weeks and history.weeks[-1][0] == model.week:
        return
    if history.weeks and history.weeks[-1][0] > model.week:  # the clock was set back
        history.weeks.clear()
    people, groups = model.people, model.groups
    n, n_nbhd = people.n, model.spec.population.neighbourhoods
    alive = people.alive[:n]
    nbhd = people.neighbourhood[:n]
    adult = alive & (people.age[:n] >= model.spec.population.adult_age)
    lonely = adult & (people.connectedness[:n] < model.spec.population.lonely_below)
    unmet = np.bincount(nbhd, weights=people.n_unmet[:n], minlength=n_nbhd)
    before = history.unmet_before
    # n_unmet restarts each reporting year: a fall means a new year began.
    week_unmet = unmet if before is None or (unmet < before).any() else unmet - before
    history.unmet_before = unmet
    live = groups.live
    rows = model.gp_requests.rows
    practice_of = people.practice[rows]
    n_practices = len(model.practices)
    data = {
        "residents": np.bincount(nbhd[alive], minlength=n_nbhd).astype(float),
        "adults": np.bincount(nbhd[adult], minlength=n_nbhd).astype(float),
        "gp_demand": np.bincount(people.neighbourhood[rows], minlength=n_nbhd).astype(float),
        "unmet": week_unmet,
        "lonely": np.bincount(nbhd[lonely], minlength=n_nbhd).astype(float),
        "vitality": np.bincount(groups.neighbourhood[live], weights=groups.vitality[live],
                                minlength=n_nbhd),
        "followups": np.bincount(practice_of[model.gp_requests.kind == FOLLOWUP],
                                 minlength=n_practices).astype(float),
        "turned_away": np.array([max(p.demand - p.served, 0) for p in model.practices],
                                dtype=float),
    }
    history.weeks.append((model.week, data))
    keep = max(sd.lag_weeks, 2 * sd.report_weeks + sd.report_lag_weeks) + 1
    while history.weeks and history.weeks[0][0] < model.week - keep:
        history.weeks.popleft()


def seen(model: "HealthSystemModel") -> dict[str, np.ndarray] | None:
    """The data those who act see this week (``None``: the data off, or none yet).

    Distributed: the week recorded ``lag_weeks`` ago. Hierarchical: the mean of the
    latest reporting period that ended at least ``report_lag_weeks`` ago. At the
    ``place`` granularity every neighbourhood and practice shows the place's mean.
    """
    sd = model.spec.shared_data
    if not sd.enabled:
        return None
    history = _history(model).weeks
    week = model.week
    if model.spec.system.governance == "distributed":
        picked = [data for w, data in history if w == week - sd.lag_weeks]
    else:
        # Periods end on multiples of report_weeks; the latest one already read.
        end = (week - sd.report_lag_weeks) // sd.report_weeks * sd.report_weeks
        picked = [data for w, data in history if end - sd.report_weeks <= w < end]
        if len(picked) < sd.report_weeks:
            picked = []  # the period began before the data were kept: no report yet
    if not picked:
        return None
    view = {k: np.mean([data[k] for data in picked], axis=0) for k in picked[0]}
    if sd.granularity == "place":
        view = {k: np.full_like(v, v.mean()) for k, v in view.items()}
    return view


def responds_weekly(model: "HealthSystemModel") -> bool:
    """Whether grants are re-chosen every week: shared data under distributed governance."""
    return bool(model.spec.shared_data.enabled) and model.spec.system.governance == "distributed"


def _relative(x: np.ndarray, per: np.ndarray) -> np.ndarray:
    """Each neighbourhood's rate over the place's (1 where the place has none)."""
    rate = x / np.maximum(per, 1.0)
    mean = x.sum() / max(per.sum(), 1.0)
    return rate / mean if mean > 0 else np.ones_like(rate)


def _signal(model: "HealthSystemModel", managed: bool) -> np.ndarray | None:
    """Each neighbourhood's lonely share and GP demand per resident, averaged, each over
    the place's (1: the place's level), as those who act see it; ``None`` if they see none.

    Only what the centre manages (``managed``) responds under hierarchical governance.
    """
    if model.spec.system.governance == "hierarchical" and not managed:
        return None
    view = seen(model)
    if view is None:
        return None
    return 0.5 * (_relative(view["lonely"], view["adults"])
                  + _relative(view["gp_demand"], view["residents"]))


def neighbourhood_weights(model: "HealthSystemModel",
                          managed: bool = False) -> np.ndarray | None:
    """Effort weights by neighbourhood, averaging 1, or ``None`` (no data seen).

    ``1 + response_strength * (signal - 1)``, normalised to a mean of 1 (see :func:`_signal`).
    """
    signal = _signal(model, managed)
    if signal is None:
        return None
    weights = np.maximum(1.0 + model.spec.shared_data.response_strength * (signal - 1.0), 0.0)
    return weights / max(weights.mean(), 1e-12)


def pick_by_need(model: "HealthSystemModel", area: np.ndarray, momentum: np.ndarray,
                 k: int, managed: bool = False) -> np.ndarray | None:
    """Which of some candidates (their neighbourhood ``area`` and ``momentum``) get the
    ``k`` places, or ``None`` with no data seen (the caller picks as before).

    A ``response_strength`` share of the places goes to neighbourhoods in proportion to
    their signal (largest remainders), each to its candidates with the most momentum;
    the rest, and places a neighbourhood cannot use, to the most momentum anywhere.
    Candidates with no momentum are never picked. Returns positions into the candidates.
    """
    signal = _signal(model, managed)
    if signal is None:
        return None
    order = np.argsort(-momentum, kind="stable")
    order = order[momentum[order] > 0]
    k = min(int(k), order.size)
    by_need = int(round(model.spec.shared_data.response_strength * k))
    share = signal / max(signal.sum(), 1e-12) * by_need
    quota = np.floor(share).astype(np.int64)
    rest = by_need - int(quota.sum())
    quota[np.argsort(-(share - quota), kind="stable")[:rest]] += 1
    picked = np.zeros(order.size, dtype=bool)
    for nbhd in np.flatnonzero(quota):  # a few neighbourhoods
        mine = np.flatnonzero(area[order] == nbhd)[: quota[nbhd]]
        picked[mine] = True
    free = np.flatnonzero(~picked)[: k - int(picked.sum())]
    picked[free] = True
    return order[picked]


def improvement_targets(model: "HealthSystemModel", teams: np.ndarray,
                        guess: np.ndarray) -> np.ndarray:
    """Each improvement team's target this cycle (0 failure demand, 1 waits).

    With shared data a team follows them with chance ``response_strength``, picking
    whichever costs its practice more appointments: booked follow-ups (failure demand)
    or requests turned away (waits). Otherwise it keeps its own ``guess``.
    """
    view = seen(model)
    if view is None or teams.size == 0:
        return guess
    cost = np.stack([view["followups"][teams], view["turned_away"][teams]], axis=1)
    informed = np.where(cost[:, 0] == cost[:, 1], guess, np.argmax(cost, axis=1))
    u = model.streams.uniform("shared_data.improvement", teams.astype(np.uint64))
    follows = u < model.spec.shared_data.response_strength
    return np.where(follows, informed, guess).astype(np.int64)
