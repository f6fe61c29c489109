"""What we don't know: the plausible range of each parameter a comparison draws over.

Every effect parameter is declared with a plausible range, an evidence grade and a
distribution (:class:`sim.parameters.Param`). A scenario may change any of that under
its ``uncertainty:`` key, and the command line with ``--set uncertainty.PATH.FIELD=…``::

    uncertainty:
      policies.co_design.failure_demand_reduction: {plausible: [0.0, 0.1]}  # narrow
      movement.threshold_mean: {plausible: [0.1, 0.5], dist: uniform}       # widen
      network.mean_degree: {plausible: [6, 10]}      # a range where none is declared
      costs.gp_appointment: {fixed: true}            # no draws: its central value
      policies.screening.uptake: {fixed: 0.6}        # no draws: this value
      "*": {fixed: true}                             # every range collapsed

Entries apply in order, later over earlier; a key with ``*`` is a pattern over the
parameters that have a range, and can only fix them. :func:`comparison_ranges` joins
the declarations with every scenario's entries into one :class:`Range` per parameter,
and :func:`value_at` turns a quantile of a draw into a value (one definition per
distribution of :data:`sim.parameters.DISTRIBUTIONS`).
"""

from __future__ import annotations

import copy
import fnmatch
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputError
from .parameters import DISTRIBUTIONS, Param

if TYPE_CHECKING:
    from .scenario import Scenario

__all__ = ["Range", "FIELDS", "check_entries", "set_entry", "declared_ranges",
           "comparison_ranges", "value_at", "held_paths"]

# What an entry of ``uncertainty:`` may say about a parameter.
FIELDS = ("plausible", "central", "dist", "fixed")


@dataclass(frozen=True)
class Range:
    """One parameter's uncertainty, as a comparison draws over it.

    Attributes:
        path: the parameter's dotted path.
        param: its declaration.
        low, central, high: the plausible range and its central value, in the
            parameter's unit; ``low == high == central`` when the parameter is fixed.
        dist: a key of :data:`sim.parameters.DISTRIBUTIONS`.
        grade: the evidence behind the central value (a key of
            :data:`sim.parameters.GRADES`); ``"assumption"`` for a range a user gave.
        origin: where the range came from: ``declared``, or the scenario that set it.
    """

    path: str
    param: Param
    low: float
    central: float
    high: float
    dist: str
    grade: str
    origin: str = "declared"

    @property
    def drawn(self) -> bool:
        """Whether draws vary it (a range wider than a point)."""
        return self.low < self.high

    def value(self, x: float) -> float | int:
        """A value in the parameter's type (whole numbers for an integer parameter)."""
        return int(round(x)) if self.param.kind is int else float(x)


def _numeric(param: Param) -> bool:
    return param.kind in (int, float)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _within(param: Param, value: float) -> bool:
    return ((param.lo is None or value >= param.lo) and (param.hi is None or value <= param.hi))


def _bounds_text(param: Param) -> str:
    lo = "-inf" if param.lo is None else f"{param.lo:g}"
    hi = "inf" if param.hi is None else f"{param.hi:g}"
    return f"{lo} .. {hi}" + (f" {param.unit}" if param.unit else "")


def check_entries(entries: Any) -> dict:
    """Validate a scenario's ``uncertainty:`` mapping on its own.

    Raises:
        ValueError: ``"<path>.<field>: <problem>"`` for the first problem (the
            scenario's validation turns it into an :class:`~sim.errors.InputError`
            naming the file and ``uncertainty.<path>.<field>``).
    """
    from .scenario import _suggest, parameter_paths

    if not isinstance(entries, dict):
        raise ValueError("expected a mapping of parameter paths to {plausible: [low, high]} "
                         "or {fixed: true}")
    known = parameter_paths()
    for path, entry in entries.items():
        path = str(path)
        if not isinstance(entry, dict) or not entry:
            raise ValueError(f"{path}: expected a mapping with some of: {', '.join(FIELDS)}")
        for field in entry:
            if field not in FIELDS:
                raise ValueError(f"{path}.{field}: unknown key{_suggest(field, FIELDS)} "
                                 f"(expected one of: {', '.join(FIELDS)})")
        if "*" in path:
            if set(entry) != {"fixed"} or entry["fixed"] is not True:
                raise ValueError(f"{path}: a pattern can only fix what it matches; "
                                 "expected {fixed: true}")
            continue
        param = known.get(path)
        if param is None:
            raise ValueError(f"{path}: no such parameter{_suggest(path, known)}")
        if not _numeric(param) or path in ("seed", "replicates", "weeks"):
            raise ValueError(f"{path}: only a numeric model parameter can be uncertain")
        _check_entry(path, param, entry)
    return entries


def _check_entry(path: str, param: Param, entry: Mapping) -> None:
    fixed = entry.get("fixed", False)
    if not (fixed is True or fixed is False or _number(fixed)):
        raise ValueError(f"{path}.fixed: expected true, false or a value, got {fixed!r}")
    if _number(fixed) and not _within(param, fixed):
        raise ValueError(f"{path}.fixed: {fixed} is outside the bounds {_bounds_text(param)}")
    if "plausible" in entry:
        rng = entry["plausible"]
        if not (isinstance(rng, list) and len(rng) == 2 and all(map(_number, rng))):
            raise ValueError(f"{path}.plausible: expected [low, high], two numbers, got {rng!r}")
        if rng[0] > rng[1]:
            raise ValueError(f"{path}.plausible: inverted range {rng}; expected low <= high")
        for end in rng:
            if not _within(param, end):
                raise ValueError(f"{path}.plausible: {end} is outside the bounds "
                                 f"{_bounds_text(param)}")
    if "central" in entry:
        central = entry["central"]
        if not _number(central) or not _within(param, central):
            raise ValueError(f"{path}.central: expected a number within {_bounds_text(param)}, "
                             f"got {central!r}")
    if "dist" in entry and entry["dist"] not in DISTRIBUTIONS:
        raise ValueError(f"{path}.dist: unknown distribution {entry['dist']!r} (expected one "
                         f"of: {', '.join(DISTRIBUTIONS)})")


def set_entry(data: dict, path: str, value: Any, source: str) -> dict:
    """Scenario data with ``uncertainty.<parameter path>.<field>`` set (``--set``'s form).

    Raises:
        InputError: when the path does not end in a field of :data:`FIELDS`.
    """
    rest = path[len("uncertainty."):]
    target, _, field = rest.rpartition(".")
    if not target or field not in FIELDS:
        raise InputError(source, path, "expected uncertainty.PARAMETER.FIELD=VALUE with FIELD "
                         f"one of: {', '.join(FIELDS)}")
    data = copy.deepcopy(data)
    entries = data.get("uncertainty")
    entries = data["uncertainty"] = dict(entries) if isinstance(entries, dict) else {}
    entry = entries.get(target)
    entries[target] = {**(entry if isinstance(entry, dict) else {}), field: value}
    return data


def declared_ranges() -> dict[str, Range]:
    """Every parameter declared with a plausible range, by path."""
    from .scenario import parameter_paths

    return {path: Range(path, p, float(p.plausible[0]), float(p.default), float(p.plausible[1]),
                        p.dist, p.grade or "assumption")
            for path, p in parameter_paths().items() if p.plausible is not None}


def _apply(ranges: dict[str, Range], path: str, entry: Mapping, origin: str) -> None:
    """Apply one validated entry to ``ranges`` (in place)."""
    from .scenario import parameter_paths

    if "*" in path:
        for name in [n for n in ranges if fnmatch.fnmatchcase(n, path)]:
            r = ranges[name]
            ranges[name] = replace(r, low=r.central, high=r.central, origin=origin)
        return
    param = parameter_paths()[path]
    base = ranges.get(path)
    if base is None:
        if "plausible" not in entry and not _number(entry.get("fixed")) \
                and entry.get("fixed") is not True:
            raise InputError(origin, f"uncertainty.{path}", "has no declared plausible range; "
                             "expected plausible: [low, high]")
        default = float(param.default)
        base = Range(path, param, default, default, default, param.dist, "assumption", origin)
    low, high = entry.get("plausible", (base.low, base.high))
    central = float(entry.get("central", base.central))
    dist = entry.get("dist", base.dist)
    grade = base.grade if "plausible" not in entry else "assumption"
    fixed = entry.get("fixed", False)
    if fixed is not False:
        value = central if fixed is True else float(fixed)
        ranges[path] = replace(base, low=value, central=value, high=value, dist=dist,
                               grade=grade, origin=origin)
        return
    if not low <= central <= high:
        raise InputError(origin, f"uncertainty.{path}", f"the central value {central:g} is "
                         f"outside the range [{low:g}, {high:g}]; expected a range that holds "
                         "it, or central: inside the range")
    if dist == "loguniform" and low <= 0:
        raise InputError(origin, f"uncertainty.{path}", "a log-uniform range needs a low "
                         "above zero")
    ranges[path] = replace(base, low=float(low), central=central, high=float(high), dist=dist,
                           grade=grade, origin=origin)


def comparison_ranges(specs: Sequence["Scenario"]) -> dict[str, Range]:
    """The declared ranges with every scenario's ``uncertainty:`` applied.

    A parameter is drawn once per draw for all the scenarios of a comparison, so the
    scenarios must agree about any entry they share.

    Raises:
        InputError: naming the scenario whose entry differs from an earlier one's, or
            an entry that contradicts itself (a central value outside its range).
    """
    entries: dict[str, tuple[dict, str]] = {}
    for spec in specs:
        for path, entry in (spec.uncertainty or {}).items():
            origin = f"scenario {spec.name!r}"
            if path in entries and entries[path][0] != entry:
                raise InputError(origin, f"uncertainty.{path}", f"differs from "
                                 f"{entries[path][1]}'s ({entries[path][0]}); expected the "
                                 "scenarios of a comparison to agree, as each draw sets a "
                                 "parameter once for all of them")
            entries.setdefault(path, (entry, origin))
    ranges = declared_ranges()
    for path, (entry, origin) in entries.items():
        _apply(ranges, path, entry, origin)
    return ranges


def value_at(r: Range, u: np.ndarray) -> np.ndarray:
    """Values of ``r`` at uniform quantiles ``u`` in (0, 1) (its distribution's inverse CDF).

    ``pert`` is the beta-PERT with the central value as its mode (shape 4, Vose 2008);
    ``triangular`` has its peak at the central value; ``loguniform`` is uniform in
    the logarithm (the central value does not enter).
    """
    u = np.asarray(u, dtype=float)
    if not r.drawn:
        return np.full(u.shape, r.central)
    width = r.high - r.low
    if r.dist == "uniform":
        return r.low + u * width
    if r.dist == "loguniform":
        return np.exp(np.log(r.low) + u * (np.log(r.high) - np.log(r.low)))
    from scipy import stats

    mode = (r.central - r.low) / width
    if r.dist == "triangular":
        return stats.triang.ppf(u, mode, loc=r.low, scale=width)
    a, b = 1.0 + 4.0 * mode, 1.0 + 4.0 * (1.0 - mode)
    return r.low + width * stats.beta.ppf(u, a, b)


def held_paths(spec: "Scenario", ranges: Mapping[str, Range]) -> set[str]:
    """Paths of ranges that ``spec`` does not take from the draws.

    A scenario that sets a parameter to a value other than its declared default
    keeps that value: it is what the scenario is about (a lever or a price it
    changes), not an uncertainty. A policy parameter of a policy the scenario does
    not list has no effect on it, and is not set there either.
    """
    data = spec.to_dict()
    held = set()
    for path, r in ranges.items():
        node: Any = data
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is None or not math.isclose(float(node), float(r.param.default),
                                            rel_tol=1e-12, abs_tol=1e-12):
            held.add(path)
    return held

