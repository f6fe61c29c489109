"""``targets`` — performance management of practices and contracts ("done to").

Shorter consultations buy throughput (more appointments from the same staff) and a
more directive style; the controlled evidence finds no consistent loss of resolution
or rise in referral (both kept, centred on none). Pay-for-performance on long-term
conditions (QOF) lowers emergency admissions for the incentivised conditions.
Community groups commissioned on contracts with targets receive money but carry a
reporting burden that crowds out volunteer energy.
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
                        "assumption: a 10-minute slot cut to 9 gives about 10% more",
                        plausible=(0.0, 0.15), grade="assumption"),
        "resolution_loss": P(0.0, 0.0, 2.0, "share", "Extra follow-ups from unresolved problems",
                             "Wilson & Childs 2006 and the Cochrane 2016 review of "
                             "consultation length: no consistent difference in "
                             "re-attendance, referral or investigation (very low "
                             "certainty); 0.05 at most", plausible=(0.0, 0.05),
                             grade="rct"),
        "defensive_referral": P(0.0, 0.0, 2.0, "share", "Extra outpatient referrals",
                                "Wilson & Childs 2006; Cochrane 2016: no consistent "
                                "difference in referral rates with consultation length",
                                plausible=(0.0, 0.05), grade="rct"),
        "admission_reduction": P(0.06, 0.0, 1.0, "share",
                                 "Fall in emergency admissions for the incentivised "
                                 "conditions (flares of long-term conditions)",
                                 "Harrison et al., BMJ 2014 (6,975 practices, controlled "
                                 "longitudinal): emergency admissions for QOF-incentivised "
                                 "conditions fell 2.7% (2004/05) to 10.5% (2007/08) "
                                 "against non-incentivised ones",
                                 plausible=(0.027, 0.105), grade="controlled"),
        "style_shift": P(0.15, 0.0, 1.0, "style units",
                         "Shift toward directive consultations",
                         "assumption: less time leaves less room for shared decisions "
                         "(a sixth of the style scale)", plausible=(0.0, 0.2),
                         grade="assumption"),
        "contract_share": P(0.5, 0.0, 1.0, "share of groups",
                            "Share of community groups put on contracts with targets",
                            "assumption: commissioners contract the larger groups"),
        "reporting_burden": P(0.5, 0.0, 1.0, "0..1", "Reporting burden on contracted groups",
                              "assumption: monitoring returns and outcome reporting",
                              plausible=(0.2, 0.8), grade="assumption"),
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
        lev.incentivised_admission *= 1.0 - p.admission_reduction
        lev.consultation_style_shift -= p.style_shift
        g = model.groups
        contracted = self.contracted[g.alive[self.contracted]]
        g.burden[contracted] = np.maximum(g.burden[contracted], p.reporting_burden)
        g.grant[contracted] += p.contract_payment
        g.funding[contracted] = CONTRACT
        self.cost_this_week = (p.management_cost_per_1000_year * len(model.people) / 1000.0 / 52.0)
