"""The dashboard's community view: groups born, growing, splitting and folding; a neighbourhood map.

Each side's community groups are circles on a schematic map of its neighbourhoods,
sized by members and coloured by vitality; below, the neighbourhoods coloured by a
measure the facilitator picks, on one colour scale for both sides.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import solara

from .dashboard_data import COMMUNITY_MEASURES, NEIGHBOURHOOD_METRICS, community, grid_shape, \
    neighbourhoods
from .dashboard_live import LiveFigure
from .dashboard_ui import Panel, side_colours, side_title, term

__all__ = ["Community"]


def _group_figure(count: int) -> go.Figure:
    cols, rows = grid_shape(count)
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=[], y=[], mode="markers", name="living group",
        marker=dict(size=[], color=[], cmin=0.0, cmax=1.0, colorscale="Viridis", opacity=0.85,
                    line=dict(color="white", width=1),
                    colorbar=dict(title=dict(text="vitality (0 to 1)", side="right"),
                                  thickness=10)),
        hovertemplate="%{text}<extra></extra>"))
    fig.add_trace(go.Scatter(x=[], y=[], mode="markers", name="folded (last 6 weeks)",
                             marker=dict(symbol="x", size=9, color="#999"),
                             hovertemplate="%{text}<extra></extra>"))
    for i in range(count):  # the neighbourhoods, as the cells of a schematic map
        c, r = i % cols, i // cols
        fig.add_shape(type="rect", x0=c + 0.02, x1=c + 0.98, y0=r + 0.02, y1=r + 0.98,
                      line=dict(color="#ddd", width=1), layer="below")
        fig.add_annotation(x=c + 0.05, y=r + 0.95, text=f"N{i + 1}", showarrow=False,
                           font=dict(size=10, color="#999"), xanchor="left", yanchor="top")
    fig.update_xaxes(range=[0, cols], visible=False)
    fig.update_yaxes(range=[rows, 0], visible=False, scaleanchor="x")
    fig.update_layout(height=340, margin=dict(l=5, r=5, t=5, b=5), template="plotly_white",
                      showlegend=True, legend=dict(orientation="h", y=-0.02, font_size=11),
                      autosize=True, uirevision="keep")
    return fig


def _map_figure(count: int) -> go.Figure:
    fig = go.Figure(go.Heatmap(z=[[0]], text=[[""]], texttemplate="%{text}<br>%{z:.3~f}",
                               colorscale="RdYlBu_r", colorbar=dict(thickness=10),
                               hovertemplate="%{text}: %{z:.3~f}<extra></extra>",
                               xgap=3, ygap=3))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x")
    fig.update_layout(height=280, margin=dict(l=5, r=5, t=5, b=5), template="plotly_white",
                      autosize=True)
    return fig


def _group_texts(live: dict, folded: dict, week: int) -> tuple[list[str], list[str]]:
    text = [f"{k} group #{r}: {m} members, vitality {v:.2f}, started in year {b / 52:.1f}"
            for k, r, m, v, b in zip(live["kind"], live["row"], live["members"],
                                     live["vitality"], live["born"])]
    gone = [f"{k} group #{r}: folded in year {d / 52:.1f}"
            for k, r, d in zip(folded["kind"], folded["row"], folded["died"])]
    return text, gone


@solara.component
def Community(pair, tick: solara.Reactive, presenter: bool, active: bool = True):
    """Groups as circles on a map of the neighbourhoods, and a neighbourhood map."""
    if active:  # a hidden view does not redraw each week (it catches up when opened)
        tick.value
    metric, set_metric = solara.use_state(NEIGHBOURHOOD_METRICS[0])
    count = pair.sides[0].spec.population.neighbourhoods
    with pair.lock:  # Play steps in another thread: read both sides at the same week
        groups = [community(side) for side in pair.sides]
        maps = [neighbourhoods(side, metric) for side in pair.sides]
        week = pair.week
    colours = side_colours(pair)
    vitality, members = COMMUNITY_MEASURES["vitality"], COMMUNITY_MEASURES["members"]
    solara.HTML(tag="div", classes=["ps-glossary"], unsafe_innerHTML=(
        "Circles are community groups, sized by " + term("members", members[2])
        + " and coloured by " + term("vitality", vitality[2], "measure measure-vitality")
        + "; each square is a neighbourhood. A grey cross: a group that folded."))
    with solara.v.Html(tag="div", class_="ps-row2"):
        for i, side in enumerate(pair.sides):
            c = groups[i]
            text, gone = _group_texts(c["live"], c["folded"], week)
            with Panel(side_title(pair, i), colours[i]):
                solara.Text(f"{c['count']} groups · {c['members']:,} members · "
                            f"{c['founded']} founded, {c['splits']} splits, {c['died']} folded "
                            "so far", classes=[f"groups-readout-{i}"])
                LiveFigure(lambda: _group_figure(count), [
                    {"x": c["live"]["x"], "y": c["live"]["y"], "text": text,
                     "marker.size": 6 + 4 * np.sqrt(c["live"]["members"]),
                     "marker.color": c["live"]["vitality"]},
                    {"x": c["folded"]["x"], "y": c["folded"]["y"], "text": gone}], key=count,
                    active=active)
    solara.Select("Colour the neighbourhoods by", values=list(NEIGHBOURHOOD_METRICS),
                  value=metric, on_value=set_metric, style={"max-width": "420px"})
    values = np.concatenate([m["values"] for m in maps])
    zmin, zmax = float(values.min()), float(values.max())
    if zmax - zmin < 1e-9:
        zmax = zmin + 1e-9
    with solara.v.Html(tag="div", class_="ps-row2"):
        for i, side in enumerate(pair.sides):
            with Panel(f"{side_title(pair, i)}: {metric.lower()}", colours[i]):
                # JSON has no NaN: the empty cells of the grid go as None
                z = [[None if not np.isfinite(v) else float(v) for v in row] for row in maps[i]["z"]]
                LiveFigure(lambda: _map_figure(count), [
                    {"z": z, "text": maps[i]["label"].tolist(), "zmin": zmin, "zmax": zmax}],
                    key=count, active=active)
