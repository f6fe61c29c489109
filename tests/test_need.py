"""Phases 2 and 3 (sim.need): the compiled passes decide every need and every choice as
their rules on every row, and the causal shares scale what a change in activation or
dependence does to use."""

from __future__ import annotations

import numpy as np
import pytest

from sim import HealthSystemModel, kernels
from sim.kernels.bounds import evaluate
from sim.kernels.need import causal, low_need_choice_of, p_acute, p_flare, p_low, p_review
from sim.need import arise_needs, choice_params, choose_care, need_params, season


def _model(**overrides):
    model = HealthSystemModel("done_with", seed=9, population__size=6000,
                              population__neighbourhoods=3, **overrides)
    model.run(12)
    model.streams.week = model.week
    return model


def test_needs_are_decided_as_the_rules_on_every_row():
    model = _model(need__acute_per_year_age40=2.0)
    people, s = model.people, model.streams
    n = people.n
    nd = need_params(model.spec)
    f = season(model.week, model.spec.health.seasonality, model.spec.need.season_peak_week)
    u = {k: kernels.hash_uniform(s.key(f"need.{k}"), people.uid[:n])
         for k in ("low", "flare", "review", "acute")}
    home = people.alive[:n] & (people.ti_discharge[:n] <= model.week)
    a = evaluate(causal, nd.activation_causal_share, people.activation[:n], people.activation0[:n])
    k, d = people.ltc[:n], people.diagnosed[:n]
    expected = {
        "low": home & (u["low"] < evaluate(p_low, nd, people.wellbeing[:n], f)),
        "flare": home & (u["flare"] < evaluate(p_flare, nd, k, a, f)),
        "review": home & (u["review"] < evaluate(p_review, nd, d)),
        "acute": home & (u["acute"] < evaluate(p_acute, nd, people.age[:n], k, d,
                                               people.deprivation[:n], a, f)),
    }
    arise_needs(model)
    for kind, rows in expected.items():
        assert rows.sum() > 30, kind  # the test bites
        assert np.array_equal(getattr(model.needs, kind), np.flatnonzero(rows)), kind


def _python_choices(model, low, u):
    """Each complaint's choice by the rule run as plain Python (not compiled)."""
    p, c = model.people, choice_params(model.spec, model.levers)
    rule, share = low_need_choice_of.py_func, causal.py_func
    out = []
    for i, x in zip(low, u):
        act = share(float(p.activation[i]), float(p.activation0[i]), c.activation_causal_share)
        dep = share(float(p.dependence[i]), float(p.dependence0[i]), c.dependence_causal_share)
        out.append(rule(x, act, float(p.connectedness[i]), bool(p.group[i] >= 0), dep,
                        float(model.practice_wait[p.practice[i]]), c))
    return np.array(out)


def test_low_need_choices_are_the_rule_on_every_complaint():
    model = _model()
    arise_needs(model)
    low = model.needs.low
    u = model.streams.uniform("choice.low", model.people.uid[low])
    c = choice_params(model.spec, model.levers)
    got = kernels.low_need_choice(low, u, model.practice_wait, _choosers(model), c)
    expected = _python_choices(model, low, u)
    assert low.size > 200
    assert np.array_equal(got, expected)
    assert set(np.unique(got)) == {0, 1, 2, 3}


def _choosers(model):
    from sim.kernels.need import Choosers

    return Choosers(*(getattr(model.people, name) for name in Choosers._fields))


def _use_after_raising_activation(share: float, raise_by: float):
    """GP requests and A&E arrivals in one week after a policy raises everyone's
    activation by ``raise_by`` (and lowers dependence by as much)."""
    model = _model(need__activation_causal_share=share, choice__dependence_causal_share=share)
    p = model.people
    n = p.n
    p.activation[:n] = np.minimum(p.activation[:n] + raise_by, 1.0)
    p.dependence[:n] = np.maximum(p.dependence[:n] - raise_by, 0.0)
    arise_needs(model)
    choose_care(model)
    return (model.needs.flare.size, model.needs.acute.size, len(model.gp_requests),
            len(model.ae_arrivals))


def test_with_no_causal_share_raising_activation_leaves_use_unchanged():
    assert _use_after_raising_activation(0.0, 0.3) == _use_after_raising_activation(0.0, 0.0)


def test_with_the_whole_gradient_causal_raising_activation_lowers_use():
    raised, before = _use_after_raising_activation(1.0, 0.3), _use_after_raising_activation(1.0, 0.0)
    assert all(r < b for r, b in zip(raised, before)), (raised, before)


@pytest.mark.parametrize("share", [0.0, 0.5, 1.0])
def test_the_causal_value_is_between_own_level_and_trait(share):
    assert causal.py_func(0.8, 0.4, share) == pytest.approx(0.4 + share * 0.4)


@pytest.mark.parametrize("crn", [True, False])
def test_the_weeks_requests_are_the_parts_joined_in_order(crn):
    """sim.kernels.requests_of_week gives what NumPy's selections and joins gave: the GP
    requests (follow-ups due, reviews, acute episodes and flares a GP sees, retries,
    minor complaints to a GP) and the A&E arrivals, in order, and clears what it uses."""
    from sim.kernels.need import AE, GP, Waiting
    from sim.need import ACUTE, FLARE, FOLLOWUP, LOW, RETRY, REVIEW, Requests, columns

    model = _model()
    p, c = model.people, model.spec.choice
    n, week = p.n, model.week
    rng = np.random.default_rng(5)
    pick = lambda size: np.sort(rng.choice(n, size, replace=False))  # noqa: E731
    low, review, flare, acute = pick(300), pick(40), pick(60), pick(50)
    choice = rng.integers(0, 4, low.size).astype(np.int8)
    p.ti_gp_followup[pick(30)] = week
    p.gp_waiting[pick(25)] = True
    # a tuple, as the phase passes it (a list would be a reflected list to Numba)
    draws = tuple((True, np.uint64(rng.integers(1, 2**63)), np.empty(0)) if crn
                  else (False, np.uint64(0), rng.random(size))
                  for size in (flare.size, acute.size))
    u_flare, u_acute = (kernels.hash_uniform(d[1], p.uid[r]) if crn else d[2]
                        for d, r in zip(draws, (flare, acute)))
    flare_ae, acute_ae = u_flare < c.flare_ae_share, u_acute < c.acute_ae_share
    due = kernels.due(p.alive[:n], p.ti_gp_followup[:n], p.ti_discharge[:n], week)
    retry = np.flatnonzero(p.gp_waiting[:n])
    gp = Requests.concat([(due, FOLLOWUP), (review, REVIEW), (acute[~acute_ae], ACUTE),
                          (flare[~flare_ae], FLARE), (retry, RETRY), (low[choice == GP], LOW)])
    ae = Requests.concat([(acute[acute_ae], ACUTE), (flare[flare_ae], FLARE),
                          (low[choice == AE], LOW)])
    got = kernels.requests_of_week(columns(p, Waiting, n), week, (low, review, flare, acute),
                                   choice, draws, choice_params(model.spec, model.levers))
    assert due.size >= 30 and retry.size == 25 and flare_ae.any() and not flare_ae.all()
    for a, b in zip(got[:4], (gp.rows, gp.kind, ae.rows, ae.kind)):
        assert np.array_equal(a, b) and a.dtype == b.dtype
    assert got[4][0].tolist() == np.bincount(gp.kind, minlength=6).tolist()
    assert got[4][1].tolist() == np.bincount(ae.kind, minlength=6).tolist()
    assert (p.ti_gp_followup[due] == -1).all() and not p.gp_waiting[:n].any()
