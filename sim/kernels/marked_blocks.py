"""Room for a pass that marks the rows it selects, block by block
(:mod:`sim.kernels.blocks`), and for counts made a block at a time.

A selecting pass (the free organisers, the week's contacts, the members of groups)
marks its rows (:func:`sim.kernels.rows.mask`), and each block collects its own marked
rows into its stretch of one buffer (:func:`sim.kernels.blocks.marked_block`), to be
joined in block order (:func:`sim.kernels.blocks.joined`): the rows, ascending, that
one pass over every row would select, whatever the threads.

These helpers are compiled on their own, not inlined: inlined into a pass in threads
(``parallel=True``) Numba turns their array statements into parallel loops of their own
(the zeros after the marks, each block's copy into the joined rows: one parallel loop a
block), each waking the threads. A million residents' group members found in threads
took 0.24 ms with ``joined`` inlined against 0.15 with it called (0.10 for the blocks
alone; one pass 0.24), timed in turn in one process. So does an array statement in the
pass itself (``np.zeros``, ``.sum()``, ``.max()``): a pass in threads makes its arrays
with ``np.empty`` (each block writes its own row in full) and adds its counts with
:func:`summed_in_order` or :func:`total`. Numba's parallel diagnostics (level 1) list a
threaded kernel's parallel loops: one for each ``prange``, and nothing else.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .blocks import BLOCK, joined, n_blocks
from .rows import mask


@njit(error_model="numpy")
def marked_room(n):
    """For ``n`` rows: their marks, room for each block's selected rows (block ``b``'s
    from ``b * BLOCK`` on; int32 halves it) and how many each block selected."""
    blocks = n_blocks(0, n)
    return mask(n), np.empty(blocks * BLOCK, np.int32), np.zeros(blocks, np.int64)


@njit(error_model="numpy")
def rows_joined(found, counts):
    """:func:`sim.kernels.blocks.joined`: the rows the blocks selected, in block order."""
    return joined(found, counts)


@njit(error_model="numpy")
def summed_in_order(per_block):
    """The counts of every block (a row each, whole numbers) added in block order."""
    out = np.zeros(per_block.shape[1], np.int64)
    for b in range(per_block.shape[0]):
        out += per_block[b]
    return out


@njit(error_model="numpy")
def total(per_block):
    """The counts of every block (one each, whole numbers) added in block order."""
    out = 0
    for b in range(per_block.size):
        out += per_block[b]
    return out
