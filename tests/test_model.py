"""The core model: reproducibility, common random numbers, conservation, structure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mesa
from sim import HealthSystemModel, load_scenario
from sim.acute import AcuteTrust
from sim.community import CommunityGroup
from sim.invariants import check_invariants
from sim.metrics import COLUMNS
from sim.practice import GPPractice

from .test_threads import needs_two


def model(small, seed=1, **extra):
    overrides = {k.replace(".", "__"): v for k, v in small.items()}
    return HealthSystemModel("baseline", seed=seed, **overrides, **extra)


def test_is_a_mesa_model_with_agents(small):
    m = model(small)
    assert isinstance(m, mesa.Model)
    assert len(m.agents_by_type[GPPractice]) == 2
    assert len(m.agents_by_type[AcuteTrust]) == 1
    assert len(m.agents_by_type[CommunityGroup]) == m.groups.count > 0
    assert len(m.agents) == 3 + m.groups.count  # residents are arrays, not agents


def test_summary_keys_are_the_declared_ones(small):
    from sim.metrics import SUMMARY_KEYS

    assert tuple(model(small).run(3).summary()) == SUMMARY_KEYS


def test_timeseries_columns_are_the_contract(small):
    m = model(small).run(6)
    frame = m.timeseries()
    assert list(frame.columns) == list(COLUMNS)
    assert frame["week"].tolist() == [1, 2, 3, 4, 5, 6]
    assert (frame["gp_appointments"] > 0).all()


def test_same_seed_same_results(small):
    a = model(small, seed=7).run(30).timeseries()
    b = model(small, seed=7).run(30).timeseries()
    pd.testing.assert_frame_equal(a, b)
    c = model(small, seed=8).run(30).timeseries()
    assert not a.equals(c)


@pytest.mark.parametrize("crn", [True, False])
def test_population_conserved_and_invariants_hold(small, crn):
    m = model(small, system__check_invariants=True, system__common_random_numbers=crn)
    m.run(104)  # invariants are checked every week; they raise on failure
    births, deaths = m.log_totals["births"], m.log_totals["deaths"]
    assert births > 0 and deaths > 0
    assert len(m.people) == m.start_population + births + m.log_totals["migrants"] - deaths
    assert abs(m.start_population - 3000) < 100  # a year of burn-in moves it a little
    # Nobody duplicated: uids unique over everyone ever alive.
    assert np.unique(m.people.uid[: m.people.n]).size == m.people.n


def test_invariant_checker_catches_corruption(small):
    m = model(small).run(2)
    m.people.activation[5] = 1.5
    with pytest.raises(AssertionError, match="activation outside 0..1"):
        check_invariants(m)


def test_common_random_numbers_isolate_a_change_to_one_resident(small):
    """Changing one resident leaves every other resident's draws — and so their
    week — unchanged, except where the change reaches them through a mechanism."""
    spec = load_scenario("baseline").with_overrides({**small, "health.seasonality": 0.0})
    a = HealthSystemModel(spec, seed=3)
    b = HealthSystemModel(spec, seed=3)
    k = 100
    b.people.female[k] = not b.people.female[k]  # read only by births: k is a man of any age or...
    b.people.age[k] = 90.0  # ...too old to give birth either way
    a.people.age[k] = 90.0
    uid = a.people.uid[: a.people.n]
    for name in ("need.low", "health.death", "choice.low"):
        assert np.array_equal(a.streams.uniform(name, uid), b.streams.uniform(name, uid))
    a.run(8)
    b.run(8)
    fields = ("ltc", "diagnosed", "activation", "dependence", "wellbeing", "n_gp", "alive")
    others = np.arange(a.people.n) != k
    for f in fields:
        assert np.array_equal(getattr(a.people, f)[: a.people.n][others],
                              getattr(b.people, f)[: b.people.n][others]), f


def test_crn_draws_do_not_depend_on_who_else_draws():
    from sim.streams import Streams

    s = Streams(seed=11)
    s.week = 4
    everyone = np.arange(1000, dtype=np.uint64)
    some = everyone[::7]
    assert np.array_equal(s.uniform("x", everyone)[::7], s.uniform("x", some))
    assert not np.array_equal(s.uniform("x", some), s.uniform("y", some))
    off = Streams(seed=11, crn=False)
    assert not np.array_equal(off.uniform("x", everyone)[::7], off.uniform("x", some))


def test_crn_uniforms_are_uniform():
    from scipy import stats

    from sim.streams import Streams

    s = Streams(seed=5)
    s.week = 1
    u = s.uniform("test", np.arange(200_000, dtype=np.uint64))
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.01


def test_poisson_by_inversion_matches_mean():
    from sim.streams import Streams

    s = Streams(seed=2)
    k = s.poisson("p", np.arange(100_000, dtype=np.uint64), np.full(100_000, 2.4))
    assert abs(k.mean() - 2.4) < 0.03
    assert abs(k.var() - 2.4) < 0.08


def test_newborn_identity_is_independent_of_birth_order():
    from sim.streams import derive_uid

    mothers = np.array([5, 9, 12], dtype=np.uint64)
    assert np.array_equal(derive_uid(mothers, 10)[1:], derive_uid(mothers[1:], 10))
    assert np.unique(derive_uid(mothers, 10)).size == 3


def test_network_is_symmetric_without_self_ties(small):
    m = model(small)
    adj = m.network.adjacency
    assert (adj != adj.T).nnz == 0
    assert adj.diagonal().sum() == 0
    mean_degree = m.network.degree.mean()
    assert 8.0 <= mean_degree <= 8.0 + 2.5  # ring ties plus household ties


def test_erdos_renyi_network(small):
    m = model(small, network__kind="erdos_renyi", network__mean_degree=6.0)
    assert abs(m.network.degree.mean() - 6.0) < 0.3


def test_resident_view(small):
    m = model(small)
    r = m.resident(10)
    assert r.age == pytest.approx(float(m.people.age[10]))
    assert set(r.as_dict()) >= {"age", "activation", "dependence", "ltc", "group"}


def test_overrides_with_double_underscore(small):
    m = model(small, network__mean_degree=4.0)
    assert m.spec.network.mean_degree == 4.0
    with pytest.raises(Exception, match="no such parameter"):
        model(small, network__mean_degre=4.0)


def test_crn_a_sicker_resident_changes_only_their_own_story(small):
    """One resident given three more conditions: their own path changes; with norms
    off, nobody else's does (capacity does not bind at this size), because every
    other resident's draws are keyed to them alone."""
    spec = load_scenario("baseline").with_overrides({**small, "community.norm_rate": 0.0})
    a = HealthSystemModel(spec, seed=9)
    b = HealthSystemModel(spec, seed=9)
    k = int(np.flatnonzero((a.people.age[: a.people.n] > 50) & (a.people.group[: a.people.n] < 0))[0])
    b.people.ltc[k] += 3
    a.run(12)
    b.run(12)
    assert b.people.cum_gp[k] + b.people.cum_ae[k] >= a.people.cum_gp[k] + a.people.cum_ae[k]
    assert b.people.ltc[k] > a.people.ltc[k]
    others = np.ones(a.people.n, dtype=bool)
    others[k] = False
    others[b.network.indices[b.network.indptr[k]: b.network.indptr[k + 1]]] = False
    for f in ("ltc", "activation", "dependence", "cum_gp", "cum_ae", "alive", "group"):
        assert np.array_equal(getattr(a.people, f)[: a.people.n][others],
                              getattr(b.people, f)[: b.people.n][others]), f


def test_gp_requests_by_kind_are_weekly_columns_of_what_the_practices_received(small):
    """The choice phase counts the week's GP requests by kind into the metrics (no hook
    reading the model after the step): each column is the week's requests of that kind."""
    from sim.need import GP_REQUEST_KINDS

    model = HealthSystemModel("done_with", seed=3, **small)
    seen = []
    for _ in range(8):
        model.step()
        counts = np.bincount(model.gp_requests.kind, minlength=len(GP_REQUEST_KINDS))
        seen.append({f"gp_requests_{name}": int(counts[k]) for name, k in GP_REQUEST_KINDS.items()}
                    | {"low_needs": model.log.low_needs})
    frame = model.timeseries().tail(8).reset_index(drop=True)
    for week, expected in enumerate(seen):
        for col, value in expected.items():
            assert frame.loc[week, col] == value, (week, col)
    assert frame["gp_requests_minor"].sum() > 0 and frame["gp_requests_review"].sum() > 0
    assert (frame["low_to_service"] <= frame["low_needs"]).all()


@needs_two
def test_the_weeks_state_in_threads_is_the_plain_pass_and_numpys():
    """week_state_threads: the same compact values (so the same means) and counts as the
    plain pass and as NumPy's selections, on rows enough for threads, the living and
    the dead spread over the blocks' edges."""
    from sim import kernels
    from sim.kernels import blocks, threads
    from sim.kernels.accounting import StateColumns, StateCuts

    rng = np.random.default_rng(12)
    n = 5 * blocks.BLOCK + 1234
    alive = rng.random(n) < 0.9
    alive[blocks.BLOCK - 40: blocks.BLOCK + 3] = False  # a block ending and one starting dead
    alive[-500:] = False
    people = StateColumns(alive, *(rng.random(n, np.float32) for _ in range(3)),
                          (rng.random(n) * 90).astype(np.float32), rng.random(n, np.float32),
                          np.where(rng.random(n) < 0.1, 3, -1).astype(np.int32),
                          (rng.random(n) < 0.05).astype(np.int8))
    cuts = StateCuts(0.5, np.float32(0.3), 18.0)
    with threads.use_threads(2):
        plain, threaded = (run(people, n, cuts, *(np.full(n + 9, np.nan, np.float32)
                                                  for _ in range(3)))
                           for run in (kernels.week_state, kernels.week_state_threads))
    adult = alive & (people.age >= 18.0)
    expected = (people.dependence[alive], people.activation[alive], people.wellbeing[alive],
                alive.sum(), (alive & (people.dependence > 0.5)).sum(), adult.sum(),
                (adult & (people.connectedness < np.float32(0.3))).sum(),
                (alive & (people.group >= 0)).sum(), (alive & (people.role > 0)).sum())
    for a, b, c in zip(plain, threaded, expected):
        assert np.array_equal(a, b) and np.array_equal(a, c)
