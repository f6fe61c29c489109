"""A reused place (sim.reuse) gives the numbers of a freshly built model, and is refused
where the state at week 0 would differ."""

import pandas as pd
import pytest

from sim.reuse import built_model, place_key, reset_to, reuse_counts, reusing_places
from sim.scenario import load_scenario

SMALL = {"population.size": 1500, "population.neighbourhoods": 2, "weeks": 60}


def small(name: str, **extra):
    return load_scenario(f"scenarios/{name}.yaml", overrides={**SMALL, **extra})


def outcome(model):
    model.run()
    return model.timeseries(), model.summary()


def assert_same(a, b):
    pd.testing.assert_frame_equal(a[0], b[0], check_exact=True)
    assert a[1].keys() == b[1].keys()
    for key in a[1]:
        assert a[1][key] == b[1][key] or (a[1][key] != a[1][key] and b[1][key] != b[1][key]), key


def test_a_reused_place_gives_a_fresh_models_numbers():
    done_to, done_with = small("done_to"), small("done_with")
    fresh = outcome(built_model(done_with, 11))  # outside the block: always built
    before = reuse_counts()
    with reusing_places():
        first = outcome(built_model(done_to, 11))
        reused = outcome(built_model(done_with, 11))  # policies and governance differ only
    counts = reuse_counts()
    assert counts["built"] - before["built"] == 1 and counts["reused"] - before["reused"] == 1
    assert_same(reused, fresh)
    # and the policies did act: the two scenarios' numbers differ
    assert first[1]["gp_appointments_per_1000"] != reused[1]["gp_appointments_per_1000"]


def test_the_kept_place_is_a_week_0_copy_not_the_run_model():
    spec = small("done_with")
    with reusing_places():
        one = outcome(built_model(spec, 4))
        two = outcome(built_model(spec, 4))  # the first model ran 60 weeks meanwhile
    assert_same(one, two)


@pytest.mark.parametrize("change", [{"seed": 12}, {"need.base_low_rate": None},
                                    {"population.size": 1600}])
def test_a_place_is_rebuilt_when_the_seed_or_a_model_parameter_differs(change):
    base = small("done_to")
    seed = 11
    if "seed" in change:
        other, seed2 = base, change["seed"]
    else:
        path = next(iter(change))
        value = change[path]
        if value is None:  # any behavioural parameter: nudge the first need parameter
            from sim.scenario import parameter_paths

            path = next(p for p in parameter_paths() if p.startswith("need."))
            value = base.to_dict()["need"][path.split(".")[1]] * 0.9
        other, seed2 = base.with_overrides({path: value}), seed
    assert place_key(other, seed2) != place_key(base, seed)
    before = reuse_counts()["built"]
    with reusing_places():
        built_model(base, seed)
        built_model(other, seed2)
    assert reuse_counts()["built"] - before == 2


def test_reset_to_refuses_a_scenario_that_changes_the_place():
    model = built_model(small("done_to"), 3)
    with pytest.raises(ValueError, match="not read before week 0"):
        reset_to(model, small("done_to", **{"population.size": 1600}))


def test_no_copy_is_kept_of_a_large_place(monkeypatch):
    import sim.reuse

    monkeypatch.setattr(sim.reuse, "KEEP_MOST_RESIDENTS", 1000)  # SMALL has 1,500
    spec = small("done_with")
    before = reuse_counts()
    with reusing_places():
        built_model(spec, 4)
        built_model(spec, 4)
    assert reuse_counts()["built"] - before["built"] == 2
    assert reuse_counts()["reused"] == before["reused"]
