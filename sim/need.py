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
import operator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .model import HealthSystemModel

__all__ = ["Requests", "arise_needs", "choose_care", "LOW", "FLARE", "ACUTE", "REVIEW",
           "FOLLOWUP", "RETRY", "KIND_NAMES"]

# Kinds of request; the order is the priority a practice serves them in (booked first).
FOLLOWUP, REVIEW, ACUTE, FLARE, RETRY, LOW = range(6)
KIND_NAMES = ("follow-up", "review", "acute", "flare", "retry", "minor")
# The kinds by the name of their weekly column, ``gp_requests_<name>`` (sim.metrics).
GP_REQUEST_KINDS: dict[str, int] = {
    "minor": LOW, "followup": FOLLOWUP, "review": REVIEW, "flare": FLARE, "acute": ACUTE,
    "retry": RETRY,
}
PRIORITY = np.array([0, 0, 1, 1, 1, 2], dtype=np.int8)

WEEK = 1.0 / 52.0


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
        """Join (rows, kind) pieces into one set of requests (a kind for each part, or
        one per row)."""
        if not parts:
            return cls.empty()
        rows = np.concatenate([r for r, _ in parts], dtype=np.int64)
        kinds = [k for _, k in parts]
        if all(type(k) is int for k in kinds):  # one call, not one a part
            return cls(rows, np.repeat(np.array(kinds, np.int8), [r.size for r, _ in parts]))
        return cls(rows, np.concatenate([np.broadcast_to(np.int8(k) if type(k) is int else k,
                                                         r.shape) for r, k in parts],
                                        dtype=np.int8))

    def __len__(self) -> int:
        return int(self.rows.size)


@dataclass
class Needs:
    """This week's needs (row indices)."""

    low: np.ndarray
    flare: np.ndarray
    acute: np.ndarray
    review: np.ndarray


def season(week: int, amplitude: float, peak_week: int) -> float:
    """Seasonal multiplier of minor illness and acute episodes (peak in winter, at week
    ``peak_week`` of the year: ``need.season_peak_week``)."""
    return 1.0 + amplitude * np.cos(2.0 * np.pi * (week - peak_week) / 52.0)


def arise_needs(model: "HealthSystemModel") -> None:
    """Phase 2: draw this week's needs for everyone at home.

    One compiled pass (:func:`sim.kernels.needs`) draws the four kinds for everyone at
    home, each by its rule (:func:`~sim.kernels.need.p_low`, ``p_flare``, ``p_review``,
    ``p_acute``), and counts those in a hospital bed.
    """
    kernels = compiled()
    people, s, spec = model.people, model.streams, model.spec
    n = people.n
    amplitude = spec.health.seasonality
    f = season(model.week, amplitude, spec.need.season_peak_week)
    nd = need_params(spec)
    if s.crn:
        draws = (True, np.array([s.key(k) for k in _NEED_STREAMS], np.uint64), _NO_DRAWS)
    else:
        draws = (False, _NO_KEYS, np.stack([s.kernel_draws(k, n)[2] for k in _NEED_STREAMS]))
    run = kernels.needs_threads if kernels.threaded(n) else kernels.needs
    low, flare, review, acute, in_bed = run(columns(people, kernels.need.People, n), model.week,
                                            float(f), draws, nd, _need_bounds(nd, amplitude))
    model.needs = Needs(low=low, flare=flare, acute=acute, review=review)
    # The pass also counted who is in a bed: no one is admitted, discharged, born or
    # dies between here and the acute phase, which needs the count.
    model.acute.occupied = int(in_bed)


_NEED_STREAMS = ("need.low", "need.flare", "need.review", "need.acute")
_NO_KEYS = np.zeros(4, np.uint64)
_NO_DRAWS = np.empty((4, 0), np.float64)


def need_params(spec):
    """The named tuple of the need rules' parameters (:data:`sim.kernels.need.NeedParams`)."""
    need, population, nd = _PARAMS.get("need", _NOT_MADE)
    if need is spec.need and population is spec.population:
        return nd  # asked every week: the same (immutable) sections, the same tuple
    from .kernels.bounds import rule_params

    nd = rule_params(compiled().need.NeedParams, spec.need, spec.population)
    _PARAMS["need"] = (spec.need, spec.population, nd)
    return nd


def choice_params(spec, levers):
    """The named tuple of the choice rules' parameters (:data:`sim.kernels.need.ChoiceParams`)."""
    pull = float(levers.low_gp_utility)
    choice, need, last_pull, c = _PARAMS.get("choice", _NOT_MADE + (None,))
    if choice is spec.choice and need is spec.need and last_pull == pull:
        return c
    from .kernels.bounds import rule_params

    c = rule_params(compiled().need.ChoiceParams, spec.choice, spec.need, low_gp_utility=pull)
    _PARAMS["choice"] = (spec.choice, spec.need, pull, c)
    return c


# The last tuple of each kind made, with what it was made from (the sections are
# immutable, so the same objects give the same tuple).
_PARAMS: dict = {}
_NOT_MADE = (None, None, None)


def compiled():
    """:mod:`sim.kernels`, imported on first use (never by ``import sim``) and then kept:
    an import statement costs about a microsecond, and the phases ask a dozen times a
    week."""
    global _KERNELS
    if _KERNELS is None:
        from . import kernels

        _KERNELS = kernels
    return _KERNELS


_KERNELS = None


def columns(people, kind, n: int | None = None):
    """The named tuple ``kind`` of residents' columns by field name: whole arrays, or
    their first ``n`` rows."""
    got = _getter(kind)(people)
    return kind._make(got if n is None else [column[:n] for column in got])


@functools.lru_cache(maxsize=None)
def _getter(kind):
    return operator.attrgetter(*kind._fields)


@functools.lru_cache(maxsize=8)
def _need_bounds(nd, amplitude: float):
    # Keyed by the rules' parameters and the season's amplitude: the season is a span,
    # so the tables hold all year.
    from .kernels.bounds import upper_bounds
    from .kernels.need import Bounds

    tables = {name: upper_bounds(rule, nd, axes)
              for name, (rule, axes) in bounded(amplitude).items()}
    unit, age = _axes()
    return Bounds(**tables, wellbeing_axis=unit.lookup(), activation_axis=unit.lookup(),
                  age_axis=age.lookup())


def bounded(amplitude: float) -> dict:
    """The rules the need pass tests against a bound, with the axes of their tables
    (name of the :data:`sim.kernels.need.Bounds` field: (rule, axes)). The season is a
    span over the year; wellbeing and activation (0..1) are cut into ``BINS`` cells,
    age a year a cell; a table dimension for each argument the pass indexes by."""
    from .kernels.bounds import Axis
    from .kernels.health import MAX_LTC
    from .kernels.need import p_acute, p_flare, p_low, p_review

    unit, age = _axes()
    year = Axis.span(1.0 - amplitude, 1.0 + amplitude, monotone=True)
    ltc = Axis.counts(MAX_LTC + 1)
    return {"low": (p_low, [unit, year]),
            "flare": (p_flare, [ltc, unit, year]),
            "review": (p_review, [ltc]),
            "acute": (p_acute, [age, ltc, Axis.span(0.0, MAX_LTC, monotone=True),
                                Axis.span(1.0, 5.0, monotone=True),
                                Axis.span(0.0, 1.0, monotone=True), year])}


BINS = 256  # cells of wellbeing and activation (0..1) for the bounds


def _axes():
    """The axes of wellbeing and activation (``BINS`` cells of 0..1) and of age."""
    from .health import age_axis
    from .kernels.bounds import Axis

    return Axis.bins(0.0, 1.0, BINS), age_axis()


def choose_care(model: "HealthSystemModel") -> None:
    """Phase 3: decide where each need goes; fill ``model.gp_requests`` and ``model.ae_arrivals``."""
    kernels = compiled()
    people, s, week = model.people, model.streams, model.week
    needs = model.needs
    params = choice_params(model.spec, model.levers)
    k = kernels.need

    # Low-level complaints: logit choice; counts, and managing oneself or with peers
    # builds activation (or connection) and loosens dependence: one compiled pass.
    low = needs.low
    run = kernels.low_need_choices_threads if kernels.threaded(low.size) \
        else kernels.low_need_choices
    choice = run(low, s.kernel_draws("choice.low", low.size), model.practice_wait,
                 columns(people, k.Complainants), params)
    log = model.log
    log.low_needs += int(low.size)

    # Flares and acute episodes go by severity; booked follow-ups that fall due, and
    # last week's unserved requests trying again: all joined in one compiled pass.
    flare, acute = needs.flare, needs.acute
    draws = (s.kernel_draws("choice.flare", flare.size), s.kernel_draws("choice.acute", acute.size))
    gp_rows, gp_kind, ae_rows, ae_kind, counts = kernels.requests_of_week(
        columns(people, k.Waiting, people.n), week, (low, needs.review, flare, acute), choice,
        draws, params)
    model.gp_requests = Requests(gp_rows, gp_kind)
    model.ae_arrivals = Requests(ae_rows, ae_kind)
    # The week's requests by kind, served or not (columns gp_requests_<kind>).
    by_kind, ae_by_kind = counts.tolist()
    log.low_to_service += by_kind[LOW] + ae_by_kind[LOW]
    log.gp_requests = tuple(by_kind)
