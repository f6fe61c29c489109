"""What the workshop dashboard draws, read from a pair's models (plain Python, no Solara).

- :func:`series` — a side's weekly chart series (rates per 1,000 a year, shares) by
  :data:`SERIES` key, with the time in years; :func:`band` — their spread over seeds.
- :func:`community` — community groups placed on a schematic map of neighbourhoods.
- :func:`neighbourhoods` — one metric per neighbourhood on that map.
- :func:`resident_label` — a followed person in a few words.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .community import GROUP_KINDS
from .errors import InputError
from .population import NONE

if TYPE_CHECKING:
    from .dashboard_pair import Side

__all__ = ["SERIES", "series", "band", "community", "neighbourhoods", "grid_shape",
           "NEIGHBOURHOOD_METRICS", "resident_label", "WEEKS_PER_YEAR",
           "COMMUNITY_MEASURES", "most_different", "divergent_weeks"]

WEEKS_PER_YEAR = 52.0

# Weekly series, as rates a room recognises: activity per 1,000 residents a year (a
# four-week trailing mean, so a quiet week does not look like a trend), state as shares.
# Each with its label, unit and a one-line definition in plain words: the dashboard
# shows the definition wherever the measure is drawn (hover or tap).
SERIES: dict[str, tuple[str, str, str]] = {
    "gp": ("GP appointments", "per 1,000 a year",
           "Appointments residents had with their GP practice, per 1,000 residents, at "
           "this week's rate over a year (four-week average)."),
    "ae": ("A&E attendances", "per 1,000 a year",
           "Visits to the emergency department, per 1,000 residents, at this week's rate "
           "over a year (four-week average)."),
    "admissions": ("Emergency admissions", "per 1,000 a year",
                   "Unplanned stays in hospital, per 1,000 residents, at this week's rate "
                   "over a year (four-week average)."),
    "unmet": ("Unmet need", "per 1,000 a year",
              "Times a resident needed a GP appointment or a hospital bed, got none and "
              "gave up, per 1,000 residents a year (four-week average)."),
    "cost": ("Cost", "GBP per resident a year",
             "What services and the policies cost, in pounds per resident at this week's "
             "rate over a year (four-week average)."),
    "dependence": ("Mean dependence", "0 to 1",
                   "How much residents rely on services for what they could handle "
                   "themselves or with others: 0 not at all, 1 entirely (mean of everyone)."),
    "activation": ("Mean activation", "0 to 1",
                   "Residents' knowledge, skill and confidence to look after their own "
                   "health (as the Patient Activation Measure): 0 none, 1 full (mean)."),
    "lonely": ("Lonely adults", "share",
               "Share of adults with so few ties and so little time with others that they "
               "count as lonely (connectedness below the scenario's threshold)."),
}
# Measures of community groups, defined the same way (the community view).
COMMUNITY_MEASURES: dict[str, tuple[str, str, str]] = {
    "vitality": ("Vitality", "0 to 1",
                 "How alive a community group is: it grows with organisers, members and "
                 "grants and fades without them; a group folds when it runs out."),
    "members": ("Members", "residents", "Residents who belong to the group now."),
}
SMOOTH_WEEKS = 4


def _trailing_mean(x: np.ndarray, k: int = SMOOTH_WEEKS) -> np.ndarray:
    if x.size == 0:
        return x
    c = np.cumsum(np.insert(x, 0, 0.0))
    lo = np.maximum(np.arange(1, x.size + 1) - k, 0)
    return (c[1:] - c[lo]) / (np.arange(1, x.size + 1) - lo)


def series(side: "Side") -> dict[str, np.ndarray]:
    """The chart series of one side, by :data:`SERIES` key, plus ``week`` and ``year``.

    ``year`` is the end of each week in years from the start (week 52 is year 1.0).
    """
    h = side.history
    pop = np.maximum(np.asarray(h["population"], dtype=float), 1.0)
    per_year = 1000.0 * WEEKS_PER_YEAR / pop

    def rate(col: str) -> np.ndarray:
        return _trailing_mean(np.asarray(h[col], dtype=float) * per_year)

    week = np.asarray(h["week"], dtype=float)
    return {
        "week": week,
        "year": week / WEEKS_PER_YEAR,
        "gp": rate("gp_appointments"),
        "ae": rate("ae_attendances"),
        "admissions": rate("emergency_admissions"),
        "unmet": rate("unmet_need"),
        "cost": _trailing_mean(np.asarray(h["cost_total"], dtype=float) * WEEKS_PER_YEAR / pop),
        "dependence": np.asarray(h["mean_dependence"], dtype=float),
        "activation": np.asarray(h["mean_activation"], dtype=float),
        "lonely": np.asarray(h["lonely_share"], dtype=float),
    }


def band(runs: list[dict[str, np.ndarray]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Lowest and highest value each week over several seeds' series, by key.

    All runs have stepped the same weeks (they step together), so the arrays align.
    """
    return {k: (np.min([r[k] for r in runs], axis=0), np.max([r[k] for r in runs], axis=0))
            for k in SERIES}


def community(side: "Side") -> dict[str, Any]:
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


def neighbourhoods(side: "Side", metric: str) -> dict[str, Any]:
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


def resident_label(side: "Side", row: int) -> str:
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


# --- lives that differ ------------------------------------------------------------------

# How much each difference between a person's two lives counts when ranking them (a
# display choice, not a model parameter): dying on one side only outweighs the rest; a
# tenth of dependence or activation counts like a couple of GP appointments.
DIFFERENCE_WEIGHTS = {"alive": 3.0, "dependence": 4.0, "activation": 4.0, "cum_gp": 0.2,
                      "cum_ae": 0.5, "in_group": 0.5}


def _differences(left, right, rows: np.ndarray) -> dict[str, np.ndarray]:
    """Right minus left for each compared field of these rows (both models' arrays)."""
    a, b = left.people, right.people
    return {
        "alive": b.alive[rows].astype(float) - a.alive[rows],
        "dependence": b.dependence[rows].astype(float) - a.dependence[rows],
        "activation": b.activation[rows].astype(float) - a.activation[rows],
        "cum_gp": b.cum_gp[rows].astype(float) - a.cum_gp[rows],
        "cum_ae": b.cum_ae[rows].astype(float) - a.cum_ae[rows],
        "in_group": (b.group[rows] >= 0).astype(float) - (a.group[rows] >= 0),
    }


def _score(diff: dict[str, np.ndarray]) -> np.ndarray:
    return sum(np.abs(diff[k]) * w for k, w in DIFFERENCE_WEIGHTS.items())


def _why(diff: dict[str, float], right: str, left: str) -> str:
    """The biggest differences of one person's two lives, in words."""
    parts = []
    if diff["alive"]:
        parts.append(f"died on {left if diff['alive'] > 0 else right} only")
    for key, word in (("dependence", "dependence"), ("activation", "activation")):
        if abs(diff[key]) >= 0.02:
            parts.append(f"{word} {abs(diff[key]):.2f} {'higher' if diff[key] > 0 else 'lower'}")
    for key, word in (("cum_gp", "GP appointments"), ("cum_ae", "A&E visits")):
        if diff[key]:
            parts.append(f"{abs(int(diff[key]))} {'more' if diff[key] > 0 else 'fewer'} {word}")
    if diff["in_group"]:
        parts.append("in a community group" if diff["in_group"] > 0 else "out of a group")
    return (f"on {right}: " + ", ".join(parts[:3])) if parts else "their two lives are alike so far"


def most_different(left, right, rows, count: int = 1) -> list[tuple[int, str]]:
    """The rows whose two lives (left model, right model) differ most so far, with why.

    Ranked by :data:`DIFFERENCE_WEIGHTS` over state and contacts so far; ties keep the
    given order. Returns ``(row, reason)`` pairs, most different first.
    """
    rows = np.asarray(rows, dtype=np.int64)
    if rows.size == 0:
        return []
    diff = _differences(left, right, rows)
    order = np.argsort(-_score(diff), kind="stable")[:count]
    names = (right.spec.name.replace("_", " "), left.spec.name.replace("_", " "))
    return [(int(rows[i]), _why({k: float(v[i]) for k, v in diff.items()}, *names))
            for i in order]


def divergent_weeks(left_story: list[dict], right_story: list[dict]) -> list[int]:
    """Weeks in which a person's two stories differ (what happened to them, or where)."""
    def by_week(story):
        weeks: dict[int, set] = {}
        for e in story:
            weeks.setdefault(e["week"], set()).add((e["lane"], e["text"]))
        return weeks

    a, b = by_week(left_story), by_week(right_story)
    return sorted(w for w in set(a) | set(b) if a.get(w) != b.get(w))
