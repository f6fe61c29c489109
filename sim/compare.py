"""Comparing scenarios on common random numbers: paired differences with intervals.

Every scenario of a comparison runs on the same seeds (replicate ``r`` on
``seed + r``, :func:`sim.runner.replicate_seeds`). With common random numbers on
(``system.common_random_numbers``, the default) a resident's draws do not depend on
what the policies did, so replicate ``r`` of scenario B minus replicate ``r`` of the
reference A is a *paired difference* whose spread reflects the policy, not noise.

Intervals are two-sided 95% t-intervals over replicates (``scipy.stats.t``): for
each scenario's mean, and for the mean of the paired differences.

Besides the model's own summary, each replicate records what the summary cannot
show and a reader needs to say *why* demand changed (:func:`mechanism_measures`):
GP requests by kind (minor complaints, follow-ups, reviews, …), the minor
complaints that arose and the share taken to a GP, and cost by component.
:func:`read_comparison` turns all of it into a short plain-English reading.
"""

from __future__ import annotations

import math
import sys
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .metrics import HEADLINE
from .need import ACUTE, FLARE, FOLLOWUP, LOW, RETRY, REVIEW, SCREEN_FOLLOWUP
from .runner import RunResult, run_scenario

if TYPE_CHECKING:
    from .model import HealthSystemModel
    from .scenario import Scenario

__all__ = [
    "ScenarioRuns", "Comparison", "run_recorded", "compare_scenarios", "align_scenarios",
    "t_interval", "comparison_table", "mechanism_measures", "read_comparison", "read_run",
    "split_minor_change",
    "GP_REQUEST_KINDS", "COMPARISON_COLUMNS",
]

LEVEL = 0.95  # two-sided coverage of every interval

# Kinds of GP request (sim.need) by the column name they are recorded under.
GP_REQUEST_KINDS: dict[str, int] = {
    "minor": LOW, "followup": FOLLOWUP, "review": REVIEW, "screening_followup": SCREEN_FOLLOWUP,
    "flare": FLARE, "acute": ACUTE, "retry": RETRY,
}
KIND_WORDS = {
    "minor": "minor complaints", "followup": "booked follow-ups", "review": "condition reviews",
    "screening_followup": "screening follow-ups", "flare": "flares of long-term conditions",
    "acute": "acute episodes", "retry": "unserved requests trying again",
}

COMPARISON_COLUMNS = ("metric", "scenario", "reference", "replicates", "mean", "sd", "ci_low",
                      "ci_high", "diff", "diff_sd", "diff_ci_low", "diff_ci_high")

# Summary columns that identify a replicate rather than measure it.
_ID_COLUMNS = ("scenario", "replicate", "seed", "weeks")


# --- running with the extra measures ------------------------------------------------------------


@dataclass
class ScenarioRuns:
    """One scenario's replicates, with the weekly GP demand by kind.

    Attributes:
        label: the scenario's name in tables and charts (unique within a comparison).
        result: the :class:`~sim.runner.RunResult`; its ``summary`` carries the
            columns of :func:`mechanism_measures` after the model's own.
        demand: one row per replicate and week: ``replicate``, ``seed``, ``week``,
            ``low_needs`` (minor complaints that arose), ``low_to_service`` (of them,
            taken to a GP or A&E) and ``gp_requests_<kind>`` (requests a practice
            received that week, served or not).
    """

    label: str
    result: RunResult
    demand: pd.DataFrame

    @property
    def scenario(self) -> "Scenario":
        """The scenario that ran."""
        return self.result.scenario


def _demand_row(model: "HealthSystemModel") -> dict:
    """This week's GP requests by kind and minor complaints (read after the step)."""
    # The week's requests stay on the model until the next week's choice phase.
    counts = np.bincount(model.gp_requests.kind, minlength=len(GP_REQUEST_KINDS))
    row = {"week": model.week, "low_needs": model.log.low_needs,
           "low_to_service": model.log.low_to_service}
    row.update({f"gp_requests_{name}": int(counts[k]) for name, k in GP_REQUEST_KINDS.items()})
    return row


def run_recorded(spec: "Scenario", *, label: str | None = None,
                 progress: Callable[[int, int], None] | None = None) -> ScenarioRuns:
    """Run a scenario's replicates with :func:`sim.runner.run_scenario`, recording GP demand.

    Each week's GP requests by kind are read off the model as it runs; the summary
    gains the columns of :func:`mechanism_measures`.

    Args:
        spec: the scenario, with its seed, replicates and weeks.
        label: name in tables (default: the scenario's name).
        progress: optional ``progress(replicate, week)`` called after every week.

    Returns:
        A :class:`ScenarioRuns`.
    """
    weekly = []

    def record(r: int, model) -> None:
        weekly.append({"replicate": r, "seed": model.run_seed, **_demand_row(model)})

    result = run_scenario(spec, progress=progress, on_week=record)
    demand_frame = pd.DataFrame(weekly)
    extra = mechanism_measures(result.timeseries, demand_frame, spec)
    result.summary = pd.concat([result.summary, extra.reset_index(drop=True)], axis=1)
    return ScenarioRuns(label or spec.name, result, demand_frame)


def mechanism_measures(timeseries: pd.DataFrame, demand: pd.DataFrame,
                       spec: "Scenario") -> pd.DataFrame:
    """Per replicate, the final-year measures behind the headline ones.

    The window is the summary's: the final 52 weeks (the whole run if shorter).

    Returns:
        One row per replicate (in replicate order) with
        ``gp_requests_per_1000`` and ``gp_requests_<kind>_per_1000`` (requests a year
        per 1,000 residents), ``low_needs_per_1000`` (minor complaints a year per
        1,000), ``minor_to_gp_share`` (share of minor complaints taken to a GP),
        ``cost_<component>_per_capita`` (GBP per resident a year: GP, A&E,
        admissions, outpatients, and programmes — policies and community spending,
        the rest of ``cost_total``), and ``group_members_per_1000`` and
        ``movement_participants_per_1000`` at the end.
    """
    costs = spec.costs
    unit = {"gp": ("gp_appointments", costs.gp_appointment),
            "ae": ("ae_attendances", costs.ae_attendance),
            "admissions": ("emergency_admissions", costs.emergency_admission),
            "outpatients": ("outpatient_attendances", costs.outpatient_attendance)}
    rows = []
    for r, ts in timeseries.groupby("replicate", sort=True):
        wk = demand[demand["replicate"] == r]
        k = min(52, len(ts))
        final, final_wk = ts.tail(k), wk.tail(k)
        person_years = final["population"].mean() * k / 52.0
        per = 1000.0 / person_years if person_years else math.nan
        row = {}
        kinds = {name: final_wk[f"gp_requests_{name}"].sum() for name in GP_REQUEST_KINDS}
        row["gp_requests_per_1000"] = sum(kinds.values()) * per
        for name, n in kinds.items():
            row[f"gp_requests_{name}_per_1000"] = n * per
        low = final_wk["low_needs"].sum()
        row["low_needs_per_1000"] = low * per
        row["minor_to_gp_share"] = kinds["minor"] / low if low else math.nan
        activity_cost = 0.0
        for name, (col, price) in unit.items():
            value = final[col].sum() * price * per / 1000.0
            row[f"cost_{name}_per_capita"] = value
            activity_cost += value
        # The remainder of cost_total; rounded to a thousandth of a penny so that float
        # noise in the subtraction does not read as spending where there is none.
        row["cost_programmes_per_capita"] = round(
            final["cost_total"].sum() * per / 1000.0 - activity_cost, 5)
        last = ts.iloc[-1]
        row["group_members_per_1000"] = 1000.0 * last["group_members"] / last["population"]
        row["movement_participants_per_1000"] = (1000.0 * last["movement_participants"]
                                                 / last["population"])
        rows.append(row)
    return pd.DataFrame(rows)


# --- statistics ---------------------------------------------------------------------------------


def t_interval(values: Sequence[float] | np.ndarray, level: float = LEVEL
               ) -> tuple[float, float, float, float, int]:
    """Mean and its two-sided t-interval over replicates.

    Non-finite values (a measure undefined in some replicate) are left out.

    Returns:
        ``(mean, sd, low, high, n)``; ``sd``, ``low`` and ``high`` are NaN with fewer
        than two values.
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return math.nan, math.nan, math.nan, math.nan, 0
    mean = float(x.mean())
    if n < 2:
        return mean, math.nan, math.nan, math.nan, n
    from scipy import stats

    sd = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2.0, n - 1)) * sd / math.sqrt(n)
    return mean, sd, mean - half, mean + half, n


def metric_order(columns: Sequence[str]) -> list[str]:
    """Measured columns in reading order: headline first, then the rest as they come."""
    measured = [c for c in columns if c not in _ID_COLUMNS]
    first = [c for c in HEADLINE if c in measured]
    return first + [c for c in measured if c not in first]


def _paired(reference: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """The two summaries' rows matched by seed (the pairing of common random numbers)."""
    return reference.merge(other, on="seed", suffixes=("_a", "_b"), validate="one_to_one")


def comparison_table(summaries: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """``comparison.csv``: per metric and scenario, mean and paired difference with intervals.

    Args:
        summaries: scenario label -> its summary (one row per replicate, with
            ``seed``); the first is the reference the differences are taken from.

    Returns:
        One row per metric and scenario with :data:`COMPARISON_COLUMNS`. ``diff`` is
        the mean over replicates of (scenario - reference) on the same seed; the
        reference's own difference columns are empty.
    """
    labels = list(summaries)
    reference = summaries[labels[0]]
    metrics = metric_order([c for c in reference.columns
                            if pd.api.types.is_numeric_dtype(reference[c])])
    rows = []
    for metric in metrics:
        for label in labels:
            frame = summaries[label]
            if metric not in frame:
                continue
            mean, sd, lo, hi, n = t_interval(frame[metric])
            row = {"metric": metric, "scenario": label, "reference": labels[0], "replicates": n,
                   "mean": mean, "sd": sd, "ci_low": lo, "ci_high": hi,
                   "diff": math.nan, "diff_sd": math.nan, "diff_ci_low": math.nan,
                   "diff_ci_high": math.nan}
            if label != labels[0]:
                both = _paired(reference[["seed", metric]], frame[["seed", metric]])
                d, dsd, dlo, dhi, _ = t_interval(both[f"{metric}_b"] - both[f"{metric}_a"])
                row.update(diff=d, diff_sd=dsd, diff_ci_low=dlo, diff_ci_high=dhi)
            rows.append(row)
    return pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))


# --- comparing ----------------------------------------------------------------------------------


@dataclass
class Comparison:
    """Scenarios run on the same seeds, and their comparison.

    Attributes:
        runs: label -> :class:`ScenarioRuns`, in order; the first is the reference.
        table: the comparison table (:func:`comparison_table`).
    """

    runs: dict[str, ScenarioRuns]
    table: pd.DataFrame

    @property
    def labels(self) -> list[str]:
        """Scenario labels, reference first."""
        return list(self.runs)

    @property
    def reference(self) -> str:
        """The scenario the differences are taken from."""
        return self.labels[0]

    def summary_frame(self) -> pd.DataFrame:
        """Every scenario's per-replicate summary, with a ``scenario`` column first."""
        return pd.concat([runs.result.summary.assign(scenario=label)[
            ["scenario", *runs.result.summary.columns]] for label, runs in self.runs.items()],
            ignore_index=True)

    def timeseries_frame(self) -> pd.DataFrame:
        """Every scenario's weekly metrics, with a ``scenario`` column first."""
        return pd.concat([runs.result.timeseries.assign(scenario=label)[
            ["scenario", *runs.result.timeseries.columns]] for label, runs in self.runs.items()],
            ignore_index=True)

    def row(self, metric: str, label: str) -> pd.Series:
        """The table's row for one metric and scenario."""
        hit = self.table[(self.table["metric"] == metric) & (self.table["scenario"] == label)]
        return hit.iloc[0]

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: a row per metric and scenario (``comparison.csv``)."""
        return self.table.copy()

    def plot(self, metrics: Sequence[str] | None = None):
        """A Plotly figure of the headline paired differences with their 95% intervals."""
        from .report import difference_figure

        return difference_figure(self, list(metrics or HEADLINE_READ))


def unique_labels(names: Sequence[str]) -> list[str]:
    """Scenario names made unique by a numeric suffix (``baseline``, ``baseline-2``)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return out


def align_scenarios(specs: Sequence["Scenario"], *, seed: int | None = None,
                    replicates: int | None = None, weeks: int | None = None,
                    min_replicates: int = 5) -> tuple[list["Scenario"], list[str]]:
    """Give every scenario the same seed, replicates and horizon, so runs pair.

    Args:
        specs: the scenarios, reference first.
        seed: first replicate's seed (default: the reference's).
        replicates: replicates (default: the largest any scenario asks for, and at
            least ``min_replicates`` so that intervals mean something).
        weeks: horizon in weeks (default: the reference's).

    Returns:
        The aligned scenarios and notes for the user about what was changed.
    """
    notes = []
    given_seed = seed is not None
    seed = specs[0].seed if seed is None else int(seed)
    weeks_ = specs[0].weeks if weeks is None else int(weeks)
    if replicates is None:
        replicates = max(min_replicates, *(s.replicates for s in specs))
    if weeks is None and any(s.weeks != weeks_ for s in specs):
        notes.append(f"the scenarios' horizons differ; all run {weeks_} weeks (the first's)")
    if not given_seed and any(s.seed != seed for s in specs):
        notes.append(f"the scenarios' seeds differ; all run on seeds from {seed} (the first's)")
    change = {"seed": seed, "replicates": int(replicates), "weeks": weeks_}
    return [s.with_overrides(change, "compare") for s in specs], notes


def compare_scenarios(specs: Sequence["Scenario"], *, labels: Sequence[str] | None = None,
                      progress: Callable[[int, int, int], None] | None = None) -> Comparison:
    """Run scenarios on the same seeds and compare them with the first.

    Args:
        specs: aligned scenarios (same seed, replicates and weeks; see
            :func:`align_scenarios`), reference first.
        labels: unique names (default: the scenarios' names, made unique).
        progress: optional ``progress(scenario_index, replicate, week)`` after every week.

    Returns:
        A :class:`Comparison`.
    """
    if len({(s.seed, s.replicates, s.weeks) for s in specs}) != 1:
        raise ValueError("scenarios must share seed, replicates and weeks; use align_scenarios")
    labels = list(labels) if labels is not None else unique_labels([s.name for s in specs])
    runs = {}
    for i, (label, spec) in enumerate(zip(labels, specs)):
        tick = (lambda r, w, i=i: progress(i, r, w)) if progress else None
        runs[label] = run_recorded(spec, label=label, progress=tick)
    table = comparison_table({label: r.result.summary for label, r in runs.items()})
    return Comparison(runs, table)


# --- reading the results in plain English ---------------------------------------------------------

# How each metric reads: words, unit, and the number format.
WORDS: dict[str, tuple[str, str, str]] = {
    "gp_appointments_per_1000": ("GP appointments", " per 1,000 residents a year", ",.0f"),
    "ae_attendances_per_1000": ("A&E attendances", " per 1,000 a year", ",.0f"),
    "emergency_admissions_per_1000": ("emergency admissions", " per 1,000 a year", ",.1f"),
    "outpatient_attendances_per_1000": ("outpatient attendances", " per 1,000 a year", ",.0f"),
    "unmet_need_per_1000": ("unmet GP need", " per 1,000 a year", ",.1f"),
    "cost_per_capita": ("cost per resident", " GBP a year", ",.0f"),
    "mean_dependence": ("mean dependence", "", ".3g"),
    "mean_activation": ("mean activation", "", ".3g"),
    "mean_wellbeing": ("mean wellbeing", "", ".3g"),
    "lonely_share": ("share of adults lonely", "", ".1%"),
    "group_members": ("community group members", "", ",.0f"),
    "group_members_per_1000": ("community group members", " per 1,000 residents", ",.1f"),
    "movement_participants": ("movement participants", "", ",.0f"),
    "movement_participants_per_1000": ("movement participants", " per 1,000 residents", ",.1f"),
    "low_need_service_share": ("share of minor complaints taken to a GP or A&E", "", ".1%"),
    "minor_to_gp_share": ("share of minor complaints taken to a GP", "", ".1%"),
    "low_needs_per_1000": ("minor complaints", " per 1,000 a year", ",.0f"),
    "gp_requests_per_1000": ("GP requests", " per 1,000 a year", ",.0f"),
    "screening_tests_per_1000": ("screening tests", " per 1,000 a year", ",.0f"),
    "link_worker_referrals_per_1000": ("link-worker referrals", " per 1,000 a year", ",.1f"),
    "community_groups": ("community groups", "", ",.0f"),
    "high_dependence_share": ("share highly dependent", "", ".1%"),
    "activity_cost": ("activity cost per resident", " GBP a year", ",.0f"),
}


def words(metric: str) -> tuple[str, str, str]:
    """(words, unit, format) for a metric; a readable fallback for any other column."""
    if metric in WORDS:
        return WORDS[metric]
    for suffix, who in (("_q1", "most deprived fifth"), ("_q5", "least deprived fifth")):
        if metric.endswith(suffix):
            base = metric[:-3].replace("activity_cost_per_capita", "activity_cost")
            if base.endswith("_share") and base not in WORDS:
                name, unit, spec = base[:-6].replace("_", " ") + " (share)", "", ".1%"
            else:
                name, unit, spec = words(base)
            return f"{name}, {who}", unit, spec
    if metric.startswith("gp_requests_") and metric.endswith("_per_1000"):
        kind = metric[len("gp_requests_"):-len("_per_1000")]
        return f"GP requests: {KIND_WORDS.get(kind, kind)}", " per 1,000 a year", ",.0f"
    if metric.startswith("cost_") and metric.endswith("_per_capita"):
        return f"cost: {metric[5:-11]}", " GBP per resident a year", ",.1f"
    return metric.replace("_", " "), "", ",.3g"


def fmt(metric: str, value: float, signed: bool = False) -> str:
    """A metric's value in its format (``+`` sign when ``signed``), or ``n/a``.

    Differences (``signed``) of shares read in percentage points, and small
    differences keep two significant digits rather than rounding to zero.
    """
    if value is None or not np.isfinite(value):
        return "n/a"
    spec = words(metric)[2]
    sign = "+" if signed else ""
    if signed and spec.endswith("%"):
        text = format(100.0 * value, sign + ".2g") + " pp"
    elif signed and spec.endswith(("0f", "1f")) and 0 < abs(value) < 10:
        text = _significant(value, 2, signed)
    elif spec.endswith("g"):
        text = _significant(value, int(spec.strip(",.g")), signed)
    else:
        text = format(value, sign + spec)
    return text.replace("-", "\u2212")


def _significant(value: float, digits: int, signed: bool) -> str:
    """``digits`` significant digits without scientific notation (0.0000368, 1,230)."""
    text = np.format_float_positional(value, precision=digits, unique=False, fractional=False,
                                      trim="-", sign=signed)
    whole, dot, frac = text.partition(".")
    if len(whole.lstrip("+-")) > 3:
        whole = f"{int(whole):{'+' if signed else ''},d}"
    return whole + dot + frac


def is_clear(low: float, high: float) -> bool:
    """Whether an interval excludes zero (both ends finite and on one side)."""
    return bool(np.isfinite(low) and np.isfinite(high) and (low > 0 or high < 0))


def _change(comp: Comparison, metric: str, label: str) -> str:
    """``+12 (95% CI +3 to +21)`` for one metric's paired difference."""
    row = comp.row(metric, label)
    ci = (f" (95% CI {fmt(metric, row.diff_ci_low, True)} to {fmt(metric, row.diff_ci_high, True)})"
          if np.isfinite(row.diff_ci_low) else "")
    return f"{fmt(metric, row['diff'], True)}{ci}"


def _pct(comp: Comparison, metric: str, label: str) -> str:
    ref = comp.row(metric, comp.reference)["mean"]
    d = comp.row(metric, label)["diff"]
    # A relative change from next to nothing (a tenfold rise or more) says little.
    if not ref or not np.isfinite(d) or abs(d / ref) > 10:
        return ""
    return f"{d / ref:+.1%}".replace("-", "\u2212")


def _paired_values(comp: Comparison, label: str, metrics: Sequence[str]) -> pd.DataFrame:
    cols = ["seed", *metrics]
    return _paired(comp.runs[comp.reference].result.summary[cols],
                   comp.runs[label].result.summary[cols])


HEADLINE_READ = ("gp_appointments_per_1000", "ae_attendances_per_1000",
                 "emergency_admissions_per_1000", "outpatient_attendances_per_1000",
                 "cost_per_capita", "mean_dependence", "mean_activation", "mean_wellbeing",
                 "lonely_share", "group_members_per_1000")


def read_comparison(comp: Comparison) -> dict[str, list[str]]:
    """A short plain-English reading, computed from the comparison.

    For each scenario against the reference: which headline measures clearly moved
    (the paired difference's interval excludes zero); how the change in GP demand
    splits by kind of request, and the minor-complaint part into complaints arising
    and the share taken to a GP; the population states that move that share in the
    model's choice of where to turn, with their direction; the equity split; cost.

    Returns:
        Scenario label -> paragraphs (plain text).
    """
    out = {}
    for label in comp.labels[1:]:
        out[label] = [p for p in (_read_headline(comp, label), _read_gp_demand(comp, label),
                                  _read_drivers(comp, label), _read_equity(comp, label),
                                  _read_cost(comp, label)) if p]
        out[label].append(_read_method(comp))
    return out


def _read_headline(comp: Comparison, label: str, intro: str = "") -> str:
    ref = comp.reference
    lower, higher, unclear, no_interval = [], [], [], []
    for m in HEADLINE_READ:
        row = comp.row(m, label)
        text = f"{words(m)[0]} {_change(comp, m, label)}{words(m)[1]}"
        if not np.isfinite(row.diff_ci_low):
            no_interval.append(text)
        elif is_clear(row.diff_ci_low, row.diff_ci_high):
            pct = _pct(comp, m, label)
            (lower if row["diff"] < 0 else higher).append(f"{text}, {pct}" if pct else text)
        else:
            unclear.append(words(m)[0])
    parts = [intro or f"{label} compared with {ref} (final year, same seeds)."]
    if lower:
        parts.append("Clearly lower: " + "; ".join(lower) + ".")
    if higher:
        parts.append("Clearly higher: " + "; ".join(higher) + ".")
    if unclear:
        parts.append("No clear difference in " + ", ".join(unclear) + ".")
    if no_interval:
        parts.append("With fewer than two replicates there are no intervals, so nothing can "
                     "be called clear: " + "; ".join(no_interval) + ".")
    return " ".join(parts)


def _read_gp_demand(comp: Comparison, label: str) -> str:
    total = comp.row("gp_requests_per_1000", label)
    parts = [f"GP demand (requests a practice received, served or not) changed by "
             f"{_change(comp, 'gp_requests_per_1000', label)} per 1,000 a year"]
    appts = comp.row("gp_appointments_per_1000", label)
    unmet = comp.row("unmet_need_per_1000", label)
    if abs(total["diff"] - appts["diff"]) > 0.1 * max(abs(total["diff"]), 1.0):
        parts[0] += (f", appointments by {fmt('gp_appointments_per_1000', appts['diff'], True)}"
                     f" (the rest is demand the practices could not serve; unmet need "
                     f"{fmt('unmet_need_per_1000', unmet['diff'], True)})")
    kinds = sorted(GP_REQUEST_KINDS, key=lambda k: -abs(
        comp.row(f"gp_requests_{k}_per_1000", label)["diff"]))
    shown = []
    for k in kinds:
        row = comp.row(f"gp_requests_{k}_per_1000", label)
        if is_clear(row.diff_ci_low, row.diff_ci_high):
            shown.append(f"{KIND_WORDS[k]} {fmt('gp_requests_per_1000', row['diff'], True)}")
    parts[0] += "." if not shown else ". By kind of request, the clear changes were: " \
        + "; ".join(shown) + "."
    arising, share = (t_interval(part) for part in split_minor_change(comp, label))
    ref_share = comp.row("minor_to_gp_share", comp.reference)["mean"]
    new_share = comp.row("minor_to_gp_share", label)["mean"]
    parts.append(
        f"Minor complaints taken to a GP changed by "
        f"{_change(comp, 'gp_requests_minor_per_1000', label)} per 1,000: "
        f"{fmt('gp_requests_per_1000', share[0], True)} from the share of complaints taken "
        f"to a GP ({fmt('minor_to_gp_share', ref_share)} in {comp.reference}, "
        f"{fmt('minor_to_gp_share', new_share)} in {label}) and "
        f"{fmt('gp_requests_per_1000', arising[0], True)} from the number of complaints "
        f"arising (itself {_change(comp, 'low_needs_per_1000', label)} per 1,000).")
    return " ".join(parts)


def split_minor_change(comp: Comparison, label: str) -> tuple[np.ndarray, np.ndarray]:
    """Split each replicate's change in minor complaints taken to a GP into two parts.

    Minor complaints to a GP (per 1,000 a year) = complaints arising (per 1,000 a
    year) x the share taken to a GP. The midpoint rule splits the change exactly:
    ``dN * mean(s) + ds * mean(N)``.

    Returns:
        Per replicate (in seed order): the part from complaints arising, and the part
        from the share taken to a GP (both per 1,000 a year).
    """
    pv = _paired_values(comp, label, ["low_needs_per_1000", "minor_to_gp_share"])
    n_a, n_b = pv["low_needs_per_1000_a"], pv["low_needs_per_1000_b"]
    s_a, s_b = pv["minor_to_gp_share_a"], pv["minor_to_gp_share_b"]
    return (((n_b - n_a) * (s_a + s_b) / 2.0).to_numpy(),
            ((s_b - s_a) * (n_a + n_b) / 2.0).to_numpy())


def _read_drivers(comp: Comparison, label: str) -> str:
    choice = comp.runs[comp.reference].scenario.choice
    # The direction in which each state moves the share of minor complaints taken to
    # services, read from the signs of the scenario's choice-model weights.
    drivers = (("mean_dependence", np.sign(choice.dependence_weight)),
               ("mean_activation", -np.sign(choice.activation_weight)),
               ("group_members_per_1000", -np.sign(choice.group_weight)),
               ("lonely_share", np.sign(choice.connectedness_weight)))
    share = comp.row("minor_to_gp_share", label)
    direction = np.sign(share["diff"])
    toward, against, still = [], [], []
    for m, sign in drivers:
        row = comp.row(m, label)
        text = f"{words(m)[0]} {_change(comp, m, label)}"
        if not np.isfinite(row.diff_ci_low):
            continue  # no interval: the headline paragraph says so
        if not is_clear(row.diff_ci_low, row.diff_ci_high) or sign == 0:
            still.append(words(m)[0])
        elif np.sign(row["diff"]) * sign == direction:
            toward.append(text)
        else:
            against.append(text)
    parts = ["In the model's choice of where to turn, dependence pulls a minor complaint "
             "toward a GP or A&E, while activation (self-care), group membership and "
             "connectedness (peers) pull it away."]
    verb = "rise" if direction > 0 else "fall"
    if toward:
        parts.append(f"Consistent with the share's {verb}: " + "; ".join(toward) + ".")
    if against:
        parts.append("Working against it: " + "; ".join(against) + ".")
    if still:
        parts.append("Not clearly changed: " + ", ".join(still) + ".")
    move = comp.row("movement_participants_per_1000", label)
    if is_clear(move.diff_ci_low, move.diff_ci_high):
        parts.append(f"Movement participants: "
                     f"{_change(comp, 'movement_participants_per_1000', label)} per 1,000.")
    return " ".join(parts)


def _read_equity(comp: Comparison, label: str) -> str:
    parts = []
    for m, name in (("gp_appointments_per_1000", "GP appointments"),
                    ("mean_dependence", "mean dependence")):
        q1, q5 = f"{m}_q1", f"{m}_q5"
        if q1 not in comp.runs[label].result.summary:
            continue
        pv = _paired_values(comp, label, [q1, q5])
        gap = t_interval((pv[f"{q1}_b"] - pv[f"{q5}_b"]) - (pv[f"{q1}_a"] - pv[f"{q5}_a"]))
        gap_ref = float((pv[f"{q1}_a"] - pv[f"{q5}_a"]).mean())
        wider = (gap[0] > 0) == (gap_ref > 0)
        verdict = ("widened" if wider else "narrowed") if is_clear(gap[2], gap[3]) \
            else "did not clearly change"
        parts.append(f"{name}: most deprived fifth {_change(comp, q1, label)}, least deprived "
                     f"{_change(comp, q5, label)}; the gap between them "
                     f"({fmt(m, gap_ref)} in {comp.reference}) {verdict}")
    return ("Equity — " + "; ".join(parts) + ".") if parts else ""


def _read_cost(comp: Comparison, label: str) -> str:
    parts = []
    for comp_name, words_ in (("gp", "GP"), ("ae", "A&E"), ("admissions", "admissions"),
                              ("outpatients", "outpatients"), ("programmes", "programmes")):
        m = f"cost_{comp_name}_per_capita"
        row = comp.row(m, label)
        if abs(row["diff"]) >= 0.05:
            parts.append(f"{words_} {fmt(m, row['diff'], True)}")
    total = _change(comp, "cost_per_capita", label)
    return (f"Cost per resident a year changed by GBP {total}"
            + (": " + ", ".join(parts) + "." if parts else "."))


def _read_method(comp: Comparison) -> str:
    spec = comp.runs[comp.reference].scenario
    crn = all(r.scenario.system.common_random_numbers for r in comp.runs.values())
    return (f"Means over {spec.replicates} replicates on seeds {spec.seed}–"
            f"{spec.seed + spec.replicates - 1}; differences are paired by seed"
            f"{' on common random numbers' if crn else ' (common random numbers off)'}; "
            f"intervals are 95% t-intervals; 'clearly' means the interval excludes zero.")


def read_run(runs: ScenarioRuns) -> list[str]:
    """A plain-English reading of one scenario's run: its first year against its last.

    The same seed's first and final years are paired, so the change has an interval
    like a comparison's. With a run of a year or less there is nothing to compare.
    """
    ts = runs.result.timeseries
    weeks = runs.scenario.weeks
    if weeks < 104:
        return [f"The run is {weeks} weeks long; a reading of change needs at least two years."]
    rows_first, rows_last = [], []
    for r, frame in ts.groupby("replicate", sort=True):
        wk = runs.demand[runs.demand["replicate"] == r]
        for rows, part, dpart in ((rows_first, frame.head(52), wk.head(52)),
                                  (rows_last, frame.tail(52), wk.tail(52))):
            extra = mechanism_measures(part.assign(replicate=r), dpart, runs.scenario).iloc[0]
            py = part["population"].mean()
            row = {"seed": frame["seed"].iloc[0], **extra.to_dict()}
            for col in ("gp_appointments", "ae_attendances", "emergency_admissions",
                        "outpatient_attendances", "unmet_need"):
                row[f"{col}_per_1000"] = 1000.0 * part[col].sum() / py
            row["cost_per_capita"] = part["cost_total"].sum() / py
            for col in ("mean_dependence", "mean_activation", "mean_wellbeing", "lonely_share"):
                row[col] = part[col].iloc[-1]
            rows.append(row)
    first, last = pd.DataFrame(rows_first), pd.DataFrame(rows_last)

    def as_runs(label: str, summary: pd.DataFrame) -> ScenarioRuns:
        return ScenarioRuns(label, RunResult(runs.scenario, runs.result.seeds, ts, summary, {}),
                            runs.demand)

    # The comparison's readers, on the pair (first year, final year) of each seed.
    comp = Comparison({"the first year": as_runs("the first year", first),
                       "the final year": as_runs("the final year", last)},
                      comparison_table({"the first year": first, "the final year": last}))
    intro = (f"The final year of {runs.label} compared with its first year "
             f"(states at the end of each year).")
    text = [_read_headline(comp, "the final year", intro), _read_gp_demand(comp, "the final year"),
            _read_drivers(comp, "the final year"), _read_cost(comp, "the final year")]
    return [t for t in text if t]


# --- sim.compare(...) ----------------------------------------------------------------------------


class _CallableModule(types.ModuleType):
    """``sim.compare`` is this module (Python sets a package's attribute to its submodule on
    import), so the module is callable: ``sim.compare([...], draws=N)`` is
    :func:`sim.compare_draws.compare`."""

    def __call__(self, *args, **kwargs):
        from .compare_draws import compare

        return compare(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
