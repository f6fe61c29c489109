"""Self-contained HTML reports (Plotly's JavaScript embedded, nothing fetched)."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from .metrics import HEADLINE

__all__ = ["write_run_report", "page"]

RATE_COLUMNS = ("gp_appointments", "ae_attendances", "emergency_admissions",
                "outpatient_attendances")


def page(title: str, sections: list[str]) -> str:
    """An HTML page with Plotly's JavaScript inlined once, in the head."""
    from plotly.offline import get_plotlyjs

    style = ("body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;"
             "padding:0 1em;color:#222}table{border-collapse:collapse}"
             "td,th{padding:.25em .6em;border-bottom:1px solid #ddd;text-align:right}"
             "th:first-child,td:first-child{text-align:left}h2{margin-top:1.6em}")
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{style}</style>"
            f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>"
            f"<h1>{html.escape(title)}</h1>{''.join(sections)}</body></html>")


def figure_html(fig) -> str:
    """A Plotly figure as a div (the library is already in the page head)."""
    return fig.to_html(full_html=False, include_plotlyjs=False)


def _band_figure(frame: pd.DataFrame, columns: list[str], title: str, per_1000: bool):
    import plotly.graph_objects as go

    fig = go.Figure()
    for col in columns:
        values = frame.pivot(index="week", columns="replicate", values=col)
        if per_1000:
            pop = frame.pivot(index="week", columns="replicate", values="population")
            values = values / pop * 1000.0 * 52.0
        weeks = values.index.to_numpy()
        mean = values.mean(axis=1)
        lo, hi = values.quantile(0.025, axis=1), values.quantile(0.975, axis=1)
        fig.add_scatter(x=list(weeks) + list(weeks[::-1]), y=list(hi) + list(lo[::-1]),
                        fill="toself", line=dict(width=0), opacity=0.2, showlegend=False,
                        hoverinfo="skip", name=col)
        fig.add_scatter(x=weeks, y=mean, name=col.replace("_", " "))
    fig.update_layout(title=title, xaxis_title="week", height=380,
                      margin=dict(l=50, r=20, t=50, b=40))
    return fig


def write_run_report(path: Path, result) -> None:
    """The report of one scenario's run: time series with replicate bands and a summary."""
    frame = result.timeseries
    spec = result.scenario
    sections = [f"<p>{html.escape(spec.description)}</p>",
                f"<p>{len(result.seeds)} replicate(s), seeds {result.seeds[0]}.."
                f"{result.seeds[-1]}, {spec.weeks} weeks, {spec.population.size:,} residents "
                f"at the start.</p>"]
    figures = [
        (list(RATE_COLUMNS), "Activity per 1,000 residents per year", True),
        (["mean_dependence", "mean_activation", "mean_wellbeing", "lonely_share"],
         "Dependence, activation, wellbeing and loneliness", False),
        (["community_groups"], "Community groups", False),
        (["group_members", "movement_participants"], "Group members and movement", False),
        (["cost_total"], "Cost per week (GBP)", False),
    ]
    for cols, title, per_1000 in figures:
        sections.append(figure_html(_band_figure(frame, cols, title, per_1000)))
    summary = result.summary
    rows = "".join(
        f"<tr><td>{k}</td><td>{summary[k].mean():.4g}</td>"
        f"<td>{summary[k].min():.4g} .. {summary[k].max():.4g}</td></tr>"
        for k in HEADLINE if k in summary)
    sections.append("<h2>Final-year summary</h2><table><tr><th>metric</th><th>mean</th>"
                    f"<th>range over replicates</th></tr>{rows}</table>")
    path.write_text(page(f"Placesim: {spec.name}", sections), encoding="utf-8")
