"""Phase 1 of the week — health: ageing, deaths, births, new conditions, wellbeing drift.

Demography keeps a ten-year run from drifting into an older, sicker place by accident:
Gompertz mortality scaled by conditions beyond the age-typical count, births to
women aged 15-44 at the general fertility rate, and net migration of mostly young
adults. Without migration a place ages about twice as fast as England does, since
England's natural change is near zero and its younger age structure is kept up by
arrivals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .population import Residents
from .streams import derive_uid

if TYPE_CHECKING:
    from .model import HealthSystemModel

__all__ = ["advance_health", "annual_mortality", "MIGRANT_AGES"]

# Ages of net migrants: (youngest, oldest, share). Most arrivals are young adults
# (ONS Long-term international migration, year ending June 2024: about two thirds of
# immigrants aged 16-34); the split below is an assumption within that.
MIGRANT_AGES = ((0.0, 18.0, 0.15), (18.0, 35.0, 0.65), (35.0, 65.0, 0.20))
MIGRANT_UID_BIT = np.uint64(1 << 62)  # marks arrival numbers, apart from row-index uids

WEEK = 1.0 / 52.0


def annual_mortality(age: np.ndarray, ltc: np.ndarray, q: np.ndarray, model) -> np.ndarray:
    """Probability of death within a year for people of this age, conditions and quintile."""
    h = model.spec.health
    base = h.mortality_at_80 * np.exp(h.mortality_gompertz * (age - 80.0))
    base = np.where(age < 1.0, h.mortality_infant, base)
    # Conditions beyond the age-typical count raise the hazard. The life table is the
    # average over everyone of an age, so the multiplier is divided by its mean under
    # the Poisson count of conditions, E[r^(X - m)] = exp(m (r - 1 - ln r)): otherwise
    # the population would die faster than the life table says.
    mean = Residents.ltc_mean(age, q, model.spec)
    r = h.mortality_per_ltc
    excess = ltc - mean
    return np.minimum(base * r ** excess * np.exp(-mean * (r - 1.0 - np.log(r))), 1.0)


def advance_health(model: "HealthSystemModel") -> None:
    """Run phase 1 for every living resident.

    The per-person work runs in compiled kernels (:mod:`sim.kernels`), one pass each:
    ageing and deaths, births, onsets, then traits and wellbeing. Events are decided
    exactly as the NumPy expressions in :func:`annual_mortality` and
    :func:`onset_hazard` decide them (rows too close to call are handed back and
    evaluated with those expressions).
    """
    from . import kernels

    people, h, s = model.people, model.spec.health, model.streams
    n = people.n
    tables = _tables(model)

    # Ageing and deaths.
    crn, key, useq = s.kernel_draws("health.death", n)
    dead, amb, amb_u = kernels.age_and_deaths(
        people.age[:n], people.alive[:n], people.ltc[:n], people.deprivation[:n],
        people.uid[:n], crn, key, useq, tables.death_age, tables.death_ltc,
        float(h.mortality_infant), float(h.mortality_at_80), float(h.mortality_gompertz),
        float(h.ltc_mean_age80), float(h.ltc_age_slope), tables.dep_mult,
        float(h.mortality_per_ltc), float(np.log(h.mortality_per_ltc)))
    if amb.size:
        q = people.deprivation[amb].astype(np.float32)
        p_death = 1.0 - (1.0 - annual_mortality(people.age[amb], people.ltc[amb], q, model)) ** WEEK
        dead = _merge(dead, amb[amb_u < p_death])
    if dead.size:
        model.remove_residents(dead)

    # Births, to living women aged 15-44 (those who died this week excluded).
    crn, key, useq = s.kernel_draws("health.birth", n)
    mothers = kernels.births(people.alive[:n], people.female[:n], people.age[:n],
                             people.uid[:n], crn, key, useq, h.fertility_rate * WEEK)
    if mothers.size:
        _add_newborns(model, mothers)

    # Net migration: arrivals join the households of residents drawn at random.
    if h.net_migration_per_1000 > 0:
        _add_migrants(model)
    n = people.n

    # Once a year practices' lists catch up with births, deaths and arrivals
    # (capacity is declared per 1,000 registered patients).
    if model.week % 52 == 0 and model.week > 0:
        live = people.live
        lists = np.bincount(people.practice[live], minlength=len(model.practices))
        for practice in model.practices:
            practice.relist(lists[practice.index])

    # New conditions (see onset_hazard).
    crn, key, useq = s.kernel_draws("health.onset", n)
    pop = model.spec.population
    onset, amb, amb_u = kernels.onsets(
        people.alive[:n], people.age[:n], people.deprivation[:n], people.connectedness[:n],
        people.activation[:n], people.group[:n], people.uid[:n], crn, key, useq,
        h.ltc_age_slope * WEEK, tables.onset_age, tables.onset_rel, float(h.ltc_mean_age80),
        float(h.ltc_age_slope), tables.dep_mult, np.float32(pop.lonely_below),
        float(h.rel_onset_lonely), float(np.log(h.rel_onset_activated)),
        float(h.rel_onset_group))
    if amb.size:
        onset = _merge(onset, amb[amb_u < onset_hazard(model, amb)])
    people.ltc[onset] = np.minimum(people.ltc[onset] + 1, 40)

    # Dispositions fade back toward the person's own level without reinforcement;
    # campaigns can nudge activation for everyone. Wellbeing moves toward the level
    # of the person's state (Residents.wellbeing_level), with a little noise.
    crn, key, useq = s.kernel_draws("health.wellbeing", n)
    kernels.traits_and_wellbeing(
        people.activation[:n], people.dependence[:n], people.connectedness[:n],
        people.activation0[:n], people.dependence0[:n], people.connectedness0[:n],
        people.wellbeing[:n], people.ltc[:n], people.group[:n], people.uid[:n],
        crn, key, useq, float(h.trait_reversion), float(model.levers.activation_nudge),
        np.float32(pop.lonely_below), float(h.wellbeing_drift))


def onset_hazard(model: "HealthSystemModel", rows) -> np.ndarray:
    """Weekly probability of a new long-term condition for ``rows``.

    The age-typical count rises with age at rate ltc_age_slope, so the weekly onset
    hazard is slope x mean count; raised by loneliness, lowered by activation and
    group participation.
    """
    people, h = model.people, model.spec.health
    q = people.deprivation[rows].astype(np.float32)
    lonely = people.connectedness[rows] < model.spec.population.lonely_below
    rel = np.where(lonely, h.rel_onset_lonely, 1.0)
    rel *= h.rel_onset_activated ** people.activation[rows]
    rel *= np.where(people.group[rows] >= 0, h.rel_onset_group, 1.0)
    return h.ltc_age_slope * WEEK * Residents.ltc_mean(people.age[rows], q, model.spec) * rel


def _merge(sorted_rows: np.ndarray, extra: np.ndarray) -> np.ndarray:
    """Merge a few more rows into an ascending array of rows, keeping it ascending."""
    if extra.size == 0:
        return sorted_rows
    return np.insert(sorted_rows, np.searchsorted(sorted_rows, extra), extra)


class _Tables:
    """Per-run constants of the health kernels: upper bounds and quintile multipliers."""

    def __init__(self, spec):
        h = spec.health
        ages = np.arange(131, dtype=np.float64)
        margin = 1.0 + 1e-3
        # deprivation_multiplier by quintile (index 1..5), in float64.
        q = np.arange(6, dtype=np.float64)
        mean = np.mean(h.ltc_deprivation_ratio ** (np.arange(5) / 4.0))
        self.dep_mult = h.ltc_deprivation_ratio ** ((5.0 - q) / 4.0) / mean
        self.dep_mult[0] = 0.0

        def age_bound(scale, slope, pivot):
            # the largest value of scale * exp(slope * (age - pivot)) for age in [a, a + 1)
            hi = np.maximum(scale * np.exp(slope * (ages - pivot)),
                            scale * np.exp(slope * (ages + 1.0 - pivot)))
            hi = hi * margin + 1e-12
            hi[-1] = np.inf  # ages beyond the table: no bound
            return hi

        # Deaths: weekly p <= annual mortality <= base(age) * r ** ltc when r >= 1.
        self.death_age = np.maximum(age_bound(h.mortality_at_80, h.mortality_gompertz, 80.0),
                                    h.mortality_infant * margin + 1e-12)
        r = h.mortality_per_ltc
        k = np.arange(128, dtype=np.float64)
        self.death_ltc = (r ** k) * margin if r >= 1.0 else np.full(128, np.inf)
        # Onsets: p = slope/52 * ltc_mean(age, q) * rel, rel at most its largest factors.
        self.onset_age = age_bound(h.ltc_age_slope * WEEK * h.ltc_mean_age80, h.ltc_age_slope,
                                   80.0)
        self.onset_rel = (max(h.rel_onset_lonely, 1.0) * max(h.rel_onset_activated, 1.0)
                          * max(h.rel_onset_group, 1.0) * margin)


def _tables(model: "HealthSystemModel") -> _Tables:
    # Built afresh each week (a few hundred numbers): parameters may change mid-run.
    return _Tables(model.spec)


def _add_newborns(model: "HealthSystemModel", mothers: np.ndarray) -> None:
    """Append a newborn for each mother: same household, neighbourhood and practice."""
    people, spec, s = model.people, model.spec, model.streams
    rows = people.append(mothers.size)
    for name in ("household", "neighbourhood", "deprivation", "practice"):
        getattr(people, name)[rows] = getattr(people, name)[mothers]
    uid = derive_uid(people.uid[mothers], model.week)
    people.uid[rows] = uid
    people.alive[rows] = True
    people.age[rows] = 0.0
    people.ti_birth[rows] = model.week
    people.female[rows] = s.uniform("birth.sex", uid) < spec.population.female_share
    pop = spec.population
    q = people.deprivation[rows].astype(np.float64)
    act, dep = Residents.disposition(pop, q, s.normal("birth.activation", uid),
                                     s.normal("birth.dependence", uid))
    people.activation0[rows] = people.activation[rows] = act
    people.dependence0[rows] = people.dependence[rows] = dep
    people.connectedness0[rows] = people.connectedness[rows] = people.connectedness0[mothers]
    people.wellbeing[rows] = Residents.wellbeing_level(people, rows, spec)
    people.threshold[rows] = np.clip(spec.movement.threshold_mean + spec.movement.threshold_sd
                                     * s.normal("birth.threshold", uid), 0.0, 1.0)
    model.log.births += int(rows.size)


def _add_migrants(model: "HealthSystemModel") -> None:
    """Net arrivals this week: drawn like the starting population, at their age.

    Each joins the household, neighbourhood and practice of a living resident drawn
    at random; arrivals have no social ties of their own yet (the network is built
    once). Their uid is keyed by their arrival number, so it is unique.
    """
    people, spec, s = model.people, model.spec, model.streams
    pop = spec.population
    rng = s.generator("health.migration")
    live = people.live
    count = int(rng.poisson(spec.health.net_migration_per_1000 / 1000.0 * WEEK * live.size))
    if count == 0:
        return
    hosts = live[rng.integers(0, live.size, count)]
    rows = people.append(count)
    for name in ("household", "neighbourhood", "deprivation", "practice"):
        getattr(people, name)[rows] = getattr(people, name)[hosts]
    first = model.log_totals["migrants"] + model.log.migrants  # arrivals so far
    arrival = np.arange(first, first + count, dtype=np.uint64)
    uid = derive_uid(arrival | MIGRANT_UID_BIT, model.week)
    people.uid[rows] = uid
    people.alive[rows] = True
    lo, hi, share = (np.array(c) for c in zip(*MIGRANT_AGES))
    band = np.minimum(np.searchsorted(np.cumsum(share) / share.sum(),
                                      s.uniform("migration.age_band", uid), side="right"),
                      len(share) - 1)
    age = lo[band] + (hi[band] - lo[band]) * s.uniform("migration.age", uid)
    people.age[rows] = age
    people.ti_birth[rows] = model.week - (age * 52).astype(np.int32)
    people.female[rows] = s.uniform("migration.sex", uid) < pop.female_share
    q = people.deprivation[rows].astype(np.float64)
    ltc = np.minimum(s.poisson("migration.ltc", uid, Residents.ltc_mean(age, q, spec)), 20)
    people.ltc[rows] = ltc
    diagnosed = np.zeros(count, dtype=np.int8)
    for k in range(int(ltc.max(initial=0))):
        diagnosed += (k < ltc) & (s.uniform("migration.diagnosed", uid, draw=k)
                                  < pop.diagnosed_share)
    people.diagnosed[rows] = diagnosed
    act, dep = Residents.disposition(pop, q, s.normal("migration.activation", uid),
                                     s.normal("migration.dependence", uid))
    people.activation0[rows] = people.activation[rows] = act
    people.dependence0[rows] = people.dependence[rows] = dep
    people.connectedness0[rows] = people.connectedness[rows] = Residents.connectedness_level(
        pop, age, s.normal("migration.connectedness", uid))
    people.organiser[rows] = (age >= 18) & (
        s.uniform("migration.organiser", uid) < spec.community.organiser_share)
    people.wellbeing[rows] = Residents.wellbeing_level(people, rows, spec)
    people.threshold[rows] = np.clip(spec.movement.threshold_mean + spec.movement.threshold_sd
                                     * s.normal("migration.threshold", uid), 0.0, 1.0)
    model.log.migrants += count
