"""The evidence check (``run.py evidence``): twins by uid, its table, exit codes, bad input.

The shipped file runs at 15,000 residents over ten years (a few minutes); here small
targets files at 3,000 residents over three years exercise the same code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.evidence import DEFAULT_EVIDENCE, check_evidence, load_evidence, measure
from sim.errors import InputError
from sim.scenario import load_scenario
from sim.twins import lookup, observe

from .conftest import run_cli, write

SMALL = """\
size: 3000
t0: 104
replicates: 1
targets:
  referred_gp:
    policy: social_prescribing
    scenario: done_with
    population: touched
    metric: gp_appointments
    effect: {effect}
    lo: {lo}
    hi: 0.5
    grade: controlled
    source: a test
  campaign_on_air:
    policy: campaign
    scenario: done_to
    population: place
    metric: gp_appointments
    window: on_air
    effect: 0.004
    lo: 0.0
    hi: 0.1
    grade: controlled
    source: a test
"""


def test_shipped_targets_cover_every_policy_with_a_source_and_grade():
    targets = load_evidence(DEFAULT_EVIDENCE)
    from sim.policies import POLICIES

    assert {t.policy for t in targets.targets} == set(POLICIES)
    assert all(t.source and t.lo <= t.effect <= t.hi for t in targets.targets)


def test_twins_are_the_same_residents_with_and_without_the_policy():
    base_spec = load_scenario("baseline").with_overrides({"population.size": 3000})
    spec = load_scenario("social_prescribing").with_overrides({"population.size": 3000})
    base = observe(base_spec, 1, 104, None)
    pol = observe(spec, 1, 104, "social_prescribing")
    assert pol.touched.size > 0
    # Everyone alive at the start is in both runs under the same uid.
    assert (lookup(base.uid, pol.before_uid) >= 0).all()
    # Before the policy could act (it starts at week 0, so compare the untouched), the
    # twins' counts differ only through the policy: with no policy they are identical.
    again = observe(base_spec, 1, 104, None)
    assert all(np.array_equal(base.after[k], again.after[k]) for k in base.after)
    target = next(t for t in load_evidence(DEFAULT_EVIDENCE).targets
                  if t.name == "social_prescribing_gp")
    effect, before_after = measure(target, pol, base, 104)
    assert np.isfinite(effect) and np.isfinite(before_after)
    assert effect != before_after  # the uncontrolled evaluation sees something else


def test_evidence_command_writes_its_table_and_exits_1_on_a_miss(tmp_path):
    passing = write(tmp_path / "pass.yaml", SMALL.format(lo=-0.5, effect=-0.1))
    out = tmp_path / "ok"
    proc = run_cli("evidence", "--targets", passing, "--out", out, "--quiet")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    table = pd.read_csv(out / "evidence.csv")
    assert list(table["target"]) == ["referred_gp", "campaign_on_air"]
    assert table["passed"].all() and "before-after" in proc.stdout
    assert "| referred_gp |" in (out / "evidence.md").read_text()
    # An interval the model cannot meet: the same run, now outside.
    failing = write(tmp_path / "fail.yaml", SMALL.format(lo=0.4, effect=0.45))
    proc = run_cli("evidence", "--targets", failing, "--out", tmp_path / "miss", "--quiet")
    assert proc.returncode == 1 and "OUTSIDE" in proc.stdout


@pytest.mark.parametrize("change, key", [
    (("policy: social_prescribing", "policy: social_prescribng"), "targets.referred_gp.policy"),
    (("metric: gp_appointments\n    effect: -0.1", "metric: gp\n    effect: -0.1"),
     "targets.referred_gp.metric"),
    (("lo: -0.5", "lo: 0.2"), "targets.referred_gp"),
    (("grade: controlled\n    source: a test\n  campaign",
      "grade: anecdote\n    source: a test\n  campaign"), "targets.referred_gp.grade"),
    (("population: place", "population: touched"), "targets.campaign_on_air.population"),
])
def test_bad_evidence_targets_name_the_file_and_key(tmp_path, change, key):
    text = SMALL.format(lo=-0.5, effect=-0.1).replace(*change, 1)
    path = write(tmp_path / "bad.yaml", text)
    with pytest.raises(InputError) as err:
        load_evidence(path)
    assert str(path) in str(err.value) and key in str(err.value)
    proc = run_cli("evidence", "--targets", path, "--out", tmp_path / "never", "--quiet")
    assert proc.returncode == 2 and key in proc.stderr
    assert not (tmp_path / "never").exists()


def test_check_evidence_is_reproducible(tmp_path):
    targets = load_evidence(write(tmp_path / "t.yaml", SMALL.format(lo=-0.5, effect=-0.1)))
    first = check_evidence(targets)
    second = check_evidence(targets)
    pd.testing.assert_frame_equal(first, second)


@pytest.mark.slow  # a subprocess, browser, Dask cluster or signal: CI runs it
def test_evidence_on_two_workers_is_the_same_to_the_bit(tmp_path):
    # Two replicates, so that each worker runs some of each scenario's seeds.
    text = SMALL.format(lo=-0.5, effect=-0.1).replace("replicates: 1", "replicates: 2")
    path = write(tmp_path / "t.yaml", text)
    here = run_cli("evidence", "--targets", path, "--out", tmp_path / "here", "--workers", "1")
    pool = run_cli("evidence", "--targets", path, "--out", tmp_path / "pool", "--workers", "2")
    assert here.returncode == pool.returncode == 0, here.stderr + pool.stderr
    assert "evidence: 6 runs in this process" in here.stderr
    assert "evidence: 6 runs on 2 worker processes, 1 thread each" in pool.stderr
    for name in ("evidence.csv", "evidence.md"):
        assert (tmp_path / "here" / name).read_bytes() == (tmp_path / "pool" / name).read_bytes()
    assert check_evidence(load_evidence(path)).to_csv(index=False) == (
        tmp_path / "here" / "evidence.csv").read_text()
