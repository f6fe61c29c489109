"""The sweep file: its schema, read and validated at the edge (see docs/sweeps.md).

A sweep file names a scenario, a design (``grid``, ``lhs``, ``sobol`` or ``morris``),
parameters by dotted path with ``values`` or ``bounds``, replicates and outputs.
:func:`load_sweep` turns it into a :class:`Sweep` whose design points are generated
(:mod:`sim.sweep_sampling`), or raises :class:`~sim.errors.InputError` naming the file,
the key and what was expected.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InputError
from .parameters import Param
from .preflight import check_runs, sweep_points
from .scenario import Scenario, _suggest, apply_overrides, load_scenario, parameter_paths, read_yaml
from .scenario import validate as validate_scenario
from .sweep_sampling import design_points

__all__ = ["Sweep", "SweepParameter", "load_sweep", "known_outputs", "DESIGNS", "MAX_RUNS"]

DESIGNS = ("grid", "lhs", "sobol", "morris")
KEYS = ("name", "description", "scenario", "set", "design", "samples", "levels",
        "parameters", "replicates", "seed", "common_random_numbers", "outputs")
MAX_RUNS = 1_000_000  # a sweep larger than this is almost surely a typo in samples or steps


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

    seed, crn = _seeding(data, name)
    outputs = _outputs(data, name)
    points, matrix = design_points(design, params, samples, levels, seed, name)
    _check_run_count(len(points) * replicates, seed, replicates, crn, name)
    default_name = Path(name).stem if name != "<sweep>" else "sweep"
    return Sweep(source=name, name=str(data.get("name", default_name)),
                 description=" ".join(str(data.get("description", "")).split()),
                 scenario=base, design=design, parameters=params, samples=samples,
                 levels=levels, replicates=replicates, seed=seed, common_random_numbers=crn,
                 outputs=outputs, points=tuple(points), matrix=matrix)


def _seeding(data: Mapping, name: str) -> tuple[int, bool]:
    """The sweep's ``seed`` and ``common_random_numbers``, checked."""
    seed = data.get("seed", 1)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise InputError(name, "seed", f"expected a whole number from 0 to 2^32-1, got {seed!r}")
    crn = data.get("common_random_numbers", True)
    if not isinstance(crn, bool):
        raise InputError(name, "common_random_numbers", f"expected true or false, got {crn!r}")
    return seed, crn


def _check_run_count(runs: int, seed: int, replicates: int, crn: bool, name: str) -> None:
    """Refuse a design of too many runs, or one whose seeds would pass 2^32."""
    if runs > MAX_RUNS:
        raise InputError(name, "parameters", f"{runs:,} runs; expected at most {MAX_RUNS:,}")
    last_seed = seed + (replicates - 1 if crn else runs - 1)
    if last_seed >= 2**32:
        raise InputError(name, "seed", f"runs would need seeds up to {last_seed}; expected "
                         "seed + runs below 2^32")


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
