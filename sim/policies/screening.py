"""``screening`` — a programmatic health-check drive ("done to").

An age band is invited on a rolling cycle. Uptake follows activation and is lower
where deprivation is higher (the inverse care law). A check finds undiagnosed
conditions (managed conditions carry a lower acute risk: the benefit) and also
gives false positives; every positive starts a follow-up cascade — a GP follow-up
and sometimes an outpatient referral — and being told one is at risk raises
dependence (the cost).
"""

from __future__ import annotations

import numpy as np

from ..logistic import expit, logit
from ..parameters import Param as P
from .base import Policy, register

CYCLE_WEEKS = 5 * 52  # NHS Health Check: every five years


@register
class Screening(Policy):
    kind = "screening"
    family = "done_to"
    summary = "Invite an age band to health checks; find disease early, and false positives"
    params = {
        "age_min": P(40, 0, 120, "years", "Youngest age invited",
                     "NHS Health Check: ages 40-74", integer=True),
        "age_max": P(74, 0, 120, "years", "Oldest age invited", "NHS Health Check",
                     integer=True),
        "invites_per_year": P(0.2, 0.0, 1.0, "share of the eligible",
                              "Share of eligible residents invited each year",
                              "NHS Health Check: every eligible adult once in five years"),
        "uptake": P(0.5, 0.0, 1.0, "share", "Uptake at average activation and deprivation",
                    "PHE NHS Health Check data: about half of those invited attend",
                    lever=True),
        "uptake_activation": P(1.5, 0.0, 10.0, "logit per unit activation",
                               "How much more activated people take up the invitation",
                               "assumption: the engaged attend (Dalton et al. 2011)",
                               plausible=(0.5, 2.5), grade="uncontrolled"),
        "uptake_deprivation": P(0.12, 0.0, 2.0, "logit per quintile",
                                "Lower uptake per step toward the most deprived",
                                "inverse care law; Robson et al. 2016 find a small gradient",
                                plausible=(0.0, 0.25), grade="controlled"),
        "sensitivity": P(0.9, 0.0, 1.0, "probability",
                         "Chance a check finds each undiagnosed condition",
                         "fitted with risk_finding_rate to about 47 new diagnoses of hypertension"
                         " or type 2 diabetes per 1,000 checks (PHE evaluations): a check "
                         "measures blood pressure and HbA1c, so finds most of what is there",
                         plausible=(0.7, 1.0), grade="uncontrolled"),
        "risk_finding_rate": P(0.033, 0.0, 1.0, "probability",
                               "Chance a check diagnoses raised blood pressure or glucose "
                               "that the model holds no condition for",
                               "fitted with sensitivity to the NHS Health Check's yield of "
                               "about 38 new hypertension and 9 type 2 diabetes diagnoses "
                               "per 1,000 checks (PHE evaluations; Robson et al. 2016)",
                               plausible=(0.02, 0.045), grade="uncontrolled"),
        "false_positive_rate": P(0.06, 0.0, 1.0, "probability",
                                 "Chance of a positive with nothing to find",
                                 "assumption: raised readings that do not persist",
                                 plausible=(0.02, 0.1), grade="assumption"),
        "p_refer_positive": P(0.25, 0.0, 1.0, "probability",
                              "A positive is referred to outpatients",
                              "assumption: the cascade beyond primary care",
                              plausible=(0.1, 0.4), grade="assumption"),
        "dependence_per_positive": P(0.05, 0.0, 1.0, "dependence",
                                     "Rise in dependence after being told one is at risk",
                                     "assumption: labelling effects (Haynes et al. 1978)",
                                     plausible=(0.0, 0.1), grade="uncontrolled"),
        "cost_per_check": P(30.0, 0.0, 10_000.0, "GBP", "Cost of one check",
                            "PHE NHS Health Check economic model: about GBP 25-40"),
    }

    def start(self) -> None:
        self.checks = 0  # checks done and conditions found by them, over the run
        self.diagnoses = 0

    def step(self) -> None:
        model, p = self.model, self.p
        people, s, week = model.people, model.streams, model.week
        n = people.n
        uid = people.uid[:n]
        # Everyone draws (as always), but only the few whose draw is under the weekly rate
        # (one in 260 at the defaults) are checked for eligibility: the same rows, in order,
        # without half a dozen passes over everyone.
        drawn = np.flatnonzero(s.uniform("screening.invite", uid) < p.invites_per_year / 52.0)
        age, screened = people.age[drawn], people.ti_screened[drawn]
        due = (screened < 0) | (week - screened >= CYCLE_WEEKS)
        eligible = people.alive[drawn] & (age >= p.age_min) & (age <= p.age_max) & due \
            & (people.ti_discharge[drawn] <= week)
        invited = drawn[eligible]
        q = people.deprivation[invited].astype(np.float64)
        p_attend = expit(logit(p.uptake) + p.uptake_activation * (people.activation[invited] - 0.5)
                         - p.uptake_deprivation * (3.0 - q))
        checked = invited[s.uniform("screening.attend", people.uid[invited]) < p_attend]
        people.ti_screened[checked] = week
        model.log.screening_tests += int(checked.size)
        self.cost_this_week = checked.size * p.cost_per_check

        # True finds: each undiagnosed condition found with probability `sensitivity`.
        undiagnosed = (people.ltc[checked] - people.diagnosed[checked]).astype(np.int64)
        found = np.zeros(checked.size, dtype=np.int64)
        for k in range(int(undiagnosed.max(initial=0))):
            found += (k < undiagnosed) & (
                s.uniform("screening.find", people.uid[checked], draw=k) < p.sensitivity)
        people.diagnosed[checked] += found.astype(np.int8)
        self.checks += int(checked.size)
        self.diagnoses += int(found.sum())
        # Risk findings: raised blood pressure or glucose, for which the model holds no
        # condition (most of the NHS Health Check's yield is hypertension), are positives.
        risk = (found == 0) & (
            s.uniform("screening.risk", people.uid[checked]) < p.risk_finding_rate)
        self.diagnoses += int(risk.sum())
        false_positive = (found == 0) & ~risk & (
            s.uniform("screening.false_positive", people.uid[checked]) < p.false_positive_rate)
        positive = checked[(found > 0) | risk | false_positive]

        # Every positive starts a cascade: a GP follow-up, sometimes a referral.
        follow = positive[people.ti_gp_followup[positive] < 0]
        people.ti_gp_followup[follow] = week + 2
        refer = positive[(s.uniform("screening.refer", people.uid[positive]) < p.p_refer_positive)
                         & (people.ti_op_followup[positive] < 0)]
        people.ti_op_followup[refer] = week + int(round(model.spec.primary_care.referral_wait_weeks))
        dep = people.dependence
        dep[positive] += p.dependence_per_positive * (1.0 - dep[positive])
