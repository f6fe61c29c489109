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

    Continuous updates run over whole array slices (views, no copies); the dead are
    masked out of events. This is faster than gathering the living rows each time.
    """
    people, h, s = model.people, model.spec.health, model.streams
    n = people.n
    alive = people.alive[:n]
    uid = people.uid[:n]
    age = people.age[:n]
    age += WEEK * alive

    # Deaths.
    q = people.deprivation[:n].astype(np.float32)
    p_death = 1.0 - (1.0 - annual_mortality(age, people.ltc[:n], q, model)) ** WEEK
    dead = np.flatnonzero(alive & (s.uniform("health.death", uid) < p_death))
    if dead.size:
        model.remove_residents(dead)

    # Births, to living women aged 15-44 (those who died this week excluded).
    women = alive & people.female[:n] & (age >= 15) & (age < 45)
    mothers = np.flatnonzero(women & (s.uniform("health.birth", uid) < h.fertility_rate * WEEK))
    if mothers.size:
        _add_newborns(model, mothers)
        n = people.n
        alive, uid = people.alive[:n], people.uid[:n]
        q = people.deprivation[:n].astype(np.float32)

    # Net migration: arrivals join the households of residents drawn at random.
    if h.net_migration_per_1000 > 0:
        _add_migrants(model)
        n = people.n
        alive, uid = people.alive[:n], people.uid[:n]
        q = people.deprivation[:n].astype(np.float32)

    # Once a year practices' lists catch up with births, deaths and arrivals
    # (capacity is declared per 1,000 registered patients).
    if model.week % 52 == 0 and model.week > 0:
        live = people.live
        lists = np.bincount(people.practice[live], minlength=len(model.practices))
        for practice in model.practices:
            practice.relist(lists[practice.index])

    # New conditions: the age-typical count rises with age at rate ltc_age_slope, so the
    # weekly onset hazard is slope x mean count; raised by loneliness, lowered by
    # activation and group participation.
    lonely = people.connectedness[:n] < model.spec.population.lonely_below
    rel = np.where(lonely, h.rel_onset_lonely, 1.0)
    rel *= h.rel_onset_activated ** people.activation[:n]
    rel *= np.where(people.group[:n] >= 0, h.rel_onset_group, 1.0)
    hazard = h.ltc_age_slope * WEEK * Residents.ltc_mean(people.age[:n], q, model.spec) * rel
    onset = np.flatnonzero(alive & (s.uniform("health.onset", uid) < hazard))
    people.ltc[onset] = np.minimum(people.ltc[onset] + 1, 40)

    # Dispositions fade back toward the person's own level without reinforcement;
    # campaigns can nudge activation for everyone.
    rho = h.trait_reversion
    act, dep = people.activation[:n], people.dependence[:n]
    act += rho * (people.activation0[:n] - act)
    dep += rho * (people.dependence0[:n] - dep)
    con = people.connectedness[:n]
    con += rho * (people.connectedness0[:n] - con)
    if model.levers.activation_nudge:
        act += model.levers.activation_nudge * (1.0 - act)

    # Wellbeing moves toward the level of the person's state, with a little noise.
    target = Residents.wellbeing_level(people, slice(0, n), model.spec)
    w = people.wellbeing[:n]
    w += h.wellbeing_drift * (target - w) + 0.02 * s.normal("health.wellbeing", uid)
    np.clip(w, 0.0, 1.0, out=w)


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
