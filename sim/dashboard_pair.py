"""The workshop dashboard's model: two scenarios stepped in lockstep, and its levers.

Everything here is plain Python (no Solara), so it is tested without a browser and
the app in :mod:`sim.dashboard` only draws it.

- :func:`levers` — the dashboard's levers, generated from the parameter declarations
  marked ``lever=True`` (plus the targets switch), each as a Mesa user parameter.
- :class:`PairModel` — a ``mesa.Model`` holding a "done to" and a "done with"
  :class:`~sim.model.HealthSystemModel` on the same seed (common random numbers), so
  one SolaraViz's Step, Play and Reset drive both. Bad lever values never raise: they
  are reported in :attr:`PairModel.problems` and the scenario's own value is kept.
- :func:`export_yaml` — one side's scenario, levers applied, as YAML the CLI runs.
- the series, community and neighbourhood data the charts draw.
"""

from __future__ import annotations

import collections
import datetime as _dt
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import mesa
import numpy as np
import yaml

from . import __version__
from .community import GROUP_KINDS
from .errors import InputError
from .journey import JourneyTracker, pick_residents
from .metrics import COLUMNS
from .model import HealthSystemModel
from .parameters import Param
from .population import NONE
from .scenario import SCENARIO_DIR, Scenario, load_scenario, parameter_paths

__all__ = ["Lever", "levers", "model_params", "PairModel", "Side", "shipped_scenarios",
           "export_yaml", "NEIGHBOURHOOD_METRICS", "SERIES", "LEFT", "RIGHT",
           "WORKSHOP_POPULATION", "AS_SCENARIO"]

LEFT, RIGHT = "done_to", "done_with"  # the pair a workshop starts from
# 20,000 residents: big enough for smooth rates, small enough to step both models
# more than ten times a second on a laptop (benchmarks/dashboard.py).
WORKSHOP_POPULATION = 20_000
JOURNEYS = 8  # residents followed in each model
AS_SCENARIO = "as in each scenario"
TARGETS_PATH = "policies.targets.enabled"

# A declaration's bounds admit any place; a slider needs a span a room can use. These
# narrow the slider only (values stay within the declared bounds).
WORKSHOP_RANGE: dict[str, tuple[float, float, float]] = {
    "population.size": (1_000, 100_000, 1_000),
    "primary_care.capacity_per_1000_week": (60.0, 250.0, 1.0),
    "policies.access_expansion.extra_capacity": (0.0, 1.0, 0.05),
    "policies.social_prescribing.link_workers_per_practice": (0.0, 5.0, 0.25),
    "policies.community_development.budget_per_1000_year": (0.0, 20_000.0, 250.0),
    "policies.social_movement.activist_share": (0.0, 0.2, 0.005),
    "policies.pooled_budget.share": (0.0, 0.2, 0.005),
}


def shipped_scenarios() -> list[str]:
    """Names of the scenarios shipped in ``scenarios/`` (the only ones the dashboard offers)."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


@dataclass(frozen=True)
class Lever:
    """One dashboard lever.

    Attributes:
        key: the keyword of :class:`PairModel` (dotted path with ``__``), as Mesa's
            ``model_params`` need identifiers.
        path: the parameter's dotted path.
        param: its declaration.
        label: what the slider says.
        default: the value the dashboard starts from.
    """

    key: str
    path: str
    param: Param
    label: str
    default: Any

    @property
    def policy(self) -> str | None:
        """The policy this lever belongs to, if any."""
        parts = self.path.split(".")
        return parts[1] if parts[0] == "policies" else None

    def user_param(self) -> Any:
        """The Mesa ``model_params`` entry: a slider, a select or a checkbox."""
        from mesa.visualization.user_param import Slider

        p = self.param
        if self.path == TARGETS_PATH:
            return {"type": "Checkbox", "value": bool(self.default), "label": self.label}
        if p.choices is not None:
            return {"type": "Select", "value": self.default, "label": self.label,
                    "values": [AS_SCENARIO, *p.choices]}
        lo, hi, step = WORKSHOP_RANGE.get(self.path, (p.lo, p.hi, None))
        if step is None:
            step = (hi - lo) / 50.0
        if p.kind is int:
            return Slider(self.label, value=int(self.default), min=int(lo), max=int(hi),
                          step=max(int(step), 1), dtype=int)
        return Slider(self.label, value=float(self.default), min=float(lo), max=float(hi),
                      step=float(step), dtype=float)

    def coerce(self, value: Any) -> Any:
        """A value from the browser as the declaration's type.

        Raises:
            InputError: naming the lever and what was expected.
        """
        p = self.param
        if self.path == TARGETS_PATH or p.kind is bool:
            if isinstance(value, bool):
                return value
            raise InputError("dashboard", self.path, f"expected on or off, got {value!r}")
        if p.choices is not None:
            if value == AS_SCENARIO or value in p.choices:
                return value
            raise InputError("dashboard", self.path,
                             f"expected one of {', '.join(p.choices)}, got {value!r}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            raise InputError("dashboard", self.path, f"expected a number, got {value!r}")
        if p.kind is int:
            if float(value) != int(value):
                raise InputError("dashboard", self.path, f"expected a whole number, got {value!r}")
            return int(value)
        return float(value)


# A sidebar slider has room for a few words; the declaration's full description and
# unit are in docs/dashboard.md and `python run.py parameters`.
SHORT_LABEL = {
    "population.size": "Residents",
    "primary_care.capacity_per_1000_week": "GP capacity /1,000/wk",
    "system.governance": "Governance of co-produced work",
    "policies.screening.uptake": "Screening uptake",
    TARGETS_PATH: "Targets on (where listed)",
    "policies.access_expansion.extra_capacity": "Extra GP access",
    "policies.social_prescribing.link_workers_per_practice": "Link workers /practice",
    "policies.community_development.budget_per_1000_year": "Grants £/1,000/yr",
    "policies.social_movement.activist_share": "Activist share",
    "policies.pooled_budget.share": "Pooled budget share",
}


def _label(path: str, p: Param) -> str:
    if path in SHORT_LABEL:
        return SHORT_LABEL[path]
    name = p.doc[0].upper() + p.doc[1:] if p.doc else path
    policy = path.split(".")[1].replace("_", " ") if path.startswith("policies.") else ""
    if policy and policy not in name.lower():
        name = f"{policy.capitalize()}: {name[0].lower()}{name[1:]}"
    return f"{name} ({p.unit})" if p.unit and p.unit not in ("share",) else name


def _lever_default(path: str, p: Param, pair: tuple[Scenario, Scenario]) -> Any:
    """The starting value: what the default pair runs with (first side that sets it)."""
    if path == "population.size":
        return WORKSHOP_POPULATION
    if path == "system.governance":
        return AS_SCENARIO  # done_to and done_with differ; keep each one's own
    for spec in pair:
        policy = path.split(".")[1] if path.startswith("policies.") else None
        if policy and getattr(spec.policies, policy) is None:
            continue
        node: Any = spec
        for part in path.split("."):
            node = getattr(node, part)
        return node
    return p.default


_LEVERS: list[Lever] | None = None


def levers() -> list[Lever]:
    """The dashboard's levers, in declaration order, from every ``lever=True`` parameter."""
    global _LEVERS
    if _LEVERS is None:
        pair = (load_scenario(SCENARIO_DIR / f"{LEFT}.yaml", root=SCENARIO_DIR),
                load_scenario(SCENARIO_DIR / f"{RIGHT}.yaml", root=SCENARIO_DIR))
        _LEVERS = [Lever(path.replace(".", "__"), path, p, _label(path, p),
                         _lever_default(path, p, pair))
                   for path, p in parameter_paths().items()
                   if p.lever or path == TARGETS_PATH]
    return list(_LEVERS)


def model_params() -> dict[str, Any]:
    """Mesa ``model_params`` for SolaraViz: scenario pickers, seed and every lever."""
    from mesa.visualization.user_param import Slider

    names = shipped_scenarios()
    return {
        "left": {"type": "Select", "value": LEFT, "values": names, "label": "Left scenario"},
        "right": {"type": "Select", "value": RIGHT, "values": names, "label": "Right scenario"},
        "seed": Slider("Seed (both sides)", value=1, min=1, max=99,
                       step=1, dtype=int),
        **{lever.key: lever.user_param() for lever in levers()},
    }


# --- one side of the pair ------------------------------------------------------------------


@dataclass
class Side:
    """One scenario of the pair: its model, its history and what the levers did to it."""

    name: str
    spec: Scenario
    model: HealthSystemModel
    tracker: JourneyTracker
    applied: dict[str, Any] = field(default_factory=dict)  # lever path -> value set
    changed: dict[str, Any] = field(default_factory=dict)  # those that differ from the file
    skipped: list[str] = field(default_factory=list)  # levers that do not apply here
    history: dict[str, list] = field(default_factory=lambda: {c: [] for c in COLUMNS})

    @property
    def description(self) -> str:
        """The scenario's first sentence."""
        text = " ".join(self.spec.description.split())
        return text.split(". ")[0].rstrip(".") + "." if text else ""

    def record(self) -> None:
        """Append this week's metrics row to the history."""
        for c in COLUMNS:
            self.history[c].append(self.model.metrics[c])


def _applies(lever: Lever, spec: Scenario, value: Any) -> bool:
    """Whether a lever's value is set on a scenario.

    Place levers (population, GP capacity) set both sides, so the two places are the
    same. A policy's lever sets only a side whose scenario lists that policy: moving
    screening uptake must not switch screening on in "done with". Governance set to
    "as in each scenario" leaves each side its own.
    """
    if lever.policy is not None:
        return getattr(spec.policies, lever.policy) is not None
    if lever.param.choices is not None:
        return value != AS_SCENARIO
    return True


def _scenario(name: Any, problems: list[str], fallback: str) -> tuple[str, Scenario]:
    """A shipped scenario by name; anything else is refused (only scenarios/ is offered)."""
    names = shipped_scenarios()
    if not isinstance(name, str) or name not in names:
        problems.append(f"scenario {name!r} is not one of the shipped scenarios "
                        f"({', '.join(names)}); showing {fallback}")
        name = fallback
    return name, load_scenario(SCENARIO_DIR / f"{name}.yaml", root=SCENARIO_DIR)


class PairModel(mesa.Model):
    """Two health-system models stepped together: the left ("done to") and the right ("done with").

    Both run on the same seed, so residents, needs and every other draw are paired
    (common random numbers) and the difference between the sides is the policies'.

    Args:
        left, right: shipped scenario names (``scenarios/<name>.yaml``).
        seed: the seed of both models.
        journeys: residents to follow in both models (the same rows: the same people).
        **lever_values: lever values by :attr:`Lever.key`, e.g. ``population__size=20000``.

    Attributes:
        sides: the left and the right :class:`Side`.
        problems: messages about input that could not be used (shown, never raised).
        followed: resident rows followed in both models.
    """

    def __init__(self, left: str = LEFT, right: str = RIGHT, seed: int = 1, *,
                 journeys: int = JOURNEYS, scenario: Any = None, **lever_values: Any):
        # ``scenario``: SolaraViz's Reset passes Mesa's own (experimental) Scenario
        # object; ours are the YAML scenarios named by left and right, so it is unused.
        self.problems: list[str] = []
        try:
            seed = int(seed)
            if not 0 <= seed < 2**32:
                raise ValueError
        except (TypeError, ValueError):
            self.problems.append(f"seed {seed!r} is not a whole number from 0 to 2^32-1; using 1")
            seed = 1
        super().__init__(rng=seed)
        from .process import keep_freed_heap

        keep_freed_heap()  # the dashboard's server process
        self.seed = seed
        # Play steps the pair in a server thread while the page may ask to follow
        # someone new: the trackers must not change in the middle of a week.
        self.lock = threading.RLock()
        self._step_times: collections.deque[float] = collections.deque(maxlen=200)
        values = self._lever_values(lever_values)
        self.sides = [self._build(left, LEFT, values, seed), self._build(right, RIGHT, values, seed)]
        # The two populations are built from the same seed and the same place, so a row
        # is the same person on both sides: follow the same rows in each.
        self.followed = pick_residents(self.sides[0].model, journeys) if journeys else []
        self.follow(self.followed)
        self.running = True

    @property
    def left(self) -> Side:
        """The left side (by default "done to")."""
        return self.sides[0]

    @property
    def right(self) -> Side:
        """The right side (by default "done with")."""
        return self.sides[1]

    @property
    def week(self) -> int:
        """Weeks completed (both sides together)."""
        return self.sides[0].model.week

    @property
    def horizon(self) -> int:
        """Weeks the pair runs for (the shorter scenario's horizon)."""
        return min(s.spec.weeks for s in self.sides)

    def step(self) -> None:
        """One week of both models."""
        with self.lock:
            for side in self.sides:
                side.model.step()
                side.record()
            self._step_times.append(time.perf_counter())
        self.running = self.week < self.horizon

    def weeks_per_second(self, window: float = 3.0) -> float:
        """Weeks stepped per second over the last few seconds (0 when not playing)."""
        now = time.perf_counter()
        recent = [t for t in self._step_times if now - t <= window]
        if len(recent) < 2 or now - recent[-1] > 1.0:
            return 0.0
        return (len(recent) - 1) / (recent[-1] - recent[0])

    def follow(self, rows) -> list[int]:
        """Follow more residents on both sides from now on; returns the rows now followed.

        Raises:
            InputError: for a row that is not a living resident on both sides (the same
                person may have died on one side only).
        """
        try:
            wanted = [int(r) for r in np.atleast_1d(np.asarray(rows, dtype=object))]
        except (TypeError, ValueError):
            raise InputError("dashboard", "resident", f"expected resident numbers, got {rows!r}") from None
        with self.lock:
            for side in self.sides:
                people = side.model.people
                for row in wanted:
                    if not (0 <= row < people.n and people.alive[row]):
                        raise InputError("dashboard", "resident",
                                         f"{row} is not a living resident in {side.name} "
                                         f"(expected a number from 0 to {people.n - 1})")
            for side in self.sides:
                side.tracker.follow(side.model, wanted)
        self.followed = [int(r) for r in self.sides[0].tracker.rows]
        return self.followed

    # --- building ---------------------------------------------------------------------

    def _lever_values(self, given: dict[str, Any]) -> dict[str, Any]:
        """Valid lever values by key; a bad or unknown one is reported and left out."""
        by_key = {lever.key: lever for lever in levers()}
        values = {}
        for key, value in given.items():
            lever = by_key.get(key)
            if lever is None:
                self.problems.append(f"unknown lever {key!r}; ignored")
                continue
            try:
                values[key] = lever.coerce(value)
            except InputError as exc:
                self.problems.append(f"{exc.key}: {exc.problem}; the scenario's value is kept")
        return values

    def _build(self, name: Any, fallback: str, values: dict[str, Any], seed: int) -> Side:
        name, spec = _scenario(name, self.problems, fallback)
        applied, changed, skipped = {}, {}, []
        for lever in levers():
            if lever.key not in values:
                continue
            value = values[lever.key]
            if not _applies(lever, spec, value):
                skipped.append(lever.path)
                continue
            try:  # one at a time, so one bad value does not lose the others
                before = spec
                spec = spec.with_overrides({lever.path: value}, "dashboard")
                applied[lever.path] = value
                if spec != before:
                    changed[lever.path] = value
            except InputError as exc:
                self.problems.append(f"{exc.key}: {exc.problem}; the scenario's value is kept")
        model = HealthSystemModel(spec, seed=seed)
        tracker = JourneyTracker.attach(model)
        return Side(name, spec, model, tracker, applied, changed, skipped)


# --- export -------------------------------------------------------------------------------


def export_yaml(side: Side, seed: int) -> str:
    """One side's scenario, with the levers it ran with, as a YAML file for the CLI.

    The scenario is written resolved (no ``extends``), so the file runs from any folder:
    ``python run.py run FILE.yaml``. It is validated before it is returned.
    """
    spec = side.spec.with_overrides({"seed": seed, "name": f"{side.name}_workshop"}, "dashboard")
    data = spec.to_dict()
    moved = ", ".join(f"{k}={v}" for k, v in side.changed.items())
    moved = f"levers moved: {moved}" if moved else "no lever moved from the file"
    data["description"] = (f"{side.name} as run in the workshop dashboard ({moved}). "
                           f"{' '.join(side.spec.description.split())}").strip()
    load_scenario(data)  # never hand out a file the CLI would refuse
    stamp = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    header = (f"# Exported from the Placesim {__version__} workshop dashboard on {stamp}.\n"
              f"# Run it with: python run.py run {side.name}_workshop.yaml\n")
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


# --- what the charts draw -----------------------------------------------------------------

# Weekly series, as rates a room recognises: activity per 1,000 residents a year (a
# four-week trailing mean, so a quiet week does not look like a trend), state as shares.
SERIES: dict[str, tuple[str, str]] = {
    "gp": ("GP appointments", "per 1,000 a year"),
    "ae": ("A&E attendances", "per 1,000 a year"),
    "admissions": ("Emergency admissions", "per 1,000 a year"),
    "cost": ("Cost", "GBP per resident a year"),
    "dependence": ("Mean dependence", "0..1"),
    "activation": ("Mean activation", "0..1"),
    "lonely": ("Lonely adults", "share"),
}
SMOOTH_WEEKS = 4


def _trailing_mean(x: np.ndarray, k: int = SMOOTH_WEEKS) -> np.ndarray:
    if x.size == 0:
        return x
    c = np.cumsum(np.insert(x, 0, 0.0))
    lo = np.maximum(np.arange(1, x.size + 1) - k, 0)
    return (c[1:] - c[lo]) / (np.arange(1, x.size + 1) - lo)


def series(side: Side) -> dict[str, np.ndarray]:
    """The chart series of one side, by :data:`SERIES` key, plus ``week``."""
    h = side.history
    pop = np.maximum(np.asarray(h["population"], dtype=float), 1.0)
    per_year = 1000.0 * 52.0 / pop

    def rate(col: str) -> np.ndarray:
        return _trailing_mean(np.asarray(h[col], dtype=float) * per_year)

    return {
        "week": np.asarray(h["week"], dtype=float),
        "gp": rate("gp_appointments"),
        "ae": rate("ae_attendances"),
        "admissions": rate("emergency_admissions"),
        "cost": _trailing_mean(np.asarray(h["cost_total"], dtype=float) * 52.0 / pop),
        "dependence": np.asarray(h["mean_dependence"], dtype=float),
        "activation": np.asarray(h["mean_activation"], dtype=float),
        "lonely": np.asarray(h["lonely_share"], dtype=float),
    }


def community(side: Side) -> dict[str, Any]:
    """Living groups (and those that folded in the last few weeks) placed on the map.

    Each group sits at a fixed spot inside its neighbourhood's cell (a golden-angle
    spiral by the group's number), so a group keeps its place as it grows, a split
    appears as a new circle nearby, and a fold leaves a grey mark for a few weeks.
    """
    model = side.model
    g = model.groups
    week = model.week
    rows = np.arange(g.n)
    live = g.alive[: g.n]
    recent_dead = ~live & (g.ti_died[: g.n] >= week - 6)
    cols, _ = grid_shape(model.spec.population.neighbourhoods)
    nb = g.neighbourhood[: g.n]
    theta = rows * 2.39996  # golden angle: spots spread evenly whatever the count
    radius = 0.08 + 0.32 * ((rows * 0.618034) % 1.0)
    x = nb % cols + 0.5 + radius * np.cos(theta)
    y = nb // cols + 0.5 + radius * np.sin(theta)
    kind = np.array(GROUP_KINDS)[g.kind_code[: g.n]]
    return {
        "live": {"x": x[live], "y": y[live], "members": g.members[: g.n][live],
                 "vitality": g.vitality[: g.n][live], "row": rows[live], "kind": kind[live],
                 "born": g.ti_born[: g.n][live]},
        "folded": {"x": x[recent_dead], "y": y[recent_dead], "row": rows[recent_dead],
                   "kind": kind[recent_dead], "died": g.ti_died[: g.n][recent_dead]},
        "count": g.count, "founded": g.founded, "died": g.died, "splits": g.splits,
        "members": int(g.members[: g.n][live].sum()),
    }


def grid_shape(count: int) -> tuple[int, int]:
    """Columns and rows of a near-square grid of ``count`` neighbourhoods."""
    cols = max(1, math.ceil(math.sqrt(count)))
    return cols, math.ceil(count / cols)


# Neighbourhood map metrics: label -> function(people, live rows) -> per-person value
# whose neighbourhood mean is shown (rates scaled to per 1,000 a year in neighbourhoods()).
NEIGHBOURHOOD_METRICS = (
    "Mean dependence", "Mean activation", "Lonely adults (share)",
    "Group members (per 1,000)", "Movement participants (per 1,000)",
    "GP appointments (per 1,000 a year)", "A&E attendances (per 1,000 a year)",
    "Deprivation quintile (1 = most deprived)",
)


def neighbourhoods(side: Side, metric: str) -> dict[str, Any]:
    """A metric for every neighbourhood, laid out on the map's grid.

    Raises:
        InputError: for a metric not in :data:`NEIGHBOURHOOD_METRICS`.
    """
    model = side.model
    people = model.people
    live = people.live
    n_nbhd = model.spec.population.neighbourhoods
    nb = people.neighbourhood[live]
    count = np.bincount(nb, minlength=n_nbhd).astype(float)
    weeks = max(model.week - getattr(model, "reporting_start", 0), 1)
    if metric == "Mean dependence":
        value = people.dependence[live]
    elif metric == "Mean activation":
        value = people.activation[live]
    elif metric == "Lonely adults (share)":
        adult = people.age[live] >= 18
        lonely = adult & (people.connectedness[live] < model.spec.population.lonely_below)
        num = np.bincount(nb, weights=lonely, minlength=n_nbhd)
        den = np.bincount(nb, weights=adult, minlength=n_nbhd)
        return _on_grid(np.divide(num, den, out=np.zeros(n_nbhd), where=den > 0), n_nbhd)
    elif metric == "Group members (per 1,000)":
        value = (people.group[live] >= 0) * 1000.0
    elif metric == "Movement participants (per 1,000)":
        value = (people.role[live] > NONE) * 1000.0
    elif metric == "GP appointments (per 1,000 a year)":
        value = people.n_gp[live] * (1000.0 * 52.0 / weeks)
    elif metric == "A&E attendances (per 1,000 a year)":
        value = people.n_ae[live] * (1000.0 * 52.0 / weeks)
    elif metric == "Deprivation quintile (1 = most deprived)":
        value = people.deprivation[live]
    else:
        raise InputError("dashboard", "map metric",
                         f"unknown metric {metric!r}; expected one of "
                         f"{', '.join(NEIGHBOURHOOD_METRICS)}")
    total = np.bincount(nb, weights=value.astype(float), minlength=n_nbhd)
    return _on_grid(np.divide(total, count, out=np.zeros(n_nbhd), where=count > 0), n_nbhd)


def _on_grid(values: np.ndarray, count: int) -> dict[str, Any]:
    cols, rows = grid_shape(count)
    z = np.full(cols * rows, np.nan)
    z[:count] = values
    label = np.array([f"N{i + 1}" if i < count else "" for i in range(cols * rows)])
    return {"z": z.reshape(rows, cols), "label": label.reshape(rows, cols),
            "values": values}


def resident_label(side: Side, row: int) -> str:
    """A followed person in a few words, for the journey picker."""
    p = side.model.people[row]
    sex = "woman" if p.female else "man"
    age = int(p.age)
    if age < 18:
        sex = "girl" if p.female else "boy"
    conditions = {0: "no long-term conditions", 1: "1 long-term condition"}.get(
        p.ltc, f"{p.ltc} long-term conditions")
    quintile = {1: "most deprived", 5: "least deprived"}.get(p.deprivation,
                                                              f"IMD quintile {p.deprivation}")
    state = "" if p.alive else " (died)"
    return f"#{row}: {sex}, {age}, {conditions}, {quintile} area{state}"
