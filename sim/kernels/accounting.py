"""Phase 9, compiled: the week's state metrics in one pass (:mod:`sim.metrics`).
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

# The counts the pass makes, in the order it returns them (a row each of its table).
COUNTS = ("living", "high", "adults", "lonely", "members", "movement")
LIVING, HIGH, ADULTS, LONELY, MEMBERS, MOVEMENT = range(len(COUNTS))


@njit(cache=True, error_model="numpy")
def week_state(people, cuts, dep, act, wb):
    """One pass over the residents (``people``: :data:`StateColumns`) for this week's
    state metrics, block by block (:func:`week_state_threads`: the blocks in threads).

    Returns the living residents' dependence, activation and wellbeing as compact
    arrays (in row order, so NumPy's means of them are the means it always took), the
    leading rows of the scratch arrays ``dep``, ``act`` and ``wb``, and the counts:
    living, highly dependent, adults, lonely adults, group members, movement
    participants (``cuts``: :data:`StateCuts`). The counts are whole numbers, the same
    added in any order; the values are copied to places counted from the blocks before.
    """
    n = people.alive.size
    counts = np.zeros((len(COUNTS), n_blocks(0, n)), np.int64)
    for b in range(counts.shape[1]):
        _count_block(b, people, cuts, counts)
    at = _starts(counts[LIVING])
    for b in range(counts.shape[1]):
        _living_block(b, people, at[b], dep, act, wb)
    k = at[-1]
    return (dep[:k], act[:k], wb[:k], k, counts[HIGH].sum(), counts[ADULTS].sum(),
            counts[LONELY].sum(), counts[MEMBERS].sum(), counts[MOVEMENT].sum())


@njit(cache=True, error_model="numpy", parallel=True)
def week_state_threads(people, cuts, dep, act, wb):
    """:func:`week_state` with its blocks in threads (:mod:`sim.kernels.blocks`)."""
    n = people.alive.size
    counts = np.zeros((len(COUNTS), n_blocks(0, n)), np.int64)
    for b in prange(counts.shape[1]):
        _count_block(b, people, cuts, counts)
    at = _starts(counts[LIVING])
    for b in prange(counts.shape[1]):
        _living_block(b, people, at[b], dep, act, wb)
    k = at[-1]
    return (dep[:k], act[:k], wb[:k], k, counts[HIGH].sum(), counts[ADULTS].sum(),
            counts[LONELY].sum(), counts[MEMBERS].sum(), counts[MOVEMENT].sum())


@njit(error_model="numpy")
def _starts(living):
    """Where each block's living residents go in the compact arrays (and, last, all)."""
    at = np.zeros(living.size + 1, np.int64)
    for b in range(living.size):
        at[b + 1] = at[b] + living[b]
    return at


@njit(error_model="numpy")
def _count_block(b, people, cuts, counts):
    """The counts of :data:`COUNTS` over block ``b`` into ``counts[:, b]`` (vectorised:
    through views of the block, as :func:`sim.kernels.draws._fill` explains)."""
    lo, hi = block_rows(0, people.alive.size, b)
    alive, dependence, age = people.alive[lo:hi], people.dependence[lo:hi], people.age[lo:hi]
    connectedness, group, role = (people.connectedness[lo:hi], people.group[lo:hi],
                                  people.role[lo:hi])
    living = high = adults = lonely = members = movement = 0
    for i in range(hi - lo):
        a = alive[i]
        living += a
        high += a & (dependence[i] > cuts.high_dependence)
        adult = a & (age[i] >= cuts.adult_age)
        adults += adult
        lonely += adult & (connectedness[i] < cuts.lonely_below)
        members += a & (group[i] >= 0)
        movement += a & (role[i] > 0)
    counts[LIVING, b], counts[HIGH, b], counts[ADULTS, b] = living, high, adults
    counts[LONELY, b], counts[MEMBERS, b], counts[MOVEMENT, b] = lonely, members, movement


@njit(error_model="numpy")
def _living_block(b, people, k, dep, act, wb):
    """The living residents' values of block ``b`` into ``dep``, ``act`` and ``wb`` from
    ``k`` on, without a branch: each row written, kept if alive."""
    lo, hi = block_rows(0, people.alive.size, b)
    alive, dependence = people.alive[lo:hi], people.dependence[lo:hi]
    activation, wellbeing = people.activation[lo:hi], people.wellbeing[lo:hi]
    for i in range(hi - lo):
        dep[k] = dependence[i]
        act[k] = activation[i]
        wb[k] = wellbeing[i]
        k += alive[i]
