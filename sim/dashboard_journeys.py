"""The dashboard's journeys view: one person's two lives, done to and done with.

By default it shows the followed resident whose two lives differ most so far, and
says why; the weeks in which their stories part are shaded on the timeline and
highlighted in the stories. The facilitator can pick any followed resident, follow
the resident whose lives differ most in the whole population from now on, or follow
anyone by number.
"""

from __future__ import annotations

import html
import math

import plotly.graph_objects as go
import solara
from plotly.subplots import make_subplots

from .dashboard_data import WEEKS_PER_YEAR, divergent_weeks, most_different, resident_label
from .dashboard_live import LiveFigure
from .dashboard_ui import Panel, side_colours, side_title
from .errors import InputError
from .journey import LANES

__all__ = ["Journeys"]

MOST_DIFFERENT = "the most different lives so far"


def _journey_figure(colours: tuple[str, str], names: list[str]) -> go.Figure:
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.4, 0.6],
                        vertical_spacing=0.08,
                        subplot_titles=("Activation and dependence (0 to 1)", "What happened"))
    for i in range(2):
        for j, name in enumerate(("activation", "dependence")):
            fig.add_trace(go.Scatter(x=[], y=[], mode="lines", name=f"{name}, {names[i]}",
                                     line=dict(color=colours[i], dash="dot" if j else "solid")),
                          row=1, col=1)
    for i in range(2):
        fig.add_trace(go.Scatter(x=[], y=[], text=[], mode="markers", name=names[i],
                                 marker=dict(color=colours[i], size=8, symbol="circle" if i == 0
                                             else "diamond"), showlegend=False,
                                 hovertemplate="year %{x:.2f}: %{text}<extra></extra>"),
                      row=2, col=1)
    fig.update_yaxes(range=[0, 1], row=1, col=1)
    fig.update_yaxes(tickvals=list(range(len(LANES))), ticktext=list(LANES),
                     range=[len(LANES) - 0.5, -0.5], row=2, col=1)
    fig.update_xaxes(title_text="year", row=2, col=1)
    fig.update_layout(height=500, margin=dict(l=100, r=10, t=60, b=36), template="plotly_white",
                      legend=dict(orientation="h", y=1.14, font_size=11), autosize=True,
                      uirevision="keep")
    return fig


def _shading(weeks: list[int]) -> list[dict]:
    """A pale band over each week in which the two stories differ."""
    return [{"type": "rect", "xref": "x", "yref": "paper", "x0": (w - 1) / WEEKS_PER_YEAR,
             "x1": w / WEEKS_PER_YEAR, "y0": 0, "y1": 1, "fillcolor": "#ffd84d",
             "opacity": 0.35, "line": {"width": 0}, "layer": "below"} for w in weeks]


@solara.component
def Journeys(pair, tick: solara.Reactive, presenter: bool, active: bool = True):
    """A followed resident's two lives, with why they were picked and where they part."""
    if active:  # a hidden view does not redraw each week (it catches up when opened)
        tick.value
    chosen, set_chosen = solara.use_state(None)
    new_row, set_new_row = solara.use_state(0)
    message, set_message = solara.use_state("")
    left, right = pair.sides
    with pair.lock:  # Play steps in another thread: read both sides at the same week
        ranked = most_different(left.model, right.model, pair.followed, len(pair.followed))
    if not ranked:
        solara.Info("No resident is followed.")
        return
    why = dict(ranked)
    row = chosen if chosen in why else ranked[0][0]
    labels = {MOST_DIFFERENT: None, **{resident_label(left, r): r for r, _ in ranked}}

    def follow(rows, say: str):
        try:
            pair.follow(rows)
            set_chosen(int(rows[0]))
            set_message(say)
        except InputError as exc:
            set_message(exc.problem)

    def follow_most_different():
        with pair.lock:
            live = left.model.people.live
            best = most_different(left.model, right.model, live, 1)
        if best:
            follow([best[0][0]], f"now following #{best[0][0]} from week {pair.week + 1}: "
                                 f"{best[0][1]}")

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Select("Resident", values=list(labels),
                      value=MOST_DIFFERENT if chosen not in why else resident_label(left, row),
                      on_value=lambda text: set_chosen(labels.get(text)),
                      style={"min-width": "460px"})
        solara.Button("Follow the most different life from now on",
                      on_click=follow_most_different, outlined=True)
        solara.InputInt("Follow resident number", value=new_row, on_value=set_new_row,
                        style={"max-width": "200px"})
        solara.Button("Follow", on_click=lambda: follow([new_row], ""), outlined=True)
    # Always there (hidden when empty): an element appearing above the timeline would
    # make the page rebuild the chart while the browser draws it.
    solara.Info(message or "-", dense=True, classes=["journey-message"] if message else ["ps-hidden"])
    solara.HTML(tag="div", classes=["journey-why"], unsafe_innerHTML=(
        f"<b>{html.escape(resident_label(left, row))}</b>, picked because their two lives "
        f"differ: {html.escape(why[row])}. The same person on both sides: their needs arise "
        "alike (common random numbers); what differs is what the place does. Shaded weeks: "
        "where the two stories part."))
    with pair.lock:
        traces = [side.tracker.trace(row) for side in pair.sides]
        stories = [side.tracker.story(row) for side in pair.sides]
        now = [_now(side, row) for side in pair.sides]
    parted = divergent_weeks(*stories)
    data = []
    for trace in traces:
        years = [w / WEEKS_PER_YEAR for w in trace["week"]]
        data += [{"x": years, "y": trace["activation"]}, {"x": years, "y": trace["dependence"]}]
    for i, story in enumerate(stories):
        offset = -0.15 if i == 0 else 0.15
        data.append({"x": [e["week"] / WEEKS_PER_YEAR for e in story],
                     "y": [LANES.index(e["lane"]) + offset for e in story],
                     "text": [e["text"] for e in story]})
    span = [0, math.ceil(max(pair.week, 1) / WEEKS_PER_YEAR)]
    colours = side_colours(pair)
    names = [n.replace("_", " ") for n in pair.names]
    with Panel(f"Timeline: {names[0]} ● and {names[1]} ◆ on the same weeks", "#3B3B3B"):
        LiveFigure(lambda: _journey_figure(colours, names), data,
                   {"xaxis.range": span, "xaxis2.range": span, "shapes": _shading(parted)},
                   key=tuple(pair.names), active=active)
    with solara.v.Html(tag="div", class_="ps-row2"):
        for i, side in enumerate(pair.sides):
            with Panel(side_title(pair, i), colours[i]):
                solara.Text(now[i], classes=[f"journey-now-{i}"])
                solara.HTML(unsafe_innerHTML=_story_html(stories[i], set(parted)),
                            classes=["ps-story", f"journey-story-{i}"])


def _now(side, row: int) -> str:
    p = side.model.people[row]
    if not p.alive:
        return f"Died in week {p.ti_death + 1} (year {(p.ti_death + 1) / WEEKS_PER_YEAR:.1f})."
    group = side.model.groups
    where = (f"in a {group.agents[p.group].kind} group" if p.group >= 0 and p.group in group.agents
             else "in no group")
    return (f"Now: activation {p.activation:.2f}, dependence {p.dependence:.2f}, wellbeing "
            f"{p.wellbeing:.2f}; {p.diagnosed} of {p.ltc} conditions known; {where}.")


def _story_html(story: list[dict], parted: set[int], weeks: int = 40) -> str:
    """The latest weeks of a story, newest first, one line a week; parted weeks marked."""
    by_week: dict[int, list[str]] = {}
    for e in story:
        by_week.setdefault(e["week"], []).append(e["text"])
    if not by_week:
        return "<p>Nothing has happened yet: press ▶ Play or Step.</p>"
    lines = [f"<p class='{'diverged' if w in parted else ''}'><b>Week {w}</b> (year "
             f"{w / WEEKS_PER_YEAR:.1f}): {html.escape('; '.join(texts))}.</p>"
             for w, texts in sorted(by_week.items(), reverse=True)[:weeks]]
    return "".join(lines)
