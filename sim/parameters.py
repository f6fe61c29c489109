"""Every model parameter, declared once.

Each :class:`~sim.param.Param` carries its default, bounds, unit, a one-line description
and the source of the default (or the stated reason for it, marked ``assumption:``).
The scenario schema (:mod:`sim.scenario`), the CLI's ``--set``, the dashboard's
levers, the sweep's parameter list and the parameter table in ``docs/model.md``
are all generated from these declarations; nothing else restates a default.

Each section of a scenario is declared in its own module, :mod:`sim.sections.<name>`
(``sim/sections/health.py`` holds every ``health.*`` parameter); this module puts them
together in the order a scenario file lists them. Policy parameters are declared on the
policy classes in :mod:`sim.policies` (one class per policy) with the same ``Param``.
"""

from __future__ import annotations

from .param import DISTRIBUTIONS, GRADES, ONS, Param
from .sections import (population, network, health, need, choice, primary_care, acute, community, movement, costs, system, shared_data)

__all__ = ["Param", "SECTIONS", "SCENARIO_FIELDS", "GRADES", "DISTRIBUTIONS", "ONS"]

P = Param

# --- the sections of a scenario -------------------------------------------------------
# Rates are per person-week inside the model; the declarations give them in the units
# people quote (per year) and the model converts them where they are used.
SECTIONS: dict[str, dict[str, Param]] = {
    "population": population.PARAMS,
    "network": network.PARAMS,
    "health": health.PARAMS,
    "need": need.PARAMS,
    "choice": choice.PARAMS,
    "primary_care": primary_care.PARAMS,
    "acute": acute.PARAMS,
    "community": community.PARAMS,
    "movement": movement.PARAMS,
    "costs": costs.PARAMS,
    "system": system.PARAMS,
    "shared_data": shared_data.PARAMS,
}

# Top-level scalar fields of a scenario (besides the sections and ``policies``).
SCENARIO_FIELDS: dict[str, Param] = {
    "weeks": P(520, 1, 10_000, "weeks", "Horizon of a run",
               "assumption: ten years, long enough for slow effects (groups, norms) to show",
               integer=True),
    "seed": P(1, 0, 2**32 - 1, "", "Seed of the first replicate",
               "assumption: any fixed seed makes runs reproducible", integer=True),
    "replicates": P(1, 1, 10_000, "runs", "Replicates, each on its own seed",
                     "assumption: one for a quick look; use more to compare",
                    integer=True),
}
