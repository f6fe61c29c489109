"""Selecting rows, compiled: the rows where a condition holds, in order.

Appending each row that qualifies as it is met (``out[k] = i; k += ok``) costs about
a nanosecond a row, since the loop cannot be vectorised. When few rows qualify (the
appointments that fall due, the organisers free to found a group) it is quicker to
mark them in a vectorised pass (:func:`mask`) and then read the marks eight at a time,
skipping each eight that holds none (:func:`rows_marked`): four times quicker at
50,000 residents.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(inline="always", error_model="numpy")
def mask(n):
    """A mark for each of ``n`` rows, to be set (0 or 1) by the caller, and zeros after
    them up to a multiple of eight."""
    marks = np.empty((n + 7) // 8 * 8, np.uint8)
    marks[n:] = 0
    return marks


@njit(inline="always", error_model="numpy")
def rows_marked(marks, n):
    """The rows whose mark is set, in order."""
    out = np.empty(n, np.int64)
    k = marked_into(marks, out)
    return out[:k].copy()


@njit(inline="always", error_model="numpy")
def marked_into(marks, out):
    """The positions whose mark is set, in order, into ``out``; returns how many. For a
    kernel that selects chunk by chunk into scratch of its own (``marks`` as :func:`mask`
    makes them: a multiple of eight long, zeros after the rows)."""
    words = marks.view(np.uint64)
    k = 0
    for w in range(words.size):
        if words[w] != 0:
            base = w * 8
            for j in range(8):
                out[k] = base + j
                k += marks[base + j]
    return k


@njit(cache=True, error_model="numpy")
def rows_at_ranks(marks, words, ranks):
    """``np.flatnonzero(marks)[ranks]``: the rows of the marked rows of the given ranks
    (0-based, any order, repeats allowed), without making the index of every marked row.

    ``marks`` is 0 or 1 a row (uint8: a bool array's ``view(np.uint8)``) and ``words``
    the same bytes eight at a time (``marks[: marks.size // 8 * 8].view(np.uint64)``):
    eights are counted at once (the sum of their bytes, by one multiplication), and
    stretches of :data:`_SPAN` eights in a loop that vectorises, descending only into
    those that hold a rank asked for. Drawing a few living residents at random then
    reads the population once instead of writing every living row's index.
    """
    order = np.argsort(ranks, kind="mergesort")
    out = np.empty(ranks.size, np.int64)
    k = 0
    seen = 0  # marked rows before the current stretch
    for first in range(0, words.size, _SPAN):
        if k == ranks.size:
            return out
        stretch = words[first: first + _SPAN]
        count = np.uint64(0)
        for w in range(stretch.size):
            count += (stretch[w] * _BYTE_SUM) >> _TOP_BYTE
        if ranks[order[k]] >= seen + np.int64(count):
            seen += np.int64(count)
            continue
        for w in range(first, first + stretch.size):
            k, seen = _ranks_in(marks, w * 8, w * 8 + 8, ranks, order, k, seen, out)
    # the rows after the last whole eight
    _ranks_in(marks, words.size * 8, marks.size, ranks, order, k, seen, out)
    return out


@njit(inline="always", error_model="numpy")
def _ranks_in(marks, lo, hi, ranks, order, k, seen, out):
    """The ranks (from the ``k``-th in ``order``) that fall among rows ``lo .. hi``, whose
    marked rows are ranked from ``seen``: their rows into ``out``. Returns the next ``k``
    and ``seen``."""
    count = 0
    for j in range(lo, hi):
        count += marks[j]
    while k < ranks.size and ranks[order[k]] < seen + count:
        skip = ranks[order[k]] - seen
        for j in range(lo, hi):
            if marks[j]:
                if skip == 0:
                    out[order[k]] = j
                    break
                skip -= 1
        k += 1
    return k, seen + count


_SPAN = 64  # eights counted in one vectorised loop
_BYTE_SUM = np.uint64(0x0101010101010101)  # times a word of 0/1 bytes: their sum on top
_TOP_BYTE = np.uint64(56)
