"""``pooled_budget`` — a share of acute spend moved to the community ("done with").

The acute trust gives up a share of its beds; the money released funds community
groups as grants (and, where social prescribing runs, more link-worker places).
Cost is moved, not added: what the pot spends (counted where it is spent, as grants
or link-worker referrals) is offset here, so the policy is budget-neutral and its
price is the beds given up: if community capacity does not lower demand, the fewer
beds turn more people away, and each is counted as unmet need and costed as an
admission elsewhere (``costs.turned_away_admission``): rationing is never a saving.
"""

from __future__ import annotations

import numpy as np

from ..community import GRANT
from ..parameters import Param as P
from .base import Policy, register


@register
class PooledBudget(Policy):
    kind = "pooled_budget"
    family = "done_with"
    summary = "Move a share of acute spend to community groups and link workers"
    params = {
        "share": P(0.02, 0.0, 0.5, "share of acute spend", "Acute spend moved to the community",
                   "assumption: pooled budgets under the Better Care Fund are a few percent "
                   "of NHS spend", lever=True),
        "bed_cost_per_week": P(2600.0, 0.0, 1e6, "GBP per bed-week",
                               "Spend released per bed given up",
                               "PSSRU/CHE Unit Costs 2024: about GBP 370 per bed-day"),
        "link_worker_share": P(0.2, 0.0, 1.0, "share of the pot",
                               "Part of the pot funding link-worker places (if running)",
                               "assumption: most of the pot to groups, a fifth to link "
                               "workers"),
        "cost_per_link_worker_place": P(466.0, 1.0, 1e6, "GBP per person",
                                        "Cost of one link-worker place",
                                        "Rotherham social prescribing evaluation"),
        "grant_vitality_above": P(0.2, 0.0, 1.0, "vitality",
                                  "Groups receive grants from the pot only above this vitality",
                                  "assumption: a budget holder funds groups that are running, "
                                  "not ones close to folding (community.fold_vitality)"),
    }

    def start(self) -> None:
        trust = self.model.acute
        self.beds_before = trust.beds
        self.beds_moved = int(round(trust.beds * self.p.share))
        trust.beds -= self.beds_moved
        # Whether link workers run is read every week: their policies, found once.
        self.prescribing = [pol for pol in self.model.policies
                            if pol.kind == "social_prescribing"]

    def step(self) -> None:
        model, p = self.model, self.p
        pot = self.beds_moved * p.bed_cost_per_week
        if pot <= 0:
            return
        sp_running = any(pol.running for pol in self.prescribing)
        lw = pot * p.link_worker_share if sp_running else 0.0
        model.levers.link_worker_places += int(lw // p.cost_per_link_worker_place)
        g = model.groups
        live = g.live
        vital = live[g.vitality[live] > p.grant_vitality_above]
        if model.spec.system.governance == "hierarchical":
            vital = vital[np.argsort(-g.vitality[vital], kind="stable")][
                : model.spec.system.hierarchical_initiatives]
        spent = lw
        if vital.size:
            g.grant[vital] += (pot - lw) / vital.size
            g.funding[vital] = np.maximum(g.funding[vital], GRANT)
            spent = pot
        self.cost_this_week = -spent  # moved from acute spend, not added

    def stop(self) -> None:
        self.model.acute.beds = self.beds_before
