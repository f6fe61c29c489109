"""The dashboard's controls: a compact top bar, and the levers drawer.

The top bar holds what a facilitator reaches for while the room watches: Play/Pause,
Step, Reset, the speed, the two scenario pickers, the seeds for a band, the levers
drawer and presenter mode. The drawer groups the levers by theme (the place; "done
to" programmes; "done with" co-produced work) and, for each policy, shows on which
side it runs, with Start now / Stop now. Every lever shows its value in force and a
definition (hover or tap); shares read as percentages. A lever moved while the run
goes on takes effect from the next week on the sides where it applies.
"""

from __future__ import annotations

import html
from typing import Callable

import solara

from .dashboard_levers import THEMES, Lever, fixed_mid_run, levers
from .dashboard_pair import MAX_SEEDS
from .dashboard_scenarios import offered_scenarios
from .dashboard_sides import in_force_html, policy_activity
from .dashboard_ui import side_colours, term
from .policies import POLICIES

__all__ = ["TopBar", "LeverDrawer", "SPEEDS"]

# Weeks a second Play aims for (0: as fast as the machine steps and draws).
SPEEDS = {"fastest": 0.0, "10 weeks/s": 10.0, "4 weeks/s": 4.0, "1 week/s": 1.0}
SEEDS = {f"{n} seed{'s' if n > 1 else ''}": n for n in (1, 3, MAX_SEEDS)}


@solara.component
def TopBar(pair, playing: solara.Reactive, speed: solara.Reactive, drawer: solara.Reactive,
           presenter: solara.Reactive, step: Callable, reset: Callable[..., None]):
    """Play, Step, Reset, speed, scenario pickers, seeds, the drawer and presenter mode."""
    names = offered_scenarios()
    with solara.v.Html(tag="div", class_="ps-topbar"):
        solara.HTML(tag="span", classes=["ps-brand"], unsafe_innerHTML=term(
            "Placesim", "Two versions of the same place, side by side: the same residents "
            "with the same needs; only what the place does differs."))
        if playing.value:
            solara.Button("❚❚ Pause", on_click=lambda: playing.set(False), color="primary",
                          classes=["ps-pause"])
        else:
            solara.Button("▶ Play", on_click=lambda: playing.set(True), color="primary",
                          disabled=not pair.running, classes=["ps-play"])
        solara.Button("Step", on_click=step, disabled=playing.value or not pair.running,
                      outlined=True)
        solara.Button("Reset", on_click=lambda: reset(), outlined=True)
        solara.Select("Speed", values=list(SPEEDS), value=_name(SPEEDS, speed.value),
                      on_value=lambda name: speed.set(SPEEDS[name]), dense=True,
                      classes=["ps-speed"])
        for i, label in enumerate(("Left", "Right")):
            solara.Select(label, values=names, value=pair.names[i], dense=True,
                          on_value=lambda name, i=i: reset(**{("left", "right")[i]: name}),
                          classes=[f"ps-pick-{i}"])
        solara.Select("Band", values=list(SEEDS), value=_name(SEEDS, pair.n_seeds), dense=True,
                      on_value=lambda name: reset(seeds=SEEDS[name]), classes=["ps-seeds"])
        solara.Button("Levers", on_click=lambda: drawer.set(not drawer.value),
                      outlined=not drawer.value, color="primary", classes=["ps-levers"])
        solara.Button("Presenter", on_click=lambda: presenter.set(not presenter.value),
                      outlined=not presenter.value, color="primary", classes=["ps-presenter"])


def _name(options: dict, value) -> str:
    return next((k for k, v in options.items() if v == value), next(iter(options)))


@solara.component
def LeverControl(pair, lever: Lever, move: Callable[[str, object], None]):
    """One lever: its value in force, what it is, and its slider, switch or choice."""
    value = pair.values[lever.key]
    later = " (from the next Reset)" if fixed_mid_run(lever) else ""
    solara.HTML(tag="div", classes=["lever-label", f"lever-{lever.key}"], unsafe_innerHTML=(
        f"{term(lever.label, lever.definition)}: <b class='lever-value'>{lever.show(value)}</b>"
        f"{later}"))
    if lever.kind == "switch":
        solara.Switch(label=lever.label, value=bool(value),
                      on_value=lambda v: move(lever.key, bool(v)))
    elif lever.kind == "choice":
        solara.Select(lever.label, values=lever.choices(), value=value, dense=True,
                      on_value=lambda v: move(lever.key, v))
    else:
        lo, hi, step = lever.span()
        slider = solara.SliderInt if isinstance(lo, int) else solara.SliderFloat
        solara.v.Html(tag="div", class_="ps-slider", children=[slider(
            lever.label, value=min(max(value, lo), hi), min=lo, max=hi, step=step,
            on_value=lambda v: move(lever.key, v), thumb_label=False)])


@solara.component
def PolicyBlock(pair, kind: str, move: Callable, switch: Callable[[int, str, bool], None]):
    """A policy: where it runs, Start now / Stop now on each side, and its levers."""
    cls = POLICIES[kind]
    colours = side_colours(pair)
    solara.HTML(tag="div", classes=["ps-policy"], unsafe_innerHTML="<b>" + term(
        kind.replace("_", " ").capitalize(), cls.summary or kind) + "</b>")
    with solara.Row(style={"flex-wrap": "wrap", "gap": "4px", "align-items": "center"}):
        for i in (0, 1):
            state = pair.policy_state(i, kind)
            words = {"running": "running", "scheduled": "starts later", "stopped": "stopped",
                     "absent": "not running"}[state]
            solara.HTML(tag="span", unsafe_innerHTML=(
                f"<span class='ps-chip policy-{kind}-{i}' style='background:{colours[i]}'>"
                f"{pair.names[i].replace('_', ' ')}: {words}</span>"))
            running = state == "running"
            solara.Button("Stop now" if running else "Start now", x_small=True, outlined=True,
                          on_click=lambda i=i, running=running: switch(i, kind, not running),
                          classes=[f"policy-switch-{kind}-{i}"])
    for i in (0, 1):
        done = policy_activity(pair, i, kind)
        if done:
            solara.HTML(tag="div", classes=[f"policy-activity-{kind}-{i}"], unsafe_innerHTML=(
                f"{pair.names[i].replace('_', ' ')}: {html.escape(done)}"))
    for lever in levers():
        if lever.policy == kind:
            LeverControl(pair, lever, move)


@solara.component
def LeverDrawer(pair, move: Callable, switch: Callable, close: Callable, seed: Callable):
    """Every lever, by theme and by side, with the value in force and a definition."""
    colours = side_colours(pair)
    with solara.v.Html(tag="div", class_="ps-drawer"):
        with solara.Row(style={"align-items": "center", "justify-content": "space-between"}):
            solara.HTML(tag="b", unsafe_innerHTML="Levers")
            solara.Button("Close", on_click=close, text=True, classes=["ps-close-levers"])
        solara.HTML(tag="div", unsafe_innerHTML=(
            "A lever moved while it plays takes effect from the next week, on the sides "
            "where it applies (a dotted line marks when). Reset starts again from week 0 with "
            "the levers as they are."))
        for i in (0, 1):
            solara.HTML(tag="div", classes=[f"in-force-{i}"], unsafe_innerHTML=(
                f"<span class='ps-chip' style='background:{colours[i]}'>"
                f"{pair.names[i].replace('_', ' ')}</span> {in_force_html(pair, i)}"))
        for theme, title in THEMES.items():
            solara.HTML(tag="div", classes=["ps-theme"], unsafe_innerHTML=title)
            if theme == "place":
                for lever in levers():
                    if lever.theme == "place":
                        LeverControl(pair, lever, move)
                solara.InputInt("Seed (both sides; Reset)", value=pair.seed, on_value=seed)
                continue
            for kind, cls in POLICIES.items():
                if cls.family == theme:
                    PolicyBlock(pair, kind, move, switch)
