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
