"""HTML reports: self-contained (nothing fetched), and saying what the results say."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import sim
from sim.compare import align_scenarios, compare_scenarios, fmt, read_comparison
from sim.report import write_compare_report

from .conftest import SCENARIOS, run_cli

SMALL = {"population.size": 1500, "population.neighbourhoods": 2,
         "population.practice_list_size": 1000}


class _Resources(HTMLParser):
    """Collects every URL a page would fetch: scripts, stylesheets, images, frames."""

    def __init__(self):
        super().__init__()
        self.fetched: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag in ("script", "img", "iframe", "embed") and a.get("src"):
            self.fetched.append(a["src"])
        if tag == "link" and a.get("href"):
            self.fetched.append(a["href"])


def assert_self_contained(text: str) -> None:
    """No external script, stylesheet or other resource; Plotly inlined exactly once."""
    from sim.report_page import plotly_script

    parser = _Resources()
    parser.feed(text)
    assert parser.fetched == []
    assert "@import" not in text.split("<script", 1)[0]  # nothing pulled in by the CSS
    assert text.count(plotly_script()[:2000]) == 1
    assert text.count("* plotly.js") == 1  # one library's banner: not one per figure
    assert parser.scripts >= 2  # the library and at least one chart


def test_compare_report_is_self_contained_and_reads_the_numbers(tmp_path):
    a = sim.load_scenario("baseline", overrides=SMALL)
    b = sim.load_scenario("baseline", overrides={**SMALL, "choice.dependence_weight": 1.5,
                                                 "name": "variant"})
    specs, _ = align_scenarios([a, b], replicates=3, weeks=20, seed=3)
    comp = compare_scenarios(specs)
    path = tmp_path / "report.html"
    write_compare_report(path, comp, notes=["a note for the reader"])
    text = path.read_text(encoding="utf-8")
    assert_self_contained(text)
    for paragraph in read_comparison(comp)["variant"]:
        assert html.escape(paragraph) in text
    gp = comp.row("gp_appointments_per_1000", "variant")
    assert fmt("gp_appointments_per_1000", gp["diff"], True) in text
    assert "choice.dependence_weight" in text  # the parameter that differs
    assert "a note for the reader" in text
    for heading in ("What changed, and why", "Over time", "GP demand by kind", "Equity",
                    "Cost, final year", "Parameters", "Paired difference from baseline"):
        assert heading in text


def test_run_report_from_the_cli_is_self_contained(tmp_path):
    out = tmp_path / "run"
    args = [a for k, v in SMALL.items() for a in ("--set", f"{k}={v}")]
    done = run_cli("run", SCENARIOS / "baseline.yaml", "--weeks", "110", "--replicates", "2",
                   "--out", out, *args)
    assert done.returncode == 0, done.stderr
    text = (out / "report.html").read_text(encoding="utf-8")
    assert_self_contained(text)
    for heading in ("What these numbers rest on", "What changed over the run", "Over time",
                    "Final-year summary", "Equity", "Cost, final year", "Parameters"):
        assert heading in text
    # The reading printed to the terminal is the one in the report.
    assert "compared with its first year" in done.stdout
    assert "population.size" in text and "1500" in text


def test_run_reading_compares_the_first_year_from_the_steady_state():
    from sim.compare import read_run, run_recorded

    spec = sim.load_scenario("baseline", overrides={**SMALL, "replicates": 2, "weeks": 104})
    reading = read_run(run_recorded(spec))
    assert "compared with its first year" in reading[0]
    assert "steady state, after 52 unreported weeks" in reading[0]
    cold = sim.load_scenario("baseline", overrides={**SMALL, "replicates": 2, "weeks": 104,
                                                      "system.burn_in_weeks": 0})
    assert "includes the model settling" in read_run(run_recorded(cold))[0]


def test_report_shows_the_evidence_behind_each_effect_in_force():
    from sim.report_evidence import evidence_table
    from sim.scenario import load_scenario

    text = evidence_table({"done to": load_scenario("done_to"),
                           "done with": load_scenario("done_with")})
    assert "policies.targets.admission_reduction" in text and "Harrison" in text
    assert "policies.co_design.failure_demand_reduction" in text and "0 .. 0.15" in text
    assert "community.connectedness_per_week" in text  # core effects too
    only_to = evidence_table({"done to": load_scenario("done_to")})
    assert "policies.co_design" not in only_to  # only the policies in force
