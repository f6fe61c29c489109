"""The HTML report of a sweep: outcomes against parameters, indices, response curves.

- every sweep: each outcome against each parameter (one point per design point,
  the mean of its replicates);
- a grid over one main numeric parameter (optionally crossed with a few values of
  others, such as the network kind): the response curve with the spread over
  replicates, the view in which a tipping point shows;
- Sobol and Morris sweeps: the sensitivity indices as bars with their intervals.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

import numpy as np
import pandas as pd

from .report import figure_html, page

__all__ = ["write_sweep_report", "response_parameter"]

MAX_FAILURES_SHOWN = 20
MAX_CURVES = 8  # more lines than this on one chart cannot be told apart


def _numeric(p) -> bool:
    return p.param.kind in (int, float)


def response_parameter(sweep):
    """The x axis of a grid's response curves, or None.

    The numeric parameter with the most values, provided the other parameters
    together make few enough combinations (at most :data:`MAX_CURVES`) to draw
    one curve each — e.g. the activist share, crossed with network kind and degree.
    """
    if sweep.design != "grid":
        return None
    numeric = [p for p in sweep.parameters if _numeric(p) and len(p.values) > 1]
    if not numeric:
        return None
    x = max(numeric, key=lambda p: len(p.values))
    curves = math.prod(len(p.values) for p in sweep.parameters if p is not x)
    return x if curves <= MAX_CURVES else None


def _label(name: str) -> str:
    return name.replace("_", " ")


def _log_axis(values) -> bool:
    """A log axis when positive values span more than a factor of 20 (e.g. 0.5% .. 20%)."""
    values = np.asarray(values, dtype=float)
    return bool(np.all(values > 0) and values.max() / values.min() > 20)


def _response_figure(sweep, runs: pd.DataFrame, x, output: str):
    """Mean over replicates against ``x``, a band over the replicates' range, one line per
    combination of the categorical parameters."""
    import plotly.graph_objects as go

    others = [p.path for p in sweep.parameters if p.path != x.path]
    ok = runs[runs["error"].isna()]
    fig = go.Figure()
    groups = ok.groupby(others, sort=False) if others else [((), ok)]
    for key, frame in groups:
        key = key if isinstance(key, tuple) else (key,)
        name = ", ".join(f"{o.split('.')[-1]}={k}" for o, k in zip(others, key)) or output
        stats = frame.groupby(x.path)[output].agg(["mean", "min", "max", "count"]).sort_index()
        xs = stats.index.to_numpy(dtype=float)
        band = go.Scatter(x=list(xs) + list(xs[::-1]), y=list(stats["max"]) + list(stats["min"][::-1]),
                          fill="toself", line=dict(width=0), opacity=0.18, hoverinfo="skip",
                          showlegend=False, legendgroup=name)
        fig.add_trace(band)
        fig.add_trace(go.Scatter(x=frame[x.path], y=frame[output], mode="markers",
                                 marker=dict(size=4, opacity=0.35), showlegend=False,
                                 legendgroup=name, name=name, hovertemplate="%{x}: %{y}"))
        fig.add_trace(go.Scatter(x=xs, y=stats["mean"], mode="lines+markers", name=name,
                                 legendgroup=name))
    fig.update_layout(title=f"{_label(output)} against {x.path}", height=360,
                      xaxis_title=f"{x.path} ({x.param.unit})" if x.param.unit else x.path,
                      yaxis_title=_label(output), margin=dict(l=60, r=20, t=50, b=50))
    if _log_axis(x.values):
        fig.update_xaxes(type="log")
    return fig


def _scatter_figure(sweep, means: pd.DataFrame, output: str):
    """One outcome against each parameter: a panel per parameter, a dot per design point."""
    from plotly.subplots import make_subplots

    params = sweep.parameters
    cols = min(3, len(params))
    rows = -(-len(params) // cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[p.path for p in params])
    for k, p in enumerate(params):
        fig.add_scatter(x=means[p.path], y=means[output], mode="markers", showlegend=False,
                        marker=dict(size=5, opacity=0.6), row=k // cols + 1, col=k % cols + 1)
    fig.update_layout(title=f"{_label(output)} (mean over replicates) against each parameter",
                      height=280 * rows + 60, margin=dict(l=50, r=20, t=70, b=40))
    return fig


def _indices_figure(sweep, table: pd.DataFrame):
    """Indices as bars with their confidence intervals, a panel per output."""
    from plotly.subplots import make_subplots

    outputs = [o for o in sweep.outputs if table.loc[table["output"] == o, "note"].eq("").any()]
    if not outputs:
        return None
    bars = (("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total ST")) \
        if sweep.design == "sobol" else (("mu_star", "mu_star_conf", "mu*"), ("sigma", None, "sigma"))
    cols = 2
    rows = -(-len(outputs) // cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[_label(o) for o in outputs])
    colours = ("#1f77b4", "#ff7f0e")
    for k, output in enumerate(outputs):
        part = table[table["output"] == output]
        for (col, conf, label), colour in zip(bars, colours):
            error = dict(type="data", array=part[conf].tolist()) if conf else None
            fig.add_bar(x=part["parameter"], y=part[col], error_y=error, name=label,
                        marker_color=colour, showlegend=k == 0, legendgroup=label,
                        row=k // cols + 1, col=k % cols + 1)
    what = ("Sobol indices (bars: 95% intervals)" if sweep.design == "sobol"
            else "Morris screening: mu* (bars: 95% interval) and sigma")
    fig.update_layout(title=what, barmode="group", height=300 * rows + 80,
                      margin=dict(l=50, r=20, t=80, b=40))
    return fig


def _parameters_table(sweep) -> str:
    rows = []
    for p in sweep.parameters:
        if p.bounds is not None:
            span = f"{p.bounds[0]:g} .. {p.bounds[1]:g}"
        else:
            span = ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in p.values)
        rows.append(f"<tr><td><code>{html.escape(p.path)}</code></td><td>{html.escape(span)}</td>"
                    f"<td>{html.escape(p.param.unit)}</td><td>{html.escape(p.param.doc)}</td></tr>")
    return ("<table><tr><th>parameter</th><th>values or bounds</th><th>unit</th>"
            f"<th>meaning</th></tr>{''.join(rows)}</table>")


def write_sweep_report(path: Path, sweep, runs: pd.DataFrame) -> None:
    """Write the sweep's ``report.html`` (atomically)."""
    from .sensitivity import point_means, sensitivity_table

    failed = runs[runs["error"].notna()]
    seeds = (f"replicate r of every point on seed {sweep.seed} + r (common random numbers)"
             if sweep.common_random_numbers else f"run i on seed {sweep.seed} + i")
    sections = [
        f"<p>{html.escape(sweep.description)}</p>" if sweep.description else "",
        f"<p>Scenario <b>{html.escape(sweep.scenario.name)}</b> "
        f"({sweep.scenario.population.size:,} residents, {sweep.scenario.weeks} weeks); "
        f"<b>{sweep.design}</b> design, {len(sweep.points)} points x {sweep.replicates} "
        f"replicate(s) = {sweep.runs} runs, {len(failed)} failed; {seeds}.</p>",
        _parameters_table(sweep),
    ]
    x = response_parameter(sweep)
    if x is not None:
        sections.append("<h2>Response curves</h2><p>Line: mean over replicates; band: the "
                        "range over replicates; dots: single runs.</p>")
        sections += [figure_html(_response_figure(sweep, runs, x, o)) for o in sweep.outputs]
    table = sensitivity_table(sweep, runs)
    if table is not None:
        sections.append("<h2>Sensitivity</h2>")
        fig = _indices_figure(sweep, table)
        sections.append(figure_html(fig) if fig is not None
                        else "<p>No indices: every output had failed runs or no variance.</p>")
    if x is None:
        means = point_means(sweep, runs)
        design = pd.DataFrame(list(sweep.points))
        means = pd.concat([design, means.reset_index(drop=True)], axis=1)
        sections.append("<h2>Outcomes against each parameter</h2>")
        sections += [figure_html(_scatter_figure(sweep, means, o)) for o in sweep.outputs]
    if len(failed):
        items = "".join(f"<tr><td>{r.run_index}</td><td>{html.escape(str(r.error))}</td></tr>"
                        for r in failed.head(MAX_FAILURES_SHOWN).itertuples())
        sections.append(f"<h2>Failed runs ({len(failed)})</h2><table><tr><th>run</th>"
                        f"<th>error</th></tr>{items}</table>")
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(page(f"Placesim sweep: {sweep.name}", sections), encoding="utf-8")
    tmp.replace(path)
