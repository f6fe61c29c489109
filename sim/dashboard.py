"""The workshop dashboard: "done to" and "done with", live and side by side, for a room.

A Solara app (``python run.py dashboard``, served privately by
:mod:`sim.dashboard_serve`). Each browser session builds its own
:class:`~sim.dashboard_pair.PairModel` (two health-system models on common random
numbers, stepped together) inside :func:`Page`: a model built at module level would
be shared by everyone in the room. When the tab closes, the session's models are let go.

Why not Mesa's SolaraViz, which an earlier version used: its sidebar holds Play and
Reset (hiding it hides them), shows framework controls (play and render intervals,
threads, "Page 0"), and its Reset is the only way its parameters reach the model. A
room needs a compact top bar, levers that act mid-run and a layout that fits a
projector, so the page is built here; the model is still a ``mesa.Model`` stepped the
way SolaraViz steps it (a threaded task, then a redraw).

Layout: the top bar (:mod:`sim.dashboard_controls`), a status line, the views (*Side
by side*, *Community*, *Journeys*, *Export*), and the levers drawer. The run's settings
are kept in the page's address (:mod:`sim.dashboard_state`), so a reload restores them.
"""

from __future__ import annotations

import html
import time

import solara

from .dashboard_community import Community
from .dashboard_controls import SPEEDS, LeverDrawer, TopBar
from .dashboard_journeys import Journeys
from .dashboard_export import export_yaml
from .dashboard_pair import PairModel, live_pairs, release_memory
from .dashboard_sides import SideBySide, in_force_html
from .dashboard_state import from_query, to_query
from .dashboard_ui import CSS, Panel, side_colours, side_title
from .errors import InputError

__all__ = ["Page", "VIEWS"]

VIEWS = ("Side by side", "Community", "Journeys", "Export")
BREATH = 0.005  # seconds Play pauses between weeks, so clicks are handled while it plays


def _play(pair: PairModel, playing: solara.Reactive, speed: solara.Reactive,
          tick: solara.Reactive) -> None:
    """Step while playing, at most ``speed`` weeks a second (0: as fast as it goes)."""
    while playing.value and pair.running:
        started = time.perf_counter()
        pair.step()
        tick.value += 1  # every view reading the tick redraws
        wait = 1.0 / speed.value - (time.perf_counter() - started) if speed.value else 0.0
        # a moment between weeks even at full speed, so the room's clicks get in
        time.sleep(max(wait, BREATH))
    if not pair.running and pair.runs:  # the horizon (not a pair closed by Reset)
        playing.value = False


def _speed(value) -> float:
    """A speed from the address: one Play offers, else as fast as it goes."""
    return value if value in SPEEDS.values() else 0.0


def _close(pair: PairModel) -> None:
    """Let go of a pair's models (Reset replaced it, or its browser tab closed)."""
    pair.close()
    release_memory()
    print(f"dashboard: a pair of models was freed; {live_pairs()} session(s) hold models",
          flush=True)


@solara.component
def Page():
    """The app: one pair of models per browser session."""
    router = solara.use_router()
    asked = solara.use_memo(lambda: from_query(router.search), dependencies=[])
    first = solara.use_memo(lambda: PairModel(**{k: v for k, v in asked.items() if k != "speed"}),
                            dependencies=[])
    pair, set_pair = solara.use_state(first)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(_speed(asked.get("speed", 0.0)))
    tick = solara.use_reactive(0)
    drawer = solara.use_reactive(False)
    presenter = solara.use_reactive(False)
    revision, set_revision = solara.use_state(0)  # levers moved: redraw controls, address
    note, set_note = solara.use_state("")
    tab, set_tab = solara.use_state(VIEWS[0])
    visited, set_visited = solara.use_state((VIEWS[0],))
    solara.Style(CSS)

    solara.lab.use_task(lambda: _play(pair, playing, speed, tick),
                        dependencies=[playing.value, pair], prefer_threaded=True)
    solara.use_effect(lambda: lambda: _close(pair), dependencies=[pair])  # replaced or tab closed

    query = to_query({**pair.settings(), **({"speed": speed.value} if speed.value else {})})

    def keep_in_address():
        if router.set_path is not None and (router.search or "") != query:
            router.push(f"{router.path}?{query}")

    # Also when Play is pressed: on the first render the browser has not yet reported
    # its address, and its report would overwrite this one.
    solara.use_effect(keep_in_address, dependencies=[query, playing.value])

    def reset(**changes):
        playing.set(False)
        settings = {**pair.settings(), **changes}
        set_pair(PairModel(**settings))
        set_note("")

    def step():
        pair.step()
        tick.value += 1

    def move(key, value):
        set_note(pair.set_lever(key, value))
        set_revision(revision + 1)
        tick.value += 1

    def switch(i, kind, running):
        set_note(pair.set_policy(i, kind, running))
        set_revision(revision + 1)
        tick.value += 1

    def seed(value):
        reset(seed=value)

    def choose(view: str) -> None:
        set_tab(view)
        if view not in visited:
            set_visited((*visited, view))

    classes = "ps-page presenter" if presenter.value else "ps-page"
    with solara.v.Html(tag="div", class_=classes):
        TopBar(pair, playing, speed, drawer, presenter, step, reset)
        Status(pair, tick, note)
        solara.ToggleButtonsSingle(value=tab, values=list(VIEWS), on_value=choose,
                                   classes=["ps-views"], dense=True)
        # A view is built the first time it is opened and then kept, hidden when
        # another is open: closing plotly widgets while the browser still draws them
        # raises errors in the page. Only the open view's charts are sent new frames.
        for name, view in zip(VIEWS, (SideBySide, Community, Journeys, Export)):
            shown = "block" if name == tab else "none"
            with solara.v.Html(tag="div", style_=f"width: 100%; display: {shown}",
                               class_="view-" + name.lower().replace(" ", "-")):
                if name in visited:
                    view(pair, tick, presenter.value, active=name == tab)
        if drawer.value:
            LeverDrawer(pair, move, switch, lambda: drawer.set(False), seed)


@solara.component
def Status(pair: PairModel, tick: solara.Reactive, note: str):
    """Where the run is, what is in force, and any input that could not be used."""
    tick.value  # redraw each week
    rate = pair.weeks_per_second()
    speed = f" · {rate:.1f} weeks/s" if rate else ""
    band = f" ({pair.n_seeds} seeds: band)" if pair.n_seeds > 1 else ""
    colours = side_colours(pair)
    in_force = " ".join(
        f"<span class='ps-chip' style='background:{colours[i]}'>"
        f"{html.escape(pair.names[i].replace('_', ' '))}</span> {in_force_html(pair, i)}"
        for i in (0, 1))
    size = pair.sides[0].spec.population.size
    where = "" if pair.place is None else f" of {html.escape(pair.place.name)}"
    solara.HTML(tag="div", classes=["ps-status"], unsafe_innerHTML=(
        f"<b class='pair-readout'>Week {pair.week} of {pair.horizon} · year "
        f"{pair.week / 52:.1f} · {size:,} residents{where} · seed {pair.seed}{band}{speed}</b>"
        f" · in force: {in_force}"
        + (f" · <i class='ps-note'>{html.escape(note)}</i>" if note else "")))
    for problem in pair.problems:
        solara.Warning(problem, dense=True, classes=["ps-problem"])
    if not pair.running and pair.runs:
        solara.Info(f"Both sides have reached the horizon ({pair.horizon} weeks). "
                    "Press Reset to start again.", dense=True)


@solara.component
def Export(pair: PairModel, tick: solara.Reactive, presenter: bool, active: bool = True):
    """Each side's scenario, with the levers in force, as YAML files ``compare`` runs."""
    if active:
        tick.value  # the levers in force may have moved
    texts = [_export(pair, i) for i in (0, 1)]
    names = [f"{side.name}_workshop.yaml" for side in pair.sides]
    solara.Markdown(
        "Each file is the scenario a side is running, with the levers in force, written in "
        "full so it runs from any folder. Compare the room's two sides with the command "
        f"line: `python run.py compare {names[0]} {names[1]}`")
    colours = side_colours(pair)
    with solara.v.Html(tag="div", class_="ps-row2"):
        for i in (0, 1):
            with Panel(side_title(pair, i), colours[i]):
                text = texts[i]
                if isinstance(text, InputError):
                    solara.Error(f"cannot export {pair.names[i]}: {text}")
                    continue
                solara.FileDownload(text, filename=names[i], label=f"Download {names[i]}",
                                    mime_type="text/yaml")
                solara.HTML(tag="div", unsafe_innerHTML=html.escape(text),
                            classes=["ps-yaml", f"export-yaml-{i}"])


def _export(pair: PairModel, i: int) -> str | InputError:
    try:
        with pair.lock:
            return export_yaml(pair, i)
    except InputError as exc:
        return exc
