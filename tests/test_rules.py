"""The rules' bounds (sim.kernels.bounds): every bounded rule is at or below its bound
table on random states and random parameters, and a wrong or stale bound fails here,
naming the rule."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from sim.kernels.bounds import Axis, evaluate, upper_bounds
from sim.kernels.need import p_flare
from sim.parameters import SECTIONS
from sim.scenario import load_scenario


def _cells(axes, states):
    """The table cell of each state (as :func:`sim.kernels.bounds.cell`, in NumPy)."""
    index = []
    for axis, x in zip(axes, states):
        if axis.is_dimension:
            t = (x - axis.lo) * axis.scale
            inside = (t >= 0) & (t < axis.n)
            index.append(np.where(inside, np.floor(np.where(inside, t, 0)), axis.n).astype(int))
    return tuple(index)


def _random_states(axes, rng, size):
    """Random values for each argument, over its axis (and a little outside a dimension)."""
    states = []
    for a in axes:
        if a.kind == "bins":
            width = a.hi - a.lo
            states.append(rng.uniform(a.lo - 0.01 * width, a.hi + 0.01 * width, size))
        elif a.kind == "counts":
            states.append(rng.integers(0, a.n, size).astype(float))
        elif a.kind == "span":
            states.append(rng.uniform(a.lo, a.hi, size))
        else:
            states.append(rng.choice(np.array(a.values), size))
    return states


def violations(name, rule, params, axes, table, rng, size=20_000):
    """States where ``rule`` exceeds its bound, as a message naming the rule ('' if none)."""
    states = _random_states(axes, rng, size)
    p = evaluate(rule, params, *states)
    bound = table[_cells(axes, states)]
    bad = np.flatnonzero(p > bound)
    if bad.size == 0:
        return ""
    i = bad[0]
    return (f"{name}: {bad.size} of {size} random states above the bound, e.g. state "
            f"{[float(s[i]) for s in states]}: rule {p[i]!r} > bound {bound[i]!r}")


def _randomised(params, rng):
    """The rule's parameters with every declared one drawn within its bounds."""
    declared = {name: param for section in SECTIONS.values() for name, param in section.items()}
    values = {}
    for name, value in params._asdict().items():
        param = declared.get(name)
        if param is None or param.lo is None or param.hi is None or name == "lonely_below":
            values[name] = value
        else:
            hi = min(param.hi, max(param.lo + 1.0, 3.0 * param.default))
            values[name] = float(rng.uniform(param.lo, hi))
    if "mortality_per_ltc" in values:  # the hazard ratio is at least 1 (declared so)
        values["mortality_per_ltc"] = max(values["mortality_per_ltc"], 1.0)
    return type(params)(**values)


def _bounded_rules():
    from sim.health import bounded as health_bounded
    from sim.health import health_params
    from sim.need import bounded as need_bounded
    from sim.need import need_params

    spec = load_scenario("baseline")
    out = [(f"p_{name}", rule, health_params(spec), axes)
           for name, (rule, axes) in health_bounded().items()]
    out += [(f"p_{name}", rule, need_params(spec), axes)
            for name, (rule, axes) in need_bounded(spec.health.seasonality).items()]
    return out


RULES = _bounded_rules()


@pytest.mark.parametrize("name, rule, params, axes", RULES, ids=[r[0] for r in RULES])
def test_every_bounded_rule_is_below_its_bound(name, rule, params, axes):
    """On random states, at the scenario's parameters and at random ones."""
    rng = np.random.default_rng(sum(map(ord, name)))
    for trial in range(4):
        p = params if trial == 0 else _randomised(params, rng)
        assert not violations(name, rule, p, axes, upper_bounds(rule, p, axes), rng)


def test_the_model_tables_are_the_rules_bounds():
    """The tables the phases use are those made from each rule (none edited by hand)."""
    from sim import health, need

    spec = load_scenario("baseline")
    h, nd = health.health_params(spec), need.need_params(spec)
    tables = {**health._health_bounds(h)._asdict(),
              **need._need_bounds(nd, spec.health.seasonality)._asdict()}
    for name, rule, params, axes in RULES:
        assert np.array_equal(tables[name[2:]], upper_bounds(rule, params, axes)), name


@njit
def _p_flare_lonely(ltc, activation, season, nd):
    """p_flare with a term added (1.3 times the rate), as if for the lonely."""
    return p_flare(ltc * 1.3, activation, season, nd)


def test_a_wrong_or_stale_bound_fails_naming_the_rule():
    """A bound too low, or one left from before a term was added to the rule (the bug
    of issue 14: a new flare term without its bound), is caught and named."""
    from sim.need import bounded, need_params

    spec = load_scenario("baseline")
    nd = need_params(spec)
    rule, axes = bounded(spec.health.seasonality)["flare"]
    table = upper_bounds(rule, nd, axes)
    rng = np.random.default_rng(1)
    assert violations("p_flare", rule, nd, axes, table, rng) == ""
    wrong = violations("p_flare", rule, nd, axes, table * 0.9, rng)
    assert wrong.startswith("p_flare: ")
    stale = violations("p_flare (lonely term)", _p_flare_lonely, nd, axes, table, rng)
    assert stale.startswith("p_flare (lonely term): ")
    # Derived from the new rule, the bound holds again.
    assert violations("p_flare (lonely term)", _p_flare_lonely, nd, axes,
                      upper_bounds(_p_flare_lonely, nd, axes), rng) == ""


@njit
def _hump(x, y, params):
    return params[0] - (x - 0.3) ** 2 + y


def test_bounds_take_the_largest_value_of_each_cell_and_none_outside():
    table = upper_bounds(_hump, (1.0,), [Axis.bins(0.0, 1.0, 2), Axis.choices((0.0, 2.0))])
    assert table.shape == (3,)
    # Cell [0, 0.5) holds the top of the hump (x = 0.3) only between its points: the
    # ends and middle give 1 - 0.0025 + 2; cell [0.5, 1) peaks at its left edge.
    assert table[0] == pytest.approx((3.0 - 0.05 ** 2) * 1.001 + 1e-12, rel=1e-9)
    assert table[0] > 3.0  # the margin covers the top missed between the points
    assert table[1] == pytest.approx((3.0 - 0.2 ** 2) * 1.001 + 1e-12, rel=1e-9)
    assert table[2] == np.inf


def test_a_rule_over_arrays_is_one_loop_filed_under_the_rule():
    """Tables, tests and NumPy callers all evaluate a rule through one compiled loop per
    rule, cached on disk next to the rule's own source (so editing the rule recompiles it)."""
    import inspect

    from sim.kernels.bounds import over_arrays

    loop = over_arrays(p_flare, 3)
    assert over_arrays(p_flare, 3) is loop
    assert loop.py_func.__code__.co_filename == inspect.getfile(p_flare.py_func)
    assert loop.__name__ == "p_flare_over"
    nd = __import__("sim.need", fromlist=["need_params"]).need_params(load_scenario("baseline"))
    states = (np.array([0.0, 2.0, 5.0]), np.array([0.1, 0.5, 0.9]), np.array([1.0, 1.1, 0.9]))
    assert np.array_equal(loop(*states, nd), [p_flare(*s, nd) for s in zip(*states)])
