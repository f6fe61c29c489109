"""Phase 9, compiled: the week's state metrics in one pass (:mod:`sim.metrics`).
"""

from __future__ import annotations

from collections import namedtuple

from numba import njit

# The residents' columns the pass reads, and the cut-points of its counts:
# ``high_dependence`` (dependence above which a person is highly dependent),
# ``lonely_below`` (connectedness, float32 as held) and ``adult_age`` (years).
StateColumns = namedtuple("StateColumns", ("alive", "dependence", "activation", "wellbeing",
                                           "age", "connectedness", "group", "role"))
StateCuts = namedtuple("StateCuts", ("high_dependence", "lonely_below", "adult_age"))


@njit(cache=True, error_model="numpy")
def week_state(people, n, cuts, dep, act, wb):
    """One pass over the first ``n`` rows of the residents (``people``:
    :data:`StateColumns`) for this week's state metrics.

    Returns the living residents' dependence, activation and wellbeing as compact
    arrays (in row order, so NumPy's means of them are the means it always took), the
    leading rows of the scratch arrays ``dep``, ``act`` and ``wb``, and the counts:
    living, highly dependent, adults, lonely adults, group members, movement
    participants (``cuts``: :data:`StateCuts`).
    """
    alive, dependence, age = people.alive, people.dependence, people.age
    connectedness, group, role = people.connectedness, people.group, people.role
    high = 0
    adults = 0
    lonely = 0
    members = 0
    movement = 0
    for i in range(n):  # the counts, vectorised
        a = alive[i]
        high += a & (dependence[i] > cuts.high_dependence)
        adult = a & (age[i] >= cuts.adult_age)
        adults += adult
        lonely += adult & (connectedness[i] < cuts.lonely_below)
        members += a & (group[i] >= 0)
        movement += a & (role[i] > 0)
    activation, wellbeing = people.activation, people.wellbeing
    k = 0
    for i in range(n):  # the living's values, without a branch: each row written, kept if alive
        dep[k] = dependence[i]
        act[k] = activation[i]
        wb[k] = wellbeing[i]
        k += alive[i]
    return dep[:k], act[:k], wb[:k], k, high, adults, lonely, members, movement
