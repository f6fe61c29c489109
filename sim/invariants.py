"""Model invariants, checked every week in debug mode (``system.check_invariants``) and in tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .model import HealthSystemModel

__all__ = ["check_invariants", "InvariantError"]

SHARES = ("wellbeing", "activation", "dependence", "connectedness",
          "activation0", "dependence0", "connectedness0", "threshold")
COUNTS = ("ltc", "diagnosed", "n_gp", "n_ae", "n_admit", "n_op", "n_unmet", "n_low",
          "n_low_service", "cum_gp", "cum_ae")


class InvariantError(AssertionError):
    """A model invariant does not hold: a bug, never bad input."""


def check_invariants(model: "HealthSystemModel") -> None:
    """Raise :class:`InvariantError` if any invariant fails this week."""
    people, groups = model.people, model.groups
    n = people.n
    problems = []
    # Population conserved apart from births and deaths.
    totals = model.log_totals
    expected = (model.start_population + totals["births"] + totals["migrants"]
                - totals["deaths"])
    if int(people.alive[:n].sum()) != expected:
        problems.append(f"population {int(people.alive[:n].sum())} != start + births + migrants - deaths "
                        f"= {expected}")
    if np.unique(people.uid[:n]).size != n:
        problems.append("duplicate resident uids")
    for name in SHARES:
        v = getattr(people, name)[:n]
        if not np.isfinite(v).all() or (v < 0).any() or (v > 1).any():
            problems.append(f"{name} outside 0..1 or not finite")
    for name in COUNTS:
        if (getattr(people, name)[:n] < 0).any():
            problems.append(f"negative {name}")
    if (people.diagnosed[:n] > people.ltc[:n]).any():
        problems.append("more diagnosed conditions than conditions")
    dead = ~people.alive[:n]
    if (people.group[:n][dead] >= 0).any() or (people.role[:n][dead] > 0).any():
        problems.append("dead residents still in a group or the movement")
    g = groups.n
    if (groups.members[:g] < 0).any() or (groups.members[:g] > groups.capacity[:g]).any():
        problems.append("group membership outside 0..capacity")
    if not np.all((groups.vitality[:g] >= 0) & (groups.vitality[:g] <= 1)):
        problems.append("group vitality outside 0..1")
    member_of = people.group[:n][people.group[:n] >= 0]
    if not np.array_equal(np.bincount(member_of, minlength=g), groups.members[:g]):
        problems.append("group member counts differ from the residents' groups")
    if member_of.size and not groups.alive[member_of].all():
        problems.append("residents in a group that has folded")
    if any(p.capacity < 0 or p.wait_weeks < 0 for p in model.practices):
        problems.append("negative practice capacity or wait")
    if model.acute.occupied > model.acute.beds:
        problems.append("more beds occupied than exist")
    for key, value in model.metrics.items():
        if isinstance(value, float) and not np.isfinite(value):
            problems.append(f"metric {key} is not finite")
    if problems:
        raise InvariantError(f"week {model.week}: " + "; ".join(problems))
