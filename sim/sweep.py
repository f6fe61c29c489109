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
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import itertools
import json
import math
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputError
from .parameters import Param
from .preflight import check_runs, check_scheduler, sweep_points
from .scenario import Scenario, _suggest, apply_overrides, load_scenario, parameter_paths, read_yaml
from .scenario import validate as validate_scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Sweep", "SweepParameter", "load_sweep", "run_sweep", "run_point", "simulate",
           "read_runs", "run_missing", "evaluate_parameters", "DESIGNS", "SweepOutcome"]

DESIGNS = ("grid", "lhs", "sobol", "morris")
KEYS = ("name", "description", "scenario", "set", "design", "samples", "levels",
        "parameters", "replicates", "seed", "common_random_numbers", "outputs")
MAX_RUNS = 1_000_000  # a sweep larger than this is almost surely a typo in samples or steps
MAX_ATTEMPTS = 3  # a run whose worker dies this often is recorded as failed, not retried
RUNS_DIR = "runs.parquet"


# --- the sweep file ---------------------------------------------------------------------


@dataclass(frozen=True)
class SweepParameter:
    """One swept parameter.

    Attributes:
        path: dotted parameter path (``network.mean_degree``).
        param: its declaration.
        values: the values of a grid or the categories of a categorical factor, or
            ``None`` when the parameter is sampled between ``bounds``.
        bounds: ``(lo, hi)`` in the parameter's unit for sampled designs.
    """

    path: str
    param: Param
    values: tuple | None = None
    bounds: tuple[float, float] | None = None

    @property
    def categorical(self) -> bool:
        """True for a factor given by a list of values in a sampled design."""
        return self.values is not None

    def value_at(self, x: float) -> Any:
        """The parameter value for a sampled coordinate ``x``.

        A categorical factor is sampled as an index on ``[0, k)`` and floored (the
        EMA Workbench's convention), an integer parameter is rounded.
        """
        if self.values is not None:
            k = len(self.values)
            return self.values[min(int(math.floor(x)), k - 1)]
        if self.param.kind is int:
            return int(round(x))
        return float(x)

    @property
    def salib_bounds(self) -> list[float]:
        """Bounds of this factor in SALib's ``problem``."""
        if self.values is not None:
            return [0.0, float(len(self.values))]
        return [float(self.bounds[0]), float(self.bounds[1])]


@dataclass(frozen=True)
class Sweep:
    """A validated sweep (see :func:`load_sweep`).

    Attributes:
        source: the file it came from (for messages).
        name, description: from the file.
        scenario: the base scenario, ``set`` overrides applied.
        design: ``grid``, ``lhs``, ``sobol`` or ``morris``.
        parameters: the swept parameters, in file order.
        samples: points of an LHS; base sample N of Sobol; trajectories of Morris.
        levels: grid levels of a Morris design.
        replicates: runs per design point.
        seed: the sweep's seed (sampling and run seeds).
        common_random_numbers: replicate ``r`` of every point runs on ``seed + r``
            (paired); otherwise run ``i`` runs on ``seed + i``.
        outputs: summary metrics kept per run.
        points: the design, one mapping of path -> value per point.
        matrix: the sampled design as SALib returned it (sampled designs), for analysis.
    """

    source: str
    name: str
    description: str
    scenario: Scenario
    design: str
    parameters: tuple[SweepParameter, ...]
    samples: int | None
    levels: int
    replicates: int
    seed: int
    common_random_numbers: bool
    outputs: tuple[str, ...]
    points: tuple[dict, ...] = field(repr=False)
    matrix: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def runs(self) -> int:
        """Runs in all: points x replicates."""
        return len(self.points) * self.replicates

    def problem(self) -> dict:
        """The SALib ``problem`` of a sampled design."""
        return {"num_vars": len(self.parameters),
                "names": [p.path for p in self.parameters],
                "bounds": [p.salib_bounds for p in self.parameters]}

    def seed_of(self, run_index: int) -> int:
        """Seed of run ``run_index``: from the sweep's seed and the index alone."""
        offset = run_index % self.replicates if self.common_random_numbers else run_index
        return self.seed + offset

    def to_dict(self) -> dict:
        """The sweep as plain data with its scenario inline (loadable by :func:`load_sweep`)."""
        params = {p.path: {"values": list(p.values)} if p.values is not None
                  else {"bounds": list(p.bounds)} for p in self.parameters}
        data = {"name": self.name, "description": self.description,
                "scenario": self.scenario.to_dict(), "design": self.design}
        if self.samples is not None:
            data["samples"] = self.samples
        if self.design == "morris":
            data["levels"] = self.levels
        data.update(parameters=params, replicates=self.replicates, seed=self.seed,
                    common_random_numbers=self.common_random_numbers,
                    outputs=list(self.outputs))
        return data

    def fingerprint(self) -> str:
        """A hash of everything that decides the rows: ``--resume`` refuses a different sweep."""
        from . import __version__

        text = json.dumps({"sweep": self.to_dict(), "points": list(self.points),
                           "major": __version__.split(".")[0]}, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _positive(data: Mapping, key: str, source: str, default: int | None, most: int) -> int | None:
    value = data.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise InputError(source, key, f"expected a whole number from 1 to {most:,}, got {value!r}")
    return value


def _parameter(path: str, spec: Any, design: str, base: Scenario, source: str) -> SweepParameter:
    """Validate one entry of ``parameters:``."""
    key = f"parameters.{path}"
    known = parameter_paths()
    if path not in known:
        raise InputError(source, key, "no such parameter" + _suggest(path, known)
                         + " (python run.py parameters lists them)")
    param = known[path]
    if path in ("seed", "replicates"):
        raise InputError(source, key, "the sweep sets seeds and replicates itself; "
                         "expected a model parameter (use the sweep's seed: and replicates:)")
    if param.shares is not None:
        raise InputError(source, key, "a list of shares cannot be swept; expected a scalar parameter")
    if isinstance(spec, list):  # shorthand: path: [v1, v2, ...]
        spec = {"values": spec}
    if not isinstance(spec, dict):
        raise InputError(source, key, "expected {values: [...]} or {bounds: [lo, hi]}")
    allowed = {"values", "bounds", "steps"} if design == "grid" else {"values", "bounds"}
    for extra in spec.keys() - allowed:
        raise InputError(source, f"{key}.{extra}", f"unknown key{_suggest(extra, allowed)} "
                         f"(expected one of: {', '.join(sorted(allowed))})")
    if ("values" in spec) == ("bounds" in spec):
        raise InputError(source, key, "expected exactly one of values: [...] or bounds: [lo, hi]")

    def check(value, where):
        try:
            base.with_overrides({path: value}, source)
        except InputError as exc:
            raise InputError(source, where, exc.problem) from None

    if "values" in spec:
        values = spec["values"]
        if not isinstance(values, list) or not values:
            raise InputError(source, f"{key}.values", "expected a non-empty list of values")
        if "steps" in spec:
            raise InputError(source, f"{key}.steps", "steps goes with bounds, not values")
        if len(set(map(repr, values))) != len(values):
            raise InputError(source, f"{key}.values", "values repeat; expected each value once")
        for i, value in enumerate(values):
            if isinstance(value, (dict, list)) or value is None:
                raise InputError(source, f"{key}.values[{i}]", f"expected a single value, got {value!r}")
            check(value, f"{key}.values[{i}]")
        if param.kind is float:  # YAML's 4 and 4.0 are one value of a float parameter
            values = [float(v) for v in values]
        return SweepParameter(path, param, values=tuple(values))

    bounds = spec["bounds"]
    if param.kind not in (int, float):
        raise InputError(source, f"{key}.bounds", f"bounds need a numeric parameter; this one "
                         f"is {param.kind.__name__}: expected values: [...]")
    if (not isinstance(bounds, list) or len(bounds) != 2
            or not all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds)):
        raise InputError(source, f"{key}.bounds", f"expected [lo, hi], two numbers, got {bounds!r}")
    lo, hi = bounds
    if not (math.isfinite(lo) and math.isfinite(hi)) or not lo < hi:
        raise InputError(source, f"{key}.bounds", f"empty or inverted bounds {bounds}; "
                         "expected lo < hi")
    for i, end in enumerate((lo, hi)):
        check(int(end) if param.kind is int and float(end).is_integer() else end,
              f"{key}.bounds[{i}]")
    if design == "grid":
        steps = spec.get("steps")
        if isinstance(steps, bool) or not isinstance(steps, int) or not 2 <= steps <= MAX_RUNS:
            raise InputError(source, f"{key}.steps", f"a grid over bounds needs steps: a whole "
                             f"number of at least 2 (at most {MAX_RUNS:,}), got {steps!r}")
        grid = np.linspace(lo, hi, steps)
        values = (sorted({int(round(v)) for v in grid}) if param.kind is int
                  else [float(v) for v in grid])
        return SweepParameter(path, param, values=tuple(values))
    return SweepParameter(path, param, bounds=(float(lo), float(hi)))


def _sample(design: str, params: tuple[SweepParameter, ...], samples: int, levels: int,
            seed: int) -> np.ndarray:
    """The SALib sample of a sampled design (rows: points; columns: factors)."""
    problem = {"num_vars": len(params), "names": [p.path for p in params],
               "bounds": [p.salib_bounds for p in params]}
    if design == "sobol":
        from SALib.sample import sobol

        # First and total order only: N (D + 2) runs rather than N (2D + 2).
        return sobol.sample(problem, samples, calc_second_order=False, scramble=True, seed=seed)
    if design == "morris":
        from SALib.sample import morris

        return morris.sample(problem, samples, num_levels=levels, seed=seed)
    from SALib.sample import latin

    return latin.sample(problem, samples, seed=seed)


def _outputs(data: Mapping, source: str) -> tuple[str, ...]:
    from .metrics import HEADLINE

    outputs = data.get("outputs", list(HEADLINE))
    if not isinstance(outputs, list) or not outputs or not all(isinstance(o, str) for o in outputs):
        raise InputError(source, "outputs", "expected a non-empty list of summary metric names")
    known = known_outputs()
    for i, name in enumerate(outputs):
        if name not in known:
            raise InputError(source, f"outputs[{i}]", f"unknown output {name!r}"
                             + _suggest(name, known) + " (expected a summary metric, e.g. "
                             "gp_appointments_per_1000)")
    if len(set(outputs)) != len(outputs):
        raise InputError(source, "outputs", "outputs repeat; expected each metric once")
    return tuple(outputs)


def known_outputs() -> tuple[str, ...]:
    """Names of every per-run summary metric (what ``outputs:`` may list)."""
    from .metrics import SUMMARY_KEYS

    return SUMMARY_KEYS


def load_sweep(source: str | Path | Mapping[str, Any]) -> Sweep:
    """Read and validate a sweep file.

    Args:
        source: a sweep YAML path, or sweep data. ``scenario:`` is a scenario file
            (relative to the sweep file), a shipped scenario's name, or scenario data.

    Returns:
        The validated :class:`Sweep`, its design points generated.

    Raises:
        InputError: naming the file, the key path and what was expected, for any
            bad input (unknown key or parameter path, empty or inverted bounds,
            unknown design, bad replicates, unknown outputs ...).
    """
    if isinstance(source, Mapping):
        data, name, folder = dict(source), "<sweep>", Path.cwd()
    else:
        path = Path(source)
        data, name, folder = read_yaml(path), str(path), path.resolve().parent
    for key in data:
        if key not in KEYS:
            raise InputError(name, str(key), f"unknown key{_suggest(key, KEYS)} "
                             f"(expected one of: {', '.join(KEYS)})")

    design = data.get("design")
    if design not in DESIGNS:
        raise InputError(name, "design", f"unknown design {design!r}{_suggest(design, DESIGNS)}; "
                         f"expected one of: {', '.join(DESIGNS)}")
    base = _base_scenario(data, name, folder)

    samples = _positive(data, "samples", name, None, MAX_RUNS)
    if design == "grid" and samples is not None:
        raise InputError(name, "samples", "a grid takes no samples; its points are the "
                         "product of the parameters' values")
    if design != "grid" and samples is None:
        raise InputError(name, "samples", f"a {design} design needs samples: a whole number")
    if design == "sobol" and samples & (samples - 1):
        raise InputError(name, "samples", f"{samples} is not a power of 2; Sobol sequences "
                         "need N = 2^k (e.g. 64, 128, 256)")
    levels = _positive(data, "levels", name, 4, 1000)
    if "levels" in data and design != "morris":
        raise InputError(name, "levels", "levels is for a morris design only")
    if design == "morris" and levels < 2:
        raise InputError(name, "levels", f"expected at least 2 levels, got {levels}")

    raw = data.get("parameters")
    if not isinstance(raw, dict) or not raw:
        raise InputError(name, "parameters", "expected a mapping of dotted parameter paths "
                         "to {values: [...]} or {bounds: [lo, hi]}")
    replicates = _positive(data, "replicates", name, 1, 10_000)
    count = sweep_points(design, [_raw_count(spec) for spec in raw.values()], samples)
    check_runs(count * replicates, MAX_RUNS, name, "parameters")  # before building anything
    params = tuple(_parameter(str(p), spec, design, base, name) for p, spec in raw.items())
    from .policy_check import check_policies_run

    check_policies_run(base, [p.path for p in params], name, "parameters.",
                       "set: {{policies.{kind}.enabled: true}} in the sweep file")
    if design != "grid" and all(p.categorical for p in params):
        raise InputError(name, "parameters", f"a {design} design needs at least one parameter "
                         "with bounds: [lo, hi]")

    seed = data.get("seed", 1)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise InputError(name, "seed", f"expected a whole number from 0 to 2^32-1, got {seed!r}")
    crn = data.get("common_random_numbers", True)
    if not isinstance(crn, bool):
        raise InputError(name, "common_random_numbers", f"expected true or false, got {crn!r}")
    outputs = _outputs(data, name)

    matrix = None
    if design == "grid":
        points = [dict(zip((p.path for p in params), combo))
                  for combo in itertools.product(*(p.values for p in params))]
    else:
        if len(params) < 2 and design in ("sobol", "morris"):
            raise InputError(name, "parameters", f"a {design} design needs at least two "
                             "parameters; for one, use a grid")
        matrix = _sample(design, params, samples, levels, seed)
        points = [{p.path: p.value_at(x) for p, x in zip(params, row)} for row in matrix]
    runs = len(points) * replicates
    if runs > MAX_RUNS:
        raise InputError(name, "parameters", f"{runs:,} runs; expected at most {MAX_RUNS:,}")
    last_seed = seed + (replicates - 1 if crn else runs - 1)
    if last_seed >= 2**32:
        raise InputError(name, "seed", f"runs would need seeds up to {last_seed}; expected "
                         "seed + runs below 2^32")
    default_name = Path(name).stem if name != "<sweep>" else "sweep"
    return Sweep(source=name, name=str(data.get("name", default_name)),
                 description=" ".join(str(data.get("description", "")).split()),
                 scenario=base, design=design, parameters=params, samples=samples,
                 levels=levels, replicates=replicates, seed=seed, common_random_numbers=crn,
                 outputs=outputs, points=tuple(points), matrix=matrix)


def _raw_count(spec: Any) -> int | None:
    """How many values a grid parameter's entry asks for, read before it is checked."""
    if isinstance(spec, list):
        return len(spec)
    if isinstance(spec, dict):
        if isinstance(spec.get("values"), list):
            return len(spec["values"])
        steps = spec.get("steps")
        if isinstance(steps, int) and not isinstance(steps, bool) and steps > 0:
            return steps
    return None


def _base_scenario(data: Mapping, name: str, folder: Path) -> Scenario:
    """The sweep's scenario with its ``set:`` overrides applied."""
    scenario = data.get("scenario")
    if scenario is None:
        raise InputError(name, "scenario", "expected a scenario file, a shipped scenario's "
                         "name, or scenario data")
    if isinstance(scenario, str):
        candidate = folder / scenario
        target: Any = candidate if os.path.exists(candidate) else scenario
    elif isinstance(scenario, dict):
        target = scenario
    else:
        raise InputError(name, "scenario", f"expected a file name or a mapping, got {scenario!r}")
    try:
        base = load_scenario(target)
    except InputError as exc:
        where = f"scenario ({exc.source})"
        raise InputError(name, where + (f": {exc.key}" if exc.key else ""), exc.problem) from None
    fixed = data.get("set", {})
    if not isinstance(fixed, dict):
        raise InputError(name, "set", "expected a mapping of dotted parameter paths to values")
    try:
        return validate_scenario(apply_overrides(base.to_dict(), fixed, name), name)
    except InputError as exc:
        raise InputError(name, f"set.{exc.key}", exc.problem) from None


# --- one run ------------------------------------------------------------------------------


def simulate(scenario: Scenario, seed: int) -> dict:
    """One run of the model: its summary (see :func:`sim.metrics.summarise`)."""
    from .runner import run_once

    _, _, summary = run_once(scenario, seed)
    return summary


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


def _tasks(sweep: Sweep, indices, model: Callable) -> Iterator[dict]:
    scenario = sweep.scenario.to_dict()
    for i in indices:
        point, replicate = divmod(i, sweep.replicates)
        yield {"run_index": i, "point": point, "replicate": replicate, "seed": sweep.seed_of(i),
               "values": sweep.points[point], "outputs": sweep.outputs, "scenario": scenario,
               "model": model}


# --- the runs dataset ---------------------------------------------------------------------


def _schema(sweep: Sweep):
    import pyarrow as pa

    kinds = {str: pa.string(), bool: pa.bool_(), int: pa.int64(), float: pa.float64()}
    fields = [pa.field(n, pa.int64()) for n in ("run_index", "point", "replicate", "seed")]
    fields += [pa.field(p.path, kinds[p.param.kind]) for p in sweep.parameters]
    fields += [pa.field(o, pa.float64()) for o in sweep.outputs]
    fields.append(pa.field("error", pa.string()))
    return pa.schema(fields)


class _Writer:
    """Appends finished runs to the dataset in part files, each written atomically.

    A part is written to a hidden name and renamed into place, so a reader (or a
    resume after SIGKILL) sees whole parts only; Parquet readers skip hidden files.
    Parts are flushed every ``every`` rows or ``seconds`` seconds, so a kill loses
    at most that much work.
    """

    def __init__(self, folder: Path, schema, every: int, seconds: float = 30.0):
        self.folder, self.schema, self.every, self.seconds = folder, schema, every, seconds
        self.rows: list[dict] = []
        self.last = time.monotonic()

    def add(self, row: dict) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.every or time.monotonic() - self.last > self.seconds:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.rows:
            table = pa.Table.from_pylist(self.rows, schema=self.schema)
            name = f"part-{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.parquet"
            tmp = self.folder / f".{name}.tmp"
            try:
                pq.write_table(table, tmp)
                os.replace(tmp, self.folder / name)
            except BaseException:  # a full disk: no hidden half-part is left behind
                tmp.unlink(missing_ok=True)
                raise
            self.rows = []
        self.last = time.monotonic()


def read_runs(out: str | Path):
    """The runs of a sweep's results directory, one row per run, ordered by ``run_index``.

    Args:
        out: the sweep's results directory (or its ``runs.parquet`` dataset).

    Returns:
        A pandas DataFrame (empty, with no columns, if no run has finished yet).
    """
    import pandas as pd
    import pyarrow.parquet as pq

    folder = Path(out)
    if folder.name != RUNS_DIR:
        folder = folder / RUNS_DIR
    parts = sorted(folder.glob("part-*.parquet"))
    if not parts:
        return pd.DataFrame()
    frame = pd.concat([pq.read_table(p).to_pandas() for p in parts], ignore_index=True)
    # A part is only ever written for runs that were missing, so this is a no-op
    # unless two processes ran the same directory at once (the lock prevents that).
    frame = frame.drop_duplicates("run_index", keep="first")
    return frame.sort_values("run_index", ignore_index=True)


# --- running ------------------------------------------------------------------------------


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


def _local_pool(workers: int):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn, not fork: forking a process that holds threads (tqdm, a Dask client) can
    # deadlock, and spawn behaves the same on every platform.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_exit_with_parent, initargs=(os.getpid(),))


def _exit_with_parent(parent: int) -> None:
    """In a pool worker: exit once the sweep's process is gone (e.g. killed with SIGKILL).

    Pool workers are not told when their parent dies and would otherwise linger,
    each holding a model's memory, after ``kill -9`` of a sweep. Ctrl-C is left to
    the parent, which keeps the runs in flight as they finish and then stops.
    """
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch():
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _run_local(tasks: list[dict], workers: int, record: Callable[[dict], None]) -> None:
    """Run tasks on a local process pool; a pool whose worker died is rebuilt and retried."""
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    queue = list(reversed(tasks))
    attempts: dict[int, int] = {}
    while queue:
        pool = _local_pool(workers)
        in_flight: dict[Any, dict] = {}
        broken = False
        try:
            while queue or in_flight:
                # Keep a few tasks queued per worker: enough to stay busy, few enough
                # that a broken pool or Ctrl-C loses little.
                while queue and len(in_flight) < 2 * workers and not broken:
                    task = queue.pop()
                    try:
                        with _sigint_held():
                            in_flight[pool.submit(run_point, task)] = task
                    except BrokenProcessPool:
                        queue.append(task)
                        broken = True
                if not in_flight:
                    break
                finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in finished:
                    task = in_flight.pop(future)
                    try:
                        record(future.result())
                    except BrokenProcessPool:
                        broken = True
                        n = attempts[task["run_index"]] = attempts.get(task["run_index"], 0) + 1
                        if n >= MAX_ATTEMPTS:
                            record(_died(task, n))
                        else:
                            queue.append(task)
        finally:
            pool.shutdown(wait=not broken, cancel_futures=True)


@contextlib.contextmanager
def _sigint_held() -> Iterator[None]:
    """Hold Ctrl-C back while the pool may start a worker, and deliver it afterwards.

    A worker started here inherits SIGINT blocked, so a Ctrl-C during its start-up
    prints no traceback (its initializer then ignores SIGINT); and this process does not
    raise KeyboardInterrupt half-way through starting it (which would leave the worker
    reading a pipe that never gets its instructions).
    """
    import signal

    held: list[int] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    except ValueError:  # not the main thread: signals are not ours to handle
        yield
        return
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        signal.signal(signal.SIGINT, previous)
        if held and callable(previous):
            previous(signal.SIGINT, None)  # Python's default raises KeyboardInterrupt


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

    threads = max(1, sum(client.nthreads().values()))
    queue = list(reversed(tasks))
    pending = as_completed()
    by_future = {}

    def submit():
        task = queue.pop()
        future = client.submit(run_point, task, pure=False,
                               key=f"placesim-run-{task['run_index']}-{uuid.uuid4().hex[:8]}")
        by_future[future] = task
        pending.add(future)

    for _ in range(min(len(queue), 2 * threads)):
        submit()
    for future in pending:
        task = by_future.pop(future)
        try:
            record(future.result())
        except KilledWorker:
            record(_died(task, MAX_ATTEMPTS))
        future.release()
        if queue:
            submit()


@contextlib.contextmanager
def _lock(out: Path) -> Iterator[None]:
    """Refuse to run two sweeps into one directory at once (they would duplicate rows)."""
    handle = open(out / ".lock", "w")  # noqa: SIM115 - held for the block
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise InputError(str(out), "--out", "another sweep is running into this directory; "
                         "expected it to finish first") from None
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _header_fingerprint(path: Path) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            for line in itertools.islice(handle, 5):
                if line.startswith("# fingerprint:"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def _start(sweep: Sweep, out: Path) -> None:
    """Create the results directory whole: sweep.yaml, design.csv and an empty dataset."""
    import pandas as pd
    import yaml

    from . import __version__
    from .results import results_dir

    with results_dir(out) as tmp:
        header = (f"# Sweep resolved by Placesim {__version__}; resume with "
                  f"python run.py sweep SWEEP.yaml --out {out} --resume\n"
                  f"# fingerprint: {sweep.fingerprint()}\n")
        body = yaml.safe_dump(sweep.to_dict(), sort_keys=False, allow_unicode=True)
        (tmp / "sweep.yaml").write_text(header + body, encoding="utf-8")
        design = pd.DataFrame(list(sweep.points))
        design.insert(0, "point", range(len(design)))
        design.to_csv(tmp / "design.csv", index=False)
        (tmp / RUNS_DIR).mkdir()


def _check_resume(sweep: Sweep, out: Path) -> None:
    stored = out / "sweep.yaml"
    if not out.is_dir() or not stored.exists() or not (out / RUNS_DIR).is_dir():
        raise InputError(str(out), "--resume", "is not a sweep's results directory; "
                         "expected the --out of a sweep that was started before")
    if _header_fingerprint(stored) != sweep.fingerprint():
        raise InputError(sweep.source, "", f"differs from the sweep started in {out} "
                         f"(see {stored}); expected the same sweep to resume it")


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
