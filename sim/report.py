"""Self-contained HTML reports (Plotly's JavaScript embedded once, nothing fetched).

One file that opens offline and prints whole on A4 (:mod:`sim.report_page`). A
compare report (:func:`write_compare_report`) opens with the decision summary and the
box "what these numbers rest on" (:mod:`sim.report_summary`); then a plain-English
reading computed from the results (:mod:`sim.compare`), the key tables, paired
differences, time series with 95% bands, GP demand by kind, the equity split, a cost
table and the scenarios' parameters; charts are in :mod:`sim.report_plots`. A run
report (:func:`write_run_report`) has the same parts for one scenario.
"""

from __future__ import annotations

import datetime as _dt
import html
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import __version__
from .metrics import HEADLINE
from .places import place_line
from .totals import TOTALS, totals_note
from .report_page import page
from .report_plots import (SMOOTH_WEEKS, demand_area_figure, demand_kind_figure,
                           difference_figure, equity_figure, figure_html, off_scale,
                           timeseries_figures, used_kinds)
from .report_summary import decision_summary, rests_on


__all__ = ["page", "figure_html", "write_run_report", "write_compare_report", "FILES_BESIDE"]


def _esc(text: object) -> str:
    return html.escape(str(text))


# --- comparison charts and tables ----------------------------------------------------------------


def _cell(comp, metric: str, label: str, diff: bool) -> str:
    """A table cell: value (or difference) with its interval; bold when clear of zero."""
    from .compare import fmt, is_clear

    row = comp.row(metric, label)
    if diff:
        value, lo, hi = row["diff"], row["diff_ci_low"], row["diff_ci_high"]
    else:
        value, lo, hi = row["mean"], row["ci_low"], row["ci_high"]
    text = fmt(metric, value, signed=diff)
    if np.isfinite(lo):
        text += f" <span class='note'>[{fmt(metric, lo, diff)}, {fmt(metric, hi, diff)}]</span>"
    cls = ""
    if diff and is_clear(lo, hi):
        cls = " class='clear'"
    return f"<td{cls}>{text}</td>"


def metrics_table(comp, metrics: Sequence[str]) -> str:
    """Per metric: each scenario's mean [95% CI], and its paired difference from the first."""
    from .compare import words

    head = "<tr><th>metric</th>" + "".join(
        f"<th>{_esc(label)}</th>" + (f"<th>{_esc(label)} − {_esc(comp.reference)}</th>"
                                     if label != comp.reference else "")
        for label in comp.labels) + "</tr>"
    body = []
    for m in metrics:
        if m not in set(comp.table["metric"]):
            continue
        name, unit, _ = words(m)
        cells = "".join(_cell(comp, m, label, False)
                        + (_cell(comp, m, label, True) if label != comp.reference else "")
                        for label in comp.labels)
        body.append(f"<tr><td title='{_esc(m)}'>{_esc(name)}<span class='note'>{_esc(unit)}"
                    f"</span></td>{cells}</tr>")
    return f"<table>{head}{''.join(body)}</table>"


COST_ROWS = (("cost_gp_per_capita", "GP appointments"), ("cost_ae_per_capita", "A&E"),
             ("cost_admissions_per_capita", "Emergency admissions"),
             ("cost_outpatients_per_capita", "Outpatients"),
             ("cost_programmes_per_capita", "Policies and community programmes"),
             ("cost_per_capita", "Total"))


def cost_table(comp) -> str:
    """Cost per resident a year by component: means and paired differences, 95% CIs."""
    head = "<tr><th>GBP per resident a year</th>" + "".join(
        f"<th>{_esc(label)}</th>" + (f"<th>{_esc(label)} − {_esc(comp.reference)}</th>"
                                     if label != comp.reference else "")
        for label in comp.labels) + "</tr>"
    body = "".join(
        f"<tr><td>{name}</td>" + "".join(
            _cell(comp, m, label, False)
            + (_cell(comp, m, label, True) if label != comp.reference else "")
            for label in comp.labels) + "</tr>"
        for m, name in COST_ROWS)
    return f"<table>{head}{body}</table>"


# --- parameters ----------------------------------------------------------------------------------


def _flatten(data: Mapping, prefix: str = "") -> dict[str, object]:
    out = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, path + "."))
        else:
            out[path] = value
    return out


def parameters_section(specs: Mapping[str, object]) -> str:
    """Where the scenarios differ (from each other, or from the defaults for one), and each
    resolved scenario in full."""
    from .scenario import parameter_paths

    flat = {label: _flatten(spec.to_dict()) for label, spec in specs.items()}
    skip = {"name", "description", "seed", "replicates"}
    if len(flat) > 1:
        # A policy that only some scenarios list reads as one row of its settings.
        for kind in {k.split(".")[1] for f in flat.values() for k in f
                     if k.startswith("policies.")}:
            prefix = f"policies.{kind}."
            if len({any(k.startswith(prefix) for k in f) for f in flat.values()}) > 1:
                for f in flat.values():
                    settings = {k[len(prefix):]: f.pop(k) for k in list(f) if k.startswith(prefix)}
                    if settings:
                        f[f"policies.{kind}"] = ", ".join(f"{k}: {v}" for k, v in settings.items())
        keys = sorted({k for f in flat.values() for k in f} - skip)
        differing = [k for k in keys if len({repr(f.get(k)) for f in flat.values()}) > 1]
        head = "<tr><th>parameter</th>" + "".join(f"<th>{_esc(l)}</th>" for l in flat) + "</tr>"
        rows = "".join(f"<tr><td>{_esc(k)}</td>" + "".join(
            f"<td>{_esc(f.get(k, '—'))}</td>" for f in flat.values()) + "</tr>"
            for k in differing)
        intro = "<p>Parameters that differ between the scenarios:</p>"
    else:
        (label, f), = flat.items()
        declared = parameter_paths()
        differing = [k for k in f if k not in skip and (
            k not in declared or repr(declared[k].default) != repr(f[k]))]
        head = "<tr><th>parameter</th><th>value</th><th>default</th></tr>"
        rows = "".join(f"<tr><td>{_esc(k)}</td><td>{_esc(f[k])}</td><td>"
                       f"{_esc(declared[k].default) if k in declared else '—'}</td></tr>"
                       for k in differing)
        intro = "<p>Parameters that differ from their declared defaults:</p>"
    table = f"{intro}<table>{head}{rows}</table>" if differing else \
        "<p>No parameter differs.</p>"
    full = "".join(
        f"<details><summary>{_esc(label)}: the resolved scenario in full</summary><pre>"
        f"{_esc(yaml.safe_dump(spec.to_dict(), sort_keys=False, allow_unicode=True))}"
        f"</pre></details>" for label, spec in specs.items())
    from .report_evidence import evidence_table

    return f"<h2 id='parameters'>Parameters</h2>{table}{evidence_table(specs)}{full}"


# --- the reports ---------------------------------------------------------------------------------


def _reading_html(paragraphs: Sequence[str]) -> str:
    return "<div class='reading'>" + "".join(f"<p>{_esc(p)}</p>" for p in paragraphs) + "</div>"


def _meta(spec, seeds: Sequence[int], extra: str = "") -> str:
    crn = "on" if spec.system.common_random_numbers else "off"
    stamp = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (f"<p class='meta'>{len(seeds)} replicate(s) on seeds {seeds[0]}–{seeds[-1]}, "
            f"{spec.weeks} weeks ({spec.weeks / 52:.1f} years), {spec.population.size:,} "
            f"residents at the start; common random numbers {crn}. {_esc(place_line(spec))} "
            f"{extra}Placesim "
            f"{__version__}, {stamp}.</p>")


def _nav(items: Sequence[tuple[str, str]]) -> str:
    return "<nav>" + "".join(f"<a href='#{i}'>{_esc(t)}</a>" for i, t in items) + "</nav>"


BANDS_NOTE = (f"<p class='note'>Lines are means over replicates and bands their 95% "
              f"t-intervals of simulation noise, cut at the natural bounds (no count below "
              f"zero, no share above one); counts are trailing {SMOOTH_WEEKS}-week means, "
              f"as yearly rates. Click a legend entry to hide a scenario.</p>")

# The files a command writes beside its report: (name, what it holds).
FILES_BESIDE = {
    "compare": (("comparison.csv", "every number of this report: per metric and scenario, "
                 "mean and paired difference with 95% intervals"),
                ("summary.csv", "the final-year measures of every replicate"),
                ("timeseries.csv", "the weekly series (also as timeseries.parquet)"),
                ("tables.xlsx", "the three tables above as sheets of one workbook"),
                ("scenarios/", "each scenario as it ran, loadable again")),
    "run": (("summary.csv", "the final-year measures of every replicate"),
            ("timeseries.csv", "the weekly series (also as timeseries.parquet)"),
            ("tables.xlsx", "the tables above as sheets of one workbook"),
            ("scenario.yaml", "the scenario as it ran, loadable again")),
}


def _files_note(kind: str) -> str:
    items = "".join(f"<li><code>{_esc(name)}</code>: {_esc(what)}</li>"
                    for name, what in FILES_BESIDE[kind])
    return ("<h2 id='files'>Files beside this report</h2><p class='note'>The report carries "
            "its key tables, so it reads alone when e-mailed; the results directory it was "
            f"written to also holds:</p><ul class='note'>{items}</ul>")


def _timeseries(frames: Mapping[str, pd.DataFrame]) -> list[str]:
    return [figure_html(fig) for _, fig in timeseries_figures(frames)]


def write_compare_report(path: Path, comp, notes: Sequence[str] = (),
                         probabilistic=None) -> None:
    """The report of a comparison: decision summary, reading, differences, time series,
    equity, cost, parameters.

    Args:
        path: the HTML file to write.
        comp: a :class:`sim.compare.Comparison`.
        notes: remarks for the reader (e.g. horizons that were aligned).
        probabilistic: a :class:`sim.probabilistic.ProbabilisticComparison` of which
            ``comp`` is the central part; its reading leads the report.
    """
    from .compare import HEADLINE_READ, read_comparison, words

    first = comp.runs[comp.reference]
    spec = first.scenario
    sections = [_meta(spec, first.result.seeds),
                decision_summary(comp, probabilistic=probabilistic),
                _nav([("reading", "Reading"), ("headline", "Headline"),
                      ("series", "Over time"), ("demand", "GP demand"),
                      ("equity", "Equity"), ("cost", "Cost"), ("parameters", "Parameters"),
                      ("files", "Files")])]
    sections += [f"<p class='note'>Note: {_esc(n)}.</p>" for n in notes]
    if probabilistic is not None:
        from .report_uncertainty import probabilistic_section

        sections.append(probabilistic_section(probabilistic))
    sections.append("<h2 id='reading'>What changed, and why</h2>")
    for label, paragraphs in read_comparison(comp).items():
        if len(comp.labels) > 2:
            sections.append(f"<h3>{_esc(label)} against {_esc(comp.reference)}</h3>")
        sections.append(_reading_html(paragraphs))
    sections.append("<h2 id='headline'>Headline measures, final year</h2>"
                    "<p class='note'>Mean [95% CI] over replicates; differences are paired by "
                    "seed, bold where they are beyond simulation noise (the interval excludes "
                    "zero).</p>")
    sections.append(metrics_table(comp, [m for m in HEADLINE if m not in (
        "group_members", "movement_participants")]
                                  + ["group_members_per_1000", "movement_participants_per_1000",
                                     "gp_requests_per_1000", "minor_to_gp_share"]))
    sections.append(totals_section(comp))
    shown = [*HEADLINE_READ, "low_need_service_share", "gp_requests_per_1000"]
    sections.append(figure_html(difference_figure(comp, shown)))
    off = off_scale(comp, shown)
    if off:
        sections.append("<p class='note'>Not in the chart, as their relative change is "
                        "undefined or more than tenfold (from next to nothing in "
                        f"{_esc(comp.reference)}): "
                        + ", ".join(_esc(words(m)[0]) for m in off) + "; see the table.</p>")
    sections.append("<h2 id='series'>Over time</h2>" + BANDS_NOTE)
    sections += _timeseries({label: r.result.timeseries for label, r in comp.runs.items()})
    sections.append("<h2 id='demand'>GP demand by kind</h2><p class='note'>Requests a practice "
                    "received in the final year, served or not; minor complaints are the part "
                    "that dependence, activation and community move.</p>")
    sections.append(figure_html(demand_kind_figure(comp)))
    sections.append(metrics_table(comp, ["low_needs_per_1000", "minor_to_gp_share"]
                                  + [f"gp_requests_{k}_per_1000" for k in used_kinds(comp)]))
    sections.append("<h2 id='equity'>Equity: most and least deprived fifths</h2>")
    sections.append(figure_html(equity_figure(
        {label: r.result.summary for label, r in comp.runs.items()})))
    sections.append(metrics_table(comp, _equity_metrics(comp.runs[comp.reference].result.summary)))
    sections.append("<h2 id='cost'>Cost, final year</h2>" + cost_table(comp))
    sections.append(parameters_section({label: r.scenario for label, r in comp.runs.items()}))
    sections.append(_files_note("compare"))
    title = "Placesim: " + " vs ".join(comp.labels)
    Path(path).write_text(page(title, sections), encoding="utf-8")


def totals_section(comp) -> str:
    """The place's totals a year for each scenario (see sim.totals), with their note."""
    spec = comp.runs[comp.reference].scenario
    return ("<h2 id='totals'>Totals for the place, final year</h2><p class='note'>"
            f"{_esc(totals_note(spec))} Mean [95% CI] over replicates.</p>"
            + metrics_table(comp, list(TOTALS)))


def _equity_metrics(summary: pd.DataFrame) -> list[str]:
    """Every ``_q1`` measure of the summary, each followed by its ``_q5`` partner."""
    return [f"{c[:-3]}{q}" for c in summary.columns if c.endswith("_q1")
            and f"{c[:-3]}_q5" in summary for q in ("_q1", "_q5")]


def write_run_report(path: Path, result, runs=None) -> None:
    """The report of one scenario's run.

    Args:
        path: the HTML file to write.
        result: the :class:`sim.runner.RunResult`.
        runs: the same run as a :class:`sim.compare.ScenarioRuns` (with GP demand by
            kind), for the reading and the demand chart; optional.
    """
    from .compare import comparison_table, Comparison, ScenarioRuns, read_run

    spec = result.scenario
    one = Comparison({spec.name: runs or ScenarioRuns(spec.name, result, pd.DataFrame())},
                     comparison_table({spec.name: result.summary}))
    sections = [f"<p>{_esc(spec.description)}</p>", _meta(spec, result.seeds), rests_on(one)]
    if runs is not None:
        sections.append("<h2>What changed over the run</h2>" + _reading_html(read_run(runs)))
    sections.append("<h2>Over time</h2>" + BANDS_NOTE)
    sections += _timeseries({spec.name: result.timeseries})
    if runs is not None:
        sections.append(figure_html(demand_area_figure(runs)))
    sections.append("<h2>Final-year summary</h2><p class='note'>Mean [95% CI] over "
                    "replicates.</p>")
    sections.append(metrics_table(one, list(HEADLINE)))
    sections.append(totals_section(one))
    sections.append("<h2>Equity: most and least deprived fifths</h2>")
    sections.append(figure_html(equity_figure({spec.name: result.summary})))
    sections.append(metrics_table(one, _equity_metrics(result.summary)))
    if "cost_programmes_per_capita" in result.summary:
        sections.append("<h2>Cost, final year</h2>" + cost_table(one))
    sections.append(parameters_section({spec.name: spec}))
    sections.append(_files_note("run"))
    Path(path).write_text(page(f"Placesim: {spec.name}", sections), encoding="utf-8")
