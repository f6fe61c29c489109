"""Primary care's compiled passes (sim.kernels.primary_care): rationing from the
residents' rows is the rationing of the requests' own arrays, and a resident seen more
than once in a week is counted and moved once, as the vectorised form did."""

from __future__ import annotations

import numpy as np

from sim import HealthSystemModel, kernels
from sim.kernels import blocks, threads
from sim.need import PRIORITY
from sim.practice import consult

from .test_threads import needs_two


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


def test_unserved_requests_go_where_numpys_selections_sent_them():
    """sim.kernels.unserved_requests: to A&E below p_ae, a retry below p_ae_or_retry
    (marked, counted by practice), given up above; and the served picked out, each in
    the requests' order, with and without common random numbers."""
    from sim.kernels.primary_care import UnservedPeople

    rng = np.random.default_rng(6)
    residents, practices = 4000, 5
    people = UnservedPeople(rng.integers(0, 2**63, residents).astype(np.uint64),
                            rng.integers(0, practices, residents).astype(np.int32),
                            np.zeros(residents, np.bool_), np.zeros(residents, np.int16))
    seen = np.zeros(residents, np.uint8)
    rows = rng.integers(0, residents, 2500)  # some residents ask twice
    kind = rng.integers(0, PRIORITY.size, rows.size).astype(np.int8)
    served = rng.random(rows.size) < 0.6
    p_ae, stay = 0.2, 0.2 + 0.8 * 0.5
    unserved = rows[~served]
    for crn in (True, False):
        key = np.uint64(rng.integers(1, 2**63))
        draws = (True, key, np.empty(0)) if crn else (False, np.uint64(0),
                                                       rng.random(unserved.size))
        u = kernels.hash_uniform(key, people.uid[unserved]) if crn else draws[2]
        people.gp_waiting[:] = False
        n_unmet = people.n_unmet.copy()
        got = kernels.unserved_requests(rows, kind, served, people, seen, draws, p_ae, stay,
                                        practices)
        retry = unserved[(u >= p_ae) & (u < stay)]
        expected = (unserved[u < p_ae], kind[~served][u < p_ae], unserved[u >= stay],
                    np.bincount(people.practice[retry], minlength=practices),
                    rows[served], kind[served])
        for a, b in zip(got, expected):
            assert np.array_equal(a, b)
        assert np.array_equal(np.flatnonzero(people.gp_waiting), np.unique(retry))
        n_unmet[unserved[u >= stay]] += 1  # once a resident
        assert np.array_equal(people.n_unmet, n_unmet) and not seen.any()
        assert min(len(a) for a in got) > 0


def test_first_occurrences_keep_each_row_where_it_first_comes():
    rng = np.random.default_rng(7)
    rows = rng.integers(0, 300, 500)
    seen = np.zeros(300, np.uint8)
    got = kernels.first_occurrences(rows, seen)
    assert np.array_equal(got, rows[np.sort(np.unique(rows, return_index=True)[1])])
    assert got.size < rows.size and not seen.any()


@needs_two
def test_rationing_in_threads_is_the_rationing_of_the_requests():
    """ration_requests_threads: the same served requests and counts as the plain form
    and as ration of the requests' own arrays, on requests enough for threads."""
    rng = np.random.default_rng(6)
    residents, practices = 200_000, 40
    practice_of = rng.integers(0, practices, residents).astype(np.int32)
    uid = rng.integers(0, 2**63, residents).astype(np.uint64)
    rows = rng.integers(0, residents, 5 * blocks.BLOCK + 321)
    kind = rng.integers(0, PRIORITY.size, rows.size).astype(np.int8)
    capacity = np.floor(rng.uniform(0.5, 1.0, practices) * rows.size / practices)
    key = np.uint64(0xBEEF)
    with threads.use_threads(2):
        for draws in ((True, key, np.empty(0)), (False, np.uint64(0), rng.random(rows.size))):
            u = kernels.hash_uniform(key, uid[rows]) if draws[0] else draws[2]
            expected = kernels.ration(practice_of[rows], PRIORITY[kind], u, capacity,
                                      int(PRIORITY.max()) + 1)
            plain = kernels.ration_requests(rows, kind, practice_of, PRIORITY, uid, draws,
                                            capacity)
            threaded = kernels.ration_requests_threads(rows, kind, practice_of, PRIORITY, uid,
                                                       draws, capacity)
            for a, b, c in zip(plain, threaded, expected):
                assert np.array_equal(a, b) and np.array_equal(a, c)
            assert ((plain[2] > 0) & (plain[2] < plain[1])).sum() > practices // 2
