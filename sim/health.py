"""Phase 1 of the week — health: ageing, deaths, births, new conditions, wellbeing drift.

Demography keeps a ten-year run from drifting into an older, sicker place by accident:
Gompertz mortality scaled by conditions beyond the age-typical count, births to
women aged 15-44 at the general fertility rate, and net migration of mostly young
adults. Without migration a place ages about twice as fast as England does, since
England's natural change is near zero and its younger age structure is kept up by
arrivals.

The per-person work of the phase is one compiled pass over the population (see
:func:`advance_health`); its rules are in :mod:`sim.kernels.health`.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from .population import Residents
from .streams import derive_uid, to_normal, to_poisson

if TYPE_CHECKING:
    from .model import HealthSystemModel

__all__ = ["advance_health", "health_params", "MIGRANT_AGE_BANDS"]

# The age bands of net migrants (youngest, oldest), whose shares are declared as
# health.migrant_age_shares.
MIGRANT_AGE_BANDS = ((0.0, 18.0), (18.0, 35.0), (35.0, 65.0))
_YOUNGEST, _OLDEST = (np.array(c) for c in zip(*MIGRANT_AGE_BANDS))
_WIDTH = _OLDEST - _YOUNGEST
MIGRANT_UID_BIT = np.uint64(1 << 62)  # marks arrival numbers, apart from row-index uids

WEEK = 1.0 / 52.0


def advance_health(model: "HealthSystemModel") -> None:
    """Run phase 1 for every living resident.

    The per-person work is one compiled pass (:func:`sim.kernels.health_pass`) over the
    rows there were at the start of the week: each person ages, may die
    (:func:`~sim.kernels.health.p_death`), may become a mother
    (:func:`~sim.kernels.health.p_birth`), may develop a condition
    (:func:`~sim.kernels.health.p_onset`), and has traits and wellbeing updated, in that
    order, while the row is in cache. The week's newborns and arrivals, appended after
    the pass, get their onsets, traits and wellbeing in a second, short one.

    With CRN off every draw comes from one sequential generator, in the order the
    phase always made them: deaths and births (one per row), the newborns' and
    arrivals' own draws, then onsets and wellbeing (one per row, arrivals included).
    The last two cannot be drawn before the arrivals', so without CRN the first pass
    does deaths and births only and the second covers every row.
    """
    from .kernels.health import draws_of

    people, s = model.people, model.streams
    n_start = people.n  # rows at the start of the week; arrivals are appended after them
    h = health_params(model.spec, model.levers)
    bounds = _bounds_for(h)

    # The draws. With CRN each is hashed from the person's uid, so all are known now.
    crn, key_death, seq_death = s.kernel_draws("health.death", n_start)
    death, birth = (key_death, seq_death), s.kernel_draws("health.birth", n_start)[1:]
    later = (s.kernel_draws("health.onset", n_start)[1:],
             s.kernel_draws("health.wellbeing", n_start)[1:]) if crn else _NO_DRAW * 2
    draws = draws_of(crn, death, birth, *later)
    dead, mothers = _pass(people, 0, n_start, (True, crn, crn), draws, h, bounds)
    if model.journeys is not None:  # a few residents are followed (sim.journey)
        model.journeys.note("died", dead)
    if dead.size:
        model.remove_residents(dead)

    # Births, to living women of fertile age (those who died this week excluded).
    if mothers.size:
        _add_newborns(model, mothers)

    # Net migration: arrivals join the households of residents drawn at random.
    if model.spec.health.net_migration_per_1000 > 0:
        _add_migrants(model)
    n = people.n

    # Once a year practices' lists catch up with births, deaths and arrivals
    # (capacity is declared per 1,000 registered patients).
    if model.week % 52 == 0 and model.week > 0:
        live = people.live
        lists = np.bincount(people.practice[live], minlength=len(model.practices))
        for practice in model.practices:
            practice.relist(lists[practice.index])

    # New conditions, dispositions and wellbeing: with CRN for the newborns and arrivals;
    # without CRN, for every row (drawn now, after the arrivals' draws).
    if not crn:  # (with CRN, the same keys)
        later = (s.kernel_draws("health.onset", n)[1:], s.kernel_draws("health.wellbeing", n)[1:])
        draws = draws_of(crn, death, birth, *later)
    _pass(people, n_start if crn else 0, n, (False, True, True), draws, h, bounds)


_NO_DRAW = ((np.uint64(0), np.empty(0)),)



def _pass(people, lo: int, hi: int, steps, draws, h, bounds):
    """:func:`sim.kernels.health_pass` over rows ``lo .. hi`` on the columns as they are
    now (appending rows may have moved them)."""
    import sim.kernels as kernels  # (quicker than a from-import of a package)
    from .kernels.health import People

    if hi <= lo:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    run = kernels.health_pass_threads if kernels.threaded(hi - lo) else kernels.health_pass
    return run(lo, hi, steps, people.columns(People), draws, h, bounds)


def health_params(spec, levers=None):
    """The named tuple of the health rules' parameters (:data:`sim.kernels.health.HealthParams`).

    Asked four times a week: the last one made for each nudge is kept while the
    (immutable) sections are the same objects."""
    nudge = 0.0 if levers is None else float(levers.activation_nudge)
    made = _PARAMS.get(nudge)
    if made is not None and made[0] is spec.health and made[1] is spec.population:
        return made[2]
    from .kernels.bounds import rule_params
    from .kernels.health import HealthParams

    if len(_PARAMS) > 8:
        _PARAMS.clear()
    h = rule_params(HealthParams, spec.health, spec.population, activation_nudge=nudge)
    _PARAMS[nudge] = (spec.health, spec.population, h)
    return h


_PARAMS: dict[float, tuple] = {}  # nudge: (health section, population section, params)


AGE_CELLS = 131  # the bound tables' age axis: a year a cell, 0-130


def _bounds_for(h):
    """:func:`_health_bounds` of ``h`` without its nudge (the rules bounded ignore it),
    looked up again only for another ``h``."""
    global _LAST_BOUNDS
    last = _LAST_BOUNDS  # read once: another thread's model may replace it meanwhile
    if last[0] is not h:
        last = _LAST_BOUNDS = (h, _health_bounds(h._replace(activation_nudge=0.0)))
    return last[1]


_LAST_BOUNDS: tuple = (None, None)


@functools.lru_cache(maxsize=8)
def _health_bounds(h):
    # Keyed by the rules' parameters, so a change mid-run (the dashboard's sliders)
    # makes new tables.
    from .kernels.bounds import upper_bounds
    from .kernels.health import Bounds

    tables = {name: upper_bounds(rule, h, axes) for name, (rule, axes) in bounded().items()}
    return Bounds(**tables, age=age_axis().lookup())


def bounded() -> dict:
    """The rules the pass tests against a bound, with the axes of their tables (name of
    the :data:`sim.kernels.health.Bounds` field: (rule, axes)):
    age a year a cell, and a table dimension for each other argument the pass indexes by."""
    from .kernels.bounds import Axis
    from .kernels.health import MAX_LTC, p_death, p_onset

    flag, unit, quintiles = Axis.choices((0, 1)), Axis.span(0.0, 1.0), Axis.choices(range(1, 6))
    age = age_axis()
    return {"death": (p_death, [age, Axis.counts(MAX_LTC + 1), quintiles]),
            "onset": (p_onset, [age, Axis.counts(6), flag, unit, flag])}


def _add_newborns(model: "HealthSystemModel", mothers: np.ndarray) -> None:
    """Append a newborn for each mother: same household, neighbourhood and practice."""
    people, spec, s = model.people, model.spec, model.streams
    rows = _appended(people, mothers.size)
    _copy_rows(people, _HOME, rows, mothers)
    uid = derive_uid(people.uid[mothers], model.week)
    people.uid[rows] = uid
    people.alive[rows] = True
    people.age[rows] = 0.0
    people.ti_birth[rows] = model.week
    pop = spec.population
    u = s.uniforms(_BIRTH_STREAMS, uid)
    z_act, z_dep, z_threshold = to_normal(u[1:])
    people.female[rows] = u[0] < pop.female_share
    people.connectedness0[rows] = people.connectedness[rows] = people.connectedness0[mothers]
    people.settle(rows, z_act, z_dep, z_threshold, spec)
    model.log.births += int(mothers.size)


# Where a newborn or an arrival lives: their mother's or host's home, by these columns.
_HOME = ("household", "neighbourhood", "deprivation", "practice")
_BIRTH_STREAMS = ("birth.sex", "birth.activation", "birth.dependence", "birth.threshold")


def _appended(people: Residents, count: int) -> slice:
    """``people.append(count)``'s rows as a slice (consecutive): writing through a slice
    is several times quicker than through an index array, for the same values."""
    first = people.n
    people.append(count)
    return slice(first, first + count)


def _copy_rows(people: Residents, columns, rows, sources: np.ndarray) -> None:
    """Columns ``columns`` of rows ``sources`` copied to ``rows``."""
    for name in columns:
        column = getattr(people, name)
        column[rows] = column[sources]


def _add_migrants(model: "HealthSystemModel") -> None:
    """Net arrivals this week: drawn like the starting population, at their age.

    Each joins the household, neighbourhood and practice of a living resident drawn
    at random; arrivals have no social ties of their own yet (the network is built
    once). Their uid is keyed by their arrival number, so it is unique.
    """
    people, spec, s = model.people, model.spec, model.streams
    pop = spec.population
    rng = s.generator("health.migration")
    living = len(people)
    count = int(rng.poisson(spec.health.net_migration_per_1000 / 1000.0 * WEEK * living))
    if count == 0:
        return
    import sim.kernels as kernels

    # people.live[ranks], without making every living row's index (0.8 ms at a million)
    alive = people.alive[: people.n].view(np.uint8)
    hosts = kernels.rows_at_ranks(alive, alive[: alive.size // 8 * 8].view(np.uint64),
                                  rng.integers(0, living, count))
    rows = _appended(people, count)
    _copy_rows(people, _HOME, rows, hosts)
    first = model.log_totals["migrants"] + model.log.migrants  # arrivals so far
    arrival = np.arange(first, first + count, dtype=np.uint64)
    uid = derive_uid(arrival | MIGRANT_UID_BIT, model.week)
    people.uid[rows] = uid
    people.alive[rows] = True
    # Each arrival's draws, stream by stream (in this order, which with CRN off is the
    # order of the sequential draws).
    u_band, u_age, u_sex, u_ltc = s.uniforms(["migration.age_band", "migration.age",
                                              "migration.sex", "migration.ltc"], uid)
    band = np.minimum(np.searchsorted(_band_edges(spec.health), u_band, side="right"),
                      len(MIGRANT_AGE_BANDS) - 1)
    age = _YOUNGEST[band] + _WIDTH[band] * u_age
    people.age[rows] = age
    people.ti_birth[rows] = model.week - (age * 52).astype(np.int32)
    people.female[rows] = u_sex < pop.female_share
    q = people.deprivation[rows].astype(np.float64)
    ltc = np.minimum(to_poisson(u_ltc, Residents.ltc_mean(age, q, spec)),
                     spec.health.initial_ltc_max)
    people.ltc[rows] = ltc
    people.diagnosed[rows] = Residents.known_conditions(
        ltc, s.uniforms([("migration.diagnosed", k) for k in range(int(ltc.max(initial=0)))],
                        uid), pop.diagnosed_share)
    u = s.uniforms(["migration.activation", "migration.dependence", "migration.connectedness",
                    "migration.organiser", "migration.threshold"], uid)
    z_act, z_dep, z_con, z_threshold = to_normal(u[[0, 1, 2, 4]])
    people.connectedness0[rows] = people.connectedness[rows] = Residents.connectedness_level(
        pop, age, z_con)
    people.organiser[rows] = (age >= pop.adult_age) & (u[3] < spec.community.organiser_share)
    people.settle(rows, z_act, z_dep, z_threshold, spec)
    model.log.migrants += count


def _band_edges(health) -> np.ndarray:
    """The cumulative shares of the migrant age bands of a ``health`` section (made
    again only for another section object)."""
    global _EDGES
    last = _EDGES  # read once (as _bounds_for)
    if last[0] is not health:
        shares = np.asarray(health.migrant_age_shares, np.float64)
        last = _EDGES = (health, np.cumsum(shares) / shares.sum())
    return last[1]


_EDGES: tuple = (None, None)


def age_axis():
    """The bound tables' age axis: a year a cell, 0 to :data:`AGE_CELLS`."""
    from .kernels.bounds import Axis

    return Axis.bins(0.0, AGE_CELLS, AGE_CELLS)
