"""The report's probabilistic reading: what the draws say, first, when draws were run.

Called from :func:`sim.report.write_compare_report`. The section holds the reading in
words (:func:`sim.probabilistic.read_probabilistic`), the distribution of each
headline difference across plausible worlds with zero marked, a table of medians,
ranges, chances of being better and the variance split, a tornado of the assumptions
that decide the GP and cost differences, the ranges drawn, and what the ranges do not
cover.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

__all__ = ["distribution_figure", "tornado_figure", "probabilistic_section"]

SHOWN = ("gp_appointments_per_1000", "ae_attendances_per_1000", "emergency_admissions_per_1000",
         "outpatient_attendances_per_1000", "cost_per_capita", "mean_dependence",
         "mean_activation", "mean_wellbeing", "lonely_share", "group_members_per_1000")
TORNADO_METRICS = ("gp_appointments_per_1000", "cost_per_capita")

NOT_COVERED = (
    "What the ranges cover: the parameters drawn (listed below, each with the evidence "
    "behind its central value) and the chance of one place's run. What they do not "
    "cover: the model's structure, that is mechanisms it lacks or gets wrong (for "
    "example effects on mental health, staff, or housing, and how people really "
    "decide where to turn), and parameters without a range, which stay at their values. "
    "A range that holds zero says the evidence does not settle the question; it does "
    "not say the effect is zero.")


def _esc(text: object) -> str:
    return html.escape(str(text))


def _label(result, label: str | None) -> str:
    return label or result.labels[1]


def distribution_figure(result, metrics: Sequence[str] | None = None, label: str | None = None):
    """Each metric's paired difference across draws (one row each, own scale), zero marked."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from .compare import fmt, words
    from .report_plots import _rgba, scenario_colour

    label = _label(result, label)
    colour = scenario_colour(label)  # the scenario's colour, as in every chart
    metrics = [m for m in (metrics or SHOWN) if m in result.draws]
    fig = make_subplots(rows=len(metrics), cols=1, vertical_spacing=0.55 / max(len(metrics), 1),
                        subplot_titles=[f"{words(m)[0]}{words(m)[1]}" for m in metrics])
    for k, m in enumerate(metrics, start=1):
        y = result.differences(m, label)
        hover = [fmt(m, v, True) for v in y]
        fig.add_trace(go.Box(x=y, name="", boxpoints="all", jitter=0.5, pointpos=0,
                             marker=dict(color=colour, size=4, opacity=0.5),
                             line=dict(color=colour), fillcolor=_rgba(colour, 0.15),
                             customdata=hover, hovertemplate="%{customdata}<extra></extra>",
                             showlegend=False, orientation="h"), row=k, col=1)
        fig.add_vline(x=0, line_color="#c00", line_width=1.5, row=k, col=1)
    fig.update_yaxes(showticklabels=False)
    fig.update_layout(title=f"{label} minus {result.reference} across "
                            f"{result.design.draws} plausible worlds (red line: no difference)",
                      template="plotly_white", height=90 + 115 * len(metrics),
                      margin=dict(l=20, r=20, t=70, b=30))
    fig.update_annotations(font_size=12)
    return fig


def tornado_figure(result, metric: str = "gp_appointments_per_1000", label: str | None = None,
                   top: int = 8):
    """The top assumptions for one difference: mean difference when each is low vs high."""
    import plotly.graph_objects as go

    from .compare import words
    from .report_plots import PALETTE

    label = _label(result, label)
    rank = result.ranking[(result.ranking["metric"] == metric)
                          & (result.ranking["scenario"] == label)].head(top)
    centre = float(np.median(result.differences(metric, label))) if len(result.draws) else 0.0
    fig = go.Figure()
    names = [f"{p} ({s:.0%})" for p, s in zip(rank["parameter"], rank["share"])]
    for col, colour, name in (("diff_when_low", PALETTE[0], "parameter in its lowest fifth"),
                              ("diff_when_high", PALETTE[1], "parameter in its highest fifth")):
        fig.add_bar(y=names, x=rank[col] - centre, base=centre, orientation="h", name=name,
                    marker_color=colour, hovertemplate="%{y}: %{x:+.3g}<extra>" + name
                    + "</extra>")
    ends = [*rank["diff_when_low"], *rank["diff_when_high"], centre]
    if min(ends) <= 0 <= max(ends):  # zero only where a bar reaches it: the sign flips
        fig.add_vline(x=0, line_color="#c00", line_width=1.5)
    fig.add_vline(x=centre, line_color="#888", line_width=1, line_dash="dot")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(barmode="overlay", template="plotly_white",
                      title=f"What decides the difference in {words(metric)[0]} "
                            f"(share of its variance explained; dotted: the median)",
                      xaxis_title=f"{label} minus {result.reference}{words(metric)[1]}",
                      height=140 + 34 * max(len(rank), 1), margin=dict(l=20, r=20, t=60, b=40),
                      legend=dict(orientation="h", y=-0.25))
    return fig


def _table(result, label: str) -> str:
    from .compare import fmt, words

    head = ("<tr><th>metric</th><th>median difference</th><th>90% of worlds</th>"
            "<th>95% of worlds</th><th>better in</th><th>from chance</th>"
            "<th>decided most by</th></tr>")
    body = []
    for m in SHOWN:
        hit = result.table[(result.table["metric"] == m) & (result.table["scenario"] == label)]
        if not len(hit) or not np.isfinite(hit["q50"].iloc[0]):
            continue
        r = hit.iloc[0]
        better = f"{r.p_better:.0%}" if np.isfinite(r.p_better) else "—"
        chance = f"{r.share_stochastic:.0%}" if np.isfinite(r.share_stochastic) else "—"
        body.append(f"<tr><td>{_esc(words(m)[0])}<span class='note'>{_esc(words(m)[1])}</span>"
                    f"</td><td>{fmt(m, r.q50, True)}</td><td>{fmt(m, r.q05, True)} to "
                    f"{fmt(m, r.q95, True)}</td><td>{fmt(m, r.q025, True)} to "
                    f"{fmt(m, r.q975, True)}</td><td>{better}</td><td>{chance}</td>"
                    f"<td>{_esc(r.top_assumption) or '—'}</td></tr>")
    return f"<table>{head}{''.join(body)}</table>"


def _ranges_table(result) -> str:
    ranges = list(result.design.ranges.values())
    if not ranges:
        return ("<p>No parameter has a range, so the draws vary only chance; declare "
                "ranges, or give them under <code>uncertainty:</code>.</p>")
    rows = "".join(
        f"<tr><td>{_esc(r.path)}</td><td>{r.low:g}</td><td>{r.central:g}</td><td>{r.high:g}</td>"
        f"<td>{_esc(r.dist if r.drawn else 'fixed')}</td><td>{_esc(r.grade)}</td>"
        f"<td>{_esc(r.origin)}</td></tr>" for r in ranges)
    return ("<details><summary>The ranges drawn over</summary><table><tr><th>parameter</th>"
            "<th>low</th><th>central</th><th>high</th><th>distribution</th><th>evidence</th>"
            f"<th>from</th></tr>{rows}</table></details>")


def probabilistic_section(result) -> str:
    """The report's first section when draws were run (HTML)."""
    from .probabilistic import read_probabilistic
    from .report import _reading_html, figure_html

    parts = ["<h2 id='worlds'>Across plausible worlds</h2>"]
    for label, paragraphs in read_probabilistic(result).items():
        if len(result.labels) > 2:
            parts.append(f"<h3>{_esc(label)} against {_esc(result.reference)}</h3>")
        parts.append(_reading_html(paragraphs))
        parts.append("<p class='note'>Each world draws every uncertain parameter from its "
                     "range and runs every scenario on the same seeds; a difference is the "
                     "scenario minus the reference in one world. 'Better in' is the share of "
                     "worlds where the scenario is better (lower demand, cost, dependence "
                     "and loneliness; higher activation, wellbeing and community); 'from "
                     "chance' the share of the difference's variance that is one place's "
                     "run-to-run chance rather than the parameters.</p>")
        parts.append(_table(result, label))
        parts.append(figure_html(distribution_figure(result, None, label)))
        for metric in TORNADO_METRICS:
            if len(result.ranking[(result.ranking["metric"] == metric)
                                  & (result.ranking["scenario"] == label)]):
                parts.append(figure_html(tornado_figure(result, metric, label)))
    parts.append(f"<p class='note'>{_esc(NOT_COVERED)} Every number is in "
                 "<code>comparison.csv</code>, <code>ranking.csv</code> and, per run, "
                 "<code>draws.parquet</code>. The sections below are the comparison over "
                 "seeds at the ranges' central values.</p>")
    parts.append(_ranges_table(result))
    return "".join(parts)
