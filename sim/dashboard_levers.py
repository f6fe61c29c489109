"""The workshop dashboard's levers: which parameters, how they read, how values are checked.

Levers are generated from the parameter declarations: every parameter declared with
``lever=True`` (``python run.py parameters`` lists them), plus the switch of the
targets policy. Each lever has a short label for the drawer, a definition in plain
words with its unit (shown on hover or tap), a slider span a room can use (inside
the declared bounds), and a way to show its value: shares as percentages.

Plain Python (no Solara), so it is tested without a browser.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .errors import InputError
from .midrun import is_fixed
from .parameters import Param
from .policies import POLICIES
from .scenario import SCENARIO_DIR, Scenario, load_scenario, parameter_paths

__all__ = ["Lever", "levers", "lever_by_key", "AS_SCENARIO", "TARGETS_PATH", "LEFT", "RIGHT",
           "WORKSHOP_POPULATION", "THEMES", "fixed_mid_run"]

LEFT, RIGHT = "done_to", "done_with"  # the pair a workshop starts from
# 20,000 residents: big enough for smooth rates, small enough to step both models
# more than ten times a second on a laptop (benchmarks/dashboard.py).
WORKSHOP_POPULATION = 20_000
AS_SCENARIO = "as in each scenario"
TARGETS_PATH = "policies.targets.enabled"

# A declaration's bounds admit any place; a slider needs a span a room can use. These
# narrow the slider only (values stay within the declared bounds).
WORKSHOP_RANGE: dict[str, tuple[float, float, float]] = {
    "population.size": (1_000, 100_000, 1_000),
    "primary_care.capacity_per_1000_week": (60.0, 250.0, 1.0),
    "policies.screening.uptake": (0.0, 1.0, 0.01),
    "policies.access_expansion.extra_capacity": (0.0, 1.0, 0.05),
    "policies.social_prescribing.link_workers_per_practice": (0.0, 5.0, 0.25),
    "policies.community_development.budget_per_1000_year": (0.0, 20_000.0, 250.0),
    "policies.social_movement.activist_share": (0.0, 0.2, 0.005),
    "policies.pooled_budget.share": (0.0, 0.2, 0.005),
}

# What the drawer says: a few words, and a definition in plain words with the unit.
# A parameter made a lever later without an entry here reads from its declaration.
WORDING: dict[str, tuple[str, str]] = {
    "population.size": ("Residents", "People living in the place at the start, the same on "
                        "both sides. Takes effect on Reset (a population cannot change size "
                        "mid-run)."),
    "primary_care.capacity_per_1000_week": (
        "GP capacity", "GP appointments the practices can offer each week, per 1,000 "
        "registered residents, on both sides."),
    "system.governance": (
        "Governance", "How co-produced initiatives are run: 'hierarchical' (a central team "
        "picks a few), 'distributed' (residents and groups start them), or as each "
        "scenario says."),
    "policies.screening.uptake": (
        "Screening uptake", "Share of invited adults who take up a health check, at average "
        "activation and deprivation."),
    TARGETS_PATH: ("Targets on", "Whether performance targets run where the scenario lists "
                                 "them (off: the policy stops from this week)."),
    "policies.access_expansion.extra_capacity": (
        "Extra GP access", "Extra GP appointment capacity bought, as a share of the "
        "practices' own (15% adds 15 appointments to every 100)."),
    "policies.social_prescribing.link_workers_per_practice": (
        "Link workers", "Full-time link workers in each practice, who connect residents "
        "referred to them with groups and activities."),
    "policies.community_development.budget_per_1000_year": (
        "Community grants", "Grants to community groups, in pounds a year per 1,000 "
        "residents."),
    "policies.social_movement.activist_share": (
        "Activists", "Share of adults seeded as activists when the movement starts; they "
        "recruit others through their ties."),
    "policies.quality_improvement.team_share": (
        "Improvement teams", "Share of practices whose staff run improvement cycles on their "
        "own data with a facilitator's help (under hierarchical governance only a few)."),
    "shared_data.enabled": (
        "Shared data", "Whether the place's weekly data (demand, unmet need, loneliness by "
        "neighbourhood) are shared, so grants, link workers and improvement teams follow "
        "them: within weeks when governance is distributed, a quarterly report to the centre "
        "when hierarchical."),
    "policies.pooled_budget.share": (
        "Pooled budget", "Share of acute hospital spend moved into a budget the community "
        "decides on."),
}

# Themes of the drawer, in order: the place (both sides), then each policy family.
THEMES = {"place": "The place (both sides)", "done_to": "Done to: programmes",
          "shared": "Done by sharing: improvement", "done_with": "Done with: co-produced"}


@dataclass(frozen=True)
class Lever:
    """One dashboard lever.

    Attributes:
        key: the parameter's dotted path with ``__`` (an identifier, for URLs and
            keywords of :class:`~sim.dashboard_pair.PairModel`).
        path: the parameter's dotted path.
        param: its declaration.
        label: a few words for the drawer.
        definition: what it is, in plain words with its unit.
        default: the value the dashboard starts from.
    """

    key: str
    path: str
    param: Param
    label: str
    definition: str
    default: Any

    @property
    def policy(self) -> str | None:
        """The policy this lever belongs to, if any."""
        parts = self.path.split(".")
        return parts[1] if parts[0] == "policies" else None

    @property
    def theme(self) -> str:
        """A key of :data:`THEMES`: the place, or the family of its policy."""
        return POLICIES[self.policy].family if self.policy else "place"

    @property
    def percent(self) -> bool:
        """Whether the value is a share, shown as a percentage."""
        return self.param.unit.startswith("share")

    @property
    def kind(self) -> str:
        """How it is set: ``switch``, ``choice`` or ``slider``."""
        if self.path == TARGETS_PATH or self.param.kind is bool:
            return "switch"
        return "choice" if self.param.choices is not None else "slider"

    def choices(self) -> list[str]:
        """The values a ``choice`` lever offers."""
        return [AS_SCENARIO, *self.param.choices] if self.param.choices else []

    def span(self) -> tuple[float, float, float]:
        """Slider minimum, maximum and step (inside the declared bounds)."""
        p = self.param
        lo, hi, step = WORKSHOP_RANGE.get(self.path, (p.lo, p.hi, None))
        if step is None:
            step = (hi - lo) / 50.0
        if p.kind is int:
            return int(lo), int(hi), max(int(step), 1)
        return float(lo), float(hi), float(step)

    def show(self, value: Any) -> str:
        """The value as the drawer shows it: ``5.5%``, ``20,000 residents``, ``on``."""
        if self.kind == "switch":
            return "on" if value else "off"
        if self.kind == "choice":
            return str(value)
        if self.percent:
            return f"{100 * value:.3g}%"
        unit = self.param.unit
        number = f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:.3g}"
        return f"{number} {unit}" if unit else number

    def coerce(self, value: Any) -> Any:
        """A value from the browser or a URL as the declaration's type.

        Raises:
            InputError: naming the lever and what was expected.
        """
        p = self.param
        if self.kind == "switch":
            if isinstance(value, bool):
                return value
            raise InputError("dashboard", self.path, f"expected on or off, got {value!r}")
        if self.kind == "choice":
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
            value = int(value)
        else:
            value = float(value)
        lo = -math.inf if p.lo is None else p.lo
        hi = math.inf if p.hi is None else p.hi
        if not lo <= value <= hi:
            raise InputError("dashboard", self.path, f"expected {p.lo} to {p.hi}, got {value!r}")
        return value


def _wording(path: str, p: Param) -> tuple[str, str]:
    if path in WORDING:
        return WORDING[path]
    name = p.doc[0].upper() + p.doc[1:] if p.doc else path
    return name, f"{name} ({p.unit})." if p.unit else f"{name}."


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
        _LEVERS = [Lever(path.replace(".", "__"), path, p, *_wording(path, p),
                         _lever_default(path, p, pair))
                   for path, p in parameter_paths().items()
                   if p.lever or path == TARGETS_PATH]
    return list(_LEVERS)


def lever_by_key(key: str) -> Lever | None:
    """The lever with this key (``__`` or dotted path), or ``None``."""
    key = key.replace(".", "__")
    return next((lever for lever in levers() if lever.key == key), None)


def fixed_mid_run(lever: Lever) -> bool:
    """Whether the lever shaped the world when it was built (it takes effect on Reset)."""
    return is_fixed(lever.path)
