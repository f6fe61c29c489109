"""The command line guides: defaults that give intervals, progress off a terminal,
parameters that explain themselves, validate that estimates, refusals with a hint."""

from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd
import pytest

import sim
from sim.cli import build_parser
from sim.cli_examples import EXAMPLES
from sim.errors import InputError
from sim.parameter_listing import PLACE, WIDTH
from sim.progress import ProgressLines
from sim.scenario import parameter_paths

from .conftest import ROOT, SCENARIOS, run_cli, write

SMALL = ["--set", "population.size=1000", "--set", "population.neighbourhoods=1",
         "--set", "population.practice_list_size=1000"]

OFF_POLICY_SWEEP = """\
scenario: baseline
set:
  population.size: 1000
  population.neighbourhoods: 1
  population.practice_list_size: 1000
  weeks: 4
design: grid
parameters:
  policies.screening.uptake: [0.4, 0.8]
"""


def test_run_defaults_to_replicates_with_intervals_and_says_so(tmp_path):
    out = tmp_path / "run"
    done = run_cli("run", SCENARIOS / "baseline.yaml", "--weeks", "3", "--out", out, *SMALL)
    assert done.returncode == 0, done.stderr
    assert "running 5 replicates" in done.stderr
    assert len(pd.read_csv(out / "summary.csv")) == 5
    # Off a terminal, progress still shows: a line every few percent with the time left.
    lines = [line for line in done.stderr.splitlines() if "% done" in line]
    assert 5 <= len(lines) <= 21 and all("left" in line for line in lines)
    assert lines[-1].split(": ")[1].startswith("100%")
    # --quiet is quiet.
    quiet = run_cli("run", SCENARIOS / "baseline.yaml", "--weeks", "2", "--replicates", "1",
                    "--quiet", "--out", tmp_path / "q", *SMALL)
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_progress_lines_every_five_percent_with_an_eta():
    class Sink:
        def __init__(self):
            self.text = ""

        def write(self, s):
            self.text += s

        def flush(self):
            pass

    sink = Sink()
    lines = ProgressLines(200, "compare", stream=sink)
    for _ in range(200):
        lines.update(1)
    printed = sink.text.splitlines()
    assert len(printed) == 20
    assert printed[0].startswith("compare:   5% done") and "left" in printed[0]


def test_sweep_of_a_policy_the_scenario_does_not_run_is_refused_with_the_hint(tmp_path):
    sweep = write(tmp_path / "off.yaml", OFF_POLICY_SWEEP)
    out = tmp_path / "out"
    done = run_cli("sweep", sweep, "--out", out)
    assert done.returncode == 2
    assert "does not run the policy 'screening'" in done.stderr
    assert "policies.screening.enabled: true" in done.stderr
    assert "parameters.policies.screening.uptake" in done.stderr
    assert "Traceback" not in done.stderr and not out.exists()
    assert run_cli("validate", sweep).returncode == 2
    # Switched on in the sweep's set:, the same sweep is fine.
    on = write(tmp_path / "on.yaml", OFF_POLICY_SWEEP.replace(
        "  weeks: 4\n", "  weeks: 4\n  policies.screening.enabled: true\n"))
    done = run_cli("validate", on)
    assert done.returncode == 0, done.stderr
    assert "2 runs" in done.stdout and "roughly" in done.stdout


def test_evaluate_of_a_policy_that_is_off_is_refused_with_the_hint():
    with pytest.raises(InputError, match="policies__screening__enabled=True"):
        sim.evaluate(population__size=500, population__neighbourhoods=1, weeks=1,
                     policies__screening__uptake=0.5)


def test_validate_says_how_many_runs_a_sweep_is_and_checks_targets():
    done = run_cli("validate", SCENARIOS / "sweeps" / "activist_share.yaml", "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: 192 runs (48 points x 4 replicate(s))")
    assert "on 2 worker(s)" in done.stdout
    done = run_cli("validate", SCENARIOS / "targets" / "england.yaml")
    assert done.returncode == 0 and done.stdout.startswith("ok: 20 targets"), done.stderr


def test_parameters_piped_to_head_exits_without_a_traceback(tmp_path):
    err = tmp_path / "err.txt"
    done = subprocess.run(f"'{sys.executable}' run.py parameters 2>'{err}' | head -1",
                          shell=True, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 1
    assert "Traceback" not in err.read_text() and "Error" not in err.read_text()
    # A reader that stops at once: every write meets a closed pipe.
    done = subprocess.run(f"'{sys.executable}' run.py parameters 2>'{err}' | true",
                          shell=True, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in err.read_text() and "Error" not in err.read_text()


def test_parameters_in_the_terminal_explain_themselves_within_100_columns():
    done = run_cli("parameters")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= WIDTH
    text = done.stdout
    assert "source: " in text and "range: " in text
    for path in parameter_paths():
        assert f"\n{path} = " in "\n" + text, path
    section = run_cli("parameters", "--section", "policies.screening").stdout
    heads = [line for line in section.splitlines() if not line.startswith(" ")]
    assert heads and all(h.startswith("policies.screening.") for h in heads)
    search = run_cli("parameters", "--search", "lonely").stdout
    assert "population.lonely_below" in search and "policies.screening" not in search
    place = run_cli("parameters", "--place").stdout
    heads = [line.split(" = ")[0] for line in place.splitlines() if not line.startswith(" ")]
    assert heads == [p for p in PLACE]
    bad = run_cli("parameters", "--section", "nowhere")
    assert bad.returncode == 2 and "primary_care" in bad.stderr


def test_every_subcommand_help_has_an_example():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == set(EXAMPLES)
    for name, p in sub.choices.items():
        text = p.format_help()
        assert "example:" in text and "python run.py " + name.split()[0] in text \
            or "python run.py validate" in text, name


def test_the_terminal_table_fits_100_columns(tmp_path):
    done = run_cli("compare", SCENARIOS / "done_to.yaml", SCENARIOS / "done_with.yaml",
                   SCENARIOS / "mixed.yaml", "--replicates", "2", "--weeks", "10",
                   "--out", tmp_path / "c", *SMALL)
    assert done.returncode == 0, done.stderr
    assert max(len(line) for line in done.stdout.splitlines()) <= 100
    # Three scenarios do not fit one table: each has its own beside the reference.
    assert "done_with - done_to" in done.stdout and "mixed - done_to" in done.stdout


def test_run_on_two_workers_writes_the_same_numbers(tmp_path):
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        done = run_cli("run", SCENARIOS / "done_with.yaml", "--weeks", "4", "--replicates", "3",
                       "--workers", workers, "--quiet", "--out", out, *SMALL)
        assert done.returncode == 0, done.stderr
        outs.append(out)
    for name in ("summary.csv", "timeseries.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(outs[0] / name), pd.read_csv(outs[1] / name))


def test_run_says_where_its_replicates_go(tmp_path):
    base = ("run", SCENARIOS / "baseline.yaml", "--weeks", "2", "--replicates", "2", *SMALL)
    chosen = run_cli(*base, "--out", tmp_path / "chosen")
    assert chosen.returncode == 0, chosen.stderr
    assert "baseline: 2 runs in this process (--workers N to choose)" in chosen.stderr
    given = run_cli(*base, "--workers", "2", "--out", tmp_path / "given")
    assert given.returncode == 0, given.stderr
    assert re.search(r"baseline: 2 runs on 2 worker processes, \d+ threads? each\n",
                     given.stderr), given.stderr


def test_replicates_that_would_not_fit_in_memory_at_once_are_refused(tmp_path):
    out = tmp_path / "big"
    done = run_cli("run", SCENARIOS / "baseline.yaml", "--set", "population.size=3000000",
                   "--replicates", "1000", "--workers", "1000", "--out", out)
    assert done.returncode == 2, done.stderr
    assert "population.size" in done.stderr and "x 1000 runs at once" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1  # one message
    assert not out.exists()


def test_readme_first_screen_is_a_quick_start_per_kind_of_user():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = "\n".join(readme.splitlines()[:45])
    for who in ("**Planner**", "**Workshop facilitator**", "**Researcher**"):
        assert who in first, who
    assert "docs/performance.md" in readme
    assert "resident-weeks/s" not in readme  # the performance internals live in docs/
    assert "resident-weeks/s" in (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
