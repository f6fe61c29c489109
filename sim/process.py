"""Process-wide settings, made by the entry points (the CLI, a replicate's or a sweep
run's worker, the dashboard, the benchmarks), never by building a model: a library user's
process is theirs to configure. (A model's build only ends the start an entry point
marked: :func:`started`.)
"""

from __future__ import annotations

import gc
import os

__all__ = ["keep_freed_heap", "wait_passively", "collect_young_less_often",
           "started", "skip_collections_at_exit", "freeze_survivors"]

_HEAP_KEPT = False
_EXIT_SKIPS_COLLECTIONS = False
_STARTING = False  # the entry point raised the threshold for the start (collect_young_less_often)
_SURVIVORS_FROZEN = False  # a pool worker froze what survives between runs (freeze_survivors)

# Net new container objects between collections of the cycle collector's youngest
# generation (see collect_young_less_often): while the process starts, then once its
# first model is built; and Python's own (3.12, the project's).
START_COLLECTION_AFTER = 500_000
YOUNG_COLLECTION_AFTER = 20_000
_PYTHON_YOUNG_COLLECTION_AFTER = 700


def wait_passively() -> None:
    """Let idle threads of the passes sleep soon rather than spin (``GOMP_SPINCOUNT=1000``,
    unless the environment sets it or ``OMP_WAIT_POLICY``).

    Where GNU OpenMP is installed Numba runs its threads on it, and by default an idle
    OpenMP thread spins 300,000 times before sleeping. On a machine whose cores are busy
    with other work that spinning takes the cores the working threads need: on this
    2-core machine with two other busy processes, a week at a million residents in two
    threads took 4.4 times as long as in one. Sleeping at once (``OMP_WAIT_POLICY=
    PASSIVE``) cured that but lost the threads' gain on a quiet machine (the passes no
    quicker in two threads than in one); a thousand spins, a few microseconds, keeps the
    gain (the health pass 1.9 times quicker in two) and sleeps before it costs. Read when
    OpenMP starts, so set before the first pass in threads (the entry points call it
    with :func:`keep_freed_heap`).
    """
    if "OMP_WAIT_POLICY" not in os.environ:
        os.environ.setdefault("GOMP_SPINCOUNT", "1000")


def collect_young_less_often() -> None:
    """Run the cycle collector's youngest generation less often than Python's every 700
    net new objects, unless this process has already changed that (or its Python has
    another default: then it is left as it is): not at all while the process starts
    (:data:`START_COLLECTION_AFTER`, until :func:`started`), then every
    :data:`YOUNG_COLLECTION_AFTER`.

    A model's data are a few hundred NumPy arrays, so its weeks make few objects: at
    50,000 residents 150 weeks ran no collection at all. The objects are made while a
    process starts: the imports, then Numba's types and code for each kernel it loads
    from the cache, about 203,000 net new objects by the first week at 1,000 residents
    (another 140,000 before it where the command line imports pandas and its own
    modules), and they live as long as the process: a collection there found 1,032 of
    them garbage. With Python's default the collector ran 288 times on the way there
    (in all 0.11 s of a 0.8 s start); collecting the young every 20,000 objects, still 9
    young collections and one of the middle generation (2-5 ms each and 35-65 ms). Half
    a million lets the start finish with none (the first week 0.61 s against 0.685 s,
    12 pairs: docs/performance.md), yet a compile of the kernels (the first run after an
    install or a change: about 3 million objects, many of them garbage) is still
    collected: it peaked at 546 MB against 497 with 20,000, and 878 MB with the
    collector off.
    """
    global _STARTING
    young, *older = gc.get_threshold()
    if young == _PYTHON_YOUNG_COLLECTION_AFTER:  # no one else has chosen
        gc.set_threshold(START_COLLECTION_AFTER, *older)
        _STARTING = True


def started() -> None:
    """The process has started (its first model is built, burn-in done: the kernels a
    week runs are loaded): what the start made goes to the collector's oldest generation
    without being walked (``gc.freeze`` then ``gc.unfreeze``), and the youngest is
    collected every :data:`YOUNG_COLLECTION_AFTER` objects from now on.

    Nothing is left frozen: a model built in the start (a cycle: its agents refer to it)
    is freed by the next full collection once dropped. ``gc.unfreeze`` also puts the few
    hundred objects the interpreter itself froze as it started (375 with Python 3.12.1)
    in the oldest generation, which costs a full collection nothing it would notice; but
    where a pool worker froze its survivors (:func:`freeze_survivors`) they stay frozen,
    and what the start made is left where it is. The full collections, which walk
    the oldest generation, come after ten of the middle one, so rarely in a model's
    weeks. Does nothing unless an entry point raised the threshold
    (:func:`collect_young_less_often`) and no one has changed it since: a library user's
    process is theirs. Called at the end of a model's build (``HealthSystemModel``).
    """
    global _STARTING
    if not _STARTING:
        return
    _STARTING = False
    young, *older = gc.get_threshold()
    if young != START_COLLECTION_AFTER:  # chosen again since: theirs
        return
    if not _SURVIVORS_FROZEN:  # unfreezing would release them
        gc.freeze()
        gc.unfreeze()  # the permanent generation's objects go to the oldest
    gc.set_threshold(YOUNG_COLLECTION_AFTER, *older)


def skip_collections_at_exit() -> None:
    """At the process's exit take every object out of the cycle collector's view
    (``gc.freeze``), so that the interpreter's last collections do not walk them.
    Registered once, as the entry point starts: exit handlers run last registered
    first, so it runs after those of the libraries a command imports later.

    Python's finalisation runs the collector over everything several times while it
    tears the modules down. A process that has loaded the model's kernels holds about
    140,000 tracked objects, and from the end of the work to the process's exit took
    0.35-0.37 s, at 1,000 residents as at a million; after a ``run`` command with its
    report (about 243,000 objects) 0.74-0.84 s: a fifth to a third of a small command's
    whole time. With the collections skipped: 0.07-0.08 and 0.09-0.10 s. Objects are still
    freed when nothing refers to them, so files and handles not in a cycle close as
    before; only the ``__del__`` of an object in a reference cycle still alive at exit
    is not called, which Python never promises at exit anyway. Placesim writes and
    closes its files before its entry points return (a command's outputs are read back
    after its exit in ``tests/test_cli.py``; the exit itself: ``tests/test_workers.py``).
    """
    global _EXIT_SKIPS_COLLECTIONS
    if _EXIT_SKIPS_COLLECTIONS:
        return
    _EXIT_SKIPS_COLLECTIONS = True
    import atexit

    atexit.register(gc.freeze)


def keep_freed_heap() -> None:
    """Ask glibc to reuse freed memory rather than hand it back and fault it in again.

    A week allocates and frees NumPy temporaries and kernel outputs. With glibc's
    defaults the top of the heap (beyond 128 kB of slack) is returned to the system
    and arrays over its mmap threshold are mapped afresh, then faulted back in, every
    week: about 100 page faults a week at 50,000 residents (4% of the run), and a
    slower build at a million. So the heap keeps 64 MB of slack (``M_TOP_PAD``) and
    arrays up to 32 MB, glibc's own ceiling for that threshold, come from the heap
    (``M_MMAP_THRESHOLD``). Process-wide, done once, and only where the C library is
    glibc.
    """
    global _HEAP_KEPT
    wait_passively()  # the other settings of the processes that run the model
    collect_young_less_often()
    skip_collections_at_exit()
    if _HEAP_KEPT:
        return
    _HEAP_KEPT = True
    import ctypes
    import platform

    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(-2, 64 << 20)  # M_TOP_PAD (malloc.h)
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass


def freeze_survivors() -> None:
    """Collect the garbage, then take what survives out of the cycle collector's view
    (``gc.freeze``): called by a pool worker between runs, when no model is alive.

    What survives there is the imports' objects and the loaded kernels' (NumPy's, Numba's,
    Mesa's, pydantic's: about 175,000 at 20,000 residents), which live as long as the
    process. Python's full collections walk every tracked object, so each of those, about
    one in a few hundred weeks, cost 70-150 ms in whatever phase it fell, some 7% of a
    20,000-resident run. Frozen objects are still freed when nothing refers to them; only
    a frozen cycle would never be, which is why this is done only where no model (whose
    agents and model refer to each other) is alive, and never in a library user's
    process, whose objects are theirs.
    """
    global _SURVIVORS_FROZEN
    gc.collect()
    gc.freeze()
    _SURVIVORS_FROZEN = True
