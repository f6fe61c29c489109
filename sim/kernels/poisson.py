"""Poisson counts by inversion of one uniform each (:func:`sim.streams.to_poisson`).

The count is the number of steps ``k = 1, 2, ...`` (at most ``most``) for which the
uniform still exceeds the cumulative probability: ``term`` starts at ``exp(-lam)``
(made by NumPy, so the counts are those NumPy's array arithmetic gave, to the bit) and
becomes ``term * lam / k``, ``cdf`` adds each term, in the same order and precision as
that arithmetic; one pass over the people instead of one array operation a step.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy")
def poisson_inversion(u, first_term, lam, most):
    """Counts (int16) for the uniforms ``u`` with means ``lam`` and ``first_term =
    exp(-lam)`` (all flat float64 arrays of one length): for each person, the steps
    taken while ``u > cdf``, at most ``most``."""
    counts = np.zeros(u.size, np.int16)
    for i in range(u.size):
        term = first_term[i]
        cdf = term
        lam_i = lam[i]
        k = 0
        while u[i] > cdf and k < most:
            k += 1
            term = term * lam_i / k
            cdf = cdf + term
        counts[i] = k
    return counts
