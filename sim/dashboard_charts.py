"""The workshop dashboard's time charts: figures built once, and each week's arrays and axes.

A chart is a grid of panels, one measure each (:data:`HEADLINE` above the fold,
:data:`MORE` below), for one side or for the difference between them. Time is in years
on every axis. Each panel has three traces: the lower and upper edge of the band over
seeds (empty with one seed) and the line of the first seed. Changes made mid-run are
vertical dotted lines at the week they took effect.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .dashboard_data import SERIES, WEEKS_PER_YEAR, band

__all__ = ["HEADLINE", "MORE", "side_figure", "side_frame", "difference_frame", "ranges",
           "marker_shapes", "FONT"]

HEADLINE = ("gp", "ae", "admissions", "dependence")  # above the fold, on a projector
MORE = ("activation", "lonely", "unmet", "cost")
FONT = {False: 12, True: 17}  # chart text size: normal and presenter mode
# Units as a panel's title has room for them (the full unit is in the measure's definition).
SHORT_UNIT = {"per 1,000 a year": "/1,000/yr", "GBP per resident a year": "£/resident/yr",
              "0 to 1": "0–1", "share": "share"}


def side_figure(keys: tuple[str, ...], colour: str, name: str, height: int,
                presenter: bool = False, zero_line: bool = False) -> go.Figure:
    """A 2 x 2 grid of panels for ``keys``, drawn in ``colour`` and named ``name``."""
    titles = [f"{SERIES[k][0]} ({SHORT_UNIT.get(SERIES[k][1], SERIES[k][1])})" for k in keys]
    fig = make_subplots(rows=2, cols=2, subplot_titles=titles, vertical_spacing=0.2,
                        horizontal_spacing=0.12)
    fill = _transparent(colour, 0.22)
    for p, key in enumerate(keys):
        r, c = p // 2 + 1, p % 2 + 1
        label, unit, _ = SERIES[key]
        fig.add_trace(go.Scatter(x=[], y=[], mode="lines", line=dict(width=0, color=fill),
                                 showlegend=False, hoverinfo="skip"), row=r, col=c)
        fig.add_trace(go.Scatter(x=[], y=[], mode="lines", line=dict(width=0, color=fill),
                                 fill="tonexty", fillcolor=fill, name="range over seeds",
                                 hoverinfo="skip"),
                      row=r, col=c)
        fig.add_trace(go.Scatter(x=[], y=[], customdata=[], mode="lines", name=name,
                                 line=dict(color=colour, width=2.5),
                                 hovertemplate=f"year %{{x:.1f}} (week %{{customdata}}): "
                                               f"%{{y:.3~f}}<extra>{label}</extra>"),
                      row=r, col=c)
        fig.update_xaxes(title_text="year" if r == 2 else None, title_standoff=2, row=r, col=c)
    if zero_line:
        fig.add_hline(y=0, line=dict(color="#999", width=1))
    size = FONT[presenter]
    fig.update_annotations(font_size=size)
    fig.update_layout(height=height, margin=dict(l=48, r=8, t=28, b=34),
                      template="plotly_white", font=dict(size=size - 1),
                      # the card's title names the side in its colour: that is the legend
                      showlegend=False,
                      # fit the card's width (plotly's default is a fixed 700 px), and keep
                      # a facilitator's zoom across updates
                      autosize=True, uirevision="keep")
    return fig


def _transparent(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def side_frame(keys: tuple[str, ...], runs: list[dict[str, np.ndarray]]) -> list[dict]:
    """Each trace's arrays for one side: ``runs`` are its seeds' series, first seed first."""
    first = runs[0]
    spread = band(runs) if len(runs) > 1 else None
    data = []
    for key in keys:
        if spread is None:
            data += [{"x": [], "y": []}, {"x": [], "y": []}]
        else:
            lo, hi = spread[key]
            data += [{"x": first["year"], "y": lo}, {"x": first["year"], "y": hi}]
        data.append({"x": first["year"], "y": first[key], "customdata": first["week"]})
    return data


def difference_frame(keys: tuple[str, ...], left: list[dict], right: list[dict]) -> tuple[list[dict], list[dict]]:
    """The difference right minus left, paired seed by seed; returns (trace arrays, series).

    Each seed's difference is between the two sides on that seed (the same people),
    so the band is the spread of paired differences, not of the sides themselves.
    """
    diffs = [{"year": a["year"], "week": a["week"], **{k: b[k] - a[k] for k in SERIES}}
             for a, b in zip(left, right)]
    return side_frame(keys, diffs), diffs


def _nice(lo: float, hi: float) -> list[float]:
    """A padded range rounded outward to a coarse step, so it changes only now and then."""
    pad = max((hi - lo) * 0.08, abs(hi) * 0.02, 1e-3)
    lo, hi = lo - pad, hi + pad
    unit = 10.0 ** (math.floor(math.log10(hi - lo)) - 1) * 2
    return [math.floor(lo / unit) * unit, math.ceil(hi / unit) * unit]


def ranges(keys: tuple[str, ...], runs: list[dict[str, np.ndarray]], week: int) -> dict:
    """Axis ranges shared by every run given (both sides: equal heights, equal values)."""
    layout = {}
    for p, key in enumerate(keys):
        values = np.concatenate([r[key] for r in runs] or [np.zeros(1)])
        values = values[np.isfinite(values)]
        lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
        axis = "" if p == 0 else str(p + 1)
        layout[f"yaxis{axis}.range"] = _nice(lo, hi)
        # the time axis grows a year at a time rather than every week
        layout[f"xaxis{axis}.range"] = [0, math.ceil(max(week, 1) / WEEKS_PER_YEAR)]
    return layout


def marker_shapes(markers, side: int | None, panels: int = 4) -> list[dict[str, Any]]:
    """Vertical lines where the world changed mid-run (``side``: only that side's; None: all)."""
    shapes = []
    for m in markers:
        if side is not None and side not in m.sides:
            continue
        x = m.week / WEEKS_PER_YEAR
        for p in range(panels):
            axis = "" if p == 0 else str(p + 1)
            shapes.append({"type": "line", "x0": x, "x1": x, "xref": f"x{axis}",
                           "y0": 0, "y1": 1, "yref": f"y{axis} domain",
                           "line": {"color": "#444", "width": 1.5, "dash": "dot"}})
    return shapes
