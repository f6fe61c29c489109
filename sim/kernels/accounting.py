"""Phase 9, compiled: the week's state metrics in one pass (:mod:`sim.metrics`).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .blocks import block_rows, n_blocks


@njit(cache=True, error_model="numpy")
def week_state(alive, dependence, activation, wellbeing, age, connectedness, group, role,
               high_dependence, lonely_below, dep, act, wb):
    """One pass over the residents for this week's state metrics
    (:func:`week_state_threads`: in threads).

    Returns the living residents' dependence, activation and wellbeing as compact
    arrays (in row order, so NumPy's means of them are the means it always took), the
    leading rows of the scratch arrays ``dep``, ``act`` and ``wb``, and the counts:
    living, highly dependent, adults, lonely adults, group members, movement
    participants.
    """
    n = alive.size
    counts = np.zeros((6, 1), np.int64)
    _count(0, n, 0, alive, dependence, age, connectedness, group, role, high_dependence,
           lonely_below, counts)
    _compact(0, n, 0, alive, dependence, activation, wellbeing, dep, act, wb)
    k = counts[0, 0]
    return (dep[:k], act[:k], wb[:k], k, counts[1, 0], counts[2, 0], counts[3, 0],
            counts[4, 0], counts[5, 0])


@njit(cache=True, error_model="numpy", parallel=True)
def week_state_threads(alive, dependence, activation, wellbeing, age, connectedness, group,
                       role, high_dependence, lonely_below, dep, act, wb):
    """:func:`week_state` with blocks of rows in threads: each block's counts (whole
    numbers), then each block's living written from where the blocks before it end."""
    n = alive.size
    blocks = n_blocks(0, n)
    counts = np.zeros((6, blocks), np.int64)
    for b in prange(blocks):
        lo, hi = block_rows(0, n, b)
        _count(lo, hi, b, alive, dependence, age, connectedness, group, role, high_dependence,
               lonely_below, counts)
    at = np.zeros(blocks + 1, np.int64)
    for b in range(blocks):
        at[b + 1] = at[b] + counts[0, b]
    for b in prange(blocks):
        lo, hi = block_rows(0, n, b)
        _compact(lo, hi, at[b], alive, dependence, activation, wellbeing, dep, act, wb)
    k = at[blocks]
    total = np.zeros(6, np.int64)
    for b in range(blocks):
        for c in range(6):
            total[c] += counts[c, b]
    return dep[:k], act[:k], wb[:k], k, total[1], total[2], total[3], total[4], total[5]


@njit(error_model="numpy")
def _count(lo, hi, b, alive, dependence, age, connectedness, group, role, high_dependence,
           lonely_below, counts):
    """Rows ``lo .. hi``: living, highly dependent, adults, lonely adults, members and
    movement participants into ``counts[:, b]`` (vectorised)."""
    living = 0
    high = 0
    adults = 0
    lonely = 0
    members = 0
    movement = 0
    for i in range(lo, hi):
        a = alive[i]
        living += a
        high += a & (dependence[i] > high_dependence)
        adult = a & (age[i] >= 18)
        adults += adult
        lonely += adult & (connectedness[i] < lonely_below)
        members += a & (group[i] >= 0)
        movement += a & (role[i] > 0)
    counts[0, b], counts[1, b], counts[2, b] = living, high, adults
    counts[3, b], counts[4, b], counts[5, b] = lonely, members, movement


@njit(error_model="numpy")
def _compact(lo, hi, at, alive, dependence, activation, wellbeing, dep, act, wb):
    """The living's values of rows ``lo .. hi`` into ``dep``, ``act`` and ``wb`` from
    ``at`` on, in row order, without a branch: each row written, kept if alive. Up to the
    last living row only: a dead row after it would write where the next block starts."""
    last = hi
    while last > lo and not alive[last - 1]:
        last -= 1
    k = at
    for i in range(lo, last):
        dep[k] = dependence[i]
        act[k] = activation[i]
        wb[k] = wellbeing[i]
        k += alive[i]
