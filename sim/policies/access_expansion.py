"""``access_expansion`` — more GP capacity ("done to").

More appointments shorten waits (fewer requests go unserved or spill into A&E) and,
because a wait deters minor consultations, release latent low-level demand; the
policy also advertises the new access, which pulls more minor complaints to the GP
(supply-induced demand).
"""

from __future__ import annotations

from ..parameters import Param as P
from .base import Policy, register


@register
class AccessExpansion(Policy):
    kind = "access_expansion"
    family = "done_to"
    summary = "More GP appointments: shorter waits, and latent minor demand turned into visits"
    params = {
        "extra_capacity": P(0.15, 0.0, 3.0, "share", "Extra appointment capacity",
                            "assumption: extended-access schemes added 10-20% "
                            "(Whittaker et al. 2016)", lever=True),
        "latent_demand": P(0.3, 0.0, 5.0, "utility",
                           "Extra pull of minor complaints to an easier-to-reach GP",
                           "assumption: supply-induced demand; Whittaker et al. 2016 saw "
                           "total A&E about unchanged",
                           plausible=(0.1, 0.5), grade="assumption"),
        "cost_per_extra_slot": P(9.0, 0.0, 1000.0, "GBP",
                                 "Premium for each extra slot offered, used or not",
                                 "assumption: evening and weekend premium of about "
                                 "20% on a GBP 45 appointment"),
    }

    def step(self) -> None:
        lev, p, model = self.model.levers, self.p, self.model
        lev.gp_capacity *= 1.0 + p.extra_capacity
        lev.low_gp_utility += p.latent_demand
        base = sum(pr.capacity for pr in model.practices)
        self.cost_this_week = base * p.extra_capacity * p.cost_per_extra_slot
