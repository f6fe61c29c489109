"""Worker processes for sweeps, draws and replicates: how many, with how many threads, and
how they start.

**Processes or threads.** Runs of a sweep or of a comparison's draws are independent, so
they go to worker processes, each running whole runs; threads split the per-resident
passes *within* one run (``system.threads``). On a machine of ``C`` cores, ``W`` workers
each get ``max(1, C // W)`` threads (:func:`threads_per_worker`), so workers x threads
= cores: the default of one worker per core gives each run one thread (no sharing
between runs at all, the fastest for many runs), and ``--workers 1`` gives its one
worker every core. A scenario that sets ``system.threads`` itself keeps it. The numbers
are the same whatever the split.

**Start-up.** A worker is forked from a server process that has already imported the
model (``multiprocessing``'s ``forkserver``, with :data:`PRELOAD`), so it starts in
milliseconds rather than spending a second on imports; the server has only imported
(no thread of its own, no kernel run), which makes forking it safe: forking the sweep's
own process, which holds threads for progress bars and Dask and may have run passes in
Numba's OpenMP threads, is not. So the server never runs the model, and compiled kernels
load from Numba's disk cache in each worker on first use. The server and its workers
ignore Ctrl-C; the process that made the pool handles it, and ends the server at its exit
(:func:`end_helpers_at_exit`), so that no process of a command outlives it.

**How many, when ``--workers`` is not given.** Sweeps and draws always run on a pool
(a failed run is retried in a fresh worker), one worker per core. A ``run`` or
``compare`` runs its replicates in its own process unless a pool repays its start
(:func:`replicate_workers`): then on one worker per core, each run on one thread.

**Batching.** A worker runs a chunk of runs in turn (:func:`run_chunk`, chunks from
:func:`chunks`), not one task per round trip, and inside a chunk a run that differs from
the previous one only in its policies starts from that one's place (:mod:`sim.reuse`).
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Iterator, Sequence

__all__ = ["local_pool", "start_server", "end_helpers_at_exit", "run_chunk", "chunks",
           "threads_per_worker", "replicate_workers", "workers_said", "POOL_START", "stop_now",
           "in_pool_worker", "scenario_on_worker",
           "with_threads", "cores", "PRELOAD", "CHUNK_MOST"]

# Imported once by the server the workers are forked from.
PRELOAD = ("__main__", "sim.supervision", "sim.runner", "sim.model", "sim.recording",
           "sim.kernels")
CHUNK_MOST = 8  # runs a worker takes at a time: few enough that Ctrl-C or a crash loses little
# Seconds a pool costs a command's replicates before its first run ends: the fork
# server's imports, each worker's kernels loaded from the disk cache, the results sent
# back. Measured 1.4-2.2 s on the 2-core development machine (docs/performance.md,
# "Replicates on both cores"); taken at the top and rounded up, so that a doubtful case
# stays in one process.
POOL_START = 2.5


def cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def threads_per_worker(workers: int) -> int:
    """Threads each of ``workers`` processes gives a run: cores shared out, at least one."""
    return max(1, cores() // max(1, int(workers)))


def replicate_workers(specs) -> int:
    """Processes for the replicates of ``specs`` (a ``run`` or a ``compare``) when
    ``--workers`` is not given.

    The runs are independent, so with several cores they go to one worker per core (at
    most one a run), each run on one thread: in whole commands on the 2-core machine that
    was quicker than one process running each run's passes in two threads, at 15,000,
    50,000 and 1,000,000 residents (docs/performance.md). But a pool costs
    :data:`POOL_START` to start, so the runs stay in this process (1) when what the other
    cores would save, the runs' time on one core (:func:`sim.validate.week_seconds`, the
    burn-in included) times ``1 - 1 / workers``, is less than that. And no more run at
    once than the memory check lets run (:func:`sim.preflight.runs_that_fit`). The
    numbers are the same whatever it gives.
    """
    from .preflight import runs_that_fit
    from .validate import week_seconds

    runs = sum(spec.replicates for spec in specs)
    workers = min(cores(), runs)
    one_core = sum(spec.replicates * week_seconds(spec.population.size)
                   * (spec.weeks + spec.system.burn_in_weeks) for spec in specs)
    if workers <= 1 or one_core * (1.0 - 1.0 / workers) < POOL_START:
        return 1
    fit = runs_that_fit(specs)  # as many as check_memory will let run at once
    return workers if fit is None else min(workers, fit)


def workers_said(workers: int) -> str:
    """Where a command's runs go, as its first line says: ``in this process`` or ``on N
    worker processes, T thread(s) each``."""
    if workers <= 1:
        return "in this process"
    threads = threads_per_worker(workers)
    return f"on {workers} worker processes, {threads} thread{'s' if threads > 1 else ''} each"


def stop_now(pool) -> None:
    """Stop ``pool`` without waiting for its runs (an interrupted command keeps none):
    the queued ones cancelled, its workers terminated and reaped."""
    # ProcessPoolExecutor's own map of its live workers (it offers no public one).
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(10)


def start_server() -> None:
    """Start the server workers are forked from, if it is not running: it imports the
    model while the caller goes on with its own work (planning, a first run), so the
    first worker need not wait for it."""
    end_helpers_at_exit()  # (first: before multiprocessing's own exit handler, if it can)
    import multiprocessing
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(list(PRELOAD))
    with _started_ignoring_sigint():
        forkserver.ensure_running()


def end_helpers_at_exit() -> None:
    """Have this process end, at its exit, the helper processes a pool of ours starts:
    multiprocessing's fork server and its resource tracker (:func:`_end_helpers`), so
    that no process of a command outlives it. Called once by the command line as it
    starts, and by :func:`start_server` (a library user's process); once a process.

    Exit handlers run last registered first. Registered before ``multiprocessing.util``
    is imported (as the command line does: it imports no multiprocessing before its
    command runs), this one runs after multiprocessing's own, which runs its finalizers
    (they unlink its semaphores, telling the tracker); only then is ending the tracker
    safe, so a process that registers later ends only the server.
    """
    import sys

    global _ENDS_HELPERS
    if _ENDS_HELPERS == os.getpid():
        return
    import atexit

    atexit.register(_end_helpers, os.getpid(), "multiprocessing.util" not in sys.modules)
    _ENDS_HELPERS = os.getpid()


_ENDS_HELPERS = 0  # the process whose exit runs _end_helpers (0: none yet)


def _end_helpers(owner: int, tracker_too: bool) -> None:
    """At this process's exit, end the fork server and reap it, and, when ``tracker_too``,
    multiprocessing's resource tracker.

    Left alone, the server exits once it reads that this process has gone, but only
    after its interpreter's teardown: it has imported the model and runs the cycle
    collector over all of it (``sim.process.skip_collections_at_exit`` is not its
    entry point's), and it was still there 50 ms after a ``run --workers 2`` had
    exited, gone within 2 s; the tracker, which ends as it reads the end of its pipe,
    was still running a moment after it too. By this process's exit the server holds
    nothing a run needs: the workers forked from it have been stopped with their pools
    (and a stray one exits with this process: :func:`_watch`). It is given a moment to
    reap the workers that have ended (else each would wait as a zombie for the system
    to reap it), up to :data:`_REAPING_MOST` while any is left, then ended: it sets no
    handler for SIGTERM, so that ends it at once (about 14 ms in all, measured). The
    tracker is stopped as multiprocessing stops it (its pipe closed, then reaped): what
    it still holds then it would clean up at this process's exit in any case.
    Multiprocessing keeps the server's pid in a private attribute only (as the tests
    read it too). A process forked from ``owner`` inherits the handler and does nothing.
    """
    import sys

    if os.getpid() != owner:
        return
    if "multiprocessing.forkserver" in sys.modules:  # else no server was started here
        _end_server(sys.modules["multiprocessing.forkserver"]._forkserver)
    tracker = sys.modules.get("multiprocessing.resource_tracker")
    if tracker_too and tracker is not None and hasattr(tracker._resource_tracker, "_stop"):
        try:
            tracker._resource_tracker._stop()
        except OSError:  # not ours to reap: it ends by itself
            pass


def _end_server(server) -> None:
    """End the fork server ``server`` (see :func:`_end_helpers`), if it is running."""
    import signal

    pid = getattr(server, "_forkserver_pid", None)
    if pid is None:
        return
    give_up = time.monotonic() + _REAPING_MOST
    while _has_children(pid) and time.monotonic() < give_up:
        time.sleep(0.002)
    try:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):  # gone already, or not our child
        pass


_REAPING_MOST = 1.0  # seconds _end_server waits for the server to reap its workers


def _has_children(pid: int) -> bool:
    """Whether process ``pid`` has a child (living or not yet reaped); False when that
    cannot be read (no such process, or no ``children`` list in this system's /proc)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            return bool(handle.read().split())
    except OSError:
        return False


@contextlib.contextmanager
def _started_ignoring_sigint() -> Iterator[None]:
    """Processes started in the block ignore Ctrl-C from their first instruction.

    Ctrl-C reaches the whole foreground process group; the caller stops the pool and
    keeps what finished, so the server (and the workers forked from it, which inherit
    the disposition) must not print a traceback of their own while importing. An
    ignored signal stays ignored across ``exec``, and Python then leaves it so; a blocked
    one does not survive it. SIGINT is blocked meanwhile, so a Ctrl-C in the block is
    held for the caller's own handler rather than lost.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield  # handlers are the main thread's to change
        return
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def local_pool(workers: int):
    """A process pool of ``workers``, forked from a preloaded server, that exit with us."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    start_server()
    context = multiprocessing.get_context("forkserver")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=_start_worker,
                               initargs=(os.getpid(), threads_per_worker(workers),
                                         dict(os.environ)))


_THREADS = 0  # in a worker of local_pool: the threads each run gets (0: not a worker)


def _start_worker(parent: int, threads: int, environ: dict[str, str]) -> None:
    """In a pool worker: take the environment of the process that made the pool (the
    fork server has the one it started with), note its threads, and exit once that
    process is gone.

    Pool workers are not told when that process dies and would otherwise linger, each
    holding a model's memory, after ``kill -9`` of a sweep. Ctrl-C is left to the
    parent, which keeps the runs in flight as they finish and then stops.
    """
    import signal
    import threading

    global _THREADS
    _THREADS = int(threads)
    for name in set(os.environ) - set(environ):
        del os.environ[name]
    os.environ.update(environ)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch, args=(parent,), name="exit-with-parent",
                     daemon=True).start()


def in_pool_worker() -> bool:
    """Whether this process is a worker of :func:`local_pool` (the process is ours: not
    a library user's, nor a Dask worker's)."""
    return _THREADS > 0


def _watch(parent: int) -> None:
    """Return, then exit the process, when ``parent`` ends (it is not our parent: the
    fork server is)."""
    try:
        import select

        handle = os.pidfd_open(parent)
        select.select([handle], [], [])  # readable once the process has ended
    except (AttributeError, OSError):  # no pidfd here: look every second
        while _alive(parent):
            time.sleep(1.0)
    os._exit(0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_chunk(tasks: Sequence[dict], threads: int | None = None) -> list[dict]:
    """Run tasks in turn in this process (a worker), reusing a place where sound; their rows.

    ``threads`` (default: this worker's share) is given to each run whose scenario leaves
    ``system.threads`` at 0 (every core).
    """
    from .process import freeze_survivors
    from .reuse import reusing_places
    from .supervision import run_point

    threads = _THREADS if threads is None else int(threads)
    if in_pool_worker():  # between runs: no model alive (sim.process.freeze_survivors)
        freeze_survivors()
    with reusing_places():
        return [run_point(_with_threads(task, threads)) for task in tasks]


def _with_threads(task: dict, threads: int) -> dict:
    return {**task, "scenario": with_threads(task["scenario"], threads)}


def scenario_on_worker(data: dict):
    """The scenario a worker runs, from its data (scenarios travel as data: their classes
    are built at run time), with this worker's share of threads; what survived the last
    run is frozen first (between runs no model is alive: :func:`sim.process.freeze_survivors`)."""
    from .process import freeze_survivors
    from .scenario import load_scenario

    if in_pool_worker():
        freeze_survivors()
    return load_scenario(with_threads(data))


def with_threads(scenario: dict, threads: int | None = None) -> dict:
    """Scenario data with ``system.threads`` set to ``threads`` (default: this worker's
    share) where it is 0 (every core) and ``threads`` is positive; else as it is."""
    threads = _THREADS if threads is None else int(threads)
    system = scenario.get("system", {})
    if threads <= 0 or system.get("threads", 0):
        return scenario
    return {**scenario, "system": {**system, "threads": threads}}


def chunks(tasks: Sequence[dict], workers: int) -> list[list[dict]]:
    """Consecutive tasks in chunks, never splitting tasks that share a ``batch`` key (the
    scenarios and replicates of one draw, which reuse one place).

    Each chunk holds about a quarter of each worker's share of the tasks still to come,
    at most :data:`CHUNK_MOST`, so chunks shrink towards the end and the workers finish
    together rather than one waiting on the other's last long chunk.
    """
    groups: list[list[dict]] = []
    for task in tasks:
        batch = task.get("batch")
        if groups and batch is not None and groups[-1][-1].get("batch") == batch:
            groups[-1].append(task)
        else:
            groups.append([task])
    out: list[list[dict]] = []
    left = len(tasks)
    size = 0
    for group in groups:
        if out and len(out[-1]) + len(group) <= size:
            out[-1].extend(group)
        else:
            size = max(1, min(CHUNK_MOST, math.ceil(left / (4 * max(1, workers)))))
            out.append(list(group))
        left -= len(group)
    return out
