"""Twin runs: what a policy did to the people it touched, beside what it did to the place.

A policy run and a baseline run on the same seed share every resident's random draws
(common random numbers), so a resident's baseline "twin" — the same uid in the run
without the policy — shows what would have happened to that very person without it.
:func:`observe` runs one model to the end of the evidence window and keeps what the
checks need:

- who the policy **touched** during the touch quarter (the 13 weeks before week
  ``t0``; see :data:`TOUCHED`), by uid;
- each resident's contacts in the reporting year that ends at ``t0`` (the year *before*,
  which holds the touch quarter) and in the year after it, and their connectedness at
  the end of the year after;
- the place's weekly activity, which weeks a campaign was on air, the patients turned
  away for want of a bed, and the screening yield.

Windows are whole reporting years (the summary's per-person counts, reset every 52
weeks counting back from the end of the run), so the horizon is ``t0 + 52``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .community import GRANT
from .model import HealthSystemModel
from .scenario import Scenario

__all__ = ["Observed", "observe", "TOUCHED", "COUNTS", "TOUCH_WEEKS"]

TOUCH_WEEKS = 13  # the touch quarter: the last 13 weeks before t0
COUNTS = {"gp_appointments": "n_gp", "ae_attendances": "n_ae",
          "emergency_admissions": "n_admit", "outpatient_attendances": "n_op"}


def _referred(model, policy):
    return model.link_worker_referrals


def _screened(model, policy):
    people = model.people
    return np.flatnonzero(people.ti_screened[: people.n] == model.week - 1)


def _with_condition(model, policy):
    people = model.people
    n = people.n
    return np.flatnonzero(people.alive[:n] & (people.diagnosed[:n] > 0))


def _funded_members(model, policy):
    people, g = model.people, model.groups
    funded = np.flatnonzero(g.funding[: g.n] == GRANT)
    return np.flatnonzero(np.isin(people.group[: people.n], funded))


def _participants(model, policy):
    people = model.people
    n = people.n
    return np.flatnonzero(people.alive[:n] & (people.role[:n] > 0)
                          & (people.age[:n] >= model.spec.movement.min_age))


def _redesigned_patients(model, policy):
    people = model.people
    n = people.n
    return np.flatnonzero(people.alive[:n] & np.isin(people.practice[:n], policy.redesigned))


def _improving_patients(model, policy):
    people = model.people
    n = people.n
    return np.flatnonzero(people.alive[:n] & np.isin(people.practice[:n], policy.teams))


# Who each policy touches, asked once a week through the touch quarter (rows of the
# residents; their uids are kept). Policies that act on the whole place touch nobody
# in particular and are checked on the place.
TOUCHED: dict[str, Callable] = {
    "social_prescribing": _referred,   # referred to a link worker
    "screening": _screened,            # attended a health check
    "targets": _with_condition,        # have a diagnosed (incentivised) condition
    "community_development": _funded_members,  # members of grant-funded groups
    "social_movement": _participants,  # take part in the movement
    "co_design": _redesigned_patients,  # registered with a redesigned practice
    "quality_improvement": _improving_patients,  # registered with an improving practice
}


def lookup(sorted_uid: np.ndarray, uids: np.ndarray) -> np.ndarray:
    """Positions of ``uids`` in ``sorted_uid``, -1 for those it does not hold."""
    pos = np.searchsorted(sorted_uid, uids)
    inside = pos < sorted_uid.size
    found = np.zeros(uids.size, bool)
    found[inside] = sorted_uid[pos[inside]] == uids[inside]
    return np.where(found, pos, -1)


@dataclass
class Observed:
    """What one run leaves for the evidence checks.

    ``before`` holds each resident's contacts in the year to ``t0`` (indexed like
    ``before_uid``, the sorted uids of the residents at ``t0``), ``after`` those in the
    year after (indexed like ``uid``, the sorted uids at the end).
    """

    before_uid: np.ndarray
    before: dict[str, np.ndarray]
    uid: np.ndarray
    after: dict[str, np.ndarray]
    connectedness: np.ndarray  # at the end
    adults: np.ndarray  # alive and 16+ at the end
    touched: np.ndarray
    weekly: dict[str, np.ndarray]
    on_air: np.ndarray  # per reported week: a campaign burst was on air
    turned_away: int
    checks: int = 0  # health checks over the run, and conditions they found
    diagnoses: int = 0
    participation: float = float("nan")  # share of residents 16+ in the movement at the end


def _counts(model) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Sorted uids of everyone in the run so far, and their reporting-year contacts."""
    people = model.people
    n = people.n
    order = np.argsort(people.uid[:n], kind="stable")
    return people.uid[:n][order], {k: getattr(people, f)[:n][order].astype(np.int64)
                                   for k, f in COUNTS.items()}


def observe(spec: Scenario, seed: int, t0: int, policy_kind: str | None) -> Observed:
    """Run ``spec`` on ``seed`` to week ``t0 + 52``, keeping what the checks need."""
    model = HealthSystemModel(spec.with_overrides({"weeks": t0 + 52}), seed=seed)
    policy = next((p for p in model.policies if p.kind == policy_kind), None)
    touch = TOUCHED.get(policy_kind) if policy is not None else None
    touched: list[np.ndarray] = []
    on_air = [False]
    before_uid, before = np.empty(0, np.uint64), {}
    while model.week < t0 + 52:
        model.step()
        on_air.append(model.levers.low_gp_utility > 0)  # the levers shape next week
        if touch is not None and policy.running and t0 - TOUCH_WEEKS < model.week <= t0:
            touched.append(model.people.uid[touch(model, policy)])
        if model.week == t0:
            before_uid, before = _counts(model)
    people = model.people
    n = people.n
    uid, after = _counts(model)
    order = np.argsort(people.uid[:n], kind="stable")
    adults = (people.alive[:n] & (people.age[:n] >= 16))[order]
    frame = model.timeseries()
    obs = Observed(before_uid=before_uid, before=before, uid=uid, after=after,
                   connectedness=people.connectedness[:n][order].astype(np.float64),
                   adults=adults, weekly={c: frame[c].to_numpy() for c in ("population", *COUNTS)},
                   touched=np.unique(np.concatenate(touched)) if touched
                   else np.empty(0, np.uint64),
                   on_air=np.array(on_air[:-1]), turned_away=int(model.acute.turned_away))
    if policy_kind == "screening" and policy is not None:
        obs.checks, obs.diagnoses = policy.checks, policy.diagnoses
    obs.participation = float(((people.role[:n] > 0)[order] & adults).sum()
                              / max(int(adults.sum()), 1))
    return obs
