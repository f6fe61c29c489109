"""The ``network`` section of a scenario: its parameters, declared once (see :mod:`sim.param`)."""

from __future__ import annotations

from ..param import Param as P

PARAMS: dict[str, P] = {
    "kind": P("small_world", doc="Shape of the social network",
              source="assumption: households and neighbourhood ties with a few "
                     "long-range ties (Watts & Strogatz 1998)",
              choices=("small_world", "erdos_renyi")),
    "mean_degree": P(8.0, 1.0, 100.0, "ties", "Mean ties per resident beyond the household",
                     "assumption: the 'sympathy group' of close ties, Dunbar 1998 "
                     "(about 12-15 in all, of which some are household)"),
    "rewire": P(0.05, 0.0, 1.0, "probability",
                "Share of neighbourhood ties rewired to anyone in the place",
                "assumption: small-world regime of Watts & Strogatz 1998"),
    "household_size": P(2.36, 1.0, 10.0, "residents", "Mean household size",
                        "ONS Families and households in the UK, 2023"),
}
