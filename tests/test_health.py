"""Phase 1 (sim.health): the compiled pass decides every death, birth and onset exactly
as ``u < rule(...)`` on every row; the rules' array forms serve the starting population."""

from __future__ import annotations

import numpy as np
import pytest

from sim import HealthSystemModel
from sim.kernels import hash_uniform
from sim.kernels.bounds import evaluate
from sim.kernels.health import draws_of, p_birth, p_death, p_onset, wellbeing_target

WEEK = 1.0 / 52.0


def _model():
    # Raised rates, so that thousands of rows meet each rule in one week (no burn-in: it
    # would spend the raised mortality on the old before the week under test).
    model = HealthSystemModel("done_with", seed=5, population__size=20_000,
                              population__neighbourhoods=4, system__burn_in_weeks=0,
                              health__mortality_at_80=1.0,
                              health__fertility_rate=0.3, health__ltc_mean_age80=8.0)
    model.run(5)
    model.streams.week = model.week
    return model


def test_the_pass_decides_as_the_rules_on_every_row():
    from sim import health

    model = _model()
    people, s = model.people, model.streams
    n = people.n
    h = health.health_params(model.spec, model.levers)
    uid = people.uid[:n]
    u = {name: hash_uniform(s.key(f"health.{name}"), uid)
         for name in ("death", "birth", "onset", "wellbeing")}
    alive = people.alive[:n].copy()
    age = np.where(alive, (people.age[:n].astype(np.float64) + WEEK).astype(np.float32), people.age[:n])
    q = people.deprivation[:n]
    dies = alive & (u["death"] < evaluate(p_death, h, age, people.ltc[:n], q))
    mother = alive & ~dies & (u["birth"] < evaluate(p_birth, h, age, people.female[:n]))
    lonely = people.connectedness[:n] < h.lonely_below
    onset = alive & ~dies & (u["onset"] < evaluate(p_onset, h, age, q, lonely,
                                                   people.activation[:n], people.group[:n] >= 0))
    ltc_before = people.ltc[:n].copy()
    assert dies.sum() > 50 and mother.sum() > 5 and onset.sum() > 20  # the test bites

    draws = draws_of(True, *((s.key(f"health.{k}"), np.empty(0)) for k in
                          ("death", "birth", "onset", "wellbeing")))
    bounds = health._health_bounds(h._replace(activation_nudge=0.0))
    dead, mothers = health._pass(people, 0, n, (True, True, True), draws, h, bounds)
    assert np.array_equal(dead, np.flatnonzero(dies))
    assert np.array_equal(mothers, np.flatnonzero(mother))
    assert np.array_equal(people.ltc[:n] - ltc_before, onset.astype(np.int8))
    assert np.array_equal(people.age[:n], age)


def test_wellbeing_of_the_starting_population_is_its_target():
    model = HealthSystemModel("baseline", seed=2, population__size=2000,
                              population__neighbourhoods=2, system__burn_in_weeks=0)
    p = model.people
    n = p.n
    from sim.health import health_params

    h = health_params(model.spec)
    expected = evaluate(wellbeing_target, h, p.ltc[:n], p.connectedness[:n] < h.lonely_below,
                        p.activation[:n], False, p.dependence[:n])  # groups come after
    assert np.array_equal(p.wellbeing[:n], expected.astype(np.float32))
    assert 0.5 < p.wellbeing[:n].mean() < 0.9


def test_a_wellbeing_coefficient_moves_wellbeing():
    """The target's coefficients are parameters: loneliness weighing more lowers the
    wellbeing of the lonely at the start."""
    start = {"population__size": 2000, "population__neighbourhoods": 2,
             "system__burn_in_weeks": 0}  # the starting population itself
    base = HealthSystemModel("baseline", seed=2, **start)
    heavier = HealthSystemModel("baseline", seed=2, **start, health__wellbeing_lonely=2.0)
    lonely = base.people.connectedness[:base.people.n] < base.spec.population.lonely_below
    assert lonely.any()
    assert np.all(heavier.people.wellbeing[:base.people.n][lonely]
                  < base.people.wellbeing[:base.people.n][lonely])
    assert np.array_equal(heavier.people.wellbeing[:base.people.n][~lonely],
                          base.people.wellbeing[:base.people.n][~lonely])


def test_settle_gives_the_disposition_and_the_wellbeing_target():
    """New rows take the logit-normal disposition and the threshold (written out here in
    NumPy, as the model had them) and the wellbeing target of their state as held; rows
    outside are untouched."""
    from sim.health import health_params
    from sim.logistic import expit
    from sim.population import Residents

    spec = HealthSystemModel("baseline", seed=2, population__size=500,
                             system__burn_in_weeks=0).spec
    pop, h = spec.population, health_params(spec)
    people = Residents(40)
    people.append(40)
    rng = np.random.default_rng(4)
    people.deprivation[:] = rng.integers(1, 6, 40)
    people.ltc[:] = rng.integers(0, 4, 40)
    people.connectedness[:] = rng.random(40)
    people.group[:] = np.where(rng.random(40) < 0.5, 3, -1)
    z_act, z_dep = rng.standard_normal(30) * 3, rng.standard_normal(30) * 3
    z_thr = rng.standard_normal(30) * 50  # far enough out to meet both cuts
    people.threshold[:] = 7.0
    people.settle(slice(5, 35), z_act, z_dep, z_thr, spec)
    q = people.deprivation[5:35].astype(np.float64)
    act_dev = pop.activation_logit_sd * z_act - pop.activation_deprivation_step * (3.0 - q)
    dep = expit(pop.dependence_logit_mean - pop.dependence_activation_coupling * act_dev
                * (pop.dependence_logit_sd / pop.activation_logit_sd) * 0.5
                + pop.dependence_logit_sd * z_dep)
    act = expit(pop.activation_logit_mean + act_dev)
    for column, expected in (("activation", act), ("activation0", act),
                             ("dependence", dep), ("dependence0", dep)):
        assert np.array_equal(getattr(people, column)[5:35], expected.astype(np.float32))
        assert not getattr(people, column)[:5].any() and not getattr(people, column)[35:].any()
    target = evaluate(wellbeing_target, h, people.ltc[5:35],
                      people.connectedness[5:35] < h.lonely_below, people.activation[5:35],
                      people.group[5:35] >= 0, people.dependence[5:35])
    assert np.array_equal(people.wellbeing[5:35], target.astype(np.float32))
    threshold = np.clip(spec.movement.threshold_mean + spec.movement.threshold_sd * z_thr, 0, 1)
    assert np.array_equal(people.threshold[5:35], threshold.astype(np.float32))
    assert np.all(people.threshold[:5] == 7.0) and np.all(people.threshold[35:] == 7.0)
    assert (threshold == 0).any() and (threshold == 1).any()  # both cuts met
    # the rule's direction: more deprived, less activated; more activated, less dependent
    assert act[q == 1].mean() < act[q == 5].mean()
    assert np.corrcoef(act_dev, dep)[0, 1] < 0


def test_newborns_and_arrivals_are_settled():
    """A week's newborns and arrivals (appended rows) start at their own levels: the
    week's reversion toward them then leaves their activation and dependence as they are."""
    model = HealthSystemModel("baseline", seed=3, population__size=20_000,
                              population__neighbourhoods=4, system__burn_in_weeks=0,
                              health__fertility_rate=0.3, health__net_migration_per_1000=40.0)
    from sim.health import advance_health

    people = model.people
    n0 = people.n
    model.streams.week = model.week
    advance_health(model)  # the phase alone: later phases move some of their traits
    new = slice(n0, people.n)
    assert people.n - n0 > 20 and model.log.births > 0 and model.log.migrants > 0
    assert np.all(people.alive[new]) and np.all(people.group[new] == -1)
    assert np.all((people.activation0[new] > 0) & (people.activation0[new] < 1))
    assert np.all((people.dependence0[new] > 0) & (people.dependence0[new] < 1))
    assert np.array_equal(people.activation[new], people.activation0[new])
    assert np.array_equal(people.dependence[new], people.dependence0[new])
    assert np.unique(people.activation0[new]).size > 10  # each their own draws


@pytest.mark.parametrize("n", [1, 7, 8, 9, 513, 4096 + 3, 70_001])
def test_arrivals_hosts_are_the_living_rows_of_their_ranks(n):
    """The arrivals' hosts (sim.health._add_migrants) are people.live[ranks], found
    without listing every living row: sparse, dense and full populations, ranks repeated
    and out of order, rows after the last whole eight."""
    from sim.kernels import rows_at_ranks

    rng = np.random.default_rng(n)
    for density in (0.003, 0.5, 0.99, 1.0):
        alive = rng.random(n) < density
        live = np.flatnonzero(alive)
        if live.size == 0:
            continue
        ranks = np.concatenate([rng.integers(0, live.size, 40), [live.size - 1, 0, 0]])
        marks = alive.view(np.uint8)
        hosts = rows_at_ranks(marks, marks[: n // 8 * 8].view(np.uint64), ranks)
        assert hosts.dtype == np.int64
        assert np.array_equal(hosts, live[ranks])
