"""Process-wide settings, made by the entry points (the CLI, a replicate's or a sweep
run's worker, the dashboard, the benchmarks), never by building a model: a library user's
process is theirs to configure.
"""

from __future__ import annotations

import gc
import os

__all__ = ["keep_freed_heap", "wait_passively", "collect_young_less_often",
           "skip_collections_at_exit", "freeze_survivors"]

_HEAP_KEPT = False
_EXIT_SKIPS_COLLECTIONS = False

# Net new container objects between collections of the cycle collector's youngest
# generation (see collect_young_less_often), and Python's own (3.12, the project's).
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
    """Run the cycle collector's youngest generation after :data:`YOUNG_COLLECTION_AFTER`
    net new objects instead of Python's 700, unless this process has already changed it
    (or its Python has another default: then it is left as it is).

    A model's data are a few hundred NumPy arrays, so its weeks make few objects: at
    50,000 residents 150 weeks ran no collection at all. The objects are made while a
    process starts: the imports, then Numba's types and code for each kernel it loads
    from the cache, about 140,000 objects by the first week at 1,000 residents. With the
    default the collector ran 288 times on the way there (twice over everything, 0.07 s;
    in all 0.11 s of a 0.8 s start). Measured in turn, 10 fresh processes each, the first
    week at 1,000 residents came at 0.87 s (median) with the default, 0.76 s with 20,000
    (5,000: 0.77; 100,000: 0.76) and 0.71 s with no collection at all. The collector
    still runs, so cyclic garbage is still freed, a little later; what waits meanwhile
    is at most that many objects.
    """
    young, *older = gc.get_threshold()
    if young == _PYTHON_YOUNG_COLLECTION_AFTER:  # no one else has chosen
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
    gc.collect()
    gc.freeze()
