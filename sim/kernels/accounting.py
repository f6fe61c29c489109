"""Phase 9, compiled: the week's state metrics in one pass (:mod:`sim.metrics`).
"""

from __future__ import annotations

from numba import njit


@njit(cache=True, error_model="numpy")
def week_state(alive, dependence, activation, wellbeing, age, connectedness, group, role,
               high_dependence, lonely_below, dep, act, wb):
    """One pass over the residents for this week's state metrics.

    Returns the living residents' dependence, activation and wellbeing as compact
    arrays (in row order, so NumPy's means of them are the means it always took), the
    leading rows of the scratch arrays ``dep``, ``act`` and ``wb``, and the counts:
    living, highly dependent, adults, lonely adults, group members, movement
    participants.
    """
    n = alive.size
    high = 0
    adults = 0
    lonely = 0
    members = 0
    movement = 0
    for i in range(n):  # the counts, vectorised
        a = alive[i]
        high += a & (dependence[i] > high_dependence)
        adult = a & (age[i] >= 18)
        adults += adult
        lonely += adult & (connectedness[i] < lonely_below)
        members += a & (group[i] >= 0)
        movement += a & (role[i] > 0)
    k = 0
    for i in range(n):  # the living's values, without a branch: each row written, kept if alive
        dep[k] = dependence[i]
        act[k] = activation[i]
        wb[k] = wellbeing[i]
        k += alive[i]
    return dep[:k], act[:k], wb[:k], k, high, adults, lonely, members, movement
