"""Golden-baseline regression: optimisations must not change what the model does.

A fixed small set of runs (baseline, done_with and done_to with common random numbers,
and the baseline with them off) was recorded from the model before the performance
work of issue 8 and stored in ``tests/golden/``: each run's full weekly timeseries, its
summary, and a digest of every resident field at the end. The model must reproduce
them: integer columns and counts exactly, floats to 1e-9 relative.

When a deliberate change to the model's behaviour is made (a new mechanism, a
recalibration), regenerate the references and commit them with the change::

    .venv/bin/python -m tests.test_golden regenerate

It prints what changed, summary metric by metric (``diff`` instead of ``regenerate``
prints without writing). A speed-up must never be the reason to regenerate.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"

# name: (scenario, overrides). 4,000 residents in four neighbourhoods and two
# practices, two years: every policy of the library acts in one of these.
SMALL = {"population__size": 4000, "population__neighbourhoods": 4,
         "population__practice_list_size": 2000, "weeks": 104}
RUNS = {
    "baseline": ("baseline", {}),
    "done_with": ("done_with", {}),
    "done_to": ("done_to", {}),
    "baseline_no_crn": ("baseline", {"system__common_random_numbers": False}),
}
SEED = 11
RTOL = 1e-9


def record(name: str) -> dict:
    """Run one golden run and return what is compared."""
    from sim import HealthSystemModel
    from sim.population import FIELDS

    scenario, extra = RUNS[name]
    model = HealthSystemModel(scenario, seed=SEED, **SMALL, **extra).run()
    frame = model.timeseries()
    people = model.people
    n = people.n
    state = {}
    for field in FIELDS:
        values = getattr(people, field)[:n]
        if values.dtype.kind == "f":
            state[field] = [float(values.astype(np.float64).sum()),
                            float((values.astype(np.float64) ** 2).sum())]
        elif field == "uid":
            state[field] = [int(np.bitwise_xor.reduce(values)), int((values % 1_000_003).sum())]
        else:
            v = values.astype(np.int64)
            state[field] = [int(v.sum()), int((v * np.arange(n) % 1_000_003).sum())]
    return {
        "timeseries": {col: frame[col].tolist() for col in frame.columns},
        "summary": model.summary(),
        "state": state,
        "groups": [int(model.groups.n), int(model.groups.count), int(model.groups.splits)],
    }


def regenerate(write: bool = True) -> None:
    """Write the references from the current model (only for deliberate model changes),
    printing what changed, summary metric by metric; with ``write`` false only print."""
    GOLDEN.mkdir(exist_ok=True)
    for name in RUNS:
        path = GOLDEN / f"{name}.json"
        new = json.loads(json.dumps(record(name)))
        if path.exists():
            print(f"{name}:")
            for line in changes(json.loads(path.read_text(encoding="utf-8")), new):
                print("  " + line)
        if write:
            path.write_text(json.dumps(new, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            print(f"wrote {path}")


def changes(old: dict, new: dict) -> list[str]:
    """What changed between two recorded runs: each summary metric that differs (old,
    new, relative change), then how many weekly values of each column differ."""
    lines = []
    for key in sorted(old["summary"].keys() | new["summary"].keys()):
        a, b = old["summary"].get(key), new["summary"].get(key)
        if a == b:
            continue
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a:
            lines.append(f"{key}: {a:.6g} -> {b:.6g} ({(b - a) / abs(a):+.2%})")
        else:
            lines.append(f"{key}: {a!r} -> {b!r}")
    for col in sorted(old["timeseries"].keys() & new["timeseries"].keys()):
        pairs = list(zip(old["timeseries"][col], new["timeseries"][col]))
        differ = [(x, y) for x, y in pairs if x != y]
        if differ:
            worst = max(abs(y - x) / abs(x) if x else math.inf for x, y in differ)
            lines.append(f"timeseries {col}: {len(differ)} of {len(pairs)} weeks differ, "
                         f"by at most {worst:.1e} relative")
    return lines or ["no change"]


def _same(a, b, where: str, problems: list) -> None:
    if isinstance(a, dict):
        if set(a) != set(b):
            problems.append(f"{where}: keys differ: {sorted(set(a) ^ set(b))}")
        for k in a.keys() & b.keys():
            _same(a[k], b[k], f"{where}.{k}", problems)
    elif isinstance(a, list):
        if len(a) != len(b):
            problems.append(f"{where}: length {len(a)} != {len(b)}")
            return
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]", problems)
    elif isinstance(a, bool) or isinstance(a, int) and isinstance(b, int):
        if a != b:
            problems.append(f"{where}: {a} != {b}")
    elif isinstance(a, float) or isinstance(b, float):
        a, b = float(a), float(b)
        if math.isnan(a) and math.isnan(b):
            return
        if not math.isclose(a, b, rel_tol=RTOL, abs_tol=1e-12):
            problems.append(f"{where}: {a!r} != {b!r}")
    elif a != b:
        problems.append(f"{where}: {a!r} != {b!r}")


@pytest.mark.parametrize("name", list(RUNS))
def test_reproduces_golden_run(name):
    path = GOLDEN / f"{name}.json"
    expected = json.loads(path.read_text(encoding="utf-8"))
    got = json.loads(json.dumps(record(name)))  # same JSON round trip as the reference
    problems: list[str] = []
    _same(expected, got, name, problems)
    assert not problems, f"{len(problems)} differences, first: " + "; ".join(problems[:8])


# --- the compiled paths against the NumPy / SciPy they replace ------------------------------


def test_compiled_uniforms_are_the_numpy_hash():
    from sim import streams

    uids = np.concatenate([np.arange(5000, dtype=np.uint64),
                           np.array([2**63 + 7, 2**64 - 1, 2**62 | 99], dtype=np.uint64)])
    key = streams._key(11, 12345, 7, 0)
    # The reference, one uid at a time in Python integers: SplitMix64 of uid * golden ^ key,
    # its top 53 bits as a fraction of 2^53.
    mask, golden = 2**64 - 1, 0x9E3779B97F4A7C15
    expected = [(streams._mix_int(((int(u) * golden) & mask) ^ int(key)) >> 11) / 2**53
                for u in uids]
    assert np.array_equal(streams.hash_uniform(key, uids), np.array(expected))
    # A newborn's uid: the finaliser of the parent's uid and the week's key, top bit set.
    born = streams._key(0xB127, 31)
    expected = [streams._mix_int(int(u) ^ int(born)) | 1 << 63 for u in uids]
    assert np.array_equal(streams.derive_uid(uids, 31), np.array(expected, dtype=np.uint64))


def test_compiled_normals_are_scipy_ndtri():
    from scipy.special import ndtri

    from sim import kernels
    from sim.streams import to_normal

    rng = np.random.default_rng(3)
    u = np.concatenate([rng.random(200_000), rng.random(1000) * 1e-9, 1 - rng.random(1000) * 1e-9,
                        [0.0, 1e-13, 0.5, 1 - 1e-13, np.exp(-2.0), 1 - np.exp(-2.0)]])
    assert np.array_equal(kernels.standard_normal(u), ndtri(np.clip(u, 1e-12, 1 - 1e-12)))
    few = u[-12:].reshape(4, 3)  # a week's newborns: a few draws of several streams
    assert np.array_equal(to_normal(few), ndtri(np.clip(few, 1e-12, 1 - 1e-12)))


def test_tie_sums_kept_by_changes_are_the_full_sums():
    """Network.whole_tie_sum, updated from the rows that changed, equals the sum over
    every tie bit for bit; values that are not whole numbers are summed afresh."""
    from sim import HealthSystemModel, kernels

    net = HealthSystemModel("baseline", seed=2, population__size=3000,
                            population__neighbourhoods=3).network
    rng = np.random.default_rng(4)
    weights = np.zeros(net.size + 40, np.float32)  # rows past the network are ignored
    for week in range(12):
        changed = rng.choice(weights.size, 150, replace=False)
        weights[changed] = rng.integers(0, 4, changed.size)  # whole weights, as roles
        if week == 8:
            weights[[5, 6, 7]] = 0.7  # not whole: summed afresh from here
        if week == 10:
            weights[[5, 6, 7]] = 1.0  # whole again
        got = net.whole_tie_sum("test", weights)
        full = kernels.padded_tie_sum(net.indptr, net.indices, net.padded(), weights)
        assert np.array_equal(got, full), week
        whole = bool(np.all(np.floor(weights[: net.size]) == weights[: net.size]))
        assert ("test" in net._whole_sums) == whole, week
    assert whole  # and kept by changes again once the weights are whole


def test_batched_draws_are_the_single_draws():
    from sim.streams import Streams

    uids = np.array([3, 99, 2**63 + 5], np.uint64)
    for crn in (True, False):
        one, batch = Streams(7, crn=crn), Streams(7, crn=crn)
        one.week = batch.week = 4
        singles = [one.uniform("a", uids), one.uniform("b", uids, draw=2)]
        assert np.array_equal(batch.uniforms(["a", ("b", 2)], uids), np.stack(singles))


def test_the_state_means_are_numpys_means():
    """The weekly means of the residents' traits are ``float(values.mean())``, to the bit."""
    from sim.metrics import _float32_mean

    rng = np.random.default_rng(3)
    for n in [*range(1, 300), *rng.integers(300, 200_000, 60)]:
        values = (rng.random(n) * rng.random() * 3).astype(np.float32)
        assert _float32_mean(values) == float(values.mean()), n


def test_keys_folded_a_week_at_a_time_are_the_single_folds():
    from sim.streams import Streams, _fold

    s = Streams(7)
    for week, streams in enumerate([["a", "b"], ["a", "b", "c"], ["b", "a", "c"], ["c"]]):
        s.week = week
        for name in streams:
            for draw in (0, 3):
                expected = _fold(s._stream_prefix(name), week, draw)
                assert s.key(name, draw) == expected, (week, name, draw)


def test_generators_are_seeded_by_stream_and_week():
    from sim.streams import Streams

    s = Streams(11)
    for week in [-1, 0, 1, 2, 51, 52, 53, 120, 3]:
        s.week = week
        for name in ("weekly", "other"):
            expected = np.random.default_rng(
                np.random.SeedSequence([11, s._stream_id(name), week + 1])).random(5)
            assert np.array_equal(s.generator(name).random(5), expected), (week, name)
            # asked again in the same week: the same draws, not the generator's next
            assert np.array_equal(s.generator(name).random(5), expected), (week, name)


def test_rationing_serves_the_lexsort_order():
    """The served requests are the first ``capacity`` of each practice in the order
    ``np.lexsort((key, priority, practice))``, with ties kept in their order."""
    from sim.kernels import ration

    rng = np.random.default_rng(5)
    for _ in range(300):
        n, n_practices = int(rng.integers(0, 2000)), int(rng.integers(1, 9))
        key = rng.integers(0, 40, n) / float(1 << 53)  # many equal keys: one person, two requests
        priority = rng.integers(0, 3, n).astype(np.int8)
        practice = rng.integers(0, n_practices, n).astype(np.int32)
        capacity = np.floor(rng.uniform(-5, n / n_practices * 1.2, n_practices))
        capacity[rng.random(n_practices) < 0.1] = np.inf
        order = np.lexsort((key, priority, practice))
        sorted_practice = practice[order]
        first = np.searchsorted(sorted_practice, np.arange(n_practices))
        expected = np.empty(n, bool)
        expected[order] = np.arange(n) - first[sorted_practice] < capacity[sorted_practice]

        served, demand, served_n = ration(practice, priority, key, capacity, 3)
        assert np.array_equal(served, expected)
        assert np.array_equal(demand, np.bincount(practice, minlength=n_practices))
        assert np.array_equal(served_n, np.bincount(practice[expected], minlength=n_practices))


if __name__ == "__main__":
    if sys.argv[1:] == ["regenerate"]:
        regenerate()
    elif sys.argv[1:] == ["diff"]:
        regenerate(write=False)
    else:
        print(__doc__)
