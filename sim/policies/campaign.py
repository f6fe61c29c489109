"""``campaign`` — a national broadcast campaign ("done to").

"If in doubt, get it checked": more people present symptoms to their GP (more early
diagnosis, and more minor consultations), with a small rise in activation.
"""

from __future__ import annotations

from ..parameters import Param as P
from .base import Policy, register


@register
class Campaign(Policy):
    kind = "campaign"
    family = "done_to"
    summary = "A symptom-awareness campaign: more presentation, a little more activation"
    params = {
        "presentation_boost": P(0.3, 0.0, 5.0, "utility",
                                "Extra pull of complaints to the GP while it runs",
                                "assumption: Be Clear on Cancer raised GP attendance for "
                                "target symptoms by a few tens of percent (PHE 2014)"),
        "activation_effect": P(0.0003, 0.0, 0.05, "per week",
                               "Rise in everyone's activation per week",
                               "assumption: broadcast information raises knowledge a little"),
        "cost_per_1000_year": P(400.0, 0.0, 1e6, "GBP per 1,000 per year",
                                "Local share of the campaign's cost",
                                "assumption: a national campaign of about GBP 20 m over "
                                "57 m people, doubled for local amplification"),
    }

    def step(self) -> None:
        lev, p = self.model.levers, self.p
        lev.low_gp_utility += p.presentation_boost
        lev.activation_nudge += p.activation_effect
        self.cost_this_week = p.cost_per_1000_year * len(self.model.people) / 1000.0 / 52.0
