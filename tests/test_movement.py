"""The reduced movement is Watts's (2002) model and reproduces Granovetter's (1978) jump.

Each check runs the model's own movement phase (:func:`sim.movement.spread_movement`,
compiled) on the model's own network, and compares it with a plain implementation of
the published rule written here from the papers, on the same ties and thresholds:

- Watts (2002): a node becomes active once the fraction of its neighbours who are
  active reaches its threshold phi; one random seed; Erdos-Renyi graph of 10,000;
  phi = 0.18. Global cascades happen only inside a window of mean degree, roughly
  1 < z < 6.5 (his Fig. 1): none at z = 1, most runs global for z in 2..5, none from about 6.5.
- Granovetter (1978): with heterogeneous thresholds and nobody active, the people with
  threshold zero start it, and the outcome jumps from almost nobody to almost everybody
  as the spread of thresholds passes a critical value (normal thresholds, mean 0.25).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import HealthSystemModel
from sim.movement import spread_movement
from sim.population import NONE, PARTICIPANT

PHI = 0.18
GLOBAL = 0.1  # a cascade reaching over a tenth of the place is global (Watts: "finite")


def reduced_model(size, mean_degree, threshold_mean, threshold_sd, seed=1):
    """The movement with roles, burnout and group effects off and every resident
    eligible, on an Erdos-Renyi network; no policy runs, so the levers are neutral."""
    return HealthSystemModel("baseline", seed=seed, **{
        "population__size": size, "population__neighbourhoods": 2,
        "population__practice_list_size": 5000, "network__kind": "erdos_renyi",
        "network__mean_degree": mean_degree, "movement__threshold_mean": threshold_mean,
        "movement__threshold_sd": threshold_sd, "movement__min_age": 0,
        "system__burn_in_weeks": 0})  # the place as built: everyone alive, on the ties drawn


def model_cascade(model, seeds, max_steps=500):
    """Run the model's movement phase from ``seeds`` until nobody else joins."""
    role = model.people.role
    role[:] = NONE
    role[seeds] = PARTICIPANT
    n = model.people.n
    for _ in range(max_steps):
        before = int((role[:n] > NONE).sum())
        spread_movement(model)
        if int((role[:n] > NONE).sum()) == before:
            break
    return role[:n] > NONE


def plain_cascade(indptr, indices, threshold, seeds, max_steps=500):
    """Watts's rule, written from the paper: synchronous updates, fraction of
    neighbours active >= threshold; once active, always active."""
    n = threshold.size
    active = np.zeros(n, bool)
    active[seeds] = True
    degree = np.diff(indptr)
    row = np.repeat(np.arange(n), degree)
    for _ in range(max_steps):
        count = np.bincount(row, weights=active[indices], minlength=n)
        fraction = np.where(degree > 0, count / np.maximum(degree, 1), 0.0)
        new = active | (fraction >= threshold)
        if (new == active).all():
            break
        active = new
    return active


def cascade_frequency(mean_degree, runs, seed=1):
    model = reduced_model(10_000, mean_degree, PHI, 0.0, seed=seed)
    net = model.network
    threshold = model.people.threshold[: net.size].astype(np.float64)
    rng = np.random.default_rng(seed)
    global_runs = 0
    for start in rng.choice(net.size, runs, replace=False):
        ours = model_cascade(model, [start])
        plain = plain_cascade(net.indptr, net.indices, threshold, [start])
        assert np.array_equal(ours, plain), (mean_degree, start)
        global_runs += plain.mean() > GLOBAL
    return global_runs / runs


@pytest.mark.parametrize("mean_degree, low, high", [
    (1.0, 0.0, 0.0),   # below the window: no global cascades
    (2.0, 0.5, 1.0),   # inside it: most runs global
    (3.5, 0.5, 1.0),
    (5.0, 0.5, 1.0),
    (6.5, 0.0, 0.05),  # at its edge: (almost) none
    (7.0, 0.0, 0.0),   # above it: none
])
def test_reduced_movement_reproduces_watts_cascade_window(mean_degree, low, high):
    assert low <= cascade_frequency(mean_degree, runs=24) <= high


def granovetter_mean_field(threshold):
    """Granovetter's fixed point in a crowd where everyone sees everyone: the share
    joined is the share whose threshold is at most the share joined."""
    share = 0.0
    for _ in range(10_000):
        new = float((threshold <= share).mean())
        if new == share:
            break
        share = new
    return share


@pytest.mark.parametrize("sd, joined", [(0.06, "few"), (0.09, "few"), (0.16, "most"),
                                        (0.2, "most")])
def test_heterogeneous_thresholds_self_start_with_granovetters_jump(sd, joined):
    # A dense network, so that each person's share of ties is close to the crowd's.
    model = reduced_model(3000, 100.0, 0.25, sd)
    net = model.network
    threshold = model.people.threshold[: net.size].astype(np.float64)
    ours = model_cascade(model, np.empty(0, np.int64))  # no activists at all
    plain = plain_cascade(net.indptr, net.indices, threshold, np.empty(0, np.int64))
    assert np.array_equal(ours, plain)
    crowd = granovetter_mean_field(threshold)
    if joined == "few":
        assert ours.mean() < 0.1 and crowd < 0.1
    else:
        assert (threshold <= 0).any()  # the threshold-zero people are who start it
        assert ours.mean() > 0.9 and crowd > 0.9


def test_nobody_joins_without_activists_or_threshold_zero_people():
    model = reduced_model(3000, 8.0, 0.45, 0.08)
    assert not (model.people.threshold[: model.people.n] <= 0).any()
    assert not model_cascade(model, np.empty(0, np.int64)).any()
