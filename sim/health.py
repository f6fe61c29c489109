"""Phase 1 of the week — health: ageing, deaths, births, new conditions, wellbeing drift.

Demography keeps a ten-year run from drifting into an older, sicker place by accident:
Gompertz mortality scaled by conditions beyond the age-typical count, births to
women aged 15-44 at the general fertility rate, and net migration of mostly young
adults. Without migration a place ages about twice as fast as England does, since
England's natural change is near zero and its younger age structure is kept up by
arrivals.

The per-person work of the phase is one compiled pass over the population (see
:func:`advance_health`); NumPy decides the rare events too close for it to call.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from .population import Residents
from .streams import derive_uid, to_normal, to_poisson

if TYPE_CHECKING:
    from .model import HealthSystemModel

__all__ = ["advance_health", "annual_mortality", "MIGRANT_AGES"]

# Ages of net migrants: (youngest, oldest, share). Most arrivals are young adults
# (ONS Long-term international migration, year ending June 2024: about two thirds of
# immigrants aged 16-34); the split below is an assumption within that.
MIGRANT_AGES = ((0.0, 18.0, 0.15), (18.0, 35.0, 0.65), (35.0, 65.0, 0.20))
_YOUNGEST, _OLDEST, _SHARE = (np.array(c) for c in zip(*MIGRANT_AGES))
_CUMULATIVE_SHARE = np.cumsum(_SHARE) / _SHARE.sum()
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

    The per-person work is one compiled pass (:func:`sim.kernels.health_pass`) over the
    rows there were at the start of the week: each person ages, may die, may become a
    mother, may develop a condition, and has traits and wellbeing updated, in that
    order, while the row is in cache (this was four passes over the population).
    Events are decided exactly as the NumPy expressions in :func:`annual_mortality` and
    :func:`onset_hazard` decide them: rows too close to call are handed back, evaluated
    with those expressions, and passed again for the steps they were held from. The
    week's newborns and arrivals, appended after the pass, get their onsets, traits and
    wellbeing in a second, short one.

    With CRN off every draw comes from one sequential generator, in the order the
    phase always made them: deaths and births (one per row), the newborns' and
    arrivals' own draws, then onsets and wellbeing (one per row, arrivals included).
    The last two cannot be drawn before the arrivals', so without CRN the first pass
    does deaths and births only and the second covers every row.
    """
    people, s = model.people, model.streams
    n_start = people.n  # rows at the start of the week; arrivals are appended after them
    kernel = _Pass(model)

    # The draws. With CRN each is hashed from the person's uid, so all are known now.
    crn, key_death, seq_death = s.kernel_draws("health.death", n_start)
    _, key_birth, seq_birth = s.kernel_draws("health.birth", n_start)
    if crn:
        _, key_onset, seq_onset = s.kernel_draws("health.onset", n_start)
        _, key_wb, seq_wb = s.kernel_draws("health.wellbeing", n_start)
    else:  # drawn below, after the newborns' and arrivals' draws
        key_onset = key_wb = np.uint64(0)
        seq_onset = seq_wb = np.empty(0)
    kernel.draws = (crn, key_death, seq_death, key_birth, seq_birth, key_onset, seq_onset,
                    key_wb, seq_wb)

    # Ageing and deaths; birth candidates; with CRN also new conditions (see
    # onset_hazard) and then dispositions and wellbeing: dispositions fade back toward
    # the person's own level without reinforcement, campaigns can nudge activation for
    # everyone, and wellbeing moves toward the level of the person's state
    # (Residents.wellbeing_level), with a little noise.
    dead, amb, amb_u, mothers, held, held_u = kernel.run(
        np.array([[0, n_start]]), deaths=True, onsets=crn, traits=crn)
    if amb.size:
        q = people.deprivation[amb].astype(np.float32)
        p_death = 1.0 - (1.0 - annual_mortality(people.age[amb], people.ltc[amb], q, model)) ** WEEK
        dead = _merge(dead, amb[amb_u < p_death])
    if dead.size:
        model.remove_residents(dead)

    # Births, to living women aged 15-44 (those who died this week excluded).
    mothers = mothers[people.alive[mothers]]
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

    # New conditions, dispositions and wellbeing for the rows the first pass left: with
    # CRN, those it held back at an ambiguous death, and the newborns and arrivals;
    # without CRN, every row.
    if crn:
        spans = np.concatenate((_one_row_spans(amb), [[n_start, n]]))
    else:
        _, key_onset, seq_onset = s.kernel_draws("health.onset", n)
        _, key_wb, seq_wb = s.kernel_draws("health.wellbeing", n)
        kernel.draws = (crn, key_death, seq_death, key_birth, seq_birth, key_onset,
                        seq_onset, key_wb, seq_wb)
        spans = np.array([[0, n]])
    *_, more, more_u = kernel.run(spans, deaths=False, onsets=True, traits=True)
    held, held_u = np.concatenate((held, more)), np.concatenate((held_u, more_u))
    if held.size:  # onsets too close to call, then those rows' dispositions and wellbeing
        onset = held[held_u < onset_hazard(model, held)]
        people.ltc[onset] = np.minimum(people.ltc[onset] + 1, 40)
        kernel.run(_one_row_spans(held), deaths=False, onsets=False, traits=True)


class _Pass:
    """Arguments of :func:`sim.kernels.health_pass` this week (``draws`` set by the phase)."""

    COLUMNS = ("age", "alive", "female", "ltc", "deprivation", "connectedness", "activation",
               "dependence", "activation0", "dependence0", "connectedness0", "wellbeing",
               "group", "uid")

    def __init__(self, model: "HealthSystemModel"):
        h, pop = model.spec.health, model.spec.population
        tables = _health_tables(h)
        self.people = model.people
        self.draws = None
        self.death = (tables.death_age, tables.death_ltc, float(h.mortality_infant),
                      float(h.mortality_at_80), float(h.mortality_gompertz),
                      float(h.mortality_per_ltc), float(np.log(h.mortality_per_ltc)))
        self.onset = (tables.onset_age, float(tables.onset_rel), float(h.ltc_age_slope * WEEK),
                      float(h.rel_onset_lonely), float(np.log(h.rel_onset_activated)),
                      float(h.rel_onset_group))
        self.trait = (float(h.trait_reversion), float(model.levers.activation_nudge),
                      float(h.wellbeing_drift))
        self.ltc_mean = (float(h.ltc_mean_age80), float(h.ltc_age_slope), tables.dep_mult)
        self.lonely_below = np.float32(pop.lonely_below)
        self.birth_p = float(h.fertility_rate * WEEK)

    def run(self, spans: np.ndarray, *, deaths: bool, onsets: bool, traits: bool):
        """The kernel over ``spans`` of rows, on the columns as they are now (appending
        rows may have moved them)."""
        from . import kernels

        n = self.people.n
        columns = tuple(getattr(self.people, name)[:n] for name in self.COLUMNS)
        return kernels.health_pass(np.ascontiguousarray(spans, dtype=np.int64), deaths, onsets,
                                   traits, columns, self.draws, self.death, self.onset,
                                   self.trait, self.ltc_mean, self.lonely_below, self.birth_p)


def _one_row_spans(rows: np.ndarray) -> np.ndarray:
    """Spans ``(row, row + 1)`` for :func:`sim.kernels.health_pass`."""
    return np.stack((rows, rows + 1), axis=1)


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

    def __init__(self, h):
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


@functools.lru_cache(maxsize=8)
def _health_tables(h) -> _Tables:
    # Keyed by the (frozen, hashable) health parameters, so a change mid-run (the
    # dashboard's sliders) makes new tables.
    return _Tables(h)


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
    pop = spec.population
    sex, *z = s.uniforms(["birth.sex", "birth.activation", "birth.dependence",
                          "birth.threshold"], uid)
    z_act, z_dep, z_threshold = to_normal(np.array(z))
    people.female[rows] = sex < pop.female_share
    q = people.deprivation[rows].astype(np.float64)
    act, dep = Residents.disposition(pop, q, z_act, z_dep)
    people.activation0[rows] = people.activation[rows] = act
    people.dependence0[rows] = people.dependence[rows] = dep
    people.connectedness0[rows] = people.connectedness[rows] = people.connectedness0[mothers]
    people.wellbeing[rows] = Residents.wellbeing_level(people, rows, spec)
    people.threshold[rows] = np.clip(spec.movement.threshold_mean + spec.movement.threshold_sd
                                     * z_threshold, 0.0, 1.0)
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
    # Each arrival's draws, stream by stream (in this order, which with CRN off is the
    # order of the sequential draws).
    u_band, u_age, u_sex, u_ltc = s.uniforms(["migration.age_band", "migration.age",
                                              "migration.sex", "migration.ltc"], uid)
    band = np.minimum(np.searchsorted(_CUMULATIVE_SHARE, u_band, side="right"),
                      len(MIGRANT_AGES) - 1)
    age = _YOUNGEST[band] + (_OLDEST[band] - _YOUNGEST[band]) * u_age
    people.age[rows] = age
    people.ti_birth[rows] = model.week - (age * 52).astype(np.int32)
    people.female[rows] = u_sex < pop.female_share
    q = people.deprivation[rows].astype(np.float64)
    ltc = np.minimum(to_poisson(u_ltc, Residents.ltc_mean(age, q, spec)), 20)
    people.ltc[rows] = ltc
    people.diagnosed[rows] = Residents.known_conditions(
        ltc, s.uniforms([("migration.diagnosed", k) for k in range(int(ltc.max(initial=0)))],
                        uid), pop.diagnosed_share)
    u = s.uniforms(["migration.activation", "migration.dependence", "migration.connectedness",
                    "migration.organiser", "migration.threshold"], uid)
    z_act, z_dep, z_con, z_threshold = to_normal(u[[0, 1, 2, 4]])
    act, dep = Residents.disposition(pop, q, z_act, z_dep)
    people.activation0[rows] = people.activation[rows] = act
    people.dependence0[rows] = people.dependence[rows] = dep
    people.connectedness0[rows] = people.connectedness[rows] = Residents.connectedness_level(
        pop, age, z_con)
    people.organiser[rows] = (age >= 18) & (u[3] < spec.community.organiser_share)
    people.wellbeing[rows] = Residents.wellbeing_level(people, rows, spec)
    people.threshold[rows] = np.clip(spec.movement.threshold_mean + spec.movement.threshold_sd
                                     * z_threshold, 0.0, 1.0)
    model.log.migrants += count
