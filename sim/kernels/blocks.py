"""Passes over the residents on every core, with the same numbers whatever the count.

A pass that runs in threads (``@njit(parallel=True)``) splits its rows into fixed
blocks of :data:`BLOCK` rows, ``prange`` over the blocks, and runs the same body on
each. The blocks' edges depend on the rows alone, never on the number of threads, so:

- each person's numbers are the same: their draws are keyed by their ``uid``
  (:mod:`sim.kernels.draws`), and a pass writes only its own block's rows;
- what a pass collects (the rows that die, the week's needs) is written by each block
  into its own stretch of a buffer (a block has at most :data:`BLOCK` of them), counted
  per block, and joined in block order (:func:`joined`): the same rows, in the same
  ascending order, as one thread makes;
- a pass that marks the rows it selects (:func:`sim.kernels.rows.mask`) collects each
  block's marked rows into its stretch (:func:`marked_block`), to be joined the same way;
- a sum is made per block and the blocks' sums added in block order (whole-number
  counts only, so far, for which the order does not matter anyway).

Each such pass has two forms over the same block body: the plain kernel takes the
blocks in turn in the calling thread, ``<kernel>_threads`` hands them to threads; the
phase picks with :func:`sim.kernels.threads.threaded` (threads for big places only).
How many threads run is ``system.threads``, set for each week
(:func:`sim.kernels.threads.use_threads`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .rows import marked_into

BLOCK = 16384  # rows a thread takes at a time: a multiple of draws.CHUNK; fixed (see above)


@njit(inline="always", error_model="numpy")
def n_blocks(lo, hi):
    """How many blocks rows ``lo .. hi`` make (the last may be short)."""
    return (max(hi - lo, 0) + BLOCK - 1) // BLOCK


@njit(inline="always", error_model="numpy")
def block_rows(lo, hi, b):
    """The rows ``start, end`` of block ``b`` of rows ``lo .. hi``."""
    start = lo + b * BLOCK
    return start, min(start + BLOCK, hi)


@njit(inline="always", error_model="numpy")
def joined(buf, counts):
    """The rows the blocks collected (int64), in block order: block ``b`` wrote
    ``counts[b]`` of them from ``buf[b * BLOCK]`` on."""
    total = 0
    for b in range(counts.size):
        total += counts[b]
    out = np.empty(total, np.int64)
    k = 0
    for b in range(counts.size):
        c = counts[b]
        out[k: k + c] = buf[b * BLOCK: b * BLOCK + c]
        k += c
    return out


@njit(inline="always", error_model="numpy")
def marked_block(marks, n, b, buf, counts):
    """Block ``b`` of rows ``0 .. n``: the rows whose mark is set (``marks``: what
    :func:`sim.kernels.rows.mask` made for ``n`` rows), ascending, into the block's
    stretch of ``buf`` (from ``b * BLOCK``), and how many into ``counts[b]``; then
    :func:`joined`. The marks are read eight at a time, as ``BLOCK`` is a multiple of
    eight and the mask's rows after ``n`` are zeros."""
    start, _ = block_rows(0, n, b)
    out = buf[b * BLOCK: (b + 1) * BLOCK]
    k = marked_into(marks[start: min(start + BLOCK, marks.size)], out)
    for t in range(k):
        out[t] += start
    counts[b] = k
