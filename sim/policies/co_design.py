"""``co_design`` — services redesigned with residents ("done with").

After a delay (the time it takes to do it properly), practices redesigned with their
residents generate less failure demand (re-contacts caused by the service not
working for people), consult in a more shared way, and book fewer outpatient
follow-ups that patients do not value. Shared decisions take longer, so redesigned
practices offer fewer appointments. Under hierarchical governance only a few
practices are redesigned at a time; under distributed governance all are.
"""

from __future__ import annotations

import numpy as np

from ..parameters import Param as P
from .base import Policy, register


@register
class CoDesign(Policy):
    kind = "co_design"
    family = "done_with"
    summary = "Services co-designed with residents: less failure demand after a delay"
    params = {
        "delay_weeks": P(52, 0, 1000, "weeks", "Time before redesigned services run",
                         "assumption: a year of co-design work (Vanguard method in "
                         "public services, Seddon 2008)", integer=True,
                         plausible=(26, 104), grade="assumption"),
        "failure_demand_reduction": P(0.0, 0.0, 1.0, "share",
                                      "Fall in avoidable re-contacts",
                                      "assumption: no controlled study of co-design's effect on "
                                      "service use (Green et al., BMJ Qual Saf 2020); 0.15 is the"
                                      " ceiling: hospital-GP interface failures are 4.5% of GP "
                                      "appointments, about 15% of follow-ups (BMA/NHS Making Time"
                                      " in General Practice 2015)",
                                      plausible=(0.0, 0.15), grade="assumption"),
        "style_shift": P(0.2, 0.0, 1.0, "style units",
                         "Shift toward shared decision-making in redesigned practices",
                         "assumption: a fifth of the style scale, a little more than "
                         "targets take away",
                         plausible=(0.0, 0.3), grade="assumption"),
        "op_followup_reduction": P(0.005, 0.0, 1.0, "share",
                                   "Fall in outpatient follow-ups (patient-initiated)",
                                   "NHS England 2022: the national ambition for patient-initiated"
                                   " follow-up is 1.5% of outpatient attendances; each attendance"
                                   " books another with acute.p_op_followup (0.69), so removing "
                                   "1.5% of attendances takes about 0.005 off that chance (Whear "
                                   "et al., Cochrane 2020: no trial of its effect on use)",
                                   plausible=(0.0, 0.01), grade="uncontrolled"),
        "capacity_cost": P(0.05, 0.0, 0.5, "share of capacity",
                           "Appointments lost because shared decisions take longer",
                           "Stacey et al., Cochrane 2017: decision aids lengthen "
                           "consultations by a median 2.6 minutes in the trials that timed "
                           "them; a minority of consultations need one",
                           plausible=(0.02, 0.08), grade="rct"),
        "cost_per_1000_year": P(1500.0, 0.0, 1e6, "GBP per 1,000 per year",
                                "Cost of co-design work and resident involvement",
                                "assumption: a facilitator per 50,000 residents (about "
                                "GBP 75,000 a year)"),
    }

    def start(self) -> None:
        model = self.model
        n = len(model.practices)
        if model.spec.system.governance == "hierarchical":
            k = min(n, model.spec.system.hierarchical_initiatives)
        else:
            k = n
        rng = model.streams.generator("co_design.practices")
        self.redesigned = np.sort(rng.permutation(n)[:k])
        self.base_style = model.practice_style.copy()
        self.style = None  # the redesigned practices' style, made the first week it runs

    def step(self) -> None:
        model, p, lev = self.model, self.p, self.model.levers
        self.cost_this_week = p.cost_per_1000_year * len(model.people) / 1000.0 / 52.0
        if model.week < p.start_week + p.delay_weeks:
            return
        share = self.redesigned.size / max(len(model.practices), 1)
        lev.failure_demand *= 1.0 - p.failure_demand_reduction * share
        lev.gp_capacity *= 1.0 - p.capacity_cost * share
        lev.op_followup *= 1.0 - p.op_followup_reduction * share
        if self.style is None:
            style = self.base_style.copy()
            style[self.redesigned] = np.minimum(style[self.redesigned] + p.style_shift, 1.0)
            self.style = style
        model.practice_style[:] = self.style

    def stop(self) -> None:
        self.model.practice_style[:] = self.base_style
