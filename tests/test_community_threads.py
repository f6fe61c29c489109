"""The community phase's passes over every resident, with their blocks in threads
(``<kernel>_threads``, sim.kernels.blocks), equal their plain forms bit for bit and
select what NumPy selects, on rows enough for threads (their last block short)."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from sim import HealthSystemModel, kernels
from sim.community import community_params
from sim.kernels import blocks, threads
from sim.kernels.threads import SMALL_PASS_FROM_BLOCKS

SIZE = threads.THREADS_FROM_BLOCKS * blocks.BLOCK + 5000
GROUPS = 300

needs_two = pytest.mark.skipif(threads.available() < 2,
                               reason="one core: the plain forms are what runs")


@pytest.fixture
def two_threads():
    numba.set_num_threads(2)
    yield
    numba.set_num_threads(threads.available())


@pytest.fixture(scope="module")
def cp():
    model = HealthSystemModel("done_with", seed=1, population__size=1000,
                              population__neighbourhoods=1, system__burn_in_weeks=0)
    return tuple(community_params(model)._replace(p_found=0.3))


def _residents(seed):
    rng = np.random.default_rng(seed)
    n = SIZE
    return dict(alive=rng.random(n) < 0.97, organiser=rng.random(n) < 0.08,
                group=np.where(rng.random(n) < 0.1, rng.integers(0, GROUPS, n), -1)
                .astype(np.int32),
                age=rng.uniform(0, 100, n).astype(np.float32),
                activation=rng.random(n).astype(np.float32),
                role=np.where(rng.random(n) < 0.05, rng.integers(1, 5, n), 0).astype(np.int8),
                neighbourhood=rng.integers(0, 7, n).astype(np.int32),
                uid=rng.integers(1, 2**63, n, dtype=np.uint64), u=rng.random(n))


def _draws(r, crn):
    """(crn, key, sequential draws by row) as sim.streams.Streams.kernel_draws gives them."""
    return (True, np.uint64(12345), np.empty(0)) if crn else (False, np.uint64(0), r["u"])


@needs_two
def test_free_organisers_and_founders_in_threads(two_threads, cp):
    r = _residents(1)
    columns = (r["alive"], r["organiser"], r["group"], r["age"], 18.0)
    free = kernels.free_organisers(*columns)
    assert np.array_equal(free, kernels.free_organisers_threads(*columns))
    expected = np.flatnonzero(r["alive"] & r["organiser"] & (r["group"] < 0) & (r["age"] >= 18))
    assert np.array_equal(free, expected) and free[-1] >= (SIZE // blocks.BLOCK) * blocks.BLOCK
    for crn in (True, False):
        crn_, key, useq = _draws(r, crn)
        args = (*columns, r["activation"], r["uid"], crn_, key, useq, cp)
        plain = kernels.founders(*args)
        assert np.array_equal(plain, kernels.founders_threads(*args))
        assert 0 < plain.size < free.size and np.isin(plain, free).all()
        if not crn:  # row i's draw, under the rule's probability
            p_found = np.float32(cp[kernels.community.CommunityParams._fields.index("p_found")])
            base = np.float32(cp[kernels.community.CommunityParams._fields.index(
                "found_activation_base")])
            assert np.array_equal(plain, free[useq[free] < p_found * (base + r["activation"][free])])


@needs_two
def test_contacts_in_threads(two_threads):
    r = _residents(2)
    for crn in (True, False):
        crn_, key, useq = _draws(r, crn)
        args = (r["alive"], r["group"], r["age"], 16.0, r["uid"], crn_, key, useq, 0.1)
        plain = kernels.contacts(*args)
        assert np.array_equal(plain, kernels.contacts_threads(*args))
        assert 0.05 * SIZE < plain.size < 0.1 * SIZE
        if not crn:
            expected = np.flatnonzero(r["alive"] & (r["group"] < 0) & (r["age"] >= 16)
                                      & (useq < 0.1))
            assert np.array_equal(plain, expected)


@needs_two
def test_participants_by_neighbourhood_in_threads(two_threads):
    r = _residents(3)
    args = (r["alive"], r["role"], r["neighbourhood"], 7)
    energy = kernels.participants_by_neighbourhood(*args)
    assert np.array_equal(energy, kernels.participants_by_neighbourhood_threads(*args))
    live = r["alive"] & (r["role"] > 0)
    assert np.array_equal(energy, np.bincount(r["neighbourhood"][live], minlength=7))


@needs_two
def test_the_small_passes_run_in_threads_only_for_big_places(two_threads):
    edge = (SMALL_PASS_FROM_BLOCKS - 1) * blocks.BLOCK
    assert kernels.small_pass_threaded(edge + 1) and not kernels.small_pass_threaded(edge)
    assert kernels.threaded(SIZE) and not kernels.small_pass_threaded(SIZE)
    assert kernels.small_pass_threaded(1_000_000)
    numba.set_num_threads(1)
    assert not kernels.small_pass_threaded(1_000_000)  # one thread asked for: none


BIG = (SMALL_PASS_FROM_BLOCKS + 1) * blocks.BLOCK  # where the small passes run in threads


def _state_after(n_threads, crn):
    model = HealthSystemModel("done_with", seed=7, population__size=BIG,
                              population__neighbourhoods=12, weeks=8,
                              system__burn_in_weeks=0, system__threads=n_threads,
                              system__common_random_numbers=crn)
    model.run()
    p, n = model.people, model.people.n
    return model.timeseries(), {name: getattr(p, name)[:n].copy() for name in
                                ("group", "organiser", "role", "activation", "dependence")}



@pytest.mark.slow
@needs_two
@pytest.mark.parametrize("crn", [True, False])
def test_a_place_big_enough_for_the_small_passes_in_threads_is_the_same_in_one(crn):
    """done_with where the small passes run in threads: every weekly column and the
    residents' community and movement state as in one thread, CRN on and off."""
    assert kernels.small_pass_threaded(BIG) or numba.get_num_threads() < 2
    one, people_one = _state_after(1, crn)
    two, people_two = _state_after(2, crn)
    assert [c for c in one.columns if not one[c].equals(two[c])] == []
    for name, values in people_one.items():
        assert np.array_equal(values, people_two[name]), name
    assert (people_one["group"] >= 0).any() and one["population"].nunique() > 1
