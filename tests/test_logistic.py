"""sim.logistic computes SciPy's expit and logit to the bit (the model's numbers rest on it)."""

import numpy as np
import pytest
from scipy import special

from sim.logistic import expit, logit


def test_expit_is_scipys_to_the_bit():
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(0, 3, 400_000), rng.uniform(-745, 745, 100_000),
                        [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-300, -1e-300, 710.0, -710.0]])
    assert np.array_equal(expit(x), special.expit(x), equal_nan=True)
    grid = x[:600].reshape(20, 30)  # any shape; and other dtypes go to SciPy itself
    assert np.array_equal(expit(grid), special.expit(grid), equal_nan=True)
    single = x[:1000].astype(np.float32)
    assert expit(single).dtype == np.float32
    assert np.array_equal(expit(single), special.expit(single), equal_nan=True)


@pytest.mark.parametrize("seed", [1, 2])
def test_logit_is_scipys_to_the_bit_and_promotes_as_it_did(seed):
    p = np.random.default_rng(seed).uniform(0, 1, 20_000)
    p = np.concatenate([p, [0.0, 1.0, 0.3, 0.65, 0.5, 1e-12, 1 - 1e-12]])
    mine = np.array([logit(v) for v in p])
    assert np.array_equal(mine, special.logit(p))
    assert isinstance(logit(0.4), np.float64)
    # A NumPy float64 and a float32 array make float64, as SciPy's result did.
    assert (logit(0.4) + np.ones(3, np.float32)).dtype == np.float64
