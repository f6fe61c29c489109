"""The social network (sim.network) and its norms rule (sim.kernels.network.norm_step):
the rule stays in 0..1 on random states, the compiled norms pass is the rule applied,
on every row, to the mean departure of its living ties, and the network's CSR
(sim.network.ties_csr) is SciPy's canonical CSR, to the element."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from sim.kernels.bounds import evaluate
from sim.kernels.community import CommunityParams
from sim.kernels.network import (norm_step, norms_scratch, spread_norms,
                                 spread_norms_threads)
from sim.network import Network, ties_csr


def _params(rate):
    return CommunityParams(**{name: (rate if name == "norm_rate" else 0.0)
                              for name in CommunityParams._fields})


def _network(rng, size, degree):
    src = rng.integers(0, size, size * degree // 2)
    dst = rng.integers(0, size, src.size)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    adjacency = sp.csr_matrix((np.ones(2 * src.size, np.float32),
                               (np.concatenate([src, dst]), np.concatenate([dst, src]))),
                              shape=(size, size))
    adjacency.sum_duplicates()
    adjacency.data[:] = 1.0
    return Network(adjacency.indptr, adjacency.indices)


def test_norm_step_stays_in_range_on_random_states():
    rng = np.random.default_rng(1)
    for rate in (0.0, 0.01, 0.5, 1.0):
        trait = rng.uniform(0, 1, 5000).astype(np.float32)
        ties, own = (rng.uniform(-1, 1, (2, 5000))).astype(np.float32)
        out = evaluate(norm_step, _params(rate), trait, ties, own)
        assert np.all((out >= 0) & (out <= 1))
    assert norm_step(np.float32(0.5), np.float32(0.2), np.float32(0.0),
                     _params(0.5)) == pytest.approx(0.6)


@pytest.mark.parametrize("stretches", [0, 1, 2, 3, 7])
def test_spread_norms_is_the_rule_over_each_rows_living_ties(stretches):
    """Both forms (0: the plain one; the threaded one in so many stretches of rows, here
    on this process's threads) give the rule's numbers, bit for bit."""
    rng = np.random.default_rng(2)
    n = 1500
    net = _network(rng, n, 9)
    alive = rng.random(n) < 0.9
    dead = np.flatnonzero(~alive)
    net.note_deaths(dead)
    dep, act = (rng.uniform(0, 1, (2, n))).astype(np.float32)
    dep0, act0 = (rng.uniform(0, 1, (2, n))).astype(np.float32)
    cp = _params(0.3)
    dep_x = np.where(alive, dep - dep0, 0).astype(np.float32)
    act_x = np.where(alive, act - act0, 0).astype(np.float32)
    exp_dep, exp_act = dep.copy(), act.copy()
    for i in range(n):
        ties = net.indices[net.indptr[i]: net.indptr[i + 1]]
        denom = net.live_degree[i]
        if alive[i] and denom > 0:
            # Summed in CSR order in float32, as the pass sums.
            sd = np.float32(0.0)
            sa = np.float32(0.0)
            for j in ties:
                sd += dep_x[j]
                sa += act_x[j]
            exp_dep[i] = norm_step(dep[i], sd / denom, dep_x[i], cp)
            exp_act[i] = norm_step(act[i], sa / denom, act_x[i], cp)
    args = (net.indptr, net.indices, net.padded(), net.live_degree, alive, dep, dep0, act, act0,
            cp, np.full_like(norms_scratch(n), np.nan))  # whatever the scratch held
    if stretches:
        spread_norms_threads(*args, stretches)
    else:
        spread_norms(*args)
    assert np.array_equal(dep, exp_dep) and np.array_equal(act, exp_act)
    assert not np.array_equal(dep[alive], dep0[alive])


def test_living_tie_counts_drop_with_deaths():
    rng = np.random.default_rng(3)
    net = _network(rng, 200, 6)
    before = net.live_degree.copy()
    net.note_deaths(np.array([5]))
    ties = net.indices[net.indptr[5]: net.indptr[6]]
    assert np.array_equal(before[ties] - 1, net.live_degree[ties])


@pytest.mark.parametrize("size, ties", [(1, 0), (50, 400), (5000, 30_000)])
def test_ties_csr_is_scipys_canonical_csr(size, ties):
    rng = np.random.default_rng(size)
    src = rng.integers(0, size, ties).astype(np.int32)
    dst = (src + rng.integers(1, 40, ties)).astype(np.int32) % max(size, 1)
    keep = src != dst
    rows = np.concatenate([src[keep], dst[keep]])
    cols = np.concatenate([dst[keep], src[keep]])
    expected = sp.csr_matrix((np.ones(rows.size, np.float32), (rows, cols)), shape=(size, size))
    expected.sum_duplicates()
    indptr, indices = ties_csr(size, rows, cols)
    assert indptr.dtype == expected.indptr.dtype and indices.dtype == expected.indices.dtype
    assert np.array_equal(indptr, expected.indptr)
    assert np.array_equal(indices, expected.indices)
    if ties:
        assert rows.size > indices.size  # duplicates were given, and kept once


def _household_ties_numpy(household):
    """The household pairs as NumPy found them before the compiled builder (a reference)."""
    src, dst = [], []
    for d in range(1, household.size):
        same = household[d:] == household[:-d]
        if not same.any():
            break
        i = np.flatnonzero(same)
        src.append(i)
        dst.append(i + d)
    if not src:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(src), np.concatenate(dst)


def _ring_ties_numpy(neighbourhood, half_degree, rewire, rng):
    """The ring lattice as NumPy built it before the compiled builder (a reference)."""
    size = neighbourhood.size
    rows = np.arange(size)
    starts = np.searchsorted(neighbourhood, neighbourhood, side="left")
    ends = np.searchsorted(neighbourhood, neighbourhood, side="right")
    width = ends - starts
    src, dst = [], []
    for k in range(1, half_degree + 1):
        ok = width > k
        with np.errstate(divide="ignore"):  # widths of 0 (a layout not in runs), not kept
            target = starts + (rows - starts + k) % width
        rewired = rng.random(size) < rewire
        target = np.where(rewired, rng.integers(0, size, size), target)
        src.append(rows[ok])
        dst.append(target[ok])
    return np.concatenate(src), np.concatenate(dst)


@pytest.mark.parametrize("layout", ["runs", "repeats", "one", "none"])
def test_household_pairs_are_the_numpy_pairs(layout):
    from sim.network import _household_ties

    rng = np.random.default_rng(7)
    household = {"runs": np.repeat(np.arange(400), rng.integers(1, 7, 400)),
                 "repeats": rng.integers(0, 5, 300),  # not in runs: pairs at any distance
                 "one": np.zeros(1, np.int64), "none": np.arange(50)}[layout].astype(np.int32)
    got, expected = _household_ties(household), _household_ties_numpy(household)
    assert all(g.dtype == np.int64 and np.array_equal(g, e) for g, e in zip(got, expected))


@pytest.mark.parametrize("sorted_", [True, False])
def test_ring_ties_are_the_numpy_ring_with_the_same_draws(sorted_):
    from sim.network import _ring_ties

    rng = np.random.default_rng(8)
    neighbourhood = np.repeat(np.arange(6), [1, 2, 3, 40, 500, 7]).astype(np.int32)
    if not sorted_:  # a layout not in runs takes the search the NumPy builder made
        neighbourhood = rng.permutation(neighbourhood)
    for half, rewire in ((1, 0.0), (4, 0.1), (5, 1.0)):
        got = _ring_ties(neighbourhood, half, rewire, np.random.default_rng(half))
        expected = _ring_ties_numpy(neighbourhood, half, rewire, np.random.default_rng(half))
        assert all(np.array_equal(g, e) for g, e in zip(got, expected))


@pytest.mark.parametrize("size, pairs", [(1, 0), (3, 5), (60, 500), (4000, 40_000)])
def test_undirected_csr_is_scipys_canonical_csr_of_both_ways_without_self_pairs(size, pairs):
    from sim.network import _csr

    rng = np.random.default_rng(size)
    src = rng.integers(0, size, pairs)
    dst = np.where(rng.random(pairs) < 0.1, src, (src + rng.integers(1, 30, pairs)) % size)
    keep = src != dst
    rows = np.concatenate([src[keep], dst[keep]])
    cols = np.concatenate([dst[keep], src[keep]])
    expected = sp.csr_matrix((np.ones(rows.size, np.float32), (rows, cols)), shape=(size, size))
    expected.sum_duplicates()
    indptr, indices = _csr(size, src, dst, undirected=True)
    assert indptr.dtype == expected.indptr.dtype and indices.dtype == expected.indices.dtype
    assert np.array_equal(indptr, expected.indptr)
    assert np.array_equal(indices, expected.indices)


# --- the small passes over ties, their blocks in threads (sim.kernels.blocks) -------------

_THREADS_SIZE = 4 * 16384 + 5000  # threads.THREADS_FROM_BLOCKS blocks, the last short


def _two_threads_or_skip():
    from sim.kernels import threads

    if threads.available() < 2:
        pytest.skip("one core: the plain forms are what runs")
    return threads


def test_random_ties_in_threads_equal_the_plain_pass():
    import numba

    from sim.kernels.network import random_tie, random_tie_threads

    threads = _two_threads_or_skip()
    rng = np.random.default_rng(5)
    net = _network(rng, _THREADS_SIZE, 6)
    rows = np.sort(rng.choice(_THREADS_SIZE + 50, _THREADS_SIZE, replace=False))  # some beyond
    u = rng.random(rows.size)
    numba.set_num_threads(2)
    try:
        tie = random_tie(net.indptr, net.indices, rows, u)
        assert np.array_equal(tie, random_tie_threads(net.indptr, net.indices, rows, u))
    finally:
        numba.set_num_threads(threads.available())
    # the int(u * degree)-th tie in CSR order; -1 without ties or beyond the network
    inside = np.minimum(rows, net.size - 1)
    first = net.indptr[inside]
    degree = np.where(rows < net.size, np.diff(net.indptr)[inside], 0)
    pick = np.minimum(first + (u * degree).astype(np.int64), net.indices.size - 1)
    assert np.array_equal(tie, np.where(degree > 0, net.indices[pick], -1))
    assert (tie == -1).any() and (tie >= 0).mean() > 0.9
