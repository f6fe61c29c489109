"""Changing the world mid-run: parameter overrides and policies started or stopped now.

The workshop dashboard lets a facilitator ask "what if we start the movement in year
3?" while a run goes on. :class:`~sim.model.HealthSystemModel` offers that through two
methods that call this module:

- ``model.set_parameters({"primary_care.capacity_per_1000_week": 150})`` applies
  validated overrides from the next week on: the scenario in force (``model.spec``) is
  replaced, and everything the model built from the old one at the start of the run
  is rebuilt from the new one (practices' capacity and consultation style, the bed
  count, each policy's settings). Tables the kernels derive from parameters are
  cached by the parameters' values, so a new value makes new tables by itself.
- ``model.set_policy("social_movement", running=True)`` starts a policy at the
  current week (listing it, switched on, if the scenario did not run it), or stops it
  from the current week.

Weeks already run are never touched: a change shapes the weeks stepped after it.
Settings that shaped the world when it was built (the population, the network, the
horizon, the seed, whether draws are common random numbers) cannot change mid-run;
asking is refused with :class:`~sim.errors.InputError`. Each accepted change is kept
in ``model.changes`` (week, what changed), so a chart can mark when it happened.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputError
from .policies import POLICIES

if TYPE_CHECKING:
    from .model import HealthSystemModel

__all__ = ["Change", "FIXED", "is_fixed", "set_parameters", "set_policy"]

# Paths (or their prefixes) fixed once the world is built.
FIXED = ("population.", "network.", "weeks", "seed", "replicates",
         "system.common_random_numbers")


@dataclass(frozen=True)
class Change:
    """One change of the world mid-run.

    Attributes:
        week: weeks completed when it was made; it shapes week ``week + 1`` onward.
        values: dotted path -> new value.
    """

    week: int
    values: dict[str, Any]


def is_fixed(path: str) -> bool:
    """Whether ``path`` shaped the world when it was built (see :data:`FIXED`)."""
    return any(path == f.rstrip(".") or (f.endswith(".") and path.startswith(f)) for f in FIXED)


def set_parameters(model: "HealthSystemModel", overrides: Mapping[str, Any],
                   source: str = "set_parameters") -> Change:
    """Apply dotted-path overrides to ``model`` from its next week on.

    Raises:
        InputError: for an unknown path, a value the declaration refuses, or a setting
            fixed when the world was built (see :data:`FIXED`); the model is unchanged.
    """
    values = {k.replace("__", "."): v for k, v in overrides.items()}
    for path in values:
        if is_fixed(path):
            raise InputError(source, path, "fixed when the world was built; expected a "
                             "parameter that can change mid-run (not population, network, "
                             "weeks, seed or common random numbers)")
    spec = model.spec.with_overrides(values, source)
    _install(model, spec)
    change = Change(model.week, values)
    model.changes.append(change)
    return change


def set_policy(model: "HealthSystemModel", kind: str, running: bool,
               source: str = "set_policy") -> Change:
    """Start (``running=True``) or stop a policy at the current week.

    Started, it first acts at the end of the next week stepped (as a policy starting
    in that week would); stopped, it does not act in the next week or after.

    Raises:
        InputError: for an unknown policy kind.
    """
    if kind not in POLICIES:
        raise InputError(source, "policy", f"unknown policy {kind!r}; expected one of "
                                           f"{', '.join(POLICIES)}")
    week = model.week
    if running:
        values = {f"policies.{kind}.enabled": True, f"policies.{kind}.start_week": week,
                  f"policies.{kind}.end_week": None}
    else:
        values = {f"policies.{kind}.end_week": week}
        listed = getattr(model.spec.policies, kind)
        if listed is None:
            values = {}  # not listed: nothing to stop
        elif listed.start_week > week:
            values[f"policies.{kind}.start_week"] = week  # never started: stays off
    spec = model.spec.with_overrides(values, source) if values else model.spec
    _install(model, spec)
    change = Change(week, values)
    model.changes.append(change)
    return change


def _install(model: "HealthSystemModel", spec) -> None:
    """Make ``spec`` the scenario in force and rebuild what was derived from the old one."""
    model.spec = spec
    pc = spec.primary_care
    for practice in model.practices:
        practice.consultation_style = pc.consultation_style
        practice.relist(practice.list_size)  # capacity at the new rate per 1,000
    model.practice_style = np.array([p.consultation_style for p in model.practices])
    model.acute.beds = int(round(spec.acute.beds_per_1000 * spec.population.size / 1000.0))
    # Policies keep their state (running or not); each reads its new settings. A policy
    # listed and switched on now is built; one no longer listed or enabled is dropped.
    existing = {policy.kind: policy for policy in model.policies}
    policies = []
    for kind, settings in spec.active_policies().items():
        policy = existing.get(kind) or POLICIES[kind](model, settings)
        policy.p = settings
        policies.append(policy)
    for kind, policy in existing.items():
        if kind not in spec.active_policies() and policy.running:
            policy.running = False
            policy.stop()
    model.policies = policies
