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

With roles, burnout and group effects switched off and ``movement.min_age`` at 0 (every
resident eligible) it is Watts's model: tests/test_movement.py checks it against a plain
implementation and Watts's cascade window, and, with heterogeneous thresholds and no
activists, Granovetter's (1978) self-starting jump.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .population import LONE_WOLF, MOBILISER, NONE, ORGANISER, PARTICIPANT

if TYPE_CHECKING:
    from .model import HealthSystemModel

__all__ = ["spread_movement"]

def spread_movement(model: "HealthSystemModel") -> None:
    """Phase 7: one synchronous step of the threshold contagion, then roles and burnout.

    The rules (Watts's ``joins``, ``p_burnout``, ``p_lone_wolf_leaves``,
    ``p_become_organiser``, ``participant_activation``, ``participant_dependence``) are
    named scalar functions in :mod:`sim.kernels.movement`, run in compiled passes
    (:mod:`sim.kernels`); the growth of organisers is decided over the participants tied
    to one only (``kernels.grow_organisers``).
    """
    from . import kernels
    from .kernels.movement import MovementDraws, MovementRules, Movers

    people, lev, mv, s = model.people, model.levers, model.spec.movement, model.streams
    n = people.n
    role = people.role[:n]
    # With nobody in the movement only a threshold of zero can start it (Granovetter
    # 1978): skip the pass when no one has one (the baseline, at the default thresholds).
    if not kernels.may_move(role, people.threshold[:n], NONE):
        return
    alive = people.alive[:n]
    net = model.network
    mobiliser = MOBILISER if lev.movement_roles and lev.mobiliser_weight != 1.0 else -1
    weight = kernels.movement_weights(role, alive, mobiliser, float(lev.mobiliser_weight))
    total = net.whole_tie_sum("movement weight", weight)
    uid = people.uid[:n]
    burnout = float(lev.movement_burnout or 0.0)
    crn_b, key_b, useq_b = (s.kernel_draws("movement.burnout", n) if burnout
                            else (True, np.uint64(0), _NO_DRAWS))
    roles = bool(lev.movement_roles)
    crn_l, key_l, useq_l = (s.kernel_draws("movement.lone_wolf", n) if roles
                            else (True, np.uint64(0), _NO_DRAWS))
    rules = MovementRules(int(mv.min_age), float(lev.movement_group_effect or 0.0), burnout,
                          float(lev.lone_wolf_burnout), float(lev.organiser_growth or 0.0),
                          float(mv.activation_per_week), float(mv.dependence_per_week), roles,
                          LONE_WOLF)
    movers = Movers(role, alive, people.age[:n], people.threshold[:n], people.group[:n], uid)
    run = kernels.movement_rules_threads if kernels.threaded(n) else kernels.movement_rules
    # Plain tuples of the named ones' values: quicker to pass (sim.kernels.movement).
    values = tuple(rules)
    small = kernels.small_pass_threaded(n)  # the small passes' blocks in threads
    joiners = run(tuple(movers), total, net.live_degree, values,
                  tuple(MovementDraws(crn_b, key_b, useq_b, crn_l, key_l, useq_l)))
    if roles and lev.organiser_growth:
        # Participants tied to an organiser may become organisers themselves.
        # Only participants with an organiser among their ties can (p is 0 without).
        organiser_ties = net.whole_tie_sum("organisers",
                                           kernels.with_role(role, alive, ORGANISER))
        crn, key, useq = s.kernel_draws("movement.grow", n)
        grow = kernels.grow_organisers_threads if small else kernels.grow_organisers
        grow(role, people.organiser, organiser_ties, PARTICIPANT, ORGANISER, uid, crn, key, useq,
             values)

    # Joiners take part; participation builds activation and loosens dependence.
    effects = kernels.movement_effects_threads if small else kernels.movement_effects
    effects(role, alive, joiners, PARTICIPANT, people.activation[:n], people.dependence[:n],
            values)


_NO_DRAWS = np.empty(0, np.float64)
