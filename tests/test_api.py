"""The Python API used by external tools: run_scenario and evaluate."""

from __future__ import annotations

import pickle

import pytest

import sim
from sim.metrics import HEADLINE


def test_evaluate_is_a_plain_function_of_scalars():
    out = sim.evaluate(population__size=2000, population__neighbourhoods=2, weeks=20, seed=4)
    assert set(HEADLINE) <= set(out)
    assert all(isinstance(v, float) for v in out.values())
    again = sim.evaluate(population__size=2000, population__neighbourhoods=2, weeks=20, seed=4)
    assert out == pytest.approx(again, nan_ok=True)
    assert pickle.loads(pickle.dumps(sim.evaluate)) is sim.evaluate
    with pytest.raises(TypeError):
        sim.evaluate("baseline")  # keyword-only


def test_run_scenario_replicates_use_consecutive_seeds():
    result = sim.run_scenario("baseline", seed=10, replicates=2, weeks=10,
                              overrides={"population.size": 1500,
                                         "population.neighbourhoods": 2})
    assert result.seeds == [10, 11]
    assert result.summary["seed"].tolist() == [10, 11]
    assert sorted(result.timeseries["replicate"].unique()) == [0, 1]
    assert len(result.timeseries) == 20


def test_mesa_batch_run_can_drive_the_model():
    import mesa

    rows = mesa.batch_run(sim.HealthSystemModel,
                          parameters={"population__size": [1200],
                                      "population__neighbourhoods": [2],
                                      "network__mean_degree": [4.0, 8.0]},
                          rng=[1], max_steps=3, number_processes=1,
                          data_collection_period=-1, display_progress=False)
    assert len(rows) == 2
    assert {r["network__mean_degree"] for r in rows} == {4.0, 8.0}
    assert all(r["gp_appointments"] > 0 for r in rows)
