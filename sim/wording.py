"""Reading the results of a comparison in plain English (:func:`read_comparison`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .compare import Comparison, _paired, comparison_table
from .recording import GP_REQUEST_KINDS, KIND_WORDS, ScenarioRuns, mechanism_measures
from .runner import RunResult
from .statistics import t_interval

__all__ = ["read_comparison", "read_run", "split_minor_change", "words", "fmt", "is_clear",
           "WORDS", "HEADLINE_READ"]

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
    # totals for the place (sim.totals)
    "gp_appointments_a_year": ("GP appointments", " a year in the place", ",.0f"),
    "ae_attendances_a_year": ("A&E attendances", " a year in the place", ",.0f"),
    "emergency_admissions_a_year": ("emergency admissions", " a year in the place", ",.0f"),
    "outpatient_attendances_a_year": ("outpatient attendances", " a year in the place", ",.0f"),
    "cost_a_year_gbp_m": ("cost", " GBP m a year in the place", ",.1f"),
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

    For each scenario against the reference: which headline measures moved beyond
    simulation noise (the paired difference's interval excludes zero); how the change in
    GP demand splits by kind of request, and the minor-complaint part into complaints arising
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
        parts.append("Lower beyond simulation noise: " + "; ".join(lower) + ".")
    if higher:
        parts.append("Higher beyond simulation noise: " + "; ".join(higher) + ".")
    if unclear:
        parts.append("Within simulation noise (no difference the replicates can tell from zero): "
                     + ", ".join(unclear) + ".")
    if no_interval:
        parts.append("With fewer than two replicates there are no intervals, so nothing can "
                     "be told from noise: " + "; ".join(no_interval) + ".")
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
    parts[0] += "." if not shown else ". By kind of request, the changes beyond simulation noise were: " \
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
        parts.append("Within simulation noise: " + ", ".join(still) + ".")
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
        verdict = (("widened" if wider else "narrowed") + " beyond simulation noise") \
            if is_clear(gap[2], gap[3]) else "did not change beyond simulation noise"
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
            f"intervals are 95% t-intervals of simulation noise, with every effect parameter at "
            f"its central value; 'beyond simulation noise' means the interval excludes zero, "
            f"which says nothing of whether a change is large enough to matter.")


def read_run(runs: ScenarioRuns) -> list[str]:
    """A plain-English reading of one scenario's run: its first year against its last.

    The model starts in its steady state (an unreported burn-in, ``system.burn_in_weeks``,
    :mod:`sim.burn_in`), so a change from the first year to the last is the scenario's,
    not the model settling; the reading says when the burn-in was switched off. The same
    seed's years are paired, so the change has an interval like a comparison's. With a
    run of less than two years there is nothing to compare.
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
    burn_in = runs.scenario.system.burn_in_weeks
    intro = (f"The final year of {runs.label} compared with its first year (states at the "
             "end of each year; "
             + (f"the model starts in its steady state, after {burn_in} unreported weeks)."
                if burn_in else "with no burn-in, the first year includes the model settling "
                "from its starting state, so part of any change is that)."))
    text = [_read_headline(comp, "the final year", intro), _read_gp_demand(comp, "the final year"),
            _read_drivers(comp, "the final year"), _read_cost(comp, "the final year")]
    return [t for t in text if t]
