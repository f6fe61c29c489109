"""``targets`` — performance management of practices and contracts ("done to").

Shorter consultations buy throughput (more appointments from the same staff) at the
price of resolution (more re-attendance), more defensive referral and a more
directive style. Community groups commissioned on contracts with targets receive
money but carry a reporting burden that crowds out volunteer energy.
"""

from __future__ import annotations

import numpy as np

from ..community import CONTRACT
from ..parameters import Param as P
from .base import Policy, register


@register
class Targets(Policy):
    kind = "targets"
    family = "done_to"
    summary = "Performance targets: throughput up, resolution down, reporting burden on groups"
    params = {
        "throughput": P(0.10, 0.0, 1.0, "share", "Extra appointments from shorter consultations",
                        "assumption: a 10-minute slot cut to 9 gives about 10% more"),
        "resolution_loss": P(0.15, 0.0, 2.0, "share", "Extra follow-ups from unresolved problems",
                             "assumption: shorter consultations resolve less (Hutton & "
                             "Gunn 2007; Freeman et al. 2002)"),
        "defensive_referral": P(0.15, 0.0, 2.0, "share", "Extra outpatient referrals",
                                "assumption: referral under time pressure"),
        "style_shift": P(0.15, 0.0, 1.0, "style units",
                         "Shift toward directive consultations",
                         "assumption: less time leaves less room for shared decisions "
                         "(a sixth of the style scale)"),
        "contract_share": P(0.5, 0.0, 1.0, "share of groups",
                            "Share of community groups put on contracts with targets",
                            "assumption: commissioners contract the larger groups"),
        "reporting_burden": P(0.5, 0.0, 1.0, "0..1", "Reporting burden on contracted groups",
                              "assumption: monitoring returns and outcome reporting"),
        "contract_payment": P(40.0, 0.0, 10_000.0, "GBP per group-week",
                              "Payment to a contracted group",
                              "assumption: small VCS contracts of about GBP 2,000 a year"),
        "management_cost_per_1000_year": P(500.0, 0.0, 1e6, "GBP per 1,000 per year",
                                           "Cost of performance management",
                                           "assumption: analyst and contract-management time"),
    }

    def start(self) -> None:
        """Put the most vital groups on contracts (commissioners back the visible ones)."""
        g = self.model.groups
        live = g.live
        k = int(round(self.p.contract_share * live.size))
        self.contracted = live[np.argsort(-g.vitality[live], kind="stable")[:k]]

    def step(self) -> None:
        lev, p, model = self.model.levers, self.p, self.model
        lev.gp_capacity *= 1.0 + p.throughput
        lev.followup *= 1.0 + p.resolution_loss
        lev.refer *= 1.0 + p.defensive_referral
        lev.consultation_style_shift -= p.style_shift
        g = model.groups
        contracted = self.contracted[g.alive[self.contracted]]
        g.burden[contracted] = np.maximum(g.burden[contracted], p.reporting_burden)
        g.grant[contracted] += p.contract_payment
        g.funding[contracted] = CONTRACT
        self.cost_this_week = (p.management_cost_per_1000_year * len(model.people) / 1000.0 / 52.0)
