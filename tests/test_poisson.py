"""Poisson counts by inversion (sim.streams.to_poisson, compiled in
sim.kernels.poisson): the counts NumPy's step-by-step array arithmetic gave, to the bit,
and counts with the Poisson distribution's mean and variance."""

from __future__ import annotations

import numpy as np
import pytest

from sim.streams import to_poisson


def _numpy_inversion(u, lam):
    """The inversion as NumPy array steps made it before it was compiled (a reference)."""
    lam = np.broadcast_to(np.asarray(lam, np.float64), u.shape)
    k = np.zeros(u.shape, dtype=np.int16)
    term = np.exp(-lam)
    cdf = term.copy()
    active = u > cdf
    step = 0
    while active.any() and step < 60:
        step += 1
        term = np.where(active, term * lam / step, term)
        cdf = np.where(active, cdf + term, cdf)
        k += active
        active &= u > cdf
    return k


@pytest.mark.parametrize("n, most_mean", [(0, 1.0), (7, 0.5), (200_000, 6.0), (20_000, 90.0)])
def test_counts_are_the_numpy_inversions(n, most_mean):
    rng = np.random.default_rng(n)
    u, lam = rng.random(n), rng.uniform(0.0, most_mean, n)
    got = to_poisson(u, lam)
    assert got.dtype == np.int16 and np.array_equal(got, _numpy_inversion(u, lam))
    if most_mean > 60:
        assert got.max() == 60  # counts stop at 60, as they did


def test_a_scalar_mean_and_a_grid_of_uniforms_keep_their_shape():
    u = np.random.default_rng(1).random((40, 25))
    got = to_poisson(u, 2.5)
    assert got.shape == (40, 25) and np.array_equal(got, _numpy_inversion(u, 2.5))


def test_counts_have_the_poisson_mean_and_variance():
    u = np.random.default_rng(2).random(400_000)
    counts = to_poisson(u, np.full(u.size, 3.0))
    assert counts.mean() == pytest.approx(3.0, abs=0.02)
    assert counts.var() == pytest.approx(3.0, abs=0.04)
