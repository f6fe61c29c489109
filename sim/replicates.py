"""Replicates on worker processes, for ``run --workers`` and ``compare --workers``.

Replicate ``r`` of a scenario with seed ``s`` is the scenario run alone on seed ``s + r``
(:func:`sim.runner.replicate_seeds`), so each replicate can run in its own process as a
one-replicate run of :func:`sim.compare.run_recorded`, and the parts put back together
are the serial run's, to the bit, with any number of workers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pandas as pd

__all__ = ["worker_pool", "run_recorded_on", "submit_replicates"]


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


def submit_replicates(pool, spec) -> list:
    """Queue each replicate of ``spec`` on ``pool``; their futures, in replicate order."""
    from .runner import replicate_seeds
    from .interrupts import held

    data = spec.to_dict()  # scenarios travel as data: their classes are built at run time
    futures = []
    for s in replicate_seeds(spec.seed, spec.replicates):
        with held():  # a submit may start a worker: not interrupted half-way
            futures.append(pool.submit(_one_replicate, data, s))
    return futures


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
    from .process import freeze_survivors
    from .scenario import load_scenario
    from .workers import in_pool_worker, with_threads

    if in_pool_worker():  # between runs: no model alive (sim.process.freeze_survivors)
        freeze_survivors()
    spec = load_scenario(with_threads(data)).with_overrides({"seed": seed, "replicates": 1},
                                                            "--workers")
    runs = run_recorded(spec)
    return runs.result.timeseries, runs.result.summary, runs.demand, runs.result.phase_seconds
