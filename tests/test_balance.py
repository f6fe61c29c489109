"""Nothing in the model chooses the winner.

With the same mechanisms and only parameter values changed, there is a region where the
co-produced package ("done with") puts less demand on services than the programmatic one
("done to"), and a region where it puts more. docs/model.md ("Where each approach does
better") describes both and the evidence-based defaults between them, with the full-size
figures and the commands that make them.
"""

from __future__ import annotations

import numpy as np

from sim.runner import run_scenario

SMALL = {"population.size": 5000, "population.neighbourhoods": 2,
         "population.practice_list_size": 2500}
# General practice short of capacity, unserved requests spilling into A&E, a movement
# whose thresholds are too high to tip, and co-design that removes little failure demand.
STARVED = {"primary_care.capacity_per_1000_week": 105, "primary_care.p_unserved_ae": 0.3,
           "movement.threshold_mean": 0.45, "policies.co_design.failure_demand_reduction": 0.1}


def _paired_ae_difference(overrides: dict) -> np.ndarray:
    """done_with minus done_to, A&E attendances per 1,000 a year, per replicate."""
    runs = {name: run_scenario(name, seed=1, replicates=2, weeks=312,
                               overrides={**SMALL, **overrides}).summary
            for name in ("done_to", "done_with")}
    return (runs["done_with"]["ae_attendances_per_1000"].to_numpy()
            - runs["done_to"]["ae_attendances_per_1000"].to_numpy())


# Co-production at its most hopeful: the movement tips (thresholds of 0.30, far more
# participants than volunteering surveys find), participation and group membership move
# activation and dependence at the earlier assumed rates, and co-design removes
# hospital-GP interface failures at their ceiling, and a change in activation or
# dependence brings the whole cross-sectional gradient of use (causal shares of one).
HOPEFUL = {"movement.threshold_mean": 0.30, "movement.activation_per_week": 0.003,
           "movement.dependence_per_week": 0.003, "community.activation_per_week": 0.004,
           "policies.co_design.failure_demand_reduction": 0.15,
           "need.activation_causal_share": 1.0, "choice.dependence_causal_share": 1.0}


def test_done_with_lowers_ae_demand_where_co_production_is_at_its_most_hopeful():
    assert (_paired_ae_difference(HOPEFUL) < 0).all()


def test_done_to_lowers_ae_demand_where_access_is_short_and_the_movement_does_not_tip():
    assert (_paired_ae_difference(STARVED) > 0).all()
