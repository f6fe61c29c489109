"""A report a planner can put in front of a board: its first screen, print, size, colours,
honest bands, and the files beside it."""

from __future__ import annotations

import json
import math
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.compare import Comparison, align_scenarios, compare_scenarios, comparison_table
from sim.report import write_compare_report
from sim.report_plots import (CHART_MAX_HEIGHT, CHART_WIDTH, PANEL_GROUPS, band,
                              scenario_colour, scenario_colours, timeseries_figures)

from .conftest import SCENARIOS, run_cli

CHROMIUM = Path("/usr/bin/chromium")
SMALL = {"population.size": 1500, "population.neighbourhoods": 2,
         "population.practice_list_size": 1000}
SMALL_ARGS = [a for k, v in SMALL.items() for a in ("--set", f"{k}={v}")]

browser_needed = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium (setup.sh installs it)")


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    """The demo's comparison (done_to vs done_with, 520 weeks) at a small size, as a planner
    runs it; two replicates, so that raw t-bands would reach below zero."""
    out = tmp_path_factory.mktemp("board") / "cmp"
    done = run_cli("compare", SCENARIOS / "done_to.yaml", SCENARIOS / "done_with.yaml",
                   "--replicates", "2", "--weeks", "520", "--seed", "1", "--out", out,
                   *SMALL_ARGS, *(["--pdf"] if CHROMIUM.exists() else []))
    assert done.returncode == 0, done.stderr
    return out, done


# --- the files beside the report ------------------------------------------------------------------


def test_csv_beside_parquet_holds_the_same_table(board):
    out, _ = board
    parquet = pd.read_parquet(out / "timeseries.parquet")
    csv = pd.read_csv(out / "timeseries.csv")
    pd.testing.assert_frame_equal(csv, parquet, check_dtype=False)
    assert len(csv) == 2 * 2 * 520
    with zipfile.ZipFile(out / "tables.xlsx") as book:
        workbook = book.read("xl/workbook.xml").decode("utf-8")
    for sheet in ("comparison", "summary", "timeseries"):
        assert f'name="{sheet}"' in workbook


def test_report_is_small_and_names_the_files_beside_it(board):
    out, _ = board
    text = (out / "report.html").read_text(encoding="utf-8")
    assert (out / "report.html").stat().st_size < 2_000_000
    for name in ("comparison.csv", "timeseries.csv", "tables.xlsx", "summary.csv"):
        assert f"<code>{name}</code>" in text and (out / name).exists()


# --- the first screen -----------------------------------------------------------------------------


def test_first_screen_words_say_what_was_tested(board):
    out, _ = board
    text = (out / "report.html").read_text(encoding="utf-8")
    head = text[text.index("<section class='decision'"):text.index("</section>")]
    assert "Clearly" not in text and "clearly" not in head
    assert "simulation noise" in head and "a year for the place" in head
    for words in ("What these numbers rest on", "assumption", "cannot cover", "per 1,000"):
        assert words in head, words
    # The totals for the place are the summary's final-year totals (sim.totals), which
    # agree with the rates per 1,000 times the population.
    summary = pd.read_csv(out / "summary.csv")
    with_ = summary[summary["scenario"] == "done_with"].set_index("seed")
    to = summary[summary["scenario"] == "done_to"].set_index("seed")
    total = (with_["gp_appointments_a_year"] - to["gp_appointments_a_year"]).mean()
    assert f"{abs(total):,.0f} {'fewer' if total < 0 else 'more'} appointments" in head
    for s in (with_, to):
        from_rate = s["gp_appointments_per_1000"] * s["population"] / 1000
        assert ((s["gp_appointments_a_year"] - from_rate).abs() < 0.02 * from_rate).all()


@browser_needed
def test_first_screen_in_chromium_shows_the_decision_and_what_it_rests_on(board):
    playwright = pytest.importorskip("playwright.sync_api")
    out, _ = board
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto((out / "report.html").as_uri())
        for selector in ("#decision h2", "#decision .question", "#decision ol",
                         "#rests-on", "#rests-on h2"):
            box = page.locator(selector).first.bounding_box()
            assert box is not None, selector
            assert box["y"] >= 0 and box["y"] + box["height"] <= 800, (selector, box)
            assert box["x"] + box["width"] <= 1280, (selector, box)
        assert page.locator("#rests-on").inner_text().startswith("What these numbers rest on")
        browser.close()


@browser_needed
def test_printed_pdf_keeps_every_chart_whole_on_a_page(board, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    out, _ = board
    # Landscape A4 less 8 mm margins, in CSS pixels (96 to the inch).
    page_w, page_h = (297 - 16) / 25.4 * 96, (210 - 16) / 25.4 * 96
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        # Laid out as on the printed page: its printable width and height.
        page = browser.new_page(viewport={"width": int(page_w), "height": int(page_h)})
        page.goto((out / "report.html").as_uri())
        page.emulate_media(media="print")
        charts = page.locator("div.chart")
        assert charts.count() >= 6
        for i in range(charts.count()):
            chart = charts.nth(i)
            for box in (chart.bounding_box(), chart.locator("svg.main-svg").first.bounding_box()):
                assert box["height"] <= page_h and box["x"] + box["width"] <= page_w, (i, box)
            assert chart.evaluate("e => getComputedStyle(e).breakInside") == "avoid"
        pdf = tmp_path / "report.pdf"
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
        browser.close()
    for printed in (pdf, out / "report.pdf"):  # by page.pdf, and by compare --pdf
        data = printed.read_bytes()
        assert data.startswith(b"%PDF")
        assert len(re.findall(rb"/Type\s*/Page(?!s)", data)) >= 3  # a page object each


# --- honest plots ---------------------------------------------------------------------------------


def test_bands_never_fall_below_zero_or_above_one(board):
    out, _ = board
    frame = pd.read_parquet(out / "timeseries.parquet")
    frames = {label: f.drop(columns="scenario") for label, f in frame.groupby("scenario")}
    crossed = 0
    for group, panels in PANEL_GROUPS:
        for title, value, smooth, bounds in panels:
            for f in frames.values():
                clipped = band(f, value, smooth, bounds)
                raw = band(f, value, smooth)
                assert (clipped["lo"] >= bounds[0]).all(), title
                assert (clipped["hi"] <= bounds[1]).all(), title
                crossed += int((raw["lo"] < bounds[0]).any() or (raw["hi"] > bounds[1]).any())
    assert crossed > 0  # with two replicates some raw band does cross: the test can fail
    # And the charts carry the clipped bands.
    for _, fig in timeseries_figures(frames):
        for trace in fig.data:
            if trace.fill == "toself":
                assert np.nanmin(np.asarray(trace.y, dtype=float)) >= 0.0
    assert all(fig.layout.width <= CHART_WIDTH and fig.layout.height <= CHART_MAX_HEIGHT
               for _, fig in timeseries_figures(frames))


def test_band_is_cut_at_zero_for_a_count_near_zero():
    frame = pd.DataFrame({"replicate": [0, 1, 2], "week": [1, 1, 1], "x": [0.0, 0.0, 9.0]})
    raw = band(frame, lambda f: f["x"], False)
    cut = band(frame, lambda f: f["x"], False, (0.0, math.inf))
    assert raw["lo"].iloc[0] < 0 and cut["lo"].iloc[0] == 0.0
    assert cut["hi"].iloc[0] == raw["hi"].iloc[0]


def _trace_colours(html_text: str) -> dict[str, set[str]]:
    """Scenario name -> every colour its traces have in a report's Plotly figures."""
    decoder = json.JSONDecoder()
    colours: dict[str, set[str]] = {}
    start = 0
    while (i := html_text.find("Plotly.newPlot(", start)) >= 0:
        j = html_text.index(",", i) + 1  # past the div id
        traces, end = decoder.raw_decode(html_text[j:].lstrip())
        start = i + 1
        for t in traces:
            colour = (t.get("line") or {}).get("color") or (t.get("marker") or {}).get("color")
            if t.get("name") and isinstance(colour, str):
                colours.setdefault(t["name"], set()).add(colour)
    return colours


def test_a_scenario_has_one_colour_whatever_its_place_in_the_comparison(tmp_path):
    a = sim.load_scenario(SCENARIOS / "done_to.yaml", overrides=SMALL)
    b = sim.load_scenario(SCENARIOS / "done_with.yaml", overrides=SMALL)
    specs, _ = align_scenarios([a, b], replicates=2, weeks=30, seed=2)
    comp = compare_scenarios(specs)
    flipped_runs = dict(reversed(list(comp.runs.items())))
    flipped = Comparison(flipped_runs, comparison_table(
        {label: r.result.summary for label, r in flipped_runs.items()}))
    colours = []
    for name, c in (("first", comp), ("second", flipped)):
        write_compare_report(tmp_path / f"{name}.html", c)
        colours.append(_trace_colours((tmp_path / f"{name}.html").read_text(encoding="utf-8")))
    for label in ("done_to", "done_with"):
        assert len(colours[0][label]) == 1, colours[0][label]
        assert colours[0][label] == colours[1][label] == {scenario_colour(label)}
    assert scenario_colour("done_to") != scenario_colour("done_with")


def test_colours_of_other_names_are_fixed_by_the_names_and_told_apart():
    names = [f"place-{i}" for i in range(8)]
    forward, backward = scenario_colours(names), scenario_colours(names[::-1])
    assert forward == backward
    assert len(set(forward.values())) == 8


def test_what_the_numbers_rest_on_is_read_from_the_declarations():
    from sim.policies import POLICIES
    from sim.report_summary import effect_parameters

    by_grade = effect_parameters(["screening", "social_movement"])
    listed = [p for paths in by_grade.values() for p in paths]
    assert "social_movement.burnout" in listed and "screening.sensitivity" in listed
    assert "social_movement.activist_share" not in listed  # a dose the planner sets
    assert "social_movement.cost_per_activist_year" not in listed  # spending, not an effect
    for path in listed:
        kind, key = path.split(".")
        p = POLICIES[kind].params[key]
        expected = p.grade or ("assumption" if p.source.startswith("assumption") else None)
        assert path in by_grade[expected]
