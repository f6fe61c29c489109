"""Compiled builders of the social network's ties (:func:`sim.network.build_network`).

Run once, when a place is built; what they give is fixed by the ties alone, never by how
they are found, so the network is the same, to the element, as the NumPy sorting that
came before them made (``tests/test_network.py`` checks both against SciPy's CSR):

- :func:`household_pairs`: every pair ``(i, i + d)`` of rows in the same household, by
  distance ``d`` from 1 up to the first distance at which no pair matches;
- :func:`ring_pairs`: the ring lattice inside each neighbourhood, each tie rewired where
  its uniform says so (the draws are made by the caller, in the order they always were);
- :func:`tie_csr`: the ties in compressed sparse row form, each row's ties sorted and
  each once, by counting the ties of each row, placing them, and sorting each row's few
  ties in place (a row has tens of ties; sorting all of them as one array of keys cost
  four times as long at a million residents).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy")
def household_pairs(household):
    """``(src, dst)`` (int64) of every pair of rows ``i < j`` with ``household[i] ==
    household[j]`` at distance ``j - i = d``, for ``d = 1, 2, ...`` until a distance
    has no such pair; ordered by distance, then by ``i``."""
    size = household.size
    total = 0
    reach = 0  # the last distance with a pair
    for d in range(1, size):
        found = 0
        for i in range(size - d):
            found += household[i] == household[i + d]
        if found == 0:
            break
        total += found
        reach = d
    src = np.empty(total, np.int64)
    dst = np.empty(total, np.int64)
    k = 0
    for d in range(1, reach + 1):
        for i in range(size - d):
            if household[i] == household[i + d]:
                src[k] = i
                dst[k] = i + d
                k += 1
    return src, dst


@njit(cache=True, error_model="numpy")
def ring_pairs(starts, ends, u, anywhere, rewire):
    """``(src, dst)`` (int64) of the ring lattice: for each step ``k = 1 .. half``
    (``u.shape[0]``) in turn, each row ``i`` whose neighbourhood (rows ``starts[i] ..
    ends[i] - 1``) has more than ``k`` rows is tied to the row ``k`` places on round its
    neighbourhood, or, where ``u[k - 1, i] < rewire``, to ``anywhere[k - 1, i]``."""
    half, size = u.shape
    total = 0
    for k in range(1, half + 1):
        for i in range(size):
            total += ends[i] - starts[i] > k
    src = np.empty(total, np.int64)
    dst = np.empty(total, np.int64)
    n = 0
    for k in range(1, half + 1):
        for i in range(size):
            width = ends[i] - starts[i]
            if width > k:
                src[n] = i
                if u[k - 1, i] < rewire:
                    dst[n] = anywhere[k - 1, i]
                else:
                    dst[n] = starts[i] + (i - starts[i] + k) % width
                n += 1
    return src, dst


@njit(inline="always", error_model="numpy")
def _sort_small(values, lo, hi):
    """Sort ``values[lo:hi]`` in place: insertion sort for a row's few ties."""
    if hi - lo > 32:
        values[lo:hi].sort()
        return
    for i in range(lo + 1, hi):
        v = values[i]
        j = i - 1
        while j >= lo and values[j] > v:
            values[j + 1] = values[j]
            j -= 1
        values[j + 1] = v


@njit(cache=True, error_model="numpy")
def tie_csr(size, src, dst, undirected, indptr, indices):
    """Fill ``indptr`` (``size + 1``) and ``indices`` with the ties in CSR form, each
    row's ties sorted and each once; return how many ties that leaves.

    Args:
        size: rows of the network; every ``src``, ``dst`` is in ``0 .. size - 1``.
        src, dst: the ties ``src[k] -> dst[k]``; if ``undirected``, the pairs
            ``src[k] -- dst[k]``: each both ways, a pair of a row with itself dropped.
        indptr, indices: filled (``indices`` needs room for every tie given, twice over
            if ``undirected``); ``indices[:count]`` is the result.
    """
    start = np.zeros(size + 1, np.int64)
    for k in range(src.size):
        if undirected:
            if src[k] != dst[k]:
                start[src[k] + 1] += 1
                start[dst[k] + 1] += 1
        else:
            start[src[k] + 1] += 1
    for r in range(size):
        start[r + 1] += start[r]
    fill = start[:-1].copy()
    for k in range(src.size):
        a, b = src[k], dst[k]
        if undirected:
            if a != b:
                indices[fill[a]] = b
                fill[a] += 1
                indices[fill[b]] = a
                fill[b] += 1
        else:
            indices[fill[a]] = b
            fill[a] += 1
    count = 0
    indptr[0] = 0
    for r in range(size):
        lo, hi = start[r], start[r + 1]
        _sort_small(indices, lo, hi)
        previous = -1  # compacted in place: count <= j, so each tie is read first
        for j in range(lo, hi):
            tie = indices[j]
            if j == lo or tie != previous:
                indices[count] = tie
                count += 1
            previous = tie
        indptr[r + 1] = count
    return count
