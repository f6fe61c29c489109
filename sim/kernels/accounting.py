"""Phase 9, compiled: the week's state metrics in one pass over the residents, block by
block of rows (:mod:`sim.metrics`; :mod:`sim.kernels.blocks`).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit, prange

from .blocks import block_rows, n_blocks

# The residents' columns the pass reads, and the cut-points of its counts:
# ``high_dependence`` (dependence above which a person is highly dependent),
# ``lonely_below`` (connectedness, float32 as held) and ``adult_age`` (years).
StateColumns = namedtuple("StateColumns", ("alive", "dependence", "activation", "wellbeing",
                                           "age", "connectedness", "group", "role"))
StateCuts = namedtuple("StateCuts", ("high_dependence", "lonely_below", "adult_age"))


@njit(cache=True, error_model="numpy")
def week_state(people, n, cuts, dep, act, wb):
    """One pass over the first ``n`` rows of the residents (``people``:
    :data:`StateColumns`) for this week's state metrics, block by block of rows
    (:func:`week_state_threads`: the blocks in threads).

    Returns the living residents' dependence, activation and wellbeing as compact
    arrays (in row order, so NumPy's means of them are the means it always took), the
    leading rows of the scratch arrays ``dep``, ``act`` and ``wb``, and the counts:
    living, highly dependent, adults, lonely adults, group members, movement
    participants (``cuts``: :data:`StateCuts`).
    """
    counts = np.empty((_COUNTS, n_blocks(0, n)), np.int64)  # each block writes its own
    for b in range(counts.shape[1]):
        _counts_block(b, people, n, cuts, counts)
    living = _living_from(counts)
    for b in range(counts.shape[1]):
        _living_block(b, people, n, counts, living, dep, act, wb)
    return _state_of(counts, living, dep, act, wb)


@njit(cache=True, error_model="numpy", parallel=True)
def week_state_threads(people, n, cuts, dep, act, wb):
    """:func:`week_state` with its blocks in threads (:mod:`sim.kernels.blocks`): the
    counts a block at a time, then each block's living residents' values into their
    place in the compact arrays (after the living of the blocks before it)."""
    counts = np.empty((_COUNTS, n_blocks(0, n)), np.int64)  # each block writes its own
    for b in prange(counts.shape[1]):
        _counts_block(b, people, n, cuts, counts)
    living = _living_from(counts)
    for b in prange(counts.shape[1]):
        _living_block(b, people, n, counts, living, dep, act, wb)
    return _state_of(counts, living, dep, act, wb)


# Rows of a block's counts: living, highly dependent, adults, lonely adults, group
# members, movement participants, and one past its last living row.
_COUNTS = 7
_LAST = 6


@njit(error_model="numpy")
def _counts_block(b, people, n, cuts, counts):
    """Block ``b``'s counts into ``counts[:, b]`` (written once, at the end). Through
    views of the block's rows: indexing the whole columns from ``lo`` would stop the
    loop vectorising."""
    lo, hi = block_rows(0, n, b)
    alive, dependence, age = people.alive[lo:hi], people.dependence[lo:hi], people.age[lo:hi]
    connectedness, group, role = (people.connectedness[lo:hi], people.group[lo:hi],
                                  people.role[lo:hi])
    living = 0
    high = 0
    adults = 0
    lonely = 0
    members = 0
    movement = 0
    last = 0
    for j in range(hi - lo):  # the counts, vectorised
        a = alive[j]
        living += a
        high += a & (dependence[j] > cuts.high_dependence)
        adult = a & (age[j] >= cuts.adult_age)
        adults += adult
        lonely += adult & (connectedness[j] < cuts.lonely_below)
        members += a & (group[j] >= 0)
        movement += a & (role[j] > 0)
        last = max(last, (j + 1) * a)
    counts[0, b], counts[1, b], counts[2, b], counts[3, b] = living, high, adults, lonely
    counts[4, b], counts[5, b], counts[_LAST, b] = members, movement, lo + last


@njit(error_model="numpy")  # on its own: see sim.kernels.marked_blocks
def _living_from(counts):
    """Where each block's living residents start in the compact arrays (and, last, how
    many there are)."""
    living = np.zeros(counts.shape[1] + 1, np.int64)
    for b in range(counts.shape[1]):
        living[b + 1] = living[b] + counts[0, b]
    return living


@njit(error_model="numpy")
def _living_block(b, people, n, counts, living, dep, act, wb):
    """Block ``b``'s living residents' values into the compact arrays from
    ``living[b]``, without a branch: each row up to the block's last living one is
    written, and kept if alive (so none lands beyond the block's own stretch)."""
    lo, end = block_rows(0, n, b)[0], counts[_LAST, b]
    alive, dependence = people.alive[lo:end], people.dependence[lo:end]
    activation, wellbeing = people.activation[lo:end], people.wellbeing[lo:end]
    start = living[b]
    to_dep, to_act, to_wb = dep[start:], act[start:], wb[start:]
    k = 0
    for j in range(end - lo):
        to_dep[k] = dependence[j]
        to_act[k] = activation[j]
        to_wb[k] = wellbeing[j]
        k += alive[j]


@njit(error_model="numpy")  # on its own: see sim.kernels.marked_blocks
def _state_of(counts, living, dep, act, wb):
    """What :func:`week_state` returns, from the blocks' counts (added in block order)."""
    k = living[-1]
    return (dep[:k], act[:k], wb[:k], k, counts[1].sum(), counts[2].sum(), counts[3].sum(),
            counts[4].sum(), counts[5].sum())
