"""Primary care's compiled passes (sim.kernels.primary_care): rationing from the
residents' rows is the rationing of the requests' own arrays, and a resident seen more
than once in a week is counted and moved once, as the vectorised form did."""

from __future__ import annotations

import numpy as np

from sim import HealthSystemModel, kernels
from sim.need import PRIORITY
from sim.practice import consult


def test_rationing_by_rows_is_the_rationing_of_the_requests():
    rng = np.random.default_rng(4)
    residents = 5000
    practice_of = rng.integers(0, 7, residents).astype(np.int32)
    uid = rng.integers(0, 2**63, residents).astype(np.uint64)
    rows = rng.integers(0, residents, 3000)
    kind = rng.integers(0, PRIORITY.size, rows.size).astype(np.int8)
    capacity = np.floor(rng.uniform(100, 700, 7))
    key = np.uint64(0xC0FFEE)
    hashed = kernels.hash_uniform(key, uid[rows])
    part_served = 0
    for crn, draws, u in ((True, (True, key, np.empty(0)), hashed),
                          (False, (False, np.uint64(0), rng.random(rows.size)), None)):
        u = draws[2] if u is None else u
        expected = kernels.ration(practice_of[rows], PRIORITY[kind], u, capacity,
                                  int(PRIORITY.max()) + 1)
        got = kernels.ration_requests(rows, kind, practice_of, PRIORITY, uid, draws, capacity)
        for a, b in zip(got, expected):
            assert np.array_equal(a, b)
        part_served += int(((got[2] > 0) & (got[2] < got[1])).sum())
    assert part_served > 0  # some practice served some of a priority, by the draws


def test_a_resident_seen_twice_in_a_week_is_counted_and_moved_once():
    model = HealthSystemModel("baseline", seed=2, population__size=2000,
                              population__neighbourhoods=2, system__burn_in_weeks=0)
    model.run(1)
    p = model.people
    rows = np.array([5, 9, 5, 12, 5], np.int64)
    kind = np.array([0, 5, 4, 3, 5], np.int8)
    before = {name: getattr(p, name)[rows].copy() for name in ("n_gp", "cum_gp", "dependence",
                                                               "activation")}
    consult(model, rows, kind)
    assert (p.n_gp[[5, 9, 12]] == before["n_gp"][[0, 1, 3]] + 1).all()
    assert (p.cum_gp[[5, 9, 12]] == before["cum_gp"][[0, 1, 3]] + 1).all()
    style = np.clip(model.practice_style[p.practice[5]], 0.0, 1.0)
    d0 = before["dependence"][0]
    gain = model.spec.primary_care.dependence_per_directive * (1.0 - style)
    assert p.dependence[5] == np.float32(np.float64(d0) + gain * np.float64(np.float32(1) - d0))
    assert not model._consult_seen.any()  # the marks are cleared for next week
