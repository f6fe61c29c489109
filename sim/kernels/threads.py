"""How many threads the passes that run in blocks use (:mod:`sim.kernels.blocks`).

``system.threads`` asks for a number (0: every core); :func:`use_threads` sets it with
``numba.set_num_threads`` for a week and puts back what the thread had, since Numba's
count is the calling thread's own and a library user's process is theirs. Numba cannot
start more threads than it was given at start-up (``NUMBA_NUM_THREADS``, by default the
cores), so a larger number means all of those. The numbers a run gives are the same
whatever the count.

Numba's built-in scheduler ("workqueue", the one a plain ``pip install numba`` has) runs
one pass in threads at a time in a process: two Python threads each running one (two
dashboards' models stepped at once) would abort the process. So a pass in threads is
called under :data:`PASS_LOCK` (see ``sim.kernels``).

Threads wait for each other at the end of every pass: on a machine whose cores are
already busy (other programs, or worker processes that each run threads) a pass waits
for the slowest and gains nothing, or loses a little; ``--threads 1`` there. Idle
threads must soon sleep, not spin, for that to be all (:func:`sim.process.wait_passively`).
"""

from __future__ import annotations

import contextlib
import threading

import numba

from .blocks import BLOCK

PASS_LOCK = threading.Lock()


# Below this many blocks (the last may be short) a pass stays in one thread. Measured on
# 2 idle cores: with two or three blocks one thread takes most of the rows anyway and
# waking the other costs about what it saves; from four (50,000 residents: three whole
# blocks and a short one) a week of the baseline takes 2.8-3.1 ms against 3.5-3.9 in one
# thread. On cores already busy (other programs, worker processes) a pass waits for the
# slowest thread and loses: ``--threads 1`` there (sweeps and draws see to it).
THREADS_FROM_BLOCKS = 4


def threaded(rows: int) -> bool:
    """Whether a pass over ``rows`` rows runs its blocks in threads (the kernel's
    ``..._threads`` form): from :data:`THREADS_FROM_BLOCKS` blocks, when this thread's
    passes have more than one thread. Otherwise the plain kernel takes the blocks in
    turn, with no thread to wake (and no threaded kernel even loaded)."""
    return rows > (THREADS_FROM_BLOCKS - 1) * BLOCK and numba.get_num_threads() > 1


def in_use() -> int:
    """The threads this thread's passes run in now (``use_threads`` sets it)."""
    return numba.get_num_threads()


# The small passes over every row, a nanosecond or two a row (contacts, founders, free
# organisers, participants by neighbourhood, the movement's new organisers and effects,
# the week's state metrics), run their blocks in threads from this many blocks, not from
# THREADS_FROM_BLOCKS: waking the threads costs about what they save well above four
# blocks. Measured in turn, two threads: at 50,000 residents
# contacts and founders took 60 and 43 microseconds a week in threads against 56 and 37
# in one; at 200,000 (each pass alone, repeated) the movement's effects and new
# organisers 36 and 39 against 21 and 32; at a million every one of them took 0.55-0.72
# of its time in one thread (founders 0.90 against 1.62 ms a week). The state metrics: at
# 50,000 and 100,000 0.08 ms in two threads against 0.06 in one, at 200,000 0.24 against
# 0.33.
SMALL_PASS_FROM_BLOCKS = 16


def small_pass_threaded(rows: int) -> bool:
    """Whether a small pass over ``rows`` rows (above) runs its blocks in threads."""
    return rows > (SMALL_PASS_FROM_BLOCKS - 1) * BLOCK and threaded(rows)


def available() -> int:
    """The most threads a pass can use in this process."""
    return int(numba.config.NUMBA_NUM_THREADS)


def resolve(requested: int) -> int:
    """The threads ``system.threads = requested`` gives (0: all :func:`available`)."""
    most = available()
    return most if requested <= 0 else min(int(requested), most)


@contextlib.contextmanager
def use_threads(requested: int):
    """Run the block with ``resolve(requested)`` threads for this thread's passes."""
    wanted = resolve(requested)
    before = numba.get_num_threads()
    if wanted != before:
        numba.set_num_threads(wanted)
    try:
        yield wanted
    finally:
        if wanted != before:
            numba.set_num_threads(before)
