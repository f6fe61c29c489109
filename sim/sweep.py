"""Parameter sweeps: a design of points, replicates, and runs that survive being killed.

A sweep file names a scenario, a design (``grid``, ``lhs``, ``sobol`` or ``morris``),
parameters by dotted path with ``values`` or ``bounds``, replicates and outputs
(see docs/sweeps.md). :func:`load_sweep` validates it at the edge; :func:`run_sweep`
runs it on a local process pool or on a Dask cluster and writes, into one
results directory that persists across ``--resume``:

- ``sweep.yaml`` — the sweep with its scenario resolved inline (runnable again as it
  is), and in its header the fingerprint that ``--resume`` checks;
- ``design.csv`` — one row per design point;
- ``runs.parquet/`` — a Parquet dataset, one row per run (``run_index``, ``point``,
  ``replicate``, ``seed``, the parameters by dotted path, the outputs, ``error``),
  appended in part files as runs finish;
- ``sensitivity.csv`` (Sobol and Morris designs) and ``report.html`` once complete.

Run ``i`` is replicate ``i % R`` of design point ``i // R``. Its seed depends on the
sweep's seed and ``i`` alone (never on which worker ran it or when), so a sweep gives
the same rows with 1 worker, many, or a Dask cluster.

The work is split by job: the file's schema (:mod:`sim.sweep_file`), the design's
points (:mod:`sim.sweep_sampling`), running and retrying tasks on workers
(:mod:`sim.supervision`, shared with probabilistic comparisons) and the results
directory (:mod:`sim.sweep_storage`). This module runs a sweep with them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .scenario import Scenario, parameter_paths
from .supervision import _connect, run_missing, run_point
from .sweep_file import DESIGNS, Sweep, SweepParameter, known_outputs, load_sweep
from .sweep_storage import RUNS_DIR, _check_resume, _lock, _schema, _start, read_runs

__all__ = ["Sweep", "SweepParameter", "load_sweep", "run_sweep", "run_point", "simulate",
           "read_runs", "run_missing", "evaluate_parameters", "DESIGNS", "SweepOutcome",
           "known_outputs", "RUNS_DIR"]


def simulate(scenario: Scenario, seed: int) -> dict:
    """One run of the model: its summary (see :func:`sim.metrics.summarise`)."""
    from .runner import run_once

    _, _, summary = run_once(scenario, seed)
    return summary



def _tasks(sweep: Sweep, indices, model: Callable) -> Iterator[dict]:
    scenario = sweep.scenario.to_dict()
    for i in indices:
        point, replicate = divmod(i, sweep.replicates)
        yield {"run_index": i, "point": point, "replicate": replicate, "seed": sweep.seed_of(i),
               "values": sweep.points[point], "outputs": sweep.outputs, "scenario": scenario,
               "model": model}



@dataclass
class SweepOutcome:
    """What :func:`run_sweep` did.

    Attributes:
        out: the results directory.
        runs: rows of the complete sweep (a DataFrame ordered by ``run_index``).
        ran: runs executed by this call (not those found done on ``--resume``).
        failed: runs in the dataset that recorded an error.
        seconds: wall time of this call.
    """

    out: Path
    runs: Any
    ran: int
    failed: int
    seconds: float



def run_sweep(sweep: Sweep | str | Path | Mapping, out: str | Path, *, workers: int = 1,
              scheduler: str | None = None, resume: bool = False, quiet: bool = True,
              model: Callable[[Scenario, int], dict] = simulate,
              flush_every: int | None = None) -> SweepOutcome:
    """Run a sweep into ``out``, or finish one there with ``resume=True``.

    Args:
        sweep: a :class:`Sweep`, a sweep file or sweep data.
        out: the results directory. A fresh sweep needs it new or empty; ``resume``
            needs the directory of the same sweep, and runs only the missing runs.
        workers: processes of the local pool (ignored with ``scheduler``).
        scheduler: address of a running Dask scheduler (``tcp://host:8786``).
        resume: continue a sweep that was interrupted.
        quiet: no progress output.
        model: ``model(scenario, seed) -> summary dict``, a picklable module-level
            function (default: the Placesim model).
        flush_every: rows per part file (default: 1% of the runs, at least 1).

    Returns:
        A :class:`SweepOutcome`.

    Raises:
        InputError: bad input, a non-empty ``out`` without ``resume``, or a ``resume``
            of a directory holding a different sweep.
    """
    from .sensitivity import write_sensitivity
    from .sweep_report import write_sweep_report

    t0 = time.monotonic()
    if scheduler is None:
        from .workers import start_server

        start_server()  # its imports overlap the checks and the results directory's start
    spec = sweep if isinstance(sweep, Sweep) else load_sweep(sweep)
    out = Path(out)
    if resume:
        _check_resume(spec, out)
    client = _connect(scheduler) if scheduler else None
    try:
        if not resume:
            _start(spec, out)
        with _lock(out):
            runs, ran = run_missing(out, spec.runs, _schema(spec),
                                    lambda todo: _tasks(spec, todo, model), spec.name,
                                    client=client, workers=workers, quiet=quiet,
                                    flush_every=flush_every)
            write_sensitivity(out / "sensitivity.csv", spec, runs)
            write_sweep_report(out / "report.html", spec, runs)
    finally:
        if client is not None:
            client.close()
    return SweepOutcome(out, runs, ran, int(runs["error"].notna().sum()),
                        time.monotonic() - t0)


# --- evaluate()'s parameters --------------------------------------------------------------


def evaluate_parameters() -> list[dict]:
    """Every keyword :func:`sim.evaluate` accepts, with its metadata.

    For tools that build their own parameter lists (the EMA Workbench's
    ``RealParameter``/``CategoricalParameter``, SALib's ``problem``).

    Returns:
        One dict per parameter: ``name`` (the ``__`` keyword), ``path`` (dotted),
        ``kind`` (``float``, ``int``, ``bool``, ``str``, ``list``), ``default``,
        ``lo``, ``hi``, ``choices``, ``unit``, ``doc``.
    """
    rows = []
    for path, p in parameter_paths().items():
        rows.append({"name": path.replace(".", "__"), "path": path, "kind": p.kind.__name__,
                     "default": p.default, "lo": p.lo, "hi": p.hi,
                     "choices": list(p.choices) if p.choices else None,
                     "unit": p.unit, "doc": p.doc})
    return rows
