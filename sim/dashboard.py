"""The workshop dashboard: "done to" and "done with", live and side by side in a browser.

A Mesa SolaraViz app (``python run.py dashboard``). Mesa's own controls (Reset, Play,
Step, the model parameters) drive a :class:`~sim.dashboard_pair.PairModel`: two
health-system models on common random numbers, stepped in lockstep. Each browser
session builds its own pair (``solara.use_memo`` inside :func:`Page`); a model built
at module level would be shared by everyone in the room.

Tabs: *Side by side* (demand, dependence and activation, loneliness, cost, and the
difference), *Community* (groups born, growing, splitting and folding; a
neighbourhood map), *Journeys* (followed residents' stories) and *Export* (the levers
as a scenario YAML for the CLI).

Charts are plotly ``FigureWidget``s built once per session; each week only their
arrays are sent (:func:`LiveFigure`), which keeps Play above ten weeks a second at
20,000 residents (``benchmarks/dashboard.py``). Nothing is fetched from the internet:
:mod:`sim.dashboard_assets` fills Solara's asset cache at setup, and :func:`serve`
points any cache miss at a closed local port.
"""

from __future__ import annotations

import html
import ipaddress
import math
import os
import socket
import threading
import time
import warnings
from typing import Any, Callable

import numpy as np
import plotly.graph_objects as go
import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter
from plotly.subplots import make_subplots

from .dashboard_pair import (NEIGHBOURHOOD_METRICS, SERIES, PairModel, Side, grid_shape, community,
                             export_yaml, model_params, neighbourhoods, resident_label, series)
from .errors import InputError
from .journey import LANES

__all__ = ["Page", "serve", "DEFAULT_HOST", "DEFAULT_PORT"]

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8765
COLOUR = ("#d95f02", "#1b9e77")  # left (done to), right (done with): colour-blind safe pair
DIFF_COLOUR = "#7570b3"
TITLE = "Placesim workshop: done to | done with"
VIEWS = ("Side by side", "Community", "Journeys", "Export")

# SolaraViz lays components out on a draggable grid of fixed-height cells, which
# would clip a tall dashboard; let the one component flow at full width instead.
CSS = """
.vue-grid-layout { height: auto !important; }
.vue-grid-item { position: relative !important; transform: none !important;
                 width: 100% !important; height: auto !important; touch-action: auto !important; }
.vue-grid-item > .vue-resizable-handle { display: none; }
.v-main .v-tabs { display: none; }
.placesim-hidden { display: none !important; }  /* beats vuetify's d-flex */  /* SolaraViz's "Page 0" tab: there is one page */
.v-slider__thumb-label-container { display: block !important; }  /* a lever shows its value */
.v-input__slider { margin-top: 14px; }
.placesim-table { border-collapse: collapse; font-size: 13px; width: 100%; }
.placesim-table td, .placesim-table th { padding: 2px 6px; text-align: right; }
.placesim-table td:first-child, .placesim-table th:first-child { text-align: left; }
.placesim-table td.unit { text-align: left; color: #777; width: 45%; }
.headline .placesim-table { width: auto; }
.placesim-story { font-size: 13px; max-height: 420px; overflow-y: auto; }
.placesim-story p { margin: 0 0 4px 0; }
.placesim-yaml { font-size: 12px; max-height: 360px; overflow: auto; background: #f6f6f6;
                 padding: 8px; white-space: pre; }
"""


# --- the page -------------------------------------------------------------------------------


def _initial_values() -> dict[str, Any]:
    """The values SolaraViz's parameter inputs start at (so the first pair matches Reset)."""
    values = {}
    for key, spec in model_params().items():
        values[key] = spec.value if hasattr(spec, "value") else spec.get("value", spec)
    return values


@solara.component
def Page():
    """The app: one pair of models per browser session, driven by Mesa's SolaraViz."""
    model = solara.use_memo(lambda: PairModel(**_initial_values()), dependencies=[])
    SolaraViz(model, components=[(Workshop, 0)], model_params=model_params(), name=TITLE,
              # Play as fast as the pair steps and draws; the sidebar slider can slow it.
              play_interval=1, render_interval=1)


@solara.component
def Workshop(model: PairModel):
    """Everything below Mesa's app bar: status line and the four tabs."""
    update_counter.get()  # redraw when SolaraViz steps or resets the pair
    tab, set_tab = solara.use_state(VIEWS[0])
    visited, set_visited = solara.use_state((VIEWS[0],))
    solara.Style(CSS)

    def choose(view: str) -> None:
        set_tab(view)
        if view not in visited:
            set_visited((*visited, view))

    with solara.Column(style={"width": "100%"}):
        Status(model)
        # Plain toggle buttons rather than tabs: vuetify's sliding tab transition can
        # stall half-way while the page redraws several times a second.
        solara.ToggleButtonsSingle(value=tab, values=list(VIEWS), on_value=choose,
                                   classes=["placesim-views"])
        # A view is built the first time it is opened and then kept, hidden when
        # another is open: closing plotly widgets while the browser still draws them
        # raises errors in the page. Only the open view's charts are sent new frames.
        for name, view in zip(VIEWS, (SideBySide, Community, Journeys, Export)):
            shown = "block" if name == tab else "none"
            with solara.v.Html(tag="div", style_=f"width: 100%; display: {shown}",
                               class_="view-" + name.lower().replace(" ", "-")):
                if name in visited:
                    view(model, active=name == tab)


@solara.component
def Status(model: PairModel):
    """Where the pair is, what the levers did, and any input that could not be used."""
    update_counter.get()  # each component redraws itself when the pair steps
    left, right = model.sides
    rate = model.weeks_per_second()
    speed = f" · {rate:.1f} weeks/s" if rate else ""
    solara.Text(f"Week {model.week} of {model.horizon} · {left.name} vs {right.name} · "
                f"{left.spec.population.size:,} residents · seed {model.seed}{speed}",
                classes=["pair-readout"], style={"font-weight": "bold"})
    solara.Text("Move the levers in the sidebar, then press Reset to start both sides with "
                "them. A policy's lever acts on a side only if its scenario runs that policy.",
                style={"font-size": "13px", "color": "#555"})
    for problem in model.problems:
        solara.Warning(problem, dense=True)
    if not model.running:
        solara.Info(f"Both sides have reached the horizon ({model.horizon} weeks). "
                    "Press Reset to start again.", dense=True)


# --- live plotly figures --------------------------------------------------------------------


class _Feed:
    """What one figure has sent to the browser, and the newest frame still to send.

    Plotly redraws a figure in the browser far more slowly than the server steps a
    week; frames sent faster than the browser draws them queue up, the page falls
    behind and stops answering clicks. So a figure sends a frame only when the
    browser has finished the last one (plotly's ``on_edits_completed``), and then
    sends the newest frame waiting: the page drops frames, never weeks.
    """

    PATIENCE = 2.0  # seconds to wait for a browser that never answers (e.g. not shown yet)

    def __init__(self):
        self.lock = threading.Lock()
        self.template = None
        self.pending: tuple[list[dict], dict] | None = None
        self.busy_since: float | None = None
        self.sent_layout: dict = {}
        self.fitted = False

    def offer(self, widget, template: go.Figure, data: list[dict], layout: dict) -> None:
        """A new frame: send it now if the browser is free, else keep it as the newest."""
        with self.lock:
            if self.template is not template:
                if self.template is None:
                    widget.observe(lambda change: self._answered(widget, change),
                                   names=["_js2py_traceDeltas"])
                widget.data = []
                widget.layout = template.layout
                widget.add_traces(template.data)
                self.template, self.sent_layout, self.busy_since = template, {}, None
                self.fitted = False
            self.pending = (data, layout)
            stuck = self.busy_since is not None and time.monotonic() - self.busy_since > self.PATIENCE
            if self.busy_since is None or stuck:
                self._push(widget)

    def _answered(self, widget, change) -> None:
        """The browser drew a frame: it reports the traces of the newest edit it applied.

        (plotly's own ``on_edits_completed`` also waits for a layout report, which
        plotly 7's browser side sends under another name, so it never fires.)
        """
        message = change.get("new") or {}
        if message.get("trace_edit_id") == widget._last_trace_edit_id:
            self._done(widget)

    def _done(self, widget) -> None:
        with self.lock:
            if not self.fitted:
                # A figure first drawn while its view was still being shown can take
                # plotly's default 700 px; once drawn, fit it to its card.
                self.fitted = True
                widget._send_relayout_msg({"autosize": True})
            self.busy_since = None
            if self.pending is not None:
                self._push(widget)

    def _push(self, widget) -> None:
        data, layout = self.pending
        self.pending = None
        # One Plotly.update per set of changing properties. plotly_update skips the
        # per-property validation of trace.update, which costs tens of milliseconds a
        # figure. Axis ranges change rarely (see _ranges): send only what changed.
        relayout = {k: v for k, v in layout.items() if self.sent_layout.get(k) != v}
        self.sent_layout.update(relayout)
        groups: dict[tuple, list[int]] = {}
        for index, values in enumerate(data):
            groups.setdefault(tuple(values), []).append(index)
        for keys, indexes in groups.items():
            restyle = {k: [_plain(data[i][k]) for i in indexes] for k in keys}
            widget.plotly_update(restyle_data=restyle, relayout_data=relayout,
                                 trace_indexes=indexes)
            relayout = {}
        if relayout:
            widget.plotly_relayout(relayout)
        self.busy_since = time.monotonic()


@solara.component
def LiveFigure(make: Callable[[], go.Figure], data: list[dict], layout: dict | None = None,
               key: Any = None, active: bool = True):
    """A plotly FigureWidget built once; each render offers only its traces' new arrays.

    Args:
        make: builds the figure (traces and layout) once per session, or when ``key``
            changes.
        data: per trace, the properties that change (``x``, ``y``, ``marker.size``, ...).
        layout: layout properties that change (axis ranges).
        key: rebuild the figure when this changes (e.g. the map's grid).
        active: whether the figure is on screen; a hidden one is sent nothing.
    """
    from plotly.graph_objs import FigureWidget

    template = solara.use_memo(make, dependencies=[key])
    feed = solara.use_memo(_Feed, dependencies=[])
    element = FigureWidget.element()

    def sync():
        if active:
            feed.offer(solara.get_widget(element), template, data, layout or {})

    solara.use_effect(sync)  # after every render: the week moved on
    return element


def _plain(values: Any) -> Any:
    """Arrays as plotly sends them best (numpy, float64 or object for text)."""
    if isinstance(values, np.ndarray):
        return values if values.dtype.kind in "fiub" else values.tolist()
    return values


def _side_label(i: int, side: Side) -> str:
    return f"{'Left' if i == 0 else 'Right'}: {side.name.replace('_', ' ')}"


# --- side by side ---------------------------------------------------------------------------

PANELS = (("gp",), ("ae",), ("admissions",), ("cost",), ("dependence", "activation"), ("lonely",))
PANEL_TITLES = ("GP appointments per 1,000 a year", "A&E attendances per 1,000 a year",
                "Emergency admissions per 1,000 a year", "Cost, GBP per resident a year",
                "Dependence and activation (mean, 0..1)", "Lonely adults (share)")
TRACES = [key for panel in PANELS for key in panel]


def _panel_figure(colour: str, height: int, rows: int, cols: int, dash_second: bool = True,
                  zero_line: bool = False) -> go.Figure:
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=PANEL_TITLES,
                        vertical_spacing=0.12 if rows > 1 else 0.0, horizontal_spacing=0.08)
    for p, panel in enumerate(PANELS):
        r, c = p // cols + 1, p % cols + 1
        for j, key in enumerate(panel):
            fig.add_trace(go.Scatter(x=[], y=[], mode="lines", name=SERIES[key][0],
                                     line=dict(color=colour, width=2,
                                               dash="dot" if j and dash_second else "solid"),
                                     showlegend=bool(j) or key == "dependence",
                                     hovertemplate="week %{x}: %{y:.3~f}<extra>"
                                                   + SERIES[key][0] + "</extra>"),
                          row=r, col=c)
    if zero_line:
        fig.add_hline(y=0, line=dict(color="#999", width=1))
    fig.update_annotations(font_size=12)
    fig.update_layout(height=height, margin=dict(l=45, r=10, t=30, b=30), template="plotly_white",
                      legend=dict(orientation="h", y=-0.08, x=0, font_size=11),
                      # fit the card's width (plotly's default is a fixed 700 px), and keep
                      # a facilitator's zoom across updates
                      autosize=True, uirevision="keep")
    return fig


def _nice(lo: float, hi: float) -> list[float]:
    """A padded range rounded outward to a coarse step, so it changes only now and then."""
    pad = max((hi - lo) * 0.08, abs(hi) * 0.02, 1e-3)
    lo, hi = lo - pad, hi + pad
    unit = 10.0 ** (math.floor(math.log10(hi - lo)) - 1) * 2
    return [math.floor(lo / unit) * unit, math.ceil(hi / unit) * unit]


def _ranges(all_series: list[dict[str, np.ndarray]], week: int) -> dict:
    """Axis ranges shared by both sides, so equal heights mean equal values."""
    layout = {}
    for p, panel in enumerate(PANELS):
        values = np.concatenate([s[k] for s in all_series for k in panel] or [np.zeros(1)])
        values = values[np.isfinite(values)]
        lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
        axis = "" if p == 0 else str(p + 1)
        layout[f"yaxis{axis}.range"] = _nice(lo, hi)
        # the time axis grows a year at a time rather than every week
        layout[f"xaxis{axis}.range"] = [0, 52 * math.ceil(max(week, 1) / 52)]
    return layout


@solara.component
def SideBySide(model: PairModel, active: bool = True):
    """The same charts for both sides, headline numbers, and the difference."""
    if active:  # a hidden view does not redraw each week (it catches up when opened)
        update_counter.get()
    with model.lock:  # Play steps in another thread: read both sides at the same week
        s = [series(side) for side in model.sides]
    ranges = _ranges(s, model.week)
    with solara.Columns([1, 1]):
        for i, side in enumerate(model.sides):
            with solara.Card(_side_label(i, side), subtitle=side.description,
                             style={"border-top": f"4px solid {COLOUR[i]}"}):
                solara.HTML(unsafe_innerHTML=_headline_table(s[i]), classes=["headline"])
                LiveFigure(lambda i=i: _panel_figure(COLOUR[i], 620, 3, 2),
                           [{"x": s[i]["week"], "y": s[i][k]} for k in TRACES], ranges,
                           active=active)
    left, right = s
    diff = {k: right[k] - left[k] for k in TRACES}
    diff_ranges = _ranges([diff], model.week)
    with solara.Card(f"Difference: {model.right.name} minus {model.left.name} (paired, same people)",
                     style={"border-top": f"4px solid {DIFF_COLOUR}"}):
        solara.HTML(unsafe_innerHTML=_difference_table(left, right))
        LiveFigure(lambda: _panel_figure(DIFF_COLOUR, 260, 1, 6, zero_line=True),
                   [{"x": left["week"], "y": diff[k]} for k in TRACES], diff_ranges,
                   active=active)


def _latest(values: np.ndarray) -> float:
    return float(values[-1]) if values.size else float("nan")


def _fmt(key: str, value: float) -> str:
    if not np.isfinite(value):
        return "–"
    return f"{value:,.0f}" if key in ("gp", "ae", "admissions", "cost") else f"{value:.3f}"


def _headline_table(s: dict[str, np.ndarray]) -> str:
    cells = "".join(f"<tr><td>{html.escape(SERIES[k][0])}</td><td class='value-{k}'>"
                    f"{_fmt(k, _latest(s[k]))}</td><td class='unit'>{html.escape(SERIES[k][1])}"
                    "</td></tr>" for k in SERIES)
    return f"<table class='placesim-table'>{cells}</table>"


def _difference_table(left: dict, right: dict) -> str:
    head = "".join(f"<th>{html.escape(SERIES[k][0])}</th>" for k in SERIES)
    cells = []
    for k in SERIES:
        a, b = _latest(left[k]), _latest(right[k])
        if not (np.isfinite(a) and np.isfinite(b)):
            cells.append("<td>–</td>")
            continue
        share = f" ({(b - a) / a:+.0%})" if a else ""
        diff = f"{b - a:+,.0f}" if k in ("gp", "ae", "admissions", "cost") else f"{b - a:+.3f}"
        cells.append(f"<td class='diff-{k}'>{diff}{share}</td>")
    return (f"<table class='placesim-table difference'><tr><th></th>{head}</tr>"
            f"<tr><td>this week</td>{''.join(cells)}</tr></table>")


# --- community and neighbourhoods -----------------------------------------------------------


def _group_figure(count: int) -> go.Figure:
    cols, rows = grid_shape(count)
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=[], y=[], mode="markers", name="living group",
        marker=dict(size=[], color=[], cmin=0.0, cmax=1.0, colorscale="Viridis", opacity=0.85,
                    line=dict(color="white", width=1),
                    colorbar=dict(title=dict(text="vitality", side="right"), thickness=10)),
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
    fig.update_layout(height=380, margin=dict(l=5, r=5, t=5, b=5), template="plotly_white",
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
    fig.update_layout(height=300, margin=dict(l=5, r=5, t=5, b=5), template="plotly_white",
                      autosize=True)
    return fig


@solara.component
def Community(model: PairModel, active: bool = True):
    """Groups as circles on a map of the neighbourhoods, and a neighbourhood map."""
    if active:  # a hidden view does not redraw each week (it catches up when opened)
        update_counter.get()
    metric, set_metric = solara.use_state(NEIGHBOURHOOD_METRICS[0])
    count = model.left.spec.population.neighbourhoods
    with model.lock:  # Play steps in another thread: read both sides at the same week
        groups = [community(side) for side in model.sides]
        maps = [neighbourhoods(side, metric) for side in model.sides]
    with solara.Columns([1, 1]):
        for i, side in enumerate(model.sides):
            c = groups[i]
            live, folded = c["live"], c["folded"]
            text = [f"{k} group #{r}: {m} members, vitality {v:.2f}, started week {b + 1}"
                    for k, r, m, v, b in zip(live["kind"], live["row"], live["members"],
                                             live["vitality"], live["born"])]
            gone = [f"{k} group #{r}: folded in week {d + 1}"
                    for k, r, d in zip(folded["kind"], folded["row"], folded["died"])]
            with solara.Card(_side_label(i, side), style={"border-top": f"4px solid {COLOUR[i]}"}):
                solara.Text(f"{c['count']} groups · {c['members']:,} members · "
                            f"{c['founded']} founded, {c['splits']} splits, {c['died']} folded "
                            "so far", classes=[f"groups-readout-{i}"])
                LiveFigure(lambda: _group_figure(count), [
                    {"x": live["x"], "y": live["y"], "text": text,
                     "marker.size": 6 + 4 * np.sqrt(live["members"]),
                     "marker.color": live["vitality"]},
                    {"x": folded["x"], "y": folded["y"], "text": gone}], key=count,
                    active=active)
    solara.Text("Circles are community groups, sized by members and coloured by vitality; "
                "each square is a neighbourhood.", style={"font-size": "13px", "color": "#555"})
    solara.Select("Colour the neighbourhoods by", values=list(NEIGHBOURHOOD_METRICS),
                  value=metric, on_value=set_metric)
    values = np.concatenate([m["values"] for m in maps])
    zmin, zmax = float(values.min()), float(values.max())
    if zmax - zmin < 1e-9:
        zmax = zmin + 1e-9
    with solara.Columns([1, 1]):
        for i, side in enumerate(model.sides):
            with solara.Card(f"{_side_label(i, side)}: {metric.lower()}"):
                # JSON has no NaN: the empty cells of the grid go as None
                z = [[None if not np.isfinite(v) else float(v) for v in row] for row in maps[i]["z"]]
                LiveFigure(lambda: _map_figure(count), [
                    {"z": z, "text": maps[i]["label"].tolist(), "zmin": zmin, "zmax": zmax}],
                    key=count, active=active)


# --- journeys -------------------------------------------------------------------------------


def _journey_figure() -> go.Figure:
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.4, 0.6],
                        vertical_spacing=0.06,
                        subplot_titles=("Activation and dependence", "What happened"))
    for i in range(2):
        for j, name in enumerate(("activation", "dependence")):
            fig.add_trace(go.Scatter(x=[], y=[], mode="lines", name=f"{name} ({'left' if i == 0 else 'right'})",
                                     line=dict(color=COLOUR[i], dash="dot" if j else "solid")),
                          row=1, col=1)
    for i in range(2):
        fig.add_trace(go.Scatter(x=[], y=[], mode="markers", name="left" if i == 0 else "right",
                                 marker=dict(color=COLOUR[i], size=8, symbol="circle" if i == 0
                                             else "diamond"), showlegend=False,
                                 hovertemplate="week %{x}: %{text}<extra></extra>"), row=2, col=1)
    fig.update_yaxes(range=[0, 1], row=1, col=1)
    fig.update_yaxes(tickvals=list(range(len(LANES))), ticktext=list(LANES),
                     range=[len(LANES) - 0.5, -0.5], row=2, col=1)
    fig.update_layout(height=540, margin=dict(l=100, r=10, t=60, b=30), template="plotly_white",
                      legend=dict(orientation="h", y=1.13, font_size=11), autosize=True,
                      uirevision="keep")
    return fig


@solara.component
def Journeys(model: PairModel, active: bool = True):
    """A followed resident's story on both sides: the same person, done to and done with."""
    if active:  # a hidden view does not redraw each week (it catches up when opened)
        update_counter.get()
    chosen, set_chosen = solara.use_state(None)
    new_row, set_new_row = solara.use_state(0)
    message, set_message = solara.use_state("")
    labels = {resident_label(model.left, row): row for row in model.followed}
    if not labels:
        solara.Info("No resident is followed.")
        return
    row = chosen if chosen in model.followed else model.followed[0]
    label = next(k for k, v in labels.items() if v == row)

    def follow():
        try:
            model.follow([new_row])
            set_chosen(int(new_row))
            set_message("")
        except InputError as exc:
            set_message(exc.problem)

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Select("Resident", values=list(labels), value=label,
                      on_value=lambda text: set_chosen(labels.get(text)),
                      style={"min-width": "420px"})
        solara.InputInt("Follow another resident (number)", value=new_row, on_value=set_new_row,
                        style={"max-width": "260px"})
        solara.Button("Follow", on_click=follow, outlined=True)
    if message:
        solara.Warning(message, dense=True)
    solara.Text("The same person on both sides: their needs arise alike (common random "
                "numbers); what differs is what the place does. Followed from the week "
                "they were picked.", style={"font-size": "13px", "color": "#555"})
    data = []
    stories = []
    with model.lock:  # Play steps in another thread: read both sides at the same week
        for side in model.sides:
            trace = side.tracker.trace(row)
            data += [{"x": trace["week"], "y": trace["activation"]},
                     {"x": trace["week"], "y": trace["dependence"]}]
            stories.append(side.tracker.story(row))
        now = [_now(side, row) for side in model.sides]
    for i, story in enumerate(stories):
        offset = -0.15 if i == 0 else 0.15
        data.append({"x": [e["week"] for e in story],
                     "y": [LANES.index(e["lane"]) + offset for e in story],
                     "text": [e["text"] for e in story]})
    weeks = [0, 52 * math.ceil(max(model.week, 1) / 52)]
    with solara.Card("Timeline: left ● and right ◆ on the same weeks"):
        LiveFigure(_journey_figure, data, {"xaxis.range": weeks, "xaxis2.range": weeks},
                   active=active)
    with solara.Columns([1, 1]):
        for i, side in enumerate(model.sides):
            with solara.Card(_side_label(i, side), style={"border-top": f"4px solid {COLOUR[i]}"}):
                solara.Text(now[i], classes=[f"journey-now-{i}"])
                solara.HTML(unsafe_innerHTML=_story_html(stories[i]),
                            classes=["placesim-story", f"journey-story-{i}"])


def _now(side: Side, row: int) -> str:
    p = side.model.people[row]
    if not p.alive:
        return f"Died in week {p.ti_death + 1}."
    group = side.model.groups
    where = (f"in a {group.agents[p.group].kind} group" if p.group >= 0 and p.group in group.agents
             else "in no group")
    return (f"Now: activation {p.activation:.2f}, dependence {p.dependence:.2f}, wellbeing "
            f"{p.wellbeing:.2f}; {p.diagnosed} of {p.ltc} conditions known; {where}.")


def _story_html(story: list[dict], weeks: int = 40) -> str:
    """The latest weeks of a story, newest first, one line a week."""
    by_week: dict[int, list[str]] = {}
    for e in story:
        by_week.setdefault(e["week"], []).append(e["text"])
    if not by_week:
        return "<p>Nothing has happened yet: press Step or ▶.</p>"
    lines = [f"<p><b>Week {w}</b>: {html.escape('; '.join(texts))}.</p>"
             for w, texts in sorted(by_week.items(), reverse=True)[:weeks]]
    return "".join(lines)


# --- export ---------------------------------------------------------------------------------


@solara.component
def Export(model: PairModel, active: bool = True):
    """Each side's scenario, with the levers in force, as a YAML file for the CLI."""
    solara.Text("Each file is the scenario a side is running, levers applied, written out "
                "in full so it runs from any folder: python run.py run FILE.yaml. Move a lever "
                "and press Reset first to export it.", style={"font-size": "13px"})
    # The files change only when Reset builds a new pair, not week by week.
    texts = solara.use_memo(lambda: [_export(side, model.seed) for side in model.sides],
                            dependencies=[model])
    with solara.Columns([1, 1]):
        for i, side in enumerate(model.sides):
            with solara.Card(_side_label(i, side), style={"border-top": f"4px solid {COLOUR[i]}"}):
                text = texts[i]
                if isinstance(text, InputError):
                    solara.Error(f"cannot export {side.name}: {text}")
                    continue
                solara.FileDownload(text, filename=f"{side.name}_workshop.yaml",
                                    label=f"Download {side.name}_workshop.yaml",
                                    mime_type="text/yaml")
                solara.HTML(tag="div", unsafe_innerHTML=html.escape(text),
                            classes=["placesim-yaml", f"export-yaml-{i}"])


def _export(side: Side, seed: int) -> str | InputError:
    try:
        return export_yaml(side, seed)
    except InputError as exc:
        return exc


# --- serving --------------------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve the dashboard until interrupted.

    Listens on ``127.0.0.1`` unless told otherwise: a workshop laptop on a shared
    network should not offer its simulation to the room by accident.

    Raises:
        InputError: when the page's assets are missing (run ``python -m
            sim.dashboard_assets``) or the address cannot be used.
    """
    # Solara reads these when its server modules are first imported, so set them first.
    os.environ["SOLARA_APP"] = "sim.dashboard"
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"  # no call home
    # Every asset is served from the local cache; a miss must fail here and fast
    # (a closed local port) rather than wait on a CDN a workshop room cannot reach.
    os.environ["SOLARA_ASSETS_CDN"] = "http://127.0.0.1:9/"
    from .dashboard_assets import check, discover

    import solara.server.settings as ss

    missing = check(ss.assets.proxy_cache_dir, discover(False))
    if missing:
        raise InputError("dashboard", "assets",
                         f"{len(missing)} page assets are missing from {ss.assets.proxy_cache_dir} "
                         f"(first: {missing[0]}); expected them there: run "
                         "`python -m sim.dashboard_assets` (setup.sh does) with a registry reachable")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        with socket.socket(infos[0][0], socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(infos[0][4])
    except OSError as exc:
        raise InputError("dashboard", "--host/--port",
                         f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
                         "expected a free port on an address of this machine") from None
    url_host = f"[{host}]" if ":" in host else host
    print(f"Placesim dashboard: http://{url_host}:{port}/", flush=True)
    if _is_loopback(host):
        print(f"Listening on {host} only: this machine's browser can connect, others cannot. "
              "Use --host 0.0.0.0 to let the room connect.", flush=True)
    else:
        print(f"Listening on {host}: anyone who can reach this machine on port {port} can "
              "open the dashboard.", flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    import uvicorn

    # Over plain http on a laptop solara warns that it falls back to samesite=lax
    # cookies; that is right for a local server and only alarms a facilitator.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none", category=UserWarning)
    uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level="warning")
