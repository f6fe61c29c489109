"""Supervision: running tasks on a local process pool or a Dask cluster, keeping each as it ends.

Shared by sweeps (:mod:`sim.sweep`) and probabilistic comparisons (:mod:`sim.draws`):
:func:`run_missing` runs the runs of a results directory not kept yet, each task on a
worker through :func:`run_point` (which never raises for a model error: a failed run
is a row), retries a run whose worker died up to :data:`MAX_ATTEMPTS` times, shows
progress and flushes what finished on any exit, so ``--resume`` completes the rest.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError
from .preflight import check_scheduler
from .scenario import apply_overrides
from .scenario import validate as validate_scenario
from .sweep_storage import RUNS_DIR, _Writer, read_runs

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["run_missing", "run_point", "MAX_ATTEMPTS"]

MAX_ATTEMPTS = 3  # a run whose worker dies this often is recorded as failed, not retried


def run_point(task: dict) -> dict:
    """Run one sweep run on a worker and return its row; never raises for a model error.

    Args:
        task: ``run_index``, ``point``, ``replicate``, ``seed``, ``values`` (path ->
            value), ``outputs``, ``scenario`` (resolved scenario data) and ``model``
            (a picklable ``model(scenario, seed) -> summary`` function).

    Returns:
        The run's row: indices, seed, parameter values, outputs (NaN on failure) and
        ``error`` (``None``, or the exception's type and message).
    """
    from .process import keep_freed_heap

    keep_freed_heap()  # in this worker's process (local or Dask)
    row = {"run_index": task["run_index"], "point": task["point"],
           "replicate": task["replicate"], "seed": task["seed"], **task["values"]}
    try:
        spec = validate_scenario(apply_overrides(task["scenario"], task["values"], "sweep"),
                                 "sweep")
        summary = task["model"](spec, task["seed"])
        row.update({k: float(summary[k]) for k in task["outputs"]})
        row["error"] = None
    except Exception as exc:  # noqa: BLE001 - a failed run is data, recorded and not fatal
        row.update({k: float("nan") for k in task["outputs"]})
        row["error"] = f"{type(exc).__name__}: {exc}"[:2000]
    return row



class _Progress:
    """Runs done, failed and the rate: a tqdm bar on a terminal, else a line every 30 s."""

    def __init__(self, total: int, done: int, failed: int, label: str, quiet: bool):
        self.total, self.done, self.failed, self.quiet = total, done, failed, quiet
        self.start, self.start_done, self.last_line = time.monotonic(), done, time.monotonic()
        self.bar = None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=done, desc=label, unit="run", file=sys.stderr,
                            dynamic_ncols=True, postfix={"failed": failed})

    def update(self, failed: bool) -> None:
        self.done += 1
        self.failed += int(failed)
        if self.bar is not None:
            self.bar.set_postfix(failed=self.failed, refresh=False)
            self.bar.update(1)
        elif not self.quiet and (time.monotonic() - self.last_line > 30 or self.done == self.total):
            self.last_line = time.monotonic()
            print(self.line(), file=sys.stderr, flush=True)

    def line(self) -> str:
        rate = (self.done - self.start_done) / max(time.monotonic() - self.start, 1e-9)
        return (f"{self.done}/{self.total} runs done, {self.failed} failed, "
                f"{rate:.2f} runs/s")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _run_local(tasks: list[dict], workers: int, record: Callable[[dict], None]) -> None:
    """Run tasks on a local pool (:mod:`sim.workers`), a chunk at a time per worker; a pool
    whose worker died is rebuilt, and the runs of the chunk it held are retried one by
    one, so the run that kills its worker is found and the others are not blamed."""
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    from .interrupts import held
    from .workers import chunks, local_pool, run_chunk

    queue = list(reversed(chunks(tasks, workers)))
    attempts: dict[int, int] = {}
    while queue:
        pool = local_pool(workers)
        in_flight: dict[Any, list[dict]] = {}
        broken = False
        try:
            while queue or in_flight:
                # Keep a few chunks queued per worker: enough to stay busy, few enough
                # that a broken pool or Ctrl-C loses little.
                while queue and len(in_flight) < 2 * workers and not broken:
                    chunk = queue.pop()
                    try:
                        with held():  # a submit may start a worker: not interrupted half-way
                            in_flight[pool.submit(run_chunk, chunk)] = chunk
                    except BrokenProcessPool:
                        queue.append(chunk)
                        broken = True
                if not in_flight:
                    break
                finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in finished:
                    chunk = in_flight.pop(future)
                    try:
                        rows = future.result()
                    except BrokenProcessPool:
                        broken = True
                        for task in chunk:
                            i = task["run_index"]
                            n = attempts[i] = attempts.get(i, 0) + 1
                            if n >= MAX_ATTEMPTS:
                                record(_died(task, n))
                            else:
                                queue.append([task])
                        continue
                    for row in rows:
                        record(row)
        finally:
            pool.shutdown(wait=not broken, cancel_futures=True)


def _died(task: dict, attempts: int) -> dict:
    """The row of a run whose worker died every time it was tried."""
    row = {"run_index": task["run_index"], "point": task["point"],
           "replicate": task["replicate"], "seed": task["seed"], **task["values"]}
    row.update({k: float("nan") for k in task["outputs"]})
    row["error"] = f"WorkerDied: the worker running it died {attempts} times"
    return row


def _connect(address: str):
    """A Dask client of the cluster at ``address``; bad input if it cannot be reached."""
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - a dependency
        raise InputError("--scheduler", address, "dask.distributed is not installed; "
                         "expected pip install 'dask[distributed]'") from None
    _probe(address)
    try:
        return Client(address, timeout="10s")
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the address's
        raise InputError("--scheduler", address, f"cannot reach a Dask scheduler there ({exc}); "
                         "expected the address of a running scheduler, e.g. "
                         "tcp://127.0.0.1:8786") from None


def _probe(address: str) -> None:
    """Fail fast on a plain TCP address where nothing listens (the client would retry
    for its whole timeout)."""
    import socket

    host, port = check_scheduler(address)
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as exc:
        raise InputError("--scheduler", address, f"nothing answers there ({exc.strerror or exc}); "
                         "expected the address of a running Dask scheduler, e.g. "
                         "tcp://127.0.0.1:8786") from None


def _run_dask(client, tasks: list[dict], record: Callable[[dict], None]) -> None:
    """Run tasks on a Dask cluster. The scheduler reruns the task of a worker that dies
    (up to ``distributed.scheduler.allowed-failures`` times) before ``KilledWorker``."""
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    from .workers import run_chunk

    threads = max(1, sum(client.nthreads().values()))
    queue = list(reversed(tasks))
    pending = as_completed()
    by_future = {}

    def submit():
        task = queue.pop()
        # One run a task, on one thread: a Dask worker runs as many at once as it has
        # threads, and the scheduler retries exactly the run of a worker that died.
        future = client.submit(run_chunk, [task], 1, pure=False,
                               key=f"placesim-run-{task['run_index']}-{uuid.uuid4().hex[:8]}")
        by_future[future] = task
        pending.add(future)

    for _ in range(min(len(queue), 2 * threads)):
        submit()
    for future in pending:
        task = by_future.pop(future)
        try:
            record(future.result()[0])
        except KilledWorker:
            record(_died(task, MAX_ATTEMPTS))
        future.release()
        if queue:
            submit()



def run_missing(folder: Path, total: int, schema, make_tasks, label: str, *, client=None,
                workers: int = 1, quiet: bool = False,
                flush_every: int | None = None) -> tuple[pd.DataFrame, int]:
    """Run the runs of ``folder`` not kept yet, keeping each as it finishes: the supervision
    that sweeps and probabilistic comparisons share. The caller holds :func:`_lock`.

    Args:
        folder: holds ``RUNS_DIR`` (the kept runs' part files).
        total: runs in all (indices ``0 .. total - 1``).
        schema: the runs' Arrow schema.
        make_tasks: ``make_tasks(indices)`` -> the tasks of the runs still to do.
        label: what the progress line calls them.
        client: a Dask client, or ``None`` for a local pool of ``workers``.

    Returns:
        Every kept run (:func:`read_runs`), and how many ran now. On any exit, Ctrl-C
        included, what finished is flushed, so ``--resume`` completes the rest.
    """
    done = read_runs(folder)
    have = set(done["run_index"].tolist()) if len(done) else set()
    failed = int(done["error"].notna().sum()) if len(done) else 0
    todo = [i for i in range(total) if i not in have]
    writer = _Writer(folder / RUNS_DIR, schema, flush_every or max(1, total // 100))
    progress = _Progress(total, len(have), failed, label, quiet)

    def record(row: dict) -> None:
        writer.add(row)
        progress.update(row["error"] is not None)

    try:
        tasks = list(make_tasks(todo))
        if client is not None:
            _run_dask(client, tasks, record)
        elif tasks:
            _run_local(tasks, workers, record)
    finally:
        writer.flush()  # also on Ctrl-C: what finished is kept for --resume
        progress.close()
    return read_runs(folder), len(todo)
