"""Ranges a comparison draws over: scenario key, --set, patterns, distributions, the design."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import sim
from sim.draws import design_draws
from sim.errors import InputError
from sim.parameters import Param
from sim.uncertainty import Range, comparison_ranges, held_paths, value_at

from .conftest import SCENARIOS, run_cli, write

DEGREE = "network.mean_degree"
PRICE = "costs.gp_appointment"


def _range(dist: str, low=1.0, central=2.0, high=5.0, integer=False, path="x") -> Range:
    param = Param(3 if integer else central, 0.0, 10.0, integer=integer)
    return Range(path, param, low, central, high, dist, "assumption")


def test_the_scenario_key_and_set_give_the_same_ranges(tmp_path):
    path = write(tmp_path / "a.yaml", f"""
        extends: {SCENARIOS / 'baseline.yaml'}
        uncertainty:
          {DEGREE}: {{plausible: [6, 10], dist: uniform}}
          {PRICE}: {{fixed: 50}}
        """)
    from_file = comparison_ranges([sim.load_scenario(path)])
    from_set = comparison_ranges([sim.load_scenario("baseline", overrides={
        f"uncertainty.{DEGREE}.plausible": [6, 10], f"uncertainty.{DEGREE}.dist": "uniform",
        f"uncertainty.{PRICE}.fixed": 50})])
    for ranges in (from_file, from_set):
        r = ranges[DEGREE]
        assert (r.low, r.central, r.high, r.dist, r.grade) == (6, 8.0, 10, "uniform", "assumption")
        assert r.drawn
        assert (ranges[PRICE].low, ranges[PRICE].high, ranges[PRICE].drawn) == (50, 50, False)


def test_a_pattern_collapses_every_range_to_its_central_value():
    spec = sim.load_scenario("baseline", overrides={
        f"uncertainty.{DEGREE}.plausible": [6, 10], f"uncertainty.{PRICE}.plausible": [40, 60],
        "uncertainty.*.fixed": True})
    ranges = comparison_ranges([spec])
    assert ranges and not any(r.drawn for r in ranges.values())
    assert ranges[DEGREE].central == 8.0 and ranges[PRICE].low == 45.0


def test_a_declared_range_is_narrowed_by_a_scenario(monkeypatch):
    from sim import uncertainty

    declared = Range(DEGREE, sim.parameter_paths()[DEGREE], 4.0, 8.0, 12.0, "pert", "controlled")
    monkeypatch.setattr(uncertainty, "declared_ranges", lambda: {DEGREE: declared})
    assert comparison_ranges([sim.load_scenario("baseline")])[DEGREE] == declared
    narrowed = comparison_ranges([sim.load_scenario("baseline", overrides={
        f"uncertainty.{DEGREE}.plausible": [7, 9]})])[DEGREE]
    assert (narrowed.low, narrowed.high, narrowed.grade) == (7, 9, "assumption")
    fixed = comparison_ranges([sim.load_scenario("baseline", overrides={
        f"uncertainty.{DEGREE}.fixed": True})])[DEGREE]
    assert not fixed.drawn and fixed.central == 8.0


@pytest.mark.parametrize("entry, key, words", [
    ({"plausible": [6]}, "plausible", "expected [low, high]"),
    ({"plausible": [10, 6]}, "plausible", "inverted"),
    ({"plausible": [0, 6]}, "plausible", "outside the bounds"),
    ({"dist": "normal"}, "dist", "unknown distribution"),
    ({"fixd": True}, "fixd", "did you mean 'fixed'"),
])
def test_a_bad_entry_names_the_file_and_key(tmp_path, entry, key, words):
    import yaml

    path = write(tmp_path / "bad.yaml", yaml.safe_dump(
        {"extends": str(SCENARIOS / "baseline.yaml"), "uncertainty": {DEGREE: entry}}))
    with pytest.raises(InputError) as err:
        sim.load_scenario(path)
    assert err.value.source == str(path)
    assert err.value.key == f"uncertainty.{DEGREE}.{key}"
    assert words in err.value.problem


def test_ranges_that_contradict_are_bad_input():
    with pytest.raises(InputError, match="central value 8 is outside"):
        comparison_ranges([sim.load_scenario("baseline", overrides={
            f"uncertainty.{DEGREE}.plausible": [2, 4]})])
    with pytest.raises(InputError, match="no declared plausible range"):
        comparison_ranges([sim.load_scenario("baseline", overrides={
            f"uncertainty.{DEGREE}.dist": "uniform"})])
    a = sim.load_scenario("baseline", overrides={f"uncertainty.{DEGREE}.plausible": [6, 10]})
    b = sim.load_scenario("done_with", overrides={f"uncertainty.{DEGREE}.plausible": [5, 11]})
    with pytest.raises(InputError, match="expected the scenarios of a comparison to agree"):
        comparison_ranges([a, b])


def test_bad_ranges_on_the_command_line_exit_2_and_write_nothing(tmp_path):
    out = tmp_path / "out"
    done = run_cli("compare", SCENARIOS / "baseline.yaml", SCENARIOS / "done_with.yaml",
                   "--draws", "4", "--out", out,
                   "--set", f"uncertainty.{DEGREE}.plausible=[6]")
    assert done.returncode == 2
    assert f"uncertainty.{DEGREE}.plausible" in done.stderr and "expected [low, high]" in done.stderr
    assert not out.exists()
    done = run_cli("compare", SCENARIOS / "baseline.yaml", SCENARIOS / "done_with.yaml",
                   "--draws", "-3", "--out", out)
    assert done.returncode == 2 and "--draws" in done.stderr and not out.exists()
    done = run_cli("compare", SCENARIOS / "baseline.yaml", SCENARIOS / "done_with.yaml",
                   "--draws", "2", "--scheduler", "tcp://127.0.0.1:1", "--out", out)
    assert done.returncode == 2 and "--scheduler" in done.stderr and not out.exists()
    out.mkdir()
    done = run_cli("compare", SCENARIOS / "baseline.yaml", SCENARIOS / "done_with.yaml",
                   "--draws", "2", "--resume", "--out", out)
    assert done.returncode == 2 and "holds no unfinished draws" in done.stderr
    assert not any(out.iterdir())


@pytest.mark.parametrize("dist", ["pert", "triangular", "uniform", "loguniform"])
def test_each_distribution_stays_in_its_range(dist):
    r = _range(dist)
    u = np.linspace(0.0005, 0.9995, 2000)
    x = value_at(r, u)
    assert np.all(np.diff(x) >= 0) and r.low <= x.min() and x.max() <= r.high


def test_the_distributions_are_the_named_ones():
    u = np.array([0.1, 0.5, 0.9])
    assert value_at(_range("uniform"), u) == pytest.approx([1.4, 3.0, 4.6])
    assert value_at(_range("loguniform"), [0.5])[0] == pytest.approx(np.sqrt(5.0))
    # Triangular with its peak at the central value: the CDF at the peak is (c-a)/(b-a).
    assert value_at(_range("triangular"), [0.25])[0] == pytest.approx(2.0)
    # Beta-PERT: mean (a + 4c + b) / 6.
    sample = value_at(_range("pert"), (np.arange(20000) + 0.5) / 20000)
    assert sample.mean() == pytest.approx((1 + 4 * 2 + 5) / 6, rel=1e-3)
    assert stats.mode(np.round(sample, 1)).mode == pytest.approx(2.0, abs=0.15)
    fixed = _range("pert", 2.0, 2.0, 2.0)
    assert value_at(fixed, u).tolist() == [2.0, 2.0, 2.0]


def test_the_design_is_a_reproducible_latin_hypercube():
    ranges = {"d": _range("uniform", 0.0, 3.0, 9.0, True, "d"),
              "a": _range("uniform", 0.0, 5.0, 10.0, path="a"),
              "b": _range("uniform", 1.0, 2.0, 3.0, path="b"),
              "c": _range("uniform", 2.0, 2.0, 2.0, path="c")}
    design = design_draws(ranges, 40, seed=3)
    assert [r.path for r in design.drawn] == ["a", "b", "d"]  # the three that vary, in order
    # One draw in each of the 40 equal strata of every uniform range.
    strata = np.floor(40 * (design.matrix[:, 0] - 0.0) / 10.0).astype(int)
    assert sorted(strata) == list(range(40))
    again = design_draws(ranges, 40, seed=3)
    assert np.array_equal(design.matrix, again.matrix)
    assert not np.array_equal(design.matrix, design_draws(ranges, 40, seed=4).matrix)
    values = design.values(7)
    assert values["a"] == design.matrix[7, 0] and values["b"] == design.matrix[7, 1]
    assert values["c"] == 2.0 and values["d"] == round(design.matrix[7, 2])
    assert isinstance(values["d"], int)
    assert design.seed_of(7, 0) == 10


def test_a_scenario_keeps_a_value_it_sets_itself():
    ranges = comparison_ranges([sim.load_scenario("baseline", overrides={
        f"uncertainty.{PRICE}.plausible": [40, 60],
        "uncertainty.policies.co_design.cost_per_1000_year.plausible": [0, 3000]})])
    # Only the two ranges set here (the declared ones are tested for their own sake).
    ranges = {k: r for k, r in ranges.items()
              if k in (PRICE, "policies.co_design.cost_per_1000_year")}
    baseline = sim.load_scenario("baseline")
    assert held_paths(baseline, ranges) == {"policies.co_design.cost_per_1000_year"}
    pricier = sim.load_scenario("co_design", overrides={PRICE: 90.0})
    assert held_paths(pricier, ranges) == {PRICE}


def test_the_ranking_names_what_moves_a_noisy_difference_and_not_what_cannot():
    from sim.ranking import additive_shares, salient

    rng = np.random.default_rng(4)
    x = rng.uniform(0.0, 1.0, (24, 4))
    y = 3.0 * x[:, 0] + 1.5 * (x[:, 1] > 0.5) + rng.normal(0.0, 0.4, 24)
    shares, p_values = additive_shares(x, y)
    assert shares[0] > shares[1] > max(shares[2], shares[3])
    assert shares.sum() <= 1.0 + 1e-9 and min(shares) >= 0.0
    named = [salient({"share": s, "p_value": p}, 4) for s, p in zip(shares, p_values)]
    assert named == [True, True, False, False]
    assert additive_shares(x[:5], y[:5]) is None  # too few draws for four parameters
