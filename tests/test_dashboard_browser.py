"""The workshop dashboard in a real browser (Debian's Chromium, Playwright), as a room sees it.

At 1280 x 720 (a projector) and 1600 x 1000: the headline charts of both sides and their
difference are on screen while it plays; no framework internals are shown; every
measure has a definition; a lever moved mid-run changes the weeks after and not those
before; the address restores the settings after a reload; every view works; each
browser has its own models, freed when its tab closes. Every test fails if the page
asks for anything beyond the local server. Set ``PLACESIM_SCREENSHOTS=docs/img`` to
write the guide's screenshots.
"""

from __future__ import annotations

import re
import time

import pytest
import yaml

from sim.dashboard_data import SERIES

from .conftest import run_cli
from .dashboard_browser import (NetLog, browser_needed, chart_values, chromium,
                                close_and_wait_freed, dashboard_server, open_dashboard, pause,
                                play, shots_dir, step, wait_week, week)

pytestmark = [browser_needed, pytest.mark.slow]  # a browser and a server: CI runs them
SMALL = "?population__size=6000"
FORBIDDEN = ("page 0", "render interval", "play interval", "use threads", "runs on solara",
             "model parameters")
GP_LINE = 2  # the GP appointments line in a chart's traces (after its band's two edges)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    # a closed tab's models are freed 10 s after it goes (30 s in a room)
    with dashboard_server(log, env={"SOLARA_KERNEL_CULL_TIMEOUT": "10s"}) as base:
        yield base, log


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def in_viewport(page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    size = page.viewport_size
    return (box is not None and box["x"] >= 0 and box["y"] >= 0
            and box["x"] + box["width"] <= size["width"] + 1
            and box["y"] + box["height"] <= size["height"] + 1)


HEADLINE_CHARTS = (".side-0.chart-headline .js-plotly-plot",
                   ".side-1.chart-headline .js-plotly-plot",
                   ".difference.chart-headline .js-plotly-plot")


@pytest.mark.parametrize("width,height", [(1280, 720), (1600, 1000)])
def test_projector_first_while_playing(server, browser, tmp_path, width, height):
    base, log = server
    context = browser.new_context(viewport={"width": width, "height": height})
    net = NetLog(base).attach(context)
    page = open_dashboard(context, base + SMALL + "&speed=4.0")  # a pace a room can follow
    play(page, 6)
    # while it plays: both sides' headline charts and the difference are on screen
    for selector in HEADLINE_CHARTS:
        assert in_viewport(page, selector), f"{selector} is not within {width}x{height}"
    for name in ("❚❚ Pause", "Reset", "Levers"):
        assert in_viewport(page, f"button:has-text('{name}')"), f"{name} is off screen"
    text = page.locator("body").inner_text().lower()
    assert not [w for w in FORBIDDEN if w in text], "framework internals on screen"
    # presenter mode: larger type, the same charts still on screen
    page.get_by_role("button", name="Presenter").click()
    page.wait_for_selector(".ps-page.presenter")
    for selector in HEADLINE_CHARTS:
        assert in_viewport(page, selector), f"{selector} is not within {width}x{height} (presenter)"
    page.get_by_role("button", name="Presenter").click()
    page.wait_for_selector(".ps-page:not(.presenter)")
    pause(page)
    # every measure has a definition, on hover (title) and tap (focus)
    for key in SERIES:
        term = page.locator(f".measure-{key}").first
        assert len(term.get_attribute("title") or "") > 30, f"{key} has no definition"
    term = page.locator(".measure-dependence").first
    term.focus()
    assert "rely on services" in term.evaluate(
        "el => getComputedStyle(el, '::after').content")
    # time axes are in years
    assert page.locator(HEADLINE_CHARTS[0]).first.evaluate(
        "el => el.layout.xaxis3.title.text") == "year"
    page.screenshot(path=str(shots_dir(tmp_path) / f"dashboard-{width}x{height}.png"))
    close_and_wait_freed(context, log)
    net.assert_clean()


def test_a_lever_moved_mid_run_changes_the_weeks_after_and_the_address_restores_it(
        server, browser, tmp_path):
    base, log = server
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    net = NetLog(base).attach(context)
    moved = open_dashboard(context, base + SMALL)
    step(moved, 5)
    moved.get_by_role("button", name="Levers").click()
    slider = moved.locator("[role=slider][aria-label='GP capacity']")
    slider.focus()
    slider.press("Home")  # the least capacity the slider offers: 60 a week per 1,000
    moved.locator(".ps-note").filter(has_text="GP capacity").wait_for(timeout=30_000)
    assert "from week 6" in moved.locator(".ps-note").inner_text()
    moved.locator(".lever-primary_care__capacity_per_1000_week .lever-value").filter(
        has_text="60 appointments").wait_for()
    moved.screenshot(path=str(shots_dir(tmp_path) / "dashboard-levers.png"))
    moved.get_by_role("button", name="Close").click()
    step(moved, 7)
    after = chart_values(moved, ".side-0.chart-headline", GP_LINE, 12)
    shapes = moved.locator(HEADLINE_CHARTS[0]).evaluate("el => (el.layout.shapes || []).length")
    assert shapes >= 4, "no marker where the lever moved"

    plain = open_dashboard(context, base + SMALL)
    step(plain, 12)
    before = chart_values(plain, ".side-0.chart-headline", GP_LINE, 12)
    assert after[:5] == before[:5], "moving the lever changed weeks already run"
    assert sum(after[6:12]) < 0.9 * sum(before[6:12]), "the lever did not change the weeks after"

    # the address holds the settings; a reload restores them (from week 0)
    assert "primary_care__capacity_per_1000_week=60" in moved.url
    moved.reload()
    wait_week(moved, 0)
    moved.locator(".ps-status").filter(has_text="GP capacity 60").wait_for(timeout=60_000)
    assert "6,000 residents" in moved.locator(".pair-readout").inner_text()
    close_and_wait_freed(context, log)
    net.assert_clean()


def test_every_view_a_policy_started_now_and_the_export(server, browser, tmp_path):
    base, log = server
    shots = shots_dir(tmp_path)
    context = browser.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True)
    net = NetLog(base).attach(context)
    page = open_dashboard(context, base + SMALL + "&seeds=3")
    step(page, 3)
    page.get_by_role("button", name="Levers").click()
    page.locator(".policy-switch-social_movement-0").click()  # start the movement on the left
    page.locator(".policy-social_movement-0").filter(has_text="running").wait_for()
    page.get_by_role("button", name="Close").click()
    play(page, 60)
    pause(page)
    assert page.locator(".chart-headline .ps-band").count() == 3  # a band over three seeds
    page.screenshot(path=str(shots / "dashboard.png"))

    page.get_by_role("button", name="Community", exact=True).click()
    page.locator(".groups-readout-1").filter(has_text="groups ·").wait_for()
    page.wait_for_function("() => document.querySelectorAll('.view-community .js-plotly-plot')"
                           ".length === 4")
    assert len(page.locator(".measure-vitality").get_attribute("title")) > 30
    page.screenshot(path=str(shots / "dashboard-community.png"))

    page.get_by_role("button", name="Journeys", exact=True).click()
    page.locator(".journey-why").filter(has_text="picked because their two lives differ").wait_for()
    page.locator(".journey-now-0").filter(has_text=re.compile(r"Now:|Died in week")).wait_for()
    page.get_by_role("button", name="Follow the most different life from now on").click()
    page.get_by_text(re.compile(r"now following #\d+ from week")).wait_for()
    page.screenshot(path=str(shots / "dashboard-journeys.png"))

    page.get_by_role("button", name="Export", exact=True).click()
    paths = []
    for name in ("done_to", "done_with"):
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name=f"Download {name}_workshop.yaml").click()
        path = tmp_path / f"{name}_workshop.yaml"
        download.value.save_as(path)
        paths.append(path)
        done = run_cli("validate", path)
        assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
    left = yaml.safe_load(paths[0].read_text())
    assert left["population"]["size"] == 6000 and left["replicates"] == 3
    assert left["policies"]["social_movement"]["start_week"] == 3
    page.screenshot(path=str(shots / "dashboard-export.png"))
    close_and_wait_freed(context, log)
    net.assert_clean()


def test_each_browser_has_its_own_models_freed_when_its_tab_closes(server, browser):
    base, log = server
    one, two = browser.new_context(), browser.new_context()
    net1, net2 = NetLog(base).attach(one), NetLog(base).attach(two)
    p1, p2 = open_dashboard(one, base + SMALL), open_dashboard(two, base + SMALL)
    step(p1, 3)
    assert week(p2) == 0
    step(p2, 1)
    assert week(p1) == 3
    freed = log.read_text().count("a pair of models was freed")
    one.close()
    deadline = time.monotonic() + 60
    while log.read_text().count("a pair of models was freed") <= freed:
        assert time.monotonic() < deadline, "closing a tab did not free its models"
        time.sleep(0.5)
    step(p2, 1)  # the other session plays on
    two.close()
    net1.assert_clean()
    net2.assert_clean()
