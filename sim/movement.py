"""Phase 7 of the week — the social movement, a fractional-threshold contagion.

A resident joins once the share of their living ties in the movement reaches their
threshold (Watts 2002), updated synchronously each week. The social_movement policy
seeds activists with roles and switches on the richer behaviour:

- **mobilisers** reach many: each counts ``mobiliser_weight`` times among their ties;
- **organisers** grow new leaders: participants tied to them may become organisers
  (who then start community groups);
- **lone wolves** are persistent and never drift away, but burn out when none of
  their ties are in the movement;
- **burnout**: participants with little support around them may leave;
- **group effect**: community-group members join at a lower threshold.

With roles, burnout and group effects switched off it is exactly Watts's model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .population import LONE_WOLF, MOBILISER, NONE, ORGANISER, PARTICIPANT

if TYPE_CHECKING:
    from .model import HealthSystemModel

__all__ = ["spread_movement", "threshold_rule"]

MIN_AGE = 16  # residents younger than this do not join (assumption)


def movement_share(model: "HealthSystemModel") -> np.ndarray:
    """Weighted share of each resident's living ties who are in the movement."""
    people, lev = model.people, model.levers
    n = people.n
    role = people.role[:n]
    weight = (role > NONE).astype(np.float32)
    if lev.movement_roles and lev.mobiliser_weight != 1.0:
        weight[role == MOBILISER] = lev.mobiliser_weight
    weight *= people.alive[:n]
    return model.network.tie_share(weight)


def threshold_rule(share: np.ndarray, threshold: np.ndarray, in_movement: np.ndarray,
                   eligible: np.ndarray) -> np.ndarray:
    """Watts (2002): who joins this step — eligible non-participants at or over threshold."""
    return eligible & ~in_movement & (share >= threshold)


def spread_movement(model: "HealthSystemModel") -> None:
    """Phase 7: one synchronous step of the threshold contagion, then roles and burnout."""
    people, lev, mv, s = model.people, model.levers, model.spec.movement, model.streams
    n = people.n
    role = people.role[:n]
    in_movement = role > NONE
    if not in_movement.any():
        return
    alive = people.alive[:n]
    share = movement_share(model)
    threshold = people.threshold[:n]
    if lev.movement_group_effect:
        threshold = threshold * np.where(people.group[:n] >= 0,
                                         1.0 - lev.movement_group_effect, 1.0)
    eligible = alive & (people.age[:n] >= MIN_AGE)
    joiners = threshold_rule(share, threshold, in_movement, eligible)

    uid = people.uid[:n]
    if lev.movement_burnout:
        # Support is the share of ties in the movement relative to one's threshold.
        support = np.minimum(share / np.maximum(threshold, 1e-6), 1.0)
        p_leave = lev.movement_burnout * (1.0 - support)
        leaving = in_movement & (role != LONE_WOLF) & (s.uniform("movement.burnout", uid) < p_leave)
        role[leaving] = NONE
    if lev.movement_roles:
        lonely_wolves = (role == LONE_WOLF) & (share <= 0.0)
        burnt = lonely_wolves & (s.uniform("movement.lone_wolf", uid) < lev.lone_wolf_burnout)
        role[burnt] = NONE
        if lev.organiser_growth:
            # Participants tied to an organiser may become organisers themselves.
            organiser_ties = model.network.tie_sum((role == ORGANISER) & alive)
            p_grow = 1.0 - (1.0 - lev.organiser_growth) ** organiser_ties
            grow = (role == PARTICIPANT) & (s.uniform("movement.grow", uid) < p_grow)
            role[grow] = ORGANISER
            people.organiser[:n] |= grow
    role[joiners] = PARTICIPANT

    # Participation builds activation and loosens dependence.
    active = np.flatnonzero((role > NONE) & alive)
    act, dep = people.activation, people.dependence
    act[active] += mv.activation_per_week * (1.0 - act[active])
    dep[active] -= mv.dependence_per_week * dep[active]
