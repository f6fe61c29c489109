"""The unreported burn-in: a run starts from the baseline's steady state, not from empty.

A place is built with nobody part-way through a pathway: no follow-ups booked, no
outpatient appointments pending, nobody in a bed. Left like that, the first year of
every run shows the pipelines filling (about 1,000 outpatient attendances per 1,000
residents in year 1 against 1,600 from year 2 on) and a comparison of year 1 with
year 10 mistakes the fill for a trend. Drawing the pipelines' state directly would
need their joint distribution with conditions, activation and dependence, which only
running the model gives; so the model runs ``system.burn_in_weeks`` of the baseline
(no policy in force) before week 0, and reports nothing from them.

The burn-in weeks run in an epoch of their own (week numbers from :data:`EPOCH`), so
their random draws, newborns' identities and generator states never coincide with a
reported week's; afterwards every week stamp is moved back so that week 0 is the
first reported week, and the run's counters start from zero. Scenarios compared on
the same seed share the same burn-in exactly (no policy acts in it), so common random
numbers start them from the same state.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .model import HealthSystemModel

__all__ = ["EPOCH", "burn_in"]

# First week number of a burn-in: far beyond any horizon (10,000 weeks at most), and a
# whole number of years, so the seasons and the yearly relisting keep their phase.
EPOCH = 52 * 20_000

# Week stamps of people and groups (-1: none). Bookings not yet kept stay due.
_BOOKINGS = ("ti_gp_followup", "ti_op_followup")
_PEOPLE_STAMPS = ("ti_discharge", "ti_screened", "ti_birth", "ti_death")
_GROUP_STAMPS = ("ti_born", "ti_died")


def burn_in(model: "HealthSystemModel", weeks: int) -> None:
    """Run ``weeks`` of the baseline before week 0, unreported; then rebase the clock."""
    if weeks <= 0:
        return
    t0 = time.perf_counter()
    policies, model.policies = model.policies, []
    _shift_stamps(model, EPOCH)
    model.week = EPOCH
    week = type(model).step  # the week itself, not Mesa's wrapper, whose clock counts
    while model.week < EPOCH + weeks:  # reported weeks only
        week(model)
    _shift_stamps(model, -(EPOCH + weeks))
    model.policies = policies
    _restart_counters(model)
    model.burn_in_seconds = time.perf_counter() - t0


def _shift(values: np.ndarray, by: int, keep_due: bool = False) -> None:
    """Move every stamp that is set (not -1) by ``by`` weeks; a stamp that lands on
    -1 moves to -2 so it still reads as set; a booking in the past stays due (week 0)."""
    stamped = values != -1
    moved = values[stamped].astype(np.int64) + by
    if keep_due:
        moved = np.maximum(moved, 0)
    moved[moved == -1] = -2
    values[stamped] = moved


def _shift_stamps(model: "HealthSystemModel", by: int) -> None:
    people, groups = model.people, model.groups
    for name in _BOOKINGS:
        _shift(getattr(people, name)[: people.n], by, keep_due=by < 0)
    for name in _PEOPLE_STAMPS:
        _shift(getattr(people, name)[: people.n], by)
    for name in _GROUP_STAMPS:
        _shift(getattr(groups, name)[: groups.n], by)


def _restart_counters(model: "HealthSystemModel") -> None:
    """Counters and records of the run start at week 0, as if built in this state."""
    from .population import FIELDS

    people = model.people
    model.week = 0
    model.streams.week = 0
    model.reporting_start = 0
    for name in FIELDS:
        if name.startswith(("n_", "cum_")):  # per-person counts, by naming convention
            getattr(people, name)[:] = 0
    for key in model.log_totals:
        model.log_totals[key] = 0
    model.acute.turned_away = 0
    model.start_population = int(people.alive[: people.n].sum())
    model.groups.founded = model.groups.died = model.groups.splits = 0
    model.phase_seconds = {name: 0.0 for name in model.phase_seconds}
    model.datacollector = model.new_datacollector()
