"""Parameter declarations: an effect parameter's evidence is checked where it is declared."""

import pytest

from sim.parameters import DISTRIBUTIONS, GRADES, Param
from sim.scenario import parameter_paths


def test_a_plausible_range_must_hold_the_default_within_bounds():
    assert Param(0.5, 0.0, 1.0, plausible=(0.2, 0.8), grade="rct").plausible == (0.2, 0.8)
    with pytest.raises(ValueError, match="must hold the default"):
        Param(0.5, 0.0, 1.0, plausible=(0.6, 0.8), grade="rct")
    with pytest.raises(ValueError, match="must hold the default"):
        Param(0.5, 0.0, 1.0, plausible=(0.2, 1.5), grade="rct")


def test_a_plausible_range_needs_a_grade_and_known_words():
    with pytest.raises(ValueError, match="evidence grade"):
        Param(0.5, 0.0, 1.0, plausible=(0.2, 0.8))
    with pytest.raises(ValueError, match="grade"):
        Param(0.5, 0.0, 1.0, grade="anecdote")
    with pytest.raises(ValueError, match="dist"):
        Param(0.5, 0.0, 1.0, dist="normal")
    with pytest.raises(ValueError, match="log-uniform"):
        Param(0.5, 0.0, 1.0, plausible=(0.0, 0.8), grade="rct", dist="loguniform")


def test_every_declared_grade_and_distribution_is_known():
    for path, p in parameter_paths().items():
        assert p.grade is None or p.grade in GRADES, path
        assert p.dist in DISTRIBUTIONS, path
