"""Self-contained HTML reports (Plotly's JavaScript embedded, nothing fetched).

One file that opens offline: the page's only script is Plotly's, inlined once in the
head (:func:`page`); every chart is a ``div`` (:func:`figure_html`). Reports of
``run`` (:func:`write_run_report`) and ``compare`` (:func:`write_compare_report`)
share their parts: a plain-English reading computed from the results
(:mod:`sim.compare`), time series with 95% bands, paired differences, GP demand by
kind, the equity split by deprivation, a cost table and the scenario's parameters.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import __version__
from .metrics import HEADLINE

__all__ = ["page", "figure_html", "write_run_report", "write_compare_report", "COLOURS"]

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
           "#000000")
SMOOTH_WEEKS = 4  # weekly counts are noisy in small places; charts show 4-week means

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1180px;margin:1.5em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:2px solid #eee;padding-bottom:.2em}
.meta{color:#555;font-size:.95em}.note{color:#666;font-size:.88em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
td,th{padding:.25em .7em;border-bottom:1px solid #e3e3e3;text-align:right;vertical-align:top}
th{background:#f6f6f6}th:first-child,td:first-child{text-align:left}
td.clear{font-weight:600}
.reading{background:#f7f9fc;border-left:4px solid #0072B2;padding:.6em 1.1em;margin:1em 0}
.reading p{margin:.5em 0}pre{background:#f6f6f6;padding:.8em;overflow-x:auto;font-size:.85em}
nav a{margin-right:1em}details{margin:.4em 0}
"""


def page(title: str, sections: list[str]) -> str:
    """An HTML page with Plotly's JavaScript inlined once, in the head.

    Args:
        title: the page's title and first heading.
        sections: HTML fragments, in order.
    """
    from plotly.offline import get_plotlyjs

    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style>"
            f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>"
            f"<h1>{html.escape(title)}</h1>{''.join(sections)}</body></html>")


def figure_html(fig) -> str:
    """A Plotly figure as a div (the library is already in the page head)."""
    return fig.to_html(full_html=False, include_plotlyjs=False,
                       config={"displaylogo": False, "responsive": True})


def _esc(text: object) -> str:
    return html.escape(str(text))


def _rgba(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


# --- time series with bands ----------------------------------------------------------------------


def _rate(col: str, per: float = 1000.0) -> Callable[[pd.DataFrame], pd.Series]:
    """Weekly count -> a yearly rate per ``per`` residents."""
    return lambda f: f[col] / f["population"] * per * 52.0


def _per_1000(col: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda f: f[col] / f["population"] * 1000.0


def _column(col: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda f: f[col]


# (title, value per row, smoothed?)
PANELS: tuple[tuple[str, Callable[[pd.DataFrame], pd.Series], bool], ...] = (
    ("GP appointments per 1,000 a year", _rate("gp_appointments"), True),
    ("A&E attendances per 1,000 a year", _rate("ae_attendances"), True),
    ("Emergency admissions per 1,000 a year", _rate("emergency_admissions"), True),
    ("Outpatient attendances per 1,000 a year", _rate("outpatient_attendances"), True),
    ("Unmet GP need per 1,000 a year", _rate("unmet_need"), True),
    ("Cost per resident a year (GBP)", _rate("cost_total", 1.0), True),
    ("Mean dependence (0-1)", _column("mean_dependence"), False),
    ("Share highly dependent", _column("high_dependence_share"), False),
    ("Minor complaints taken to GP or A&E", _column("low_need_service_share"), True),
    ("Mean activation (0-1)", _column("mean_activation"), False),
    ("Mean wellbeing (0-1)", _column("mean_wellbeing"), False),
    ("Share of adults lonely", _column("lonely_share"), False),
    ("Community groups", _column("community_groups"), False),
    ("Group members per 1,000", _per_1000("group_members"), False),
    ("Movement participants per 1,000", _per_1000("movement_participants"), False),
)


def band(frame: pd.DataFrame, value: Callable[[pd.DataFrame], pd.Series],
         smooth: bool) -> pd.DataFrame:
    """Per week: mean over replicates and its 95% t-interval (``mean``, ``lo``, ``hi``).

    Args:
        frame: weekly rows with ``replicate`` and ``week``.
        value: the quantity per row.
        smooth: take a trailing :data:`SMOOTH_WEEKS`-week mean first, per replicate.
    """
    from scipy import stats

    wide = frame.assign(_v=value(frame)).pivot(index="week", columns="replicate", values="_v")
    if smooth:
        wide = wide.rolling(SMOOTH_WEEKS, min_periods=1).mean()
    n = wide.shape[1]
    mean = wide.mean(axis=1)
    if n < 2:
        return pd.DataFrame({"mean": mean, "lo": np.nan, "hi": np.nan})
    half = stats.t.ppf(0.975, n - 1) * wide.std(axis=1, ddof=1) / math.sqrt(n)
    return pd.DataFrame({"mean": mean, "lo": mean - half, "hi": mean + half})


def timeseries_figure(frames: Mapping[str, pd.DataFrame]):
    """A grid of the weekly metrics, one colour per scenario, each with its 95% band."""
    from plotly.subplots import make_subplots

    cols = 3
    rows = math.ceil(len(PANELS) / cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[p[0] for p in PANELS],
                        horizontal_spacing=0.07, vertical_spacing=0.075)
    for i, (title, value, smooth) in enumerate(PANELS):
        r, c = divmod(i, cols)
        for k, (label, frame) in enumerate(frames.items()):
            colour = COLOURS[k % len(COLOURS)]
            stats_ = band(frame, value, smooth)
            years = (stats_.index.to_numpy() / 52.0).round(3)
            if stats_["lo"].notna().any():
                fig.add_scatter(x=np.concatenate([years, years[::-1]]),
                                y=np.concatenate([stats_["hi"], stats_["lo"][::-1]]),
                                fill="toself", fillcolor=_rgba(colour, 0.22), line=dict(width=0),
                                hoverinfo="skip", showlegend=False, legendgroup=label,
                                row=r + 1, col=c + 1)
            fig.add_scatter(x=years, y=stats_["mean"], name=label, legendgroup=label,
                            showlegend=i == 0, line=dict(color=colour, width=1.6),
                            hovertemplate=f"{_esc(label)}<br>year %{{x:.2f}}: %{{y:.4g}}"
                                          "<extra></extra>",
                            row=r + 1, col=c + 1)
    fig.update_annotations(font_size=12)
    fig.update_xaxes(title_text="year", title_font_size=10, title_standoff=2,
                     row=rows)
    fig.update_layout(height=250 * rows + 100, margin=dict(l=45, r=15, t=80, b=40),
                      legend=dict(orientation="h", y=0.995, yanchor="top", x=0,
                                  yref="container", font_size=13),
                      template="plotly_white")
    return fig


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


def difference_figure(comp, metrics: Sequence[str]):
    """Paired differences from the reference, as % of the reference's mean, with 95% CIs."""
    import plotly.graph_objects as go

    from .compare import fmt, words

    fig = go.Figure()
    shown = [m for m in metrics if m not in _off_scale(comp, metrics)]
    names = [words(m)[0] for m in shown]
    for k, label in enumerate(comp.labels[1:], start=1):
        x, lo, hi, hover = [], [], [], []
        for m in shown:
            ref, row = comp.row(m, comp.reference)["mean"], comp.row(m, label)
            x.append(100.0 * row["diff"] / ref)
            lo.append(100.0 * (row["diff"] - row["diff_ci_low"]) / abs(ref))
            hi.append(100.0 * (row["diff_ci_high"] - row["diff"]) / abs(ref))
            hover.append(f"{fmt(m, row['diff'], True)} [{fmt(m, row['diff_ci_low'], True)}, "
                         f"{fmt(m, row['diff_ci_high'], True)}]{words(m)[1]}")
        fig.add_scatter(x=x, y=names, mode="markers", name=label,
                        marker=dict(color=COLOURS[k % len(COLOURS)], size=9),
                        error_x=dict(type="data", symmetric=False, array=hi, arrayminus=lo,
                                     thickness=1.5, width=4),
                        customdata=hover,
                        hovertemplate="%{y}: %{x:+.2f}%<br>%{customdata}<extra>"
                                      f"{_esc(label)}</extra>")
    fig.add_vline(x=0, line_color="#888", line_width=1)
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(title=f"Paired difference from {comp.reference}, % of its mean "
                            "(95% CI)", xaxis_title="%", template="plotly_white",
                      height=110 + 32 * len(shown), margin=dict(l=20, r=20, t=60, b=40),
                      legend=dict(orientation="h", y=-0.15))
    return fig


def _off_scale(comp, metrics: Sequence[str]) -> list[str]:
    """Metrics whose relative change is undefined or more than tenfold (from next to nothing)."""
    out = []
    for m in metrics:
        ref = comp.row(m, comp.reference)["mean"]
        diffs = [comp.row(m, label)["diff"] for label in comp.labels[1:]]
        if not ref or any(np.isfinite(d) and abs(d / ref) > 10 for d in diffs):
            out.append(m)
    return out


def _used_kinds(comp) -> list[str]:
    """Kinds of GP request that any scenario received."""
    from .compare import GP_REQUEST_KINDS

    return [k for k in GP_REQUEST_KINDS
            if any(comp.row(f"gp_requests_{k}_per_1000", label)["mean"] for label in comp.labels)]


def demand_kind_figure(comp):
    """Change in GP requests by kind of request (per 1,000 a year, 95% CI)."""
    import plotly.graph_objects as go

    from .compare import KIND_WORDS

    fig = go.Figure()
    kinds = _used_kinds(comp)
    for k, label in enumerate(comp.labels[1:], start=1):
        rows = [comp.row(f"gp_requests_{kind}_per_1000", label) for kind in kinds]
        fig.add_bar(x=[KIND_WORDS[kind] for kind in kinds], y=[r["diff"] for r in rows],
                    name=label, marker_color=COLOURS[k % len(COLOURS)],
                    error_y=dict(type="data", symmetric=False,
                                 array=[r["diff_ci_high"] - r["diff"] for r in rows],
                                 arrayminus=[r["diff"] - r["diff_ci_low"] for r in rows]))
    fig.update_layout(title=f"Change in GP requests by kind, from {comp.reference} "
                            "(per 1,000 a year, 95% CI)", template="plotly_white",
                      height=380, margin=dict(l=50, r=20, t=60, b=80), barmode="group")
    return fig


def demand_area_figure(runs):
    """GP requests by kind over time (per 1,000 a year, mean of replicates, stacked)."""
    import plotly.graph_objects as go

    from .compare import GP_REQUEST_KINDS, KIND_WORDS

    demand = runs.demand.merge(runs.result.timeseries[["replicate", "week", "population"]],
                               on=["replicate", "week"])
    fig = go.Figure()
    for k, kind in enumerate(GP_REQUEST_KINDS):
        stats_ = band(demand, _rate(f"gp_requests_{kind}"), smooth=True)
        fig.add_scatter(x=(stats_.index.to_numpy() / 52.0).round(3), y=stats_["mean"],
                        stackgroup="kinds", name=KIND_WORDS[kind],
                        line=dict(width=0.5, color=COLOURS[k % len(COLOURS)]))
    fig.update_layout(title="GP requests by kind (per 1,000 a year, stacked; mean of replicates)",
                      xaxis_title="year", template="plotly_white", height=380,
                      margin=dict(l=50, r=20, t=60, b=40))
    return fig


EQUITY = (("gp_appointments_per_1000", "GP appointments per 1,000 a year"),
          ("ae_attendances_per_1000", "A&E attendances per 1,000 a year"),
          ("mean_dependence", "Mean dependence"), ("mean_activation", "Mean activation"))


def equity_figure(summaries: Mapping[str, pd.DataFrame]):
    """The most (q1) and least (q5) deprived fifths side by side, per scenario, 95% CIs."""
    from plotly.subplots import make_subplots

    from .compare import t_interval

    fig = make_subplots(rows=1, cols=len(EQUITY), subplot_titles=[t for _, t in EQUITY],
                        horizontal_spacing=0.06)
    for c, (metric, _) in enumerate(EQUITY, start=1):
        for k, (label, summary) in enumerate(summaries.items()):
            cols = [f"{metric}_q1", f"{metric}_q5"]
            if not all(col in summary for col in cols):
                continue
            est = [t_interval(summary[col]) for col in cols]
            fig.add_bar(x=["most deprived", "least deprived"], y=[e[0] for e in est],
                        name=label, legendgroup=label, showlegend=c == 1,
                        marker_color=COLOURS[k % len(COLOURS)],
                        error_y=dict(type="data", symmetric=False,
                                     array=[e[3] - e[0] for e in est],
                                     arrayminus=[e[0] - e[2] for e in est]),
                        row=1, col=c)
    fig.update_annotations(font_size=12)
    fig.update_layout(barmode="group", height=360, template="plotly_white",
                      margin=dict(l=45, r=15, t=60, b=40),
                      legend=dict(orientation="h", y=-0.15))
    return fig


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
            f"residents at the start; common random numbers {crn}. {extra}Placesim "
            f"{__version__}, {stamp}.</p>")


def _nav(items: Sequence[tuple[str, str]]) -> str:
    return "<nav>" + "".join(f"<a href='#{i}'>{_esc(t)}</a>" for i, t in items) + "</nav>"


BANDS_NOTE = (f"<p class='note'>Lines are means over replicates and bands their 95% "
              f"t-intervals; counts are trailing {SMOOTH_WEEKS}-week means, as yearly rates. "
              f"Click a legend entry to hide a scenario.</p>")


def write_compare_report(path: Path, comp, notes: Sequence[str] = ()) -> None:
    """The report of a comparison: reading, differences, time series, equity, cost, parameters.

    Args:
        path: the HTML file to write.
        comp: a :class:`sim.compare.Comparison`.
        notes: remarks for the reader (e.g. horizons that were aligned).
    """
    from .compare import HEADLINE_READ, read_comparison, words

    first = comp.runs[comp.reference]
    spec = first.scenario
    sections = [_meta(spec, first.result.seeds),
                _nav([("reading", "Reading"), ("headline", "Headline"),
                      ("series", "Over time"), ("demand", "GP demand"),
                      ("equity", "Equity"), ("cost", "Cost"), ("parameters", "Parameters")])]
    sections += [f"<p class='note'>Note: {_esc(n)}.</p>" for n in notes]
    sections.append("<h2 id='reading'>What changed, and why</h2>")
    for label, paragraphs in read_comparison(comp).items():
        if len(comp.labels) > 2:
            sections.append(f"<h3>{_esc(label)} against {_esc(comp.reference)}</h3>")
        sections.append(_reading_html(paragraphs))
    sections.append("<h2 id='headline'>Headline measures, final year</h2>"
                    "<p class='note'>Mean [95% CI] over replicates; differences are paired by "
                    "seed, bold where the interval excludes zero.</p>")
    sections.append(metrics_table(comp, [m for m in HEADLINE if m not in (
        "group_members", "movement_participants")]
                                  + ["group_members_per_1000", "movement_participants_per_1000",
                                     "gp_requests_per_1000", "minor_to_gp_share"]))
    shown = [*HEADLINE_READ, "low_need_service_share", "gp_requests_per_1000"]
    sections.append(figure_html(difference_figure(comp, shown)))
    off = _off_scale(comp, shown)
    if off:
        sections.append("<p class='note'>Not in the chart, as their relative change is "
                        "undefined or more than tenfold (from next to nothing in "
                        f"{_esc(comp.reference)}): "
                        + ", ".join(_esc(words(m)[0]) for m in off) + "; see the table.</p>")
    sections.append("<h2 id='series'>Over time</h2>" + BANDS_NOTE)
    sections.append(figure_html(timeseries_figure(
        {label: r.result.timeseries for label, r in comp.runs.items()})))
    sections.append("<h2 id='demand'>GP demand by kind</h2><p class='note'>Requests a practice "
                    "received in the final year, served or not; minor complaints are the part "
                    "that dependence, activation and community move.</p>")
    sections.append(figure_html(demand_kind_figure(comp)))
    sections.append(metrics_table(comp, ["low_needs_per_1000", "minor_to_gp_share"]
                                  + [f"gp_requests_{k}_per_1000" for k in _used_kinds(comp)]))
    sections.append("<h2 id='equity'>Equity: most and least deprived fifths</h2>")
    sections.append(figure_html(equity_figure(
        {label: r.result.summary for label, r in comp.runs.items()})))
    sections.append(metrics_table(comp, _equity_metrics(comp.runs[comp.reference].result.summary)))
    sections.append("<h2 id='cost'>Cost, final year</h2>" + cost_table(comp))
    sections.append(parameters_section({label: r.scenario for label, r in comp.runs.items()}))
    sections.append("<p class='note'>Every number here is in <code>comparison.csv</code> "
                    "(and per replicate in <code>summary.csv</code>) beside this file.</p>")
    title = "Placesim: " + " vs ".join(comp.labels)
    Path(path).write_text(page(title, sections), encoding="utf-8")


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
    sections = [f"<p>{_esc(spec.description)}</p>", _meta(spec, result.seeds)]
    if runs is not None:
        sections.append("<h2>What changed over the run</h2>" + _reading_html(read_run(runs)))
    sections.append("<h2>Over time</h2>" + BANDS_NOTE)
    sections.append(figure_html(timeseries_figure({spec.name: result.timeseries})))
    if runs is not None:
        sections.append(figure_html(demand_area_figure(runs)))
    one = Comparison({spec.name: runs or ScenarioRuns(spec.name, result, pd.DataFrame())},
                     comparison_table({spec.name: result.summary}))
    sections.append("<h2>Final-year summary</h2><p class='note'>Mean [95% CI] over "
                    "replicates.</p>")
    sections.append(metrics_table(one, list(HEADLINE)))
    sections.append("<h2>Equity: most and least deprived fifths</h2>")
    sections.append(figure_html(equity_figure({spec.name: result.summary})))
    sections.append(metrics_table(one, _equity_metrics(result.summary)))
    if "cost_programmes_per_capita" in result.summary:
        sections.append("<h2>Cost, final year</h2>" + cost_table(one))
    sections.append(parameters_section({spec.name: spec}))
    Path(path).write_text(page(f"Placesim: {spec.name}", sections), encoding="utf-8")
