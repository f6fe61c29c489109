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
alone; one pass 0.24), timed in turn in one process.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .blocks import BLOCK, joined, n_blocks
from .rows import mask
from .threads import threaded

# The small passes over every row that mark or step a few in a hundred (a nanosecond or
# two a row: contacts, founders, free organisers, participants by neighbourhood, the
# movement's new organisers and effects) run their blocks in threads from this many
# blocks, not from threads.THREADS_FROM_BLOCKS: waking the threads costs about what they
# save well above four blocks. Measured in turn, two threads: at 50,000 residents
# contacts and founders took 60 and 43 microseconds a week in threads against 56 and 37
# in one; at 200,000 (each pass alone, repeated) the movement's effects and new
# organisers 36 and 39 against 21 and 32; at a million every one of them took 0.55-0.72
# of its time in one thread (founders 0.90 against 1.62 ms a week).
SMALL_PASS_FROM_BLOCKS = 16


def small_pass_threaded(rows: int) -> bool:
    """Whether a small pass over ``rows`` rows (above) runs its blocks in threads."""
    return rows > (SMALL_PASS_FROM_BLOCKS - 1) * BLOCK and threaded(rows)


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
