"""The passes over the residents run in threads (``system.threads``) with the same numbers
whatever the count: the blocks are fixed, each row's draws its own, and what a pass
collects is joined in block order (sim.kernels.blocks)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from sim import HealthSystemModel
from sim.errors import InputError
from sim.kernels import blocks
from sim.kernels import threads

from .conftest import ROOT

# Blocks enough for threads, and a part: the rows collected cross the blocks' edges.
SIZE = threads.THREADS_FROM_BLOCKS * blocks.BLOCK + 5000
WEEKS = 26


def _weekly(scenario: str, n_threads: int, **overrides):
    model = HealthSystemModel(scenario, seed=11, population__size=SIZE,
                              population__neighbourhoods=6, weeks=WEEKS,
                              system__burn_in_weeks=4, system__threads=n_threads, **overrides)
    model.run()
    return model.timeseries(), model


def _assert_identical(a, b):
    assert list(a.columns) == list(b.columns)
    differ = [c for c in a.columns if not a[c].equals(b[c])]
    assert not differ, f"columns differ between 1 and 2 threads: {differ}"


needs_two = pytest.mark.skipif(threads.available() < 2,
                               reason="one core: test_threads_in_a_fresh_process covers it")


@needs_two
@pytest.mark.parametrize("scenario", ["baseline", "done_with"])
def test_weekly_metrics_are_identical_with_one_and_two_threads(scenario):
    one, m1 = _weekly(scenario, 1)
    two, m2 = _weekly(scenario, 2)
    _assert_identical(one, two)
    # and the people themselves, bit for bit
    for name in ("wellbeing", "activation", "dependence", "ltc", "alive", "group"):
        assert np.array_equal(getattr(m1.people, name)[: m1.people.n],
                              getattr(m2.people, name)[: m2.people.n]), name
    assert one["population"].nunique() > 1 and one["gp_appointments"].sum() > 0  # it ran


@needs_two
def test_identical_without_common_random_numbers():
    """With CRN off the draws are sequential by row: still each row's own."""
    one, _ = _weekly("done_with", 1, system__common_random_numbers=False)
    two, _ = _weekly("done_with", 2, system__common_random_numbers=False)
    _assert_identical(one, two)


@needs_two
def test_the_threaded_passes_run_at_this_size():
    import numba

    numba.set_num_threads(2)
    try:
        assert threads.threaded(SIZE)
        # from THREADS_FROM_BLOCKS blocks, the last of them short
        edge = (threads.THREADS_FROM_BLOCKS - 1) * blocks.BLOCK
        assert threads.threaded(edge + 1) and not threads.threaded(edge)
    finally:
        numba.set_num_threads(threads.available())


@needs_two
def test_a_week_runs_with_the_threads_asked_for():
    import numba

    seen = []
    model = HealthSystemModel("baseline", seed=1, population__size=2000,
                              population__neighbourhoods=1, system__burn_in_weeks=0,
                              system__threads=1)
    before = numba.get_num_threads()
    with threads.use_threads(model.spec.system.threads) as n:
        seen.append((n, numba.get_num_threads()))
    assert seen == [(1, 1)]
    assert numba.get_num_threads() == before  # put back after the week
    assert threads.resolve(0) == threads.available()
    assert threads.resolve(10_000) == threads.available()


@needs_two
def test_threaded_kernels_equal_their_plain_forms_on_many_rows():
    """The passes threaded only at a million residents (complaints), and the norms'
    spread over ties in stretches of rows, on rows enough for threads here."""
    import numba

    from sim import kernels
    from sim.kernels.need import Choosers
    from sim.need import choice_params

    model = HealthSystemModel("done_with", seed=3, population__size=SIZE,
                              population__neighbourhoods=6, system__burn_in_weeks=0)
    model.run(2)
    p, n = model.people, model.people.n
    rng = np.random.default_rng(0)
    numba.set_num_threads(2)
    try:
        rows, u = np.arange(n), rng.random(n)
        wait = rng.random(len(model.practices)) * 3
        columns = Choosers(*(getattr(p, name) for name in Choosers._fields))
        params = choice_params(model.spec, model.levers)
        plain = kernels.low_need_choice(rows, u, wait, columns, params)
        assert np.array_equal(plain, kernels.low_need_choice_threads(rows, u, wait, columns, params))
        assert len(set(plain.tolist())) == 4  # every option is taken by someone

        from sim.community import community_params
        from sim.kernels.network import norms_scratch

        net, cp = model.network, community_params(model)._replace(norm_rate=0.3)
        outs = []
        for stretches in (0, 2, 5):  # 0: the plain form
            traits = [p.dependence[:n].copy(), p.activation[:n].copy()]
            args = (net.indptr, net.indices, net.padded(), net.live_degree, p.alive[:n],
                    traits[0], p.dependence0[:n], traits[1], p.activation0[:n], cp,
                    norms_scratch(net.size))
            if stretches:
                kernels.spread_norms_threads(*args, stretches)
            else:
                kernels.spread_norms(*args)
            outs.append(traits)
        assert all(np.array_equal(a, b) for out in outs[1:] for a, b in zip(outs[0], out))
        assert not np.array_equal(outs[0][0], p.dependence[:n])  # it changed them
    finally:
        numba.set_num_threads(threads.available())


def test_the_blocks_collected_join_in_order():
    from numba import njit

    @njit
    def join(buf, counts):
        return blocks.joined(buf, counts)

    buf = np.arange(3 * blocks.BLOCK, dtype=np.int32)
    out = join(buf, np.array([2, 0, 3]))
    b = blocks.BLOCK
    assert out.tolist() == [0, 1, 2 * b, 2 * b + 1, 2 * b + 2]
    assert out.dtype == np.int64


@needs_two
@pytest.mark.parametrize("share", [0.0, 0.01, 0.5, 1.0])
def test_the_marked_rows_of_blocks_in_threads_are_numpys(share):
    """Rows marked and collected block by block in threads (blocks.marked_block, then
    joined) are np.flatnonzero's, for sizes at and across the blocks' edges."""
    import numba
    from numba import njit, prange

    from sim.kernels.rows import mask

    @njit(parallel=True)
    def below(x, p):
        n = x.size
        marks, nb = mask(n), blocks.n_blocks(0, n)
        buf, counts = np.empty(nb * blocks.BLOCK, np.int64), np.zeros(nb, np.int64)
        for b in prange(nb):
            lo, hi = blocks.block_rows(0, n, b)
            for i in range(lo, hi):
                marks[i] = x[i] < p
            blocks.marked_block(marks, n, b, buf, counts)
        return blocks.joined(buf, counts)

    rng = np.random.default_rng(5)
    numba.set_num_threads(2)
    try:
        for n in (0, 1, 7, 8, blocks.BLOCK - 1, blocks.BLOCK, blocks.BLOCK + 3, SIZE):
            x = rng.random(n)
            assert np.array_equal(below(x, share), np.flatnonzero(x < share)), n
    finally:
        numba.set_num_threads(threads.available())


def test_threads_out_of_range_is_bad_input():
    with pytest.raises(InputError, match="threads"):
        HealthSystemModel("baseline", population__size=2000, system__threads=-1)


CHILD = r"""
import json, sys, threading
sys.path.insert(0, {root!r})
import numba
from sim import HealthSystemModel
out = {{}}
def run(scenario, n):
    model = HealthSystemModel(scenario, seed=5, population__size={size},
                              population__neighbourhoods=4, weeks=8, system__burn_in_weeks=0,
                              system__threads=n)
    model.run()
    out[scenario, n] = model.timeseries().to_json()
# two models stepped at once in two Python threads, each with two threads of passes
workers = [threading.Thread(target=run, args=(s, 2)) for s in ("baseline", "done_with")]
for w in workers:
    w.start()
for w in workers:
    w.join()
run("baseline", 1)
run("done_with", 1)
print(json.dumps({{"threads": numba.config.NUMBA_NUM_THREADS,
                   "same": [out[s, 1] == out[s, 2] for s in ("baseline", "done_with")]}}))
"""


@pytest.mark.slow
def test_threads_in_a_fresh_process():
    """Two threads of passes even on one core (NUMBA_NUM_THREADS=2), with two models
    stepped at once from two Python threads: no abort, the same numbers as one thread."""
    env = {**os.environ, "NUMBA_NUM_THREADS": "2"}
    code = CHILD.format(root=str(ROOT), size=threads.THREADS_FROM_BLOCKS * blocks.BLOCK + 100)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"threads": 2, "same": [True, True]}


def test_idle_threads_sleep_unless_the_environment_says(monkeypatch):
    from sim.process import wait_passively

    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.delenv("GOMP_SPINCOUNT", raising=False)
    wait_passively()
    assert os.environ["GOMP_SPINCOUNT"] == "1000"
    monkeypatch.setenv("GOMP_SPINCOUNT", "5")
    wait_passively()
    assert os.environ["GOMP_SPINCOUNT"] == "5"  # the user's choice stands
    monkeypatch.delenv("GOMP_SPINCOUNT")
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    wait_passively()
    assert "GOMP_SPINCOUNT" not in os.environ


def test_the_threads_option_is_a_setting():
    from sim.cli import build_parser

    args = build_parser().parse_args(["run", "baseline", "--set", "weeks=4", "--threads", "2"])
    assert args.overrides == ["weeks=4", "system.threads=2"]
    for bad in ("-1", "two"):
        with pytest.raises(SystemExit) as exit_:
            build_parser().parse_args(["compare", "baseline", "done_with", "--threads", bad])
        assert exit_.value.code == 2


def test_choosing_and_acting_in_threads_equals_the_plain_pass_and_the_two_steps():
    """The complaints' fused pass (sim.kernels.low_need_choices): threaded and plain give
    the same choices and the same residents after, and both are the choices of
    ``low_need_choice`` on the same draws (with or without common random numbers)."""
    import numba

    from sim import kernels
    from sim.kernels.need import Choosers, Complainants
    from sim.need import choice_params

    model = HealthSystemModel("done_with", seed=3, population__size=SIZE,
                              population__neighbourhoods=6, system__burn_in_weeks=0)
    model.run(2)
    p, n = model.people, model.people.n
    rng = np.random.default_rng(1)
    rows = np.sort(rng.choice(n, n // 2, replace=False)).astype(np.int64)
    wait = rng.random(len(model.practices)) * 3
    params = choice_params(model.spec, model.levers)
    key = np.uint64(0x1234_5678_9ABC)
    u = kernels.hash_uniform(key, p.uid[rows])
    numba.set_num_threads(2)
    try:
        expected = kernels.low_need_choice(rows, u, wait, Choosers(
            *(getattr(p, name) for name in Choosers._fields)), params)
        for draws in ((True, key, np.empty(0)), (False, np.uint64(0), u)):
            after = []
            for run in (kernels.low_need_choices, kernels.low_need_choices_threads):
                columns = Complainants(*(getattr(p, name)[:n].copy()
                                         for name in Complainants._fields))
                assert np.array_equal(run(rows, draws, wait, columns, params), expected)
                after.append(columns)
            assert all(np.array_equal(a, b) for a, b in zip(*after))
            assert (after[0].n_low[rows] == p.n_low[rows] + 1).all()
            assert not np.array_equal(after[0].activation, p.activation[:n])
    finally:
        numba.set_num_threads(threads.available())


def test_consultations_in_threads_equal_the_plain_passes():
    """The consultation passes (sim.kernels.consult_style, consult_bookings) on many
    consultations in row order, residents seen up to three times, a block edge inside a
    resident's: threaded and plain give the same outputs and the same residents after."""
    import numba

    from sim import kernels
    from sim.kernels.primary_care import Booking, ConsultPeople, ReferPeople, StyleEffects

    model = HealthSystemModel("done_with", seed=3, population__size=SIZE,
                              population__neighbourhoods=6, system__burn_in_weeks=0)
    model.run(1)
    p, n = model.people, model.people.n
    rng = np.random.default_rng(2)
    rows = np.sort(np.concatenate([rng.choice(n, n // 2, replace=False),
                                   rng.choice(n, n // 8), np.full(3, 3 * blocks.BLOCK)]))
    kind = rng.integers(0, 6, rows.size).astype(np.int8)
    n_practices, n_areas = len(model.practices), int(p.neighbourhood[:n].max()) + 1
    effects = StyleEffects(rng.random(n_practices) * 0.1, rng.random(n_practices) * 0.1,
                           0.3, 0.2)
    booking = Booking(rng.random(128) * 0.5, rng.random(n_practices) + 0.5, rng.random(n_practices),
                      0.9, 7, rng.random(128) * 0.3, 20, True, rng.random(n_areas), True)
    keys = np.array([11, 12, 13], np.uint64)
    numba.set_num_threads(2)
    try:
        results = []
        for style, bookings in ((kernels.consult_style, kernels.consult_bookings),
                                (kernels.consult_style_threads, kernels.consult_bookings_threads)):
            fields = {f: getattr(p, f)[:n].copy() for f in set(ConsultPeople._fields)
                      | set(ReferPeople._fields)}
            seen = np.zeros(n, np.uint8)
            act, met = style(rows, kind, ConsultPeople(*(fields[f] for f in ConsultPeople._fields)),
                             seen, effects, (True, np.uint64(10), np.empty(0)))
            out = bookings(rows, kind, met, ReferPeople(*(fields[f] for f in ReferPeople._fields)),
                           seen, act, booking, (True, keys, np.empty((3, 0))))
            assert not seen.any()
            results.append((act, *met, *out, *fields.values()))
        assert all(np.array_equal(a, b) for a, b in zip(*results))
        assert all(r.size for r in results[0][4:7])  # averted and eligible found
        twice = np.flatnonzero(np.bincount(rows) > 1)
        assert (results[0][-1].size and  # n_gp once per resident however often seen
                np.array_equal(fields["n_gp"][twice], p.n_gp[twice] + 1))
    finally:
        numba.set_num_threads(threads.available())

