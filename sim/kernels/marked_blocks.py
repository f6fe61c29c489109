"""Room for a pass that marks the rows it selects, block by block
(:mod:`sim.kernels.blocks`), and for counts made a block at a time.

A selecting pass (the free organisers, the week's contacts, the members of groups)
marks its rows (:func:`sim.kernels.rows.mask`), and each block collects its own marked
rows into its stretch of one buffer (:func:`sim.kernels.blocks.marked_block`), to be
joined in block order (:func:`sim.kernels.blocks.joined`): the rows, ascending, that
one pass over every row would select, whatever the threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .blocks import BLOCK, n_blocks
from .rows import mask


@njit(inline="always", error_model="numpy")
def marked_room(n):
    """For ``n`` rows: their marks, room for each block's selected rows (block ``b``'s
    from ``b * BLOCK`` on; int32 halves it) and how many each block selected."""
    blocks = n_blocks(0, n)
    return mask(n), np.empty(blocks * BLOCK, np.int32), np.zeros(blocks, np.int64)


@njit(inline="always", error_model="numpy")
def summed_in_order(per_block):
    """The counts of every block (a row each, whole numbers) added in block order."""
    out = np.zeros(per_block.shape[1], np.int64)
    for b in range(per_block.shape[0]):
        out += per_block[b]
    return out
