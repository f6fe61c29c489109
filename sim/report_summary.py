"""The report's first screen: a decision summary and "what these numbers rest on".

A board reads the first screen and little else, so it says, in plain words:

- the question (which package against which, for what place, over what horizon);
- three to six headline findings, each as a total for the place a year (appointments,
  attendances, admissions, GBP million) beside the rate per 1,000, with its interval and
  what the interval tested ("beyond simulation noise" or not; with probabilistic draws,
  the share of plausible worlds in which it holds — :func:`probabilistic_reading`);
- a fixed box: which effect parameters of the policies compared are assumptions or rest
  on uncontrolled evidence (read from each :class:`~sim.parameters.Param`'s ``grade``),
  what the intervals cover, and what they cannot (mechanisms the model lacks).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["place_totals", "totals_comparison", "headline_findings", "rests_on",
           "decision_summary", "probabilistic_reading", "TOTALS", "NOT_MODELLED"]

# Headline findings: (rate column, words, total column, unit of the total). The totals
# are the summary's totals for the place a year (:mod:`sim.totals`: the final year's
# counts, scaled from the simulated residents to the place's).
TOTALS = (("gp_appointments_per_1000", "GP appointments", "gp_appointments_a_year",
           "appointments"),
          ("ae_attendances_per_1000", "A&E attendances", "ae_attendances_a_year",
           "attendances"),
          ("emergency_admissions_per_1000", "Emergency admissions",
           "emergency_admissions_a_year", "admissions"),
          ("cost_per_capita", "Cost of care and programmes", "cost_a_year_gbp_m", "GBP m"))

# A change below this share of the reference is called small, whatever its interval:
# reporting convention (assumption: a board would not act on a change under 1%).
SMALL_CHANGE = 0.01

# What the model does not represent, so no interval can cover it (see docs/model.md).
NOT_MODELLED = (
    "social care, care homes, community pharmacy, NHS 111 and mental-health services",
    "staff supply: recruitment, burnout and turnover of GPs, link workers and organisers",
    "waiting lists for planned hospital care, and national funding or policy change",
    "how faithfully a real place would implement each policy",
    "anything after the horizon of the run",
)

GRADE_WORDS = {"assumption": "assumptions (no study measures them)",
               "uncontrolled": "uncontrolled evidence (before-and-after, case studies)",
               "controlled": "controlled studies", "rct": "randomised trials",
               None: "not yet graded"}


def _esc(text: object) -> str:
    return html.escape(str(text))


def place_totals(summary: pd.DataFrame) -> pd.DataFrame:
    """Totals for the place a year, per replicate, as the summary holds them
    (:func:`sim.totals.annual_totals`).

    Returns:
        ``seed`` and the total columns of :data:`TOTALS` (counts a year; cost in GBP m).
    """
    return summary[["seed"] + [total for _, _, total, _ in TOTALS]].reset_index(drop=True)


def totals_comparison(comp) -> pd.DataFrame:
    """The comparison table of :func:`place_totals` (paired differences by seed)."""
    from .compare import comparison_table

    return comparison_table({label: place_totals(r.result.summary)
                             for label, r in comp.runs.items()})


def probabilistic_reading(probabilistic=None) -> str:
    """The probabilistic reading, when draws over the plausible ranges were run: HTML for
    the top of the first screen (how often, across the plausible worlds, each headline
    difference favours the scenario, and which assumption decides it), or "".

    Args:
        probabilistic: a :class:`sim.probabilistic.ProbabilisticComparison`, or ``None``
            when only seeds were run.
    """
    if probabilistic is None:
        return ""
    from .probabilistic import read_probabilistic

    blocks = []
    for label, paragraphs in read_probabilistic(probabilistic).items():
        text = "".join(f"<p>{_esc(p)}</p>" for p in paragraphs)
        blocks.append(f"<div class='worlds'>{text}</div>")
    return ("<p class='question'>Across plausible worlds (every uncertain effect drawn from "
            "its range; details in <a href='#worlds'>Across plausible worlds</a>):</p>"
            + "".join(blocks))


def _number(value: float, unit: str) -> str:
    if unit == "GBP m":  # a small place's cost changes by tenths of a million
        return f"GBP {value:,.{1 if abs(value) >= 10 else 2}f} m".replace("-", "\u2212")
    return f"{value:,.0f}".replace("-", "\u2212")


def _verdict(lo: float, hi: float, share: float) -> str:
    """What the interval tested, in words."""
    from .compare import is_clear

    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "no interval (one replicate): cannot be told from noise"
    if not is_clear(lo, hi):
        return "within simulation noise: the replicates cannot tell it from no change"
    if np.isfinite(share) and abs(share) < SMALL_CHANGE:
        return "beyond simulation noise, but small (under 1%)"
    return "beyond simulation noise"


def headline_findings(comp, label: str) -> list[str]:
    """Plain-words findings (HTML) for ``label`` against the reference, one per :data:`TOTALS`."""
    from .compare import fmt

    totals = totals_comparison(comp)
    out = []
    for rate, name, total, unit in TOTALS:
        if rate not in set(comp.table["metric"]):
            continue
        r, ref = comp.row(rate, label), comp.row(rate, comp.reference)
        t = totals[(totals["metric"] == total) & (totals["scenario"] == label)].iloc[0]
        share = r["diff"] / ref["mean"] if ref["mean"] else np.nan
        more = ("more" if t["diff"] > 0 else "fewer") if unit != "GBP m" else \
            ("more" if t["diff"] > 0 else "less")
        change = f"{_number(abs(t['diff']), unit)} {more}" + ("" if unit == "GBP m" else f" {unit}")
        if _number(abs(t["diff"]), unit) in ("0", "GBP 0.00 m"):
            change = f"no change in {unit}" if unit != "GBP m" else "no change"
        interval = (f" [{_number(t['diff_ci_low'], unit)} to {_number(t['diff_ci_high'], unit)}]"
                    if np.isfinite(t["diff_ci_low"]) else "")
        pct = f", {share:+.1%}".replace("-", "\u2212") if np.isfinite(share) else ""
        per = (f"{fmt(rate, r['diff'], True)}{' per resident' if unit == 'GBP m' else ' per 1,000'}"
               f" [{fmt(rate, r['diff_ci_low'], True)}, {fmt(rate, r['diff_ci_high'], True)}]"
               if np.isfinite(r["diff_ci_low"]) else fmt(rate, r["diff"], True))
        out.append(f"<b>{_esc(name)}</b>: {change} a year for the place{interval}{pct} "
                   f"({per}); <i>{_verdict(r['diff_ci_low'], r['diff_ci_high'], share)}</i>.")
    return out


def _policy_kinds(comp) -> list[str]:
    """Kinds of policy that any scenario of the comparison runs (switched on)."""
    kinds: list[str] = []
    for runs in comp.runs.values():
        kinds += [k for k in runs.scenario.active_policies() if k not in kinds]
    return kinds


def effect_parameters(kinds: Sequence[str]) -> dict[object, list[str]]:
    """The policies' own parameters by evidence grade, read from their declarations.

    Effect parameters are those a declaration gives a plausible range (``Param.plausible``:
    every effect parameter has one). Where a policy declares none yet, they are its own
    parameters (not its start and end weeks) other than its spending (a unit in GBP), and
    one without a ``grade`` whose source says ``assumption:`` counts as an assumption;
    other ungraded ones are listed under ``None``.
    """
    from .policies import POLICIES

    out: dict[object, list[str]] = {}
    for kind in kinds:
        params = POLICIES[kind].params
        ranged = {k: p for k, p in params.items() if p.plausible is not None}
        chosen = ranged or {k: p for k, p in params.items() if "GBP" not in p.unit}
        for key, p in chosen.items():
            grade = p.grade or ("assumption" if p.source.startswith("assumption") else None)
            out.setdefault(grade, []).append(f"{kind}.{key}")
    return out


def rests_on(comp, draws: int | None = None) -> str:
    """The fixed box "what these numbers rest on" (HTML)."""
    spec = comp.runs[comp.reference].scenario
    kinds = _policy_kinds(comp)
    by_grade = effect_parameters(kinds)
    n = sum(len(v) for v in by_grade.values())
    lines = []
    if n:
        counts = "; ".join(f"{len(by_grade[g])} {'' if g is None else 'on '}{GRADE_WORDS[g]}"
                           for g in ("assumption", "uncontrolled", "controlled", "rct", None)
                           if by_grade.get(g))
        weak = by_grade.get("assumption", []) + by_grade.get("uncontrolled", [])
        what = "compared" if len(comp.labels) > 1 else "run"
        lines.append(f"<li><b>Effect sizes.</b> The {len(kinds)} policies {what} have {n} "
                     f"effect parameters: {counts}."
                     + (f" Assumed or weakly evidenced: {_esc(', '.join(weak[:8]))}"
                        f"{' and more' if len(weak) > 8 else ''} (all in the Parameters "
                        f"section)." if weak else "") + "</li>")
    else:
        lines.append("<li><b>Effect sizes.</b> No policy runs in these scenarios; the "
                     "differences come from the settings that differ.</li>")
    if draws:
        cover = (f"both simulation noise ({spec.replicates} replicates) and the declared "
                 f"plausible ranges of the effect parameters ({draws} draws)")
    else:
        paired = " paired on the same seeds" if len(comp.labels) > 1 else ""
        cover = (f"simulation noise only ({spec.replicates} replicates{paired}), with every "
                 f"effect parameter at its central value; they say nothing about whether the "
                 f"effect sizes are right")
    lines.append(f"<li><b>The intervals</b> (95%) cover {cover}.</li>")
    lines.append("<li><b>They cannot cover</b> what the model lacks: "
                 + "; ".join(_esc(x) for x in NOT_MODELLED) + ".</li>")
    return ("<div class='rests' id='rests-on'><h2>What these numbers rest on</h2><ul>"
            + "".join(lines) + "</ul></div>")


def decision_summary(comp, place: str | None = None, probabilistic=None) -> str:
    """The first screen: the question, the probabilistic reading when draws were run
    (``probabilistic``, of which ``comp`` is the central part), headline findings per
    scenario, and the box."""
    spec = comp.runs[comp.reference].scenario
    where = place or f"a place of {spec.population.size:,} residents"
    others = comp.labels[1:]
    question = (f"How do demand on services and cost under <b>{_esc(' / '.join(others))}</b> "
                f"compare with <b>{_esc(comp.reference)}</b>, in {_esc(where)} over "
                f"{spec.weeks / 52:.3g} years? Findings are for the final year.")
    findings = []
    for label in others:
        head = f"<h3>{_esc(label)} against {_esc(comp.reference)}</h3>" if len(others) > 1 else ""
        items = "".join(f"<li>{f}</li>" for f in headline_findings(comp, label))
        findings.append(f"{head}<ol>{items}</ol>")
    return ("<section class='decision' id='decision'><div class='findings'>"
            "<h2>Decision summary</h2>"
            f"<p class='question'>{question}</p>{probabilistic_reading(probabilistic)}"
            f"{''.join(findings)}</div>"
            f"{rests_on(comp, None if probabilistic is None else probabilistic.design.draws)}"
            "</section>")
