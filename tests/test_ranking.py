"""The ranking's nested F-tests from one fit (sim.ranking._drop_gains) equal refitting the
regression without each parameter, as the tests were first computed."""

import numpy as np
import pytest
from scipy import stats

from sim.ranking import _degree, additive_shares


def refitted(x, y):
    """Shares and p-values by a refit per parameter (the slow, plain way)."""
    n, k = x.shape
    degree = _degree(n, k)
    sd = x.std(axis=0)
    z = (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    design = np.column_stack([np.ones(n)] + [z[:, j] ** p for j in range(k)
                                             for p in range(1, degree + 1)])
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    rss = float(((y - design @ beta) ** 2).sum())
    df_res = n - design.shape[1]
    shares, p_values = np.zeros(k), np.ones(k)
    for j in range(k):
        cols = list(range(1 + j * degree, 1 + (j + 1) * degree))
        shares[j] = float(np.var(design[:, cols] @ beta[cols]) / np.var(y))
        reduced = np.delete(design, cols, axis=1)
        b, *_ = np.linalg.lstsq(reduced, y, rcond=None)
        gain = float(((y - reduced @ b) ** 2).sum()) - rss
        p_values[j] = float(stats.f.sf((gain / degree) / (rss / df_res), degree, df_res))
    return shares, p_values


@pytest.mark.parametrize("n, k", [(64, 3), (256, 12), (256, 54)])
def test_one_fit_gives_the_refits_shares_and_p_values(n, k):
    rng = np.random.default_rng(n + k)
    x = rng.uniform(size=(n, k))
    y = 3 * x[:, 0] - 2 * x[:, 1] ** 2 + 0.5 * rng.normal(size=n)
    shares, p_values = additive_shares(x, y)
    slow_shares, slow_p = refitted(x, y)
    assert np.array_equal(shares, slow_shares)  # the full fit is unchanged: to the bit
    np.testing.assert_allclose(p_values, slow_p, rtol=1e-6, atol=1e-12)
    assert p_values[0] < 1e-6 and p_values[1] < 1e-6  # what moves y is found
    assert (np.argsort(p_values[:2]) == np.argsort(slow_p[:2])).all()


def test_a_rank_deficient_design_is_refitted():
    rng = np.random.default_rng(1)
    x = np.column_stack([rng.uniform(size=80), rng.integers(0, 2, size=80).astype(float)])
    y = x[:, 0] + x[:, 1] + 0.1 * rng.normal(size=80)  # the second takes two values only
    shares, p_values = additive_shares(x, y)
    slow_shares, slow_p = refitted(x, y)
    np.testing.assert_allclose(shares, slow_shares)
    np.testing.assert_allclose(p_values, slow_p, rtol=1e-6, atol=1e-12)
