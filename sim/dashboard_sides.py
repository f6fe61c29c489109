"""The dashboard's first view: both sides' charts and their difference, side by side.

Above the fold (a 1280 x 720 projector): three cards in a row, the left side, the
right side and the difference (right minus left, paired: the same people), each with
the headline measures. Below: more measures the same way, this week's numbers, and
what every measure means. Both sides share their axes, so equal heights are equal
values; dotted lines mark changes made mid-run.
"""

from __future__ import annotations

import html

import numpy as np
import solara

from .dashboard_charts import HEADLINE, MORE, difference_frame, marker_shapes, ranges, \
    side_figure, side_frame
from .dashboard_data import SERIES, series
from .dashboard_live import LiveFigure
from .dashboard_ui import DIFFERENCE, Panel, side_colours, side_title, term

__all__ = ["SideBySide", "in_force_html"]

HEIGHT = {False: 300, True: 330}  # each card's chart, normal and presenter mode


@solara.component
def SideBySide(pair, tick: solara.Reactive, presenter: bool, active: bool = True):
    """Three cards a row (left, right, difference): headline measures, then more."""
    if active:  # a hidden view does not redraw each week (it catches up when opened)
        tick.value
    with pair.lock:  # Play steps in another thread: read every side at the same week
        runs = [[series(run[i]) for run in pair.runs] for i in (0, 1)]
        markers = list(pair.markers)
        week = pair.week
    colours = side_colours(pair)
    key = (tuple(pair.names), presenter, pair.n_seeds)
    names = [n.replace("_", " ") for n in pair.names]
    for keys, row in ((HEADLINE, "headline"), (MORE, "more")):
        shared = ranges(keys, runs[0] + runs[1], week)
        diff_data, diffs = difference_frame(keys, runs[0], runs[1])
        with solara.v.Html(tag="div", class_=f"ps-row ps-{row}"):
            for i in (0, 1):
                with Panel(_side_heading(pair, i), colours[i], classes=f"side-{i} chart-{row}"):
                    LiveFigure(lambda i=i, keys=keys: side_figure(
                                   keys, colours[i], names[i], HEIGHT[presenter], presenter),
                               side_frame(keys, runs[i]),
                               {**shared, "shapes": marker_shapes(markers, i)},
                               key=key, active=active)
            title = term(f"Difference: {names[1]} minus {names[0]}",
                         "Each week, the right side's value minus the left's, for the same "
                         "people on the same draws: below zero, the right side has less.")
            if pair.n_seeds > 1:
                title += f" <span class='ps-band'>band: {pair.n_seeds} paired seeds</span>"
            with Panel(title, DIFFERENCE, classes=f"difference chart-{row}"):
                LiveFigure(lambda keys=keys: side_figure(
                               keys, DIFFERENCE, "difference", HEIGHT[presenter], presenter,
                               zero_line=True),
                           diff_data, {**ranges(keys, diffs, week),
                                       "shapes": marker_shapes(markers, None)},
                           key=key, active=active)
        if row == "headline":
            solara.HTML(tag="div", unsafe_innerHTML=glossary_html(), classes=["ps-glossary"])
    with solara.v.Html(tag="div", class_="ps-row2"):
        with Panel("This week", DIFFERENCE):
            solara.HTML(unsafe_innerHTML=this_week_html(pair, runs), classes=["this-week"])
        with Panel("Changed during this run", DIFFERENCE):
            solara.HTML(unsafe_innerHTML=_markers_html(pair, markers))


def _side_heading(pair, i: int) -> str:
    """The side's name in its colour (the charts' legend), what its file says, the band."""
    side = pair.sides[i]
    file_text = side.description or "(no description)"
    colour = side_colours(pair)[i]
    band = (f" <span class='ps-band'>band: range over {pair.n_seeds} seeds</span>"
            if pair.n_seeds > 1 else "")
    return (f"<span style='color:{colour}'>━━</span> "
            + term(side_title(pair, i), f"As its file describes it: {file_text} The levers "
                                        "in force are in the status line and the drawer.")
            + band)


def glossary_html() -> str:
    """Every measure's name with its definition (hover or tap)."""
    terms = [term(f"{label} ({unit})", definition, f"measure measure-{key}")
             for key, (label, unit, definition) in SERIES.items()]
    return "<b>Measures</b> (hover or tap): " + " ".join(terms)


def _latest(values: np.ndarray) -> float:
    return float(values[-1]) if values.size else float("nan")


def _fmt(key: str, value: float, signed: bool = False) -> str:
    if not np.isfinite(value):
        return "–"
    sign = "+" if signed else ""
    return f"{value:{sign},.0f}" if key in ("gp", "ae", "admissions", "cost", "unmet") \
        else f"{value:{sign}.3f}"


def this_week_html(pair, runs) -> str:
    """This week's value of every measure on both sides, and the difference."""
    left, right = runs[0][0], runs[1][0]
    names = [n.replace("_", " ") for n in pair.names]
    rows = []
    for key, (label, unit, definition) in SERIES.items():
        a, b = _latest(left[key]), _latest(right[key])
        share = f" ({(b - a) / a:+.0%})" if np.isfinite(a) and np.isfinite(b) and a else ""
        rows.append(f"<tr><td>{term(label, f'{definition} Unit: {unit}.')}</td>"
                    f"<td class='value-{key}-0'>{_fmt(key, a)}</td>"
                    f"<td class='value-{key}-1'>{_fmt(key, b)}</td>"
                    f"<td class='diff-{key}'>{_fmt(key, b - a, True)}{share}</td></tr>")
    head = (f"<tr><th>measure</th><th>{html.escape(names[0])}</th><th>{html.escape(names[1])}"
            "</th><th>difference</th></tr>")
    return f"<table class='ps-table difference-table'>{head}{''.join(rows)}</table>"


def _markers_html(pair, markers) -> str:
    if not markers:
        return ("<p>Nothing yet. Move a lever or start a policy in the Levers drawer while "
                "it plays: it takes effect from that week, marked by a dotted line.</p>")
    items = "".join(
        f"<li>from week {m.week + 1} (year {m.week / 52:.1f}): {html.escape(m.text)} on "
        f"{html.escape(' and '.join(pair.names[i].replace('_', ' ') for i in m.sides))}</li>"
        for m in markers)
    return f"<ul class='markers'>{items}</ul>"


def in_force_html(pair, i: int) -> str:
    """The levers in force on side ``i`` that differ from its file, in words."""
    from .dashboard_levers import levers
    from .dashboard_pair import value_at

    side = pair.sides[i]
    moved = [f"{lever.label} {lever.show(value_at(side.spec, lever.path))}"
             for lever in levers() if lever.kind != "switch" and lever.path != "population.size"
             and value_at(side.spec, lever.path) is not None
             and value_at(side.spec, lever.path) != value_at(side.file_spec, lever.path)]
    return html.escape(", ".join(moved)) if moved else "as in its file"


def policy_activity(pair, i: int, kind: str) -> str:
    """What policy ``kind`` has done so far on side ``i``, in words ('' if nothing to say)."""
    policy = next((p for p in pair.sides[i].model.policies if p.kind == kind), None)
    return policy.activity_words() if policy is not None and policy.running else ""
