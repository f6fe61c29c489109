"""Draws over what we don't know: a Latin hypercube over the plausible ranges, and its runs.

Draw ``d`` is one plausible world: a value for every parameter with a range (the
same value in every scenario of the comparison), sampled by a Latin hypercube
(``scipy.stats.qmc.LatinHypercube``, seeded from the comparison's seed) and mapped
through each range's distribution (:func:`sim.uncertainty.value_at`). Within a draw
every scenario runs on the same seeds, so the paired difference is the policy's, on
common random numbers; replicate ``r`` of draw ``d`` runs on seed
``seed + d * replicates + r``, from the indices alone. With every range collapsed,
the draws are therefore exactly a seeds-only comparison with ``draws x replicates``
replicates.

Runs are independent tasks on the sweep's machinery (:mod:`sim.supervision`: the local
process pool, a Dask cluster by address, part files that survive a kill), so the rows
are the same with 1 worker, many, or a cluster, and ``--resume`` runs only what is
missing. Run ``i`` is replicate ``i % R`` of scenario ``(i // R) % S`` in draw
``i // (R S)``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .errors import InputError
from .uncertainty import Range, held_paths, value_at

if TYPE_CHECKING:
    from .scenario import Scenario

__all__ = ["DrawDesign", "DrawPlan", "design_draws", "plan_draws", "run_draws",
           "simulate_recorded", "draw_outputs", "MAX_DRAWS"]

MAX_DRAWS = 100_000  # more draws than this is almost surely a typo
DESIGN_STREAM = 0x16D5A9  # keys the design's generator apart from the runs' seeds
PLAN_FILE = "plan.json"


@dataclass(frozen=True)
class DrawDesign:
    """The plausible worlds of a comparison.

    Attributes:
        ranges: every parameter with a range (drawn or fixed), by path.
        draws: number of worlds.
        seed: the comparison's seed (design and runs).
        replicates: runs of each scenario per draw.
        matrix: ``draws x len(drawn)`` values of the drawn parameters.
    """

    ranges: dict[str, Range]
    draws: int
    seed: int
    replicates: int
    matrix: np.ndarray = field(repr=False)

    @property
    def drawn(self) -> list[Range]:
        """The ranges draws vary, in path order (the matrix's columns)."""
        return [r for r in self.ranges.values() if r.drawn]

    def values(self, draw: int) -> dict[str, float | int]:
        """Every ranged parameter's value in one draw (fixed ones at their value)."""
        row = dict(zip((r.path for r in self.drawn), self.matrix[draw]))
        return {path: r.value(row.get(path, r.central)) for path, r in self.ranges.items()}

    def central_values(self) -> dict[str, float | int]:
        """Every ranged parameter at its central value."""
        return {path: r.value(r.central) for path, r in self.ranges.items()}

    def seed_of(self, draw: int, replicate: int) -> int:
        """Seed of a replicate of a draw: from the indices alone."""
        return self.seed + draw * self.replicates + replicate

    def frame(self) -> pd.DataFrame:
        """One row per draw: ``draw`` and the drawn parameters' values."""
        data = {"draw": np.arange(self.draws)}
        data.update({r.path: [r.value(v) for v in self.matrix[:, j]]
                     for j, r in enumerate(self.drawn)})
        return pd.DataFrame(data)


def design_draws(ranges: Mapping[str, Range], draws: int, seed: int,
                 replicates: int = 1) -> DrawDesign:
    """Latin-hypercube draws over the ranges (reproducible from ``seed``).

    Args:
        ranges: path -> :class:`~sim.uncertainty.Range` (see
            :func:`sim.uncertainty.comparison_ranges`).
        draws: number of plausible worlds.
        seed: the comparison's seed.
        replicates: runs of each scenario per draw.
    """
    from scipy.stats import qmc

    ordered = dict(sorted(ranges.items()))
    drawn = [r for r in ordered.values() if r.drawn]
    if drawn:
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), DESIGN_STREAM]))
        u = qmc.LatinHypercube(d=len(drawn), rng=rng).random(draws)
        matrix = np.column_stack([value_at(r, u[:, j]) for j, r in enumerate(drawn)])
    else:
        matrix = np.empty((draws, 0))
    last = seed + draws * replicates - 1
    if last >= 2**32:
        raise InputError("command line", "--seed", f"draws would need seeds up to {last}; "
                         "expected seed + draws x replicates below 2^32")
    return DrawDesign(ordered, int(draws), int(seed), int(replicates), matrix)


# --- one run ---------------------------------------------------------------------------------


def simulate_recorded(spec: "Scenario", seed: int) -> dict:
    """One run's summary with the comparison's mechanism measures (as ``compare`` records)."""
    from .compare import run_recorded

    runs = run_recorded(spec.with_overrides({"seed": int(seed), "replicates": 1}, "draws"))
    row = runs.result.summary.iloc[0].to_dict()
    return {k: v for k, v in row.items() if k not in ("replicate", "seed")}


def draw_outputs() -> tuple[str, ...]:
    """Every numeric measure a draw's run records (a tiny run lists them exactly)."""
    global _OUTPUTS
    if _OUTPUTS is None:
        from .scenario import load_scenario

        tiny = load_scenario("baseline", overrides={
            "population.size": 200, "population.neighbourhoods": 1,
            "population.practice_list_size": 500, "weeks": 1})
        _OUTPUTS = tuple(k for k, v in simulate_recorded(tiny, 0).items()
                         if isinstance(v, (int, float, np.number)) and k != "weeks")
    return _OUTPUTS


_OUTPUTS: tuple[str, ...] | None = None


# --- the plan: every run of every draw ---------------------------------------------------------


@dataclass(frozen=True)
class DrawPlan:
    """The runs of a probabilistic comparison.

    Attributes:
        design: the draws.
        labels: scenario labels, reference first.
        scenarios: each scenario's resolved data (aligned seed and weeks).
        held: per scenario, the ranged paths it does not take from the draws
            (:func:`sim.uncertainty.held_paths`).
        outputs: measures recorded per run.
        model: ``model(scenario, seed) -> summary``, picklable.
    """

    design: DrawDesign
    labels: tuple[str, ...]
    scenarios: tuple[dict, ...] = field(repr=False)
    held: tuple[frozenset, ...]
    outputs: tuple[str, ...]
    model: Callable = simulate_recorded

    @property
    def runs(self) -> int:
        """Runs in all: draws x scenarios x replicates."""
        return self.design.draws * len(self.labels) * self.design.replicates

    def locate(self, run_index: int) -> tuple[int, int, int]:
        """``(draw, scenario index, replicate)`` of a run."""
        rest, replicate = divmod(run_index, self.design.replicates)
        draw, scenario = divmod(rest, len(self.labels))
        return draw, scenario, replicate

    def applied(self, values: Mapping[str, float | int], scenario: int) -> dict:
        """The values a scenario takes (its held parameters left as it sets them)."""
        return {p: v for p, v in values.items() if p not in self.held[scenario]}

    def task(self, run_index: int) -> dict:
        """The task of one run for :func:`sim.sweep.run_point`."""
        draw, s, r = self.locate(run_index)
        return {"run_index": run_index, "point": draw, "replicate": r,
                "seed": self.design.seed_of(draw, r),
                "values": self.applied(self.design.values(draw), s),
                "outputs": self.outputs, "scenario": self.scenarios[s], "model": self.model,
                "batch": draw}

    def tasks(self, indices) -> list[dict]:
        """The tasks of runs ``indices``, a draw's together, its scenarios side by side on
        each seed: a worker runs them in turn and the later scenarios of a seed start
        from the place the first built, where that is sound (:mod:`sim.reuse`)."""
        def order(i: int) -> tuple[int, int, int]:
            draw, scenario, replicate = self.locate(i)
            return draw, replicate, scenario

        return [self.task(i) for i in sorted(indices, key=order)]

    def fingerprint(self) -> str:
        """A hash of everything that decides the rows: ``--resume`` refuses a different plan."""
        from . import __version__

        text = json.dumps({"labels": self.labels, "scenarios": self.scenarios,
                           "held": [sorted(h) for h in self.held], "outputs": self.outputs,
                           "ranges": {p: [r.low, r.central, r.high, r.dist]
                                      for p, r in self.design.ranges.items()},
                           "draws": self.design.draws, "seed": self.design.seed,
                           "replicates": self.design.replicates,
                           "model": f"{self.model.__module__}.{self.model.__qualname__}",
                           "major": __version__.split(".")[0]}, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def plan_draws(specs: Sequence["Scenario"], labels: Sequence[str], design: DrawDesign,
               model: Callable = simulate_recorded,
               outputs: Sequence[str] | None = None) -> DrawPlan:
    """The runs of ``design`` for aligned scenarios (reference first)."""
    return DrawPlan(design, tuple(labels), tuple(s.to_dict() for s in specs),
                    tuple(frozenset(held_paths(s, design.ranges)) for s in specs),
                    tuple(outputs or draw_outputs()), model)


# --- running ---------------------------------------------------------------------------------


def _schema(plan: DrawPlan):
    import pyarrow as pa

    fields = [pa.field(n, pa.int64()) for n in ("run_index", "point", "replicate", "seed")]
    fields += [pa.field(o, pa.float64()) for o in plan.outputs]
    fields.append(pa.field("error", pa.string()))
    return pa.schema(fields)


def _start(plan: DrawPlan, folder: Path, resume: bool) -> None:
    from .sweep_storage import RUNS_DIR

    stored = folder / PLAN_FILE
    if resume:
        if not stored.exists():
            raise InputError(str(folder.parent), "--resume", "holds no unfinished draws; "
                             "expected the --out of a comparison with --draws that was "
                             "interrupted")
        if json.loads(stored.read_text(encoding="utf-8")).get("fingerprint") != plan.fingerprint():
            raise InputError(str(folder.parent), "--resume", "holds the draws of a different "
                             "comparison; expected the same scenarios, options and ranges")
        return
    (folder / RUNS_DIR).mkdir(parents=True)
    tmp = folder / f".{PLAN_FILE}.tmp"
    tmp.write_text(json.dumps({"fingerprint": plan.fingerprint(), "labels": plan.labels,
                               "draws": plan.design.draws, "runs": plan.runs}, indent=1),
                   encoding="utf-8")
    tmp.replace(stored)


def run_draws(plan: DrawPlan, folder: str | Path, *, workers: int = 1,
              scheduler: str | None = None, resume: bool = False, quiet: bool = True,
              flush_every: int | None = None) -> pd.DataFrame:
    """Run every draw's runs into ``folder`` (kept for ``resume``) and return their rows.

    Args:
        plan: the runs (:func:`plan_draws`).
        folder: where finished runs are kept until the comparison is written; new,
            or the folder of the same plan with ``resume``.
        workers: processes of the local pool (ignored with ``scheduler``).
        scheduler: address of a running Dask scheduler.
        resume: run only the runs missing from ``folder``.
        quiet: no progress output.
        flush_every: rows per part file (default: 1% of the runs).

    Returns:
        :func:`draws_frame` of the finished runs.
    """
    # The sweep's machinery, called as it is: pool, Dask, retries, part files, lock.
    from .supervision import _connect, run_missing
    from .sweep_storage import _lock

    folder = Path(folder)
    client = _connect(scheduler) if scheduler else None  # bad input before anything is made
    try:
        _start(plan, folder, resume)
        with _lock(folder):
            runs, _ = run_missing(folder, plan.runs, _schema(plan),
                                  plan.tasks, "draws",
                                  client=client, workers=workers, quiet=quiet,
                                  flush_every=flush_every)
    finally:
        if client is not None:
            client.close()
    return draws_frame(plan, runs)


def draws_frame(plan: DrawPlan, runs: pd.DataFrame) -> pd.DataFrame:
    """``draws.parquet``: a row per draw x scenario x replicate.

    Columns: ``draw``, ``scenario``, ``replicate``, ``seed``, each ranged parameter's
    value in that run (a scenario's own value where it holds the parameter), the
    outputs, and ``error`` (``None``, or why the run failed).
    """
    located = np.array([plan.locate(int(i)) for i in runs["run_index"]]).reshape(-1, 3)
    columns = {"draw": located[:, 0],
               "scenario": [plan.labels[s] for s in located[:, 1]],
               "replicate": runs["replicate"].to_numpy(),
               "seed": runs["seed"].to_numpy()}
    worlds = [plan.design.values(d) for d in range(plan.design.draws)]
    for path in plan.design.ranges:
        own = [_scenario_value(data, path) for data in plan.scenarios]
        columns[path] = [own[s] if path in plan.held[s] else worlds[d][path]
                         for d, s in zip(located[:, 0], located[:, 1])]
    for name in plan.outputs:
        columns[name] = runs[name].to_numpy()
    columns["error"] = runs["error"].to_numpy()
    return pd.DataFrame(columns)  # built at once: a column at a time fragments the frame


def _scenario_value(data: dict, path: str):
    node = data
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node
