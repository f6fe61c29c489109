"""The notebook API: sim.compare and sim.run, with .to_frame() and .plot()."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import sim
from sim.compare import COMPARISON_COLUMNS, align_scenarios, compare_scenarios

from .conftest import ROOT

SMALL = {"population.size": 1000, "population.neighbourhoods": 1,
         "population.practice_list_size": 1000}


@pytest.fixture(scope="module")
def cmp():
    ticks = []
    result = sim.compare("done_to", "done_with", replicates=2, weeks=12, seed=4,
                         overrides=SMALL, progress=lambda done, total: ticks.append((done, total)))
    return result, ticks


def test_compare_gives_the_command_lines_numbers_with_frames_and_plots(cmp):
    result, ticks = cmp
    assert result.labels == ["done_to", "done_with"]
    assert ticks[-1] == (2 * 2 * 12, 2 * 2 * 12) and len(ticks) == 48
    table = result.to_frame()
    assert list(table.columns) == list(COMPARISON_COLUMNS)
    # The same seeds and measures as compare_scenarios, which the command line runs.
    specs = [sim.load_scenario(n, overrides=SMALL) for n in ("done_to", "done_with")]
    specs, _ = align_scenarios(specs, replicates=2, weeks=12, seed=4)
    pd.testing.assert_frame_equal(table, compare_scenarios(specs).table)
    assert len(result.to_frame("timeseries")) == 2 * 2 * 12
    assert set(result.to_frame("summary")["scenario"]) == {"done_to", "done_with"}
    for kind in ("differences", "timeseries", "demand", "equity"):
        fig = result.plot(kind)
        assert fig.data, kind
    assert result.plot("timeseries", group="Community").layout.title.text == "Community"
    with pytest.raises(ValueError, match="expected one of"):
        result.plot("pie")
    with pytest.raises(ValueError, match="expected one of"):
        result.to_frame("nothing")


def test_run_and_the_report_from_a_notebook(cmp, tmp_path):
    result, _ = cmp
    path = result.report(tmp_path / "r.html")
    assert "Decision summary" in path.read_text(encoding="utf-8")
    one = sim.run("baseline", replicates=2, weeks=6, overrides=SMALL)
    assert one.to_frame()["seed"].tolist() == [1, 2]
    assert len(one.to_frame("timeseries")) == 12
    assert one.plot().data and one.plot("demand").data


def test_sim_compare_is_callable_however_it_was_imported():
    code = ("import sim.compare, sim; from sim.compare import t_interval; "
            "assert callable(sim.compare) and callable(t_interval); "
            "import sim.api; assert sim.compare.__call__")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with pytest.raises(ValueError, match="at least two"):
        sim.compare("baseline")


def test_replicates_on_two_workers_give_the_same_numbers():
    specs = [sim.load_scenario(n, overrides=SMALL) for n in ("baseline", "done_with")]
    specs, _ = align_scenarios(specs, replicates=3, weeks=8, seed=11)
    one, two = compare_scenarios(specs), compare_scenarios(specs, workers=2)
    pd.testing.assert_frame_equal(one.table, two.table)
    for label in one.labels:
        a, b = one.runs[label], two.runs[label]
        pd.testing.assert_frame_equal(a.result.timeseries, b.result.timeseries)
        pd.testing.assert_frame_equal(a.result.summary, b.result.summary)
        pd.testing.assert_frame_equal(a.demand, b.demand)
        assert a.result.seeds == b.result.seeds == [11, 12, 13]
