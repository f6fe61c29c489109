"""Varying a policy's parameter on a scenario that does not run it is refused (sim.policy_check)."""

import pytest

from sim.errors import InputError
from sim.policy_check import check_policies_run, policy_of
from sim.scenario import load_scenario

HOW = "set: {{policies.{kind}.enabled: true}}"


def test_policy_of_names_only_policy_parameters():
    assert policy_of("policies.screening.uptake") == "screening"
    assert policy_of("network.mean_degree") is None and policy_of("policies.screening") is None


def test_a_policy_the_scenario_does_not_run_is_refused_with_the_switch():
    baseline = load_scenario("baseline")
    with pytest.raises(InputError) as err:
        check_policies_run(baseline, ["network.mean_degree", "policies.screening.uptake"],
                           "s.yaml", "parameters.", HOW)
    assert err.value.source == "s.yaml" and err.value.key == "parameters.policies.screening.uptake"
    assert "does not run the policy 'screening'" in err.value.problem
    assert "set: {policies.screening.enabled: true}" in err.value.problem


def test_a_policy_that_runs_or_is_switched_by_the_same_sweep_is_fine():
    done_to = load_scenario("done_to")
    running = next(iter(done_to.active_policies()))
    check_policies_run(done_to, [f"policies.{running}.x"], "s.yaml", "", HOW)
    check_policies_run(load_scenario("baseline"), ["policies.screening.uptake",
                                                   "policies.screening.enabled"], "s", "", HOW)
