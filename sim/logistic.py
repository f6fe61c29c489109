"""The logistic function and its inverse, as SciPy's ``scipy.special.expit`` and
``logit`` compute them, to the bit, without importing ``scipy.special`` (about 0.15 s
of a fresh process's start, for two formulas).

:func:`expit` of a float64 array runs the formula with the C library's ``exp`` in
compiled code (:mod:`sim.kernels.logistic`); anything else goes to SciPy itself.
:func:`logit` of a probability is SciPy's formula (``log(p / (1 - p))``, and
``log1p(2(p - 0.5)) - log1p(-2(p - 0.5))`` near one half, where the plain form loses
digits) and returns a NumPy float64, as SciPy's does, so that it promotes arrays in
arithmetic as SciPy's result did. ``tests/test_logistic.py`` checks both against SciPy.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["expit", "logit"]


def expit(x) -> np.ndarray:
    """``1 / (1 + exp(-x))`` elementwise, as ``scipy.special.expit``."""
    if type(x) is np.ndarray and x.dtype == np.float64 and x.ndim == 1 \
            and x.flags.c_contiguous:  # what the phases pass, a few times a week
        import sim.kernels as kernels  # (signals wait for it, as for every kernel)

        out = np.empty_like(x)
        kernels.expit_into(x, out)
        return out
    values = np.asarray(x)
    if values.dtype != np.float64 or values.ndim == 0:
        from scipy.special import expit as scipy_expit

        return scipy_expit(x)
    import sim.kernels as kernels

    flat = np.ascontiguousarray(values).ravel()
    out = np.empty_like(flat)
    kernels.expit_into(flat, out)
    return out.reshape(values.shape)


def logit(p: float) -> np.float64:
    """``log(p / (1 - p))`` of a probability, as ``scipy.special.logit`` (``-inf`` at 0,
    ``inf`` at 1, NaN outside)."""
    p = float(p)
    if not 0.0 < p < 1.0:
        return np.float64(-math.inf if p == 0.0 else math.inf if p == 1.0 else math.nan)
    if p < 0.3 or p > 0.65:
        return np.float64(math.log(p / (1.0 - p)))
    s = 2.0 * (p - 0.5)
    return np.float64(math.log1p(s) - math.log1p(-s))
