"""Sums over the social network's ties, compiled: norms, tie sums kept by the week's
changes, random ties (:mod:`sim.network`, :mod:`sim.community`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .blocks import block_rows, n_blocks
from .rows import mask, rows_marked


@njit(inline="always", error_model="numpy")
def norm_step(trait, ties_departure, own_departure, cp):
    """A trait (0..1, float32) after a week of norms: moved ``norm_rate`` of the way from
    the person's own departure from their disposition toward the mean departure of their
    living ties (``cp``: :data:`sim.kernels.community.CommunityParams`)."""
    v = trait + np.float32(cp.norm_rate) * (ties_departure - own_departure)
    return min(max(v, np.float32(0.0)), np.float32(1.0))


# The threaded form splits the rows into one stretch a thread. No row's numbers depend on
# another's order or on the stretches, so any split gives the same numbers. Long
# stretches were quicker than many short ones: the tie sums go column by column of the
# padded layout, whose reads run ahead better the longer a stretch is (in a week of a
# million residents, 2 threads: 7.3-8.0 ms in two stretches against 8.9-9.3 in eight;
# earlier, on a repeated state: eight stretches 5.7 ms against blocks of blocks.BLOCK
# rows 6.5).


def norms_scratch(rows: int) -> np.ndarray:
    """A zeroed scratch array for :func:`spread_norms` over a network of ``rows`` rows:
    (2, rows + 1, 2) float32, each row's two departures in ``[0]``, its two sums in
    ``[1]`` (the extra row is the padding's)."""
    return np.zeros((2, rows + 1, 2), np.float32)


@njit(cache=True, error_model="numpy")
def spread_norms(indptr, indices, ell, live_degree, alive, dependence, dependence0, activation,
                 activation0, cp, work):
    """Dependence and activation drift toward the mean departure of living ties
    (:func:`norm_step`).

    Departures are float32, summed over ties in float32 in CSR order, divided by the
    living-tie count, and applied with a float32 step.
    ``work`` is a scratch array kept between weeks (:func:`norms_scratch`; allocating
    it afresh each week costs page faults worth half the pass at 50,000): ``work[0]``
    holds each row's two departures side by side, ``work[1]`` its two sums, so that a
    tie's two departures come in one cache line, not two (the sums over the ties take
    0.79-0.89 of the time they took with each trait's departures in an array of its
    own: docs/performance.md).
    Every departure first, then the sums and steps of every row
    (:func:`spread_norms_threads`: each in stretches of rows in threads).
    """
    size = indptr.size - 1
    _departures(alive, dependence, dependence0, activation, activation0, work, 0, size)
    work[0, size, 0] = work[0, size, 1] = 0.0  # the padding's departures
    _sums_and_steps(indptr, indices, ell, live_degree, alive, dependence, activation, work,
                    cp, 0, min(size, alive.size))


@njit(cache=True, error_model="numpy", parallel=True)
def spread_norms_threads(indptr, indices, ell, live_degree, alive, dependence, dependence0,
                         activation, activation0, cp, work, stretches):
    """:func:`spread_norms` with its rows in ``stretches`` stretches in threads (one a
    thread: :func:`sim.kernels.threads.in_use`; asked for inside a kernel, the count
    would keep it from the disk cache)."""
    size = indptr.size - 1
    rows = min(size, alive.size)
    step = (size + stretches - 1) // stretches
    for b in prange(stretches):
        start = b * step
        _departures(alive, dependence, dependence0, activation, activation0, work, start,
                    min(start + step, size))
    work[0, size, 0] = work[0, size, 1] = 0.0  # (a slice would be a pass in threads)
    for b in prange(stretches):
        start = min(b * step, rows)
        _sums_and_steps(indptr, indices, ell, live_degree, alive, dependence, activation, work,
                        cp, start, min(start + step, rows))


@njit(error_model="numpy")
def _departures(alive, dependence, dependence0, activation, activation0, work, lo, hi):
    """Each row's departures from its own levels (the dead count 0)."""
    zero = np.float32(0.0)
    x = work[0]
    for i in range(lo, hi):
        if alive[i]:
            x[i, 0] = dependence[i] - dependence0[i]
            x[i, 1] = activation[i] - activation0[i]
        else:
            x[i, 0] = zero
            x[i, 1] = zero


@njit(error_model="numpy")
def _sums_and_steps(indptr, indices, ell, live_degree, alive, dependence, activation, work, cp,
                    lo, hi):
    """The two sums over the ties of rows ``lo .. hi``, each accumulated in CSR order from
    zero, then :func:`norm_step` of each trait toward its ties' mean.

    The first ties of every row are summed column by column of the padded (ELL) layout,
    which keeps each row's order and runs without a branch per row; the padding points
    at a zero, and adding +0.0 leaves a float32 sum as it was. The first column sets the
    sums (``0 + x``: the same as adding to a zeroed sum, without zeroing them first); the
    rest of the ties of rows with more than the width, and the steps, in one more pass.
    """
    x, sums = work[0], work[1]  # (dependence, activation) side by side, by row
    width = ell.shape[0]
    s = sums[lo:hi]  # a view from 0: see draws._fill
    m = max(hi - lo, 0)
    zero = np.float32(0.0)
    if width == 0:
        for j in range(m):
            s[j, 0] = zero
            s[j, 1] = zero
    else:
        col = ell[0, lo:hi]
        for j in range(m):
            c = col[j]
            s[j, 0] = zero + x[c, 0]
            s[j, 1] = zero + x[c, 1]
    for k in range(1, width):
        col = ell[k, lo:hi]
        for j in range(m):
            c = col[j]
            s[j, 0] += x[c, 0]
            s[j, 1] += x[c, 1]
    for i in range(lo, hi):
        sx = sums[i, 0]
        sy = sums[i, 1]
        for jj in range(indptr[i] + width, indptr[i + 1]):
            j = indices[jj]
            sx += x[j, 0]
            sy += x[j, 1]
        denom = live_degree[i]
        if alive[i] and denom > 0:
            dependence[i] = norm_step(dependence[i], sx / denom, x[i, 0], cp)
            activation[i] = norm_step(activation[i], sy / denom, x[i, 1], cp)


@njit(cache=True, error_model="numpy")
def padded_tie_sum(indptr, indices, ell, values):
    """``Network.tie_sum`` of float32 ``values`` for the rows of the network: each row's
    sum in CSR order and float32, by columns of the padded layout (see spread_norms)."""
    size = indptr.size - 1
    x = np.zeros(size + 1, np.float32)
    x[:size] = values[:size]
    out = np.zeros(size, np.float32)
    width = ell.shape[0]
    for k in range(width):
        col = ell[k]
        for i in range(size):
            out[i] += x[col[i]]
    for i in range(size):
        lo = indptr[i] + width
        hi = indptr[i + 1]
        if hi > lo:
            s = out[i]
            for jj in range(lo, hi):
                s += x[indices[jj]]
            out[i] = s
    return out


@njit(cache=True, error_model="numpy")
def update_tie_sum(indptr, indices, values, last, total, limit):
    """Bring ``total``, the sum of ``last`` over each row's ties, to the sum of ``values``,
    by walking only the ties of rows whose value changed; ``last`` becomes ``values``.

    Exact for whole numbers (see ``Network.whole_tie_sum``): returns False, changing
    nothing, if a changed value is not a whole number within +-``limit``.
    """
    size = indptr.size - 1
    marks = mask(size)  # few change in a week: marked in a vectorised pass
    for i in range(size):
        marks[i] = values[i] != last[i]
    changed = rows_marked(marks, size)
    for i in changed:
        v = values[i]
        if not ((abs(v) <= limit) & (math.floor(v) == v)):
            return False
    for i in changed:
        delta = values[i] - last[i]
        for jj in range(indptr[i], indptr[i + 1]):
            total[indices[jj]] += delta
        last[i] = values[i]
    return True


@njit(cache=True, error_model="numpy")
def drop_ties(indptr, indices, rows, live_degree):
    """Take one from the living-tie count of every tie of ``rows`` (rows beyond the
    network have none). The counts are whole numbers, so the order does not matter."""
    size = indptr.size - 1
    for r in rows:
        if r < size:
            for jj in range(indptr[r], indptr[r + 1]):
                live_degree[indices[jj]] -= 1.0


@njit(cache=True, error_model="numpy")
def random_tie(indptr, indices, rows, u):
    """One tie of each row, the ``int(u * degree)``-th in CSR order (-1 for a row with
    none, or beyond the network). Block by block of ``rows`` (:func:`random_tie_threads`:
    the blocks in threads)."""
    out = np.empty(rows.size, np.int64)
    for b in range(n_blocks(0, rows.size)):
        _random_tie_block(b, indptr, indices, rows, u, out)
    return out


@njit(cache=True, error_model="numpy", parallel=True)
def random_tie_threads(indptr, indices, rows, u):
    """:func:`random_tie` with its blocks in threads (:mod:`sim.kernels.blocks`)."""
    out = np.empty(rows.size, np.int64)
    for b in prange(n_blocks(0, rows.size)):
        _random_tie_block(b, indptr, indices, rows, u, out)
    return out


@njit(error_model="numpy")
def _random_tie_block(b, indptr, indices, rows, u, out):
    """Block ``b`` of :func:`random_tie`: its ties into ``out``."""
    size = indptr.size - 1
    start, end = block_rows(0, rows.size, b)
    who, draw, tie = rows[start:end], u[start:end], out[start:end]  # views from 0: _fill
    for j in range(end - start):
        r = who[j]
        t = -1
        if r < size:
            degree = indptr[r + 1] - indptr[r]
            if degree > 0:
                t = indices[indptr[r] + np.int64(draw[j] * degree)]
        tie[j] = t


@njit(cache=True, error_model="numpy")
def padded_ties(indptr, indices, width):
    """The first ``width`` ties of each row as a (width, rows) array, padded with the
    row count (an index one past the last row)."""
    size = indptr.size - 1
    ell = np.full((width, size), size, np.int32)
    for i in range(size):
        lo = indptr[i]
        for k in range(min(indptr[i + 1] - lo, width)):
            ell[k, i] = indices[lo + k]
    return ell
