"""Calibration: the baseline lands England's targets; the targets file and command behave.

The calibration run uses 20,000 residents over the full 520 weeks with 2 replicates
(about 12 s on 2 cores): the targets are final-year figures of a 10-year run, so the
horizon is not shortened. It fails when any target leaves its tolerance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.calibration import DEFAULT_TARGETS, calibrate, format_table, judge, load_targets
from sim.errors import InputError
from sim.scenario import load_scenario

from .conftest import SCENARIOS, run_cli, write

CI_SIZE = 20_000


def test_baseline_lands_every_england_target():
    targets = load_targets(DEFAULT_TARGETS)
    spec = load_scenario("baseline").with_overrides({"population.size": CI_SIZE})
    table, result = calibrate(spec, targets, replicates=2, seed=1)
    assert result.scenario.weeks == 520
    missed = table[~table["passed"]]
    assert missed.empty, "targets missed:\n" + format_table(table)


def test_targets_file_covers_calibration_md():
    metrics = {t.metric for t in load_targets(DEFAULT_TARGETS).targets}
    assert {"gp_appointments_per_1000", "ae_attendances_per_1000",
            "emergency_admissions_per_1000", "outpatient_attendances_per_1000",
            "gp_top10_share", "gp_top1_share", "lonely_share", "multimorbidity_share",
            "multimorbidity_share_80plus", "multimorbidity_share_0_19",
            "multimorbidity_odds_ratio_q1_q5_age_standardised", "ae_ratio_q1_q5",
            "pam_level1_share_ltc",
            "pam_level4_share_ltc"} <= metrics
    assert all(t.source for t in load_targets(DEFAULT_TARGETS).targets)


def test_judge_passes_inside_and_fails_outside_the_tolerance(tmp_path):
    path = write(tmp_path / "place.yaml", """
        name: my place
        targets:
          gp:
            metric: gp_appointments_per_1000
            value: 6000
            lo: 5500
            hi: 6500
            source: our practices' appointment data
          ae:
            metric: ae_attendances_per_1000
            value: 300
            lo: 280
            hi: 320
            source: our trust
        """)
    targets = load_targets(path)
    summary = pd.DataFrame({"gp_appointments_per_1000": [6100.0, 6200.0],
                            "ae_attendances_per_1000": [450.0, 460.0]})
    table = judge(summary, targets)
    assert table["passed"].tolist() == [True, False]
    assert table.loc[0, "model"] == pytest.approx(6150.0)
    assert table.loc[0, "ci_low"] < 6150.0 < table.loc[0, "ci_high"]
    one = judge(summary.head(1), targets)  # one replicate: no interval, still judged
    assert np.isnan(one.loc[0, "ci_low"]) and one.loc[0, "passed"]


@pytest.mark.parametrize("body, key", [
    ("targets:\n  gp:\n    metric: gp_apointments_per_1000\n    value: 1\n    lo: 0\n"
     "    hi: 2\n    source: x\n", "targets.gp.metric"),
    ("targets:\n  gp:\n    metric: gp_top10_share\n    value: 0.5\n    lo: 0.6\n"
     "    hi: 0.7\n    source: x\n", "targets.gp"),
    ("targets:\n  gp:\n    metric: gp_top10_share\n    value: 0.4\n    lo: 0.3\n"
     "    hi: 0.5\n", "targets.gp.source"),
    ("targets:\n  gp:\n    metric: gp_top10_share\n    value: high\n    lo: 0.3\n"
     "    hi: 0.5\n    source: x\n", "targets.gp.value"),
    ("target:\n  gp: {}\n", "target"),
])
def test_bad_targets_file_names_the_key(tmp_path, body, key):
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_targets(path)
    assert err.value.key == key


@pytest.mark.slow  # a subprocess, browser, Dask cluster or signal: CI runs it
def test_cli_exits_2_on_bad_targets_and_writes_nothing(tmp_path):
    bad = write(tmp_path / "bad.yaml", "targets: []\n")
    out = tmp_path / "out"
    done = run_cli("calibrate", "scenarios/baseline.yaml", "--targets", bad, "--out", out)
    assert done.returncode == 2, done.stderr
    assert "bad.yaml" in done.stderr and "targets" in done.stderr
    assert not out.exists()


@pytest.mark.slow  # a subprocess, browser, Dask cluster or signal: CI runs it
def test_cli_writes_the_table_and_exits_1_on_a_miss(tmp_path):
    targets = write(tmp_path / "place.yaml", """
        name: my place
        targets:
          gp:
            metric: gp_appointments_per_1000
            value: 6300
            lo: 3000
            hi: 9000
            source: wide enough to pass
          ae:
            metric: ae_attendances_per_1000
            value: 5000
            lo: 4500
            hi: 5500
            source: far from any English place
        """)
    out = tmp_path / "out"
    done = run_cli("calibrate", "scenarios/baseline.yaml", "--targets", targets,
                   "--replicates", "2", "--weeks", "52", "--out", out,
                   "--set", "population.size=3000", "--set", "population.neighbourhoods=3",
                   "--set", "population.practice_list_size=1500")
    assert done.returncode == 1, done.stderr
    assert "FAIL" in done.stdout and "1 of 2 targets met" in done.stdout
    table = pd.read_csv(out / "calibration.csv")
    assert table["target"].tolist() == ["gp", "ae"]
    assert table["passed"].tolist() == [True, False]
    assert {"model", "ci_low", "ci_high", "value", "lo", "hi", "source"} <= set(table.columns)
    # The same on two worker processes, to the bit; the API's in-process run agrees.
    pool = tmp_path / "pool"
    done = run_cli("calibrate", "scenarios/baseline.yaml", "--targets", targets,
                   "--replicates", "2", "--weeks", "52", "--out", pool, "--workers", "2",
                   "--set", "population.size=3000", "--set", "population.neighbourhoods=3",
                   "--set", "population.practice_list_size=1500")
    assert done.returncode == 1 and "2 runs on 2 worker processes" in done.stderr, done.stderr
    for name in ("calibration.csv", "summary.csv"):
        assert (out / name).read_bytes() == (pool / name).read_bytes()
    spec = load_scenario(SCENARIOS / "baseline.yaml", overrides={
        "population.size": 3000, "population.neighbourhoods": 3,
        "population.practice_list_size": 1500})
    api, _ = calibrate(spec, load_targets(targets), replicates=2, weeks=52)
    assert api.to_csv(index=False) == (out / "calibration.csv").read_text()
