"""Replicates on worker processes, for ``run``, ``compare`` and ``calibrate`` (and the runs
of ``evidence``).

Replicate ``r`` of a scenario with seed ``s`` is the scenario run alone on seed ``s + r``
(:func:`sim.runner.replicate_seeds`), so each replicate can run in its own process as a
one-replicate run of :func:`sim.compare.run_recorded`, and the parts put back together
are the serial run's, to the bit, with any number of workers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pandas as pd

__all__ = ["worker_pool", "run_replicates", "run_recorded_on", "submit_all",
           "submit_replicates"]


@contextlib.contextmanager
def worker_pool(workers: int) -> Iterator[object | None]:
    """A process pool of ``workers`` (``None`` for one: run in this process)."""
    if workers <= 1:
        yield None
        return
    from .workers import local_pool, stop_now  # forked from a preloaded server

    pool = local_pool(workers)
    try:
        yield pool
    except BaseException:  # Ctrl-C, SIGTERM, a failed run: nothing is kept, so none waits
        stop_now(pool)
        raise
    pool.shutdown(wait=True)


def run_replicates(spec, workers: int, progress: Callable[[int, int], None] | None = None):
    """Every replicate of ``spec``, recorded (:func:`sim.compare.run_recorded`): in this
    process when ``workers`` is 1, else on a pool of that many; the same numbers either way.
    ``progress(replicate, week)`` as :func:`run_recorded_on` calls it."""
    from .recording import run_recorded

    with worker_pool(workers) as pool:
        if pool is None:
            return run_recorded(spec, progress=progress)
        return run_recorded_on(pool, spec, spec.name, progress)


def submit_all(pool, task: Callable, arguments) -> list:
    """Queue ``task(*args)`` on ``pool`` for each ``args`` of ``arguments``; the futures,
    in order. A submit may start a worker, so none is interrupted half-way
    (:func:`sim.interrupts.held`)."""
    from .interrupts import held

    futures = []
    for args in arguments:
        with held():
            futures.append(pool.submit(task, *args))
    return futures


def submit_replicates(pool, spec) -> list:
    """Queue each replicate of ``spec`` on ``pool``; their futures, in replicate order."""
    from .runner import replicate_seeds

    data = spec.to_dict()  # scenarios travel as data: their classes are built at run time
    return submit_all(pool, _one_replicate, [(data, s)
                                             for s in replicate_seeds(spec.seed, spec.replicates)])


def run_recorded_on(pool, spec, label: str,
                    progress: Callable[[int, int], None] | None = None,
                    futures: list | None = None):
    """:func:`sim.compare.run_recorded` with each replicate on a worker of ``pool``.

    ``progress(replicate, week)`` is called for every week of a replicate when it is
    done (in replicate order), so a bar moves a replicate at a time. ``futures``: the
    replicates already queued (:func:`submit_replicates`), else they are queued here.
    """
    from .compare import ScenarioRuns
    from .runner import RunResult, replicate_seeds

    seeds = replicate_seeds(spec.seed, spec.replicates)
    futures = submit_replicates(pool, spec) if futures is None else futures
    parts = []
    for r, future in enumerate(futures):
        parts.append(future.result())
        if progress is not None:
            for week in range(1, spec.weeks + 1):
                progress(r, week)

    def joined(k: int) -> pd.DataFrame:
        return pd.concat([part[k].assign(replicate=r) for r, part in enumerate(parts)],
                         ignore_index=True)

    seconds: dict[str, float] = {}
    for part in parts:
        for phase, value in part[3].items():
            seconds[phase] = seconds.get(phase, 0.0) + value
    return ScenarioRuns(label, RunResult(spec, seeds, joined(0), joined(1), seconds), joined(2))


def _one_replicate(data: dict, seed: int):
    """On a worker: one replicate as a one-replicate recorded run; its frames and times."""
    from .compare import run_recorded
    from .workers import scenario_on_worker

    spec = scenario_on_worker(data).with_overrides({"seed": seed, "replicates": 1}, "--workers")
    runs = run_recorded(spec)
    return runs.result.timeseries, runs.result.summary, runs.demand, runs.result.phase_seconds
