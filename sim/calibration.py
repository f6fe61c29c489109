"""Calibration: compare a scenario's final-year summary with a place's targets.

A targets file (YAML, e.g. ``scenarios/targets/england.yaml``) lists figures a place
knows about itself — activity rates, the concentration of use, multimorbidity,
loneliness, gradients — each with the summary metric it is compared with, a value,
a tolerance as ``lo``/``hi`` and a source::

    name: england
    description: England, the figures of docs/model.md section 5
    targets:
      gp_appointments:
        metric: gp_appointments_per_1000   # a key of the run summary
        value: 6300
        lo: 5670
        hi: 6930
        unit: per 1,000 residents a year
        source: NHS England, Appointments in General Practice 2023/24

``calibrate`` runs the scenario's replicates and judges each target on the mean over
replicates: it passes when the mean lies within ``[lo, hi]``. The 95% interval (a
t-interval over replicates) shows how sure that mean is. A planner can copy the file,
put in their own place's figures, and see how far the model is from them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError
from .metrics import SUMMARY_KEYS
from .statistics import t_interval

__all__ = ["Target", "Targets", "load_targets", "judge", "calibrate",
           "TARGETS_DIR", "DEFAULT_TARGETS", "COLUMNS"]

TARGETS_DIR = Path(__file__).resolve().parent.parent / "scenarios" / "targets"
DEFAULT_TARGETS = TARGETS_DIR / "england.yaml"
COLUMNS = ("target", "metric", "model", "ci_low", "ci_high", "value", "lo", "hi",
           "unit", "passed", "source")
_TARGET_KEYS = {"metric", "value", "lo", "hi", "unit", "source", "description"}
_TOP_KEYS = {"name", "description", "targets"}


@dataclass(frozen=True)
class Target:
    """One figure a place knows about itself.

    Args:
        name: the target's key in the file.
        metric: the run-summary key it is compared with.
        value: the figure itself.
        lo, hi: the tolerance: the model passes when its mean lies in ``[lo, hi]``.
        unit: unit of ``value`` (for the table).
        source: where the figure comes from.
    """

    name: str
    metric: str
    value: float
    lo: float
    hi: float
    unit: str
    source: str

    def passes(self, model_value: float) -> bool:
        """Whether a model value lies within the tolerance."""
        return bool(np.isfinite(model_value) and self.lo <= model_value <= self.hi)


@dataclass(frozen=True)
class Targets:
    """A targets file: its name, description and targets in file order."""

    name: str
    description: str
    targets: tuple[Target, ...]
    path: Path | None = None


def _number(source: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(source, key, f"expected a finite number, got {value!r}")
    return float(value)


def load_targets(path: str | Path) -> Targets:
    """Read and check a targets file.

    Args:
        path: a YAML targets file, or the name of one shipped in ``scenarios/targets``.

    Returns:
        The :class:`Targets`.

    Raises:
        InputError: naming the file, the key path and what was expected.
    """
    import difflib

    from .scenario import read_yaml
    from .userfiles import exists

    path = Path(path)
    if not exists(path) and exists(TARGETS_DIR / f"{path}.yaml"):
        path = TARGETS_DIR / f"{path}.yaml"
    data = read_yaml(path)
    src = str(path)
    for key in data:
        if key not in _TOP_KEYS:
            near = difflib.get_close_matches(str(key), sorted(_TOP_KEYS), n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise InputError(src, str(key), f"unknown key{hint}; expected one of "
                             f"{', '.join(sorted(_TOP_KEYS))}")
    entries = data.get("targets")
    if not isinstance(entries, dict) or not entries:
        raise InputError(src, "targets", "expected a mapping of target names to "
                         "{metric, value, lo, hi, source}")
    known = frozenset(SUMMARY_KEYS)  # every metric a run summary reports
    targets = []
    for name, entry in entries.items():
        where = f"targets.{name}"
        if not isinstance(entry, dict):
            raise InputError(src, where, "expected a mapping with metric, value, lo, hi, source")
        for key in entry:
            if key not in _TARGET_KEYS:
                near = difflib.get_close_matches(str(key), sorted(_TARGET_KEYS), n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                raise InputError(src, f"{where}.{key}", f"unknown key{hint}; expected one of "
                                 f"{', '.join(sorted(_TARGET_KEYS))}")
        for key in ("metric", "value", "lo", "hi", "source"):
            if key not in entry:
                raise InputError(src, f"{where}.{key}", "missing; every target needs "
                                 "metric, value, lo, hi and source")
        metric = entry["metric"]
        if not isinstance(metric, str) or metric not in known:
            near = difflib.get_close_matches(str(metric), sorted(known), n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise InputError(src, f"{where}.metric", f"{metric!r} is not a summary metric"
                             f"{hint}; see the summary.csv of any run for the names")
        value, lo, hi = (_number(src, f"{where}.{k}", entry[k]) for k in ("value", "lo", "hi"))
        if not lo <= value <= hi:
            raise InputError(src, where, f"expected lo <= value <= hi, got lo={lo:g}, "
                             f"value={value:g}, hi={hi:g}")
        source = entry["source"]
        if not isinstance(source, str) or not source.strip():
            raise InputError(src, f"{where}.source", "expected the figure's source as text")
        targets.append(Target(str(name), metric, value, lo, hi, str(entry.get("unit", "")),
                              " ".join(source.split())))
    return Targets(str(data.get("name", path.stem)),
                   " ".join(str(data.get("description", "")).split()), tuple(targets), path)


def judge(summary: pd.DataFrame, targets: Targets) -> pd.DataFrame:
    """The calibration table: one row per target, with :data:`COLUMNS`.

    Args:
        summary: one row per replicate of run-summary metrics.
        targets: the place's targets.
    """
    rows = []
    for t in targets.targets:
        mean, _, low, high, _ = t_interval(summary[t.metric].to_numpy())
        rows.append({"target": t.name, "metric": t.metric, "model": mean, "ci_low": low,
                     "ci_high": high, "value": t.value, "lo": t.lo, "hi": t.hi,
                     "unit": t.unit, "passed": t.passes(mean), "source": t.source})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def calibrate(scenario, targets: Targets, *, replicates: int | None = None,
              seed: int | None = None, weeks: int | None = None,
              progress: Callable[[int, int], None] | None = None):
    """Run a scenario's replicates and judge them against targets.

    Args:
        scenario: a :class:`~sim.scenario.Scenario`, a YAML path or a shipped name.
        targets: from :func:`load_targets`.
        replicates, seed, weeks: as for :func:`sim.run_scenario`.
        progress: optional ``progress(replicate, week)`` callback.

    Returns:
        ``(table, result)``: the calibration table and the :class:`~sim.runner.RunResult`.
    """
    from .runner import run_scenario

    result = run_scenario(scenario, replicates=replicates, seed=seed, weeks=weeks,
                          progress=progress)
    return judge(result.summary, targets), result


def format_table(table: pd.DataFrame) -> str:
    """The calibration table as aligned text for the terminal."""
    def num(x: float) -> str:
        if not np.isfinite(x):
            return "-"
        return f"{x:.3g}" if abs(x) < 100 else f"{x:,.0f}"

    header = ("target", "model", "95% interval", "target", "tolerance", "result")
    rows = [(r.target, num(r.model),
             f"{num(r.ci_low)} .. {num(r.ci_high)}" if np.isfinite(r.ci_low) else "-",
             num(r.value), f"{num(r.lo)} .. {num(r.hi)}", "pass" if r.passed else "FAIL")
            for r in table.itertuples()]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                       for i, (c, w) in enumerate(zip(row, widths))).rstrip()
             for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
