"""``social_prescribing`` — link workers in practices ("done with").

Practices refer people whose minor complaints have a non-medical root to a link
worker, up to the link workers' weekly caseload. The link worker's conversation
(what matters to you?) builds a little activation, and connects the person to the
most vital community group with room in their neighbourhood — only where a group
has room: a referral into a full or absent group adds no member. Link workers also
uncover medical needs and send some people back to their GP.
"""

from __future__ import annotations

from ..parameters import Param as P
from ..shared_data import neighbourhood_weights
from .base import Policy, register


@register
class SocialPrescribing(Policy):
    kind = "social_prescribing"
    family = "done_with"
    summary = "Link workers connect people with non-medical needs to community groups"
    params = {
        "link_workers_per_practice": P(0.5, 0.0, 20.0, "full-time link workers",
                                       "Link workers per practice",
                                       "NHS England 2023: about 3,300 link workers for about "
                                       "6,300 practices", lever=True),
        "referrals_per_link_worker_week": P(7.5, 0.0, 100.0, "people per week",
                                            "New people a link worker can take on each week",
                                            "NHS England 2023: about 1.3 m referrals a year by "
                                            "about 3,300 link workers (about 390 each, 23 per "
                                            "1,000 residents)"),
        "referral_share": P(0.15, 0.0, 1.0, "share",
                            "Share of minor consultations offered a link-worker referral",
                            "assumption: about a fifth of GP consultations are for mainly "
                            "social problems (Citizens Advice 2015)",
                            plausible=(0.1, 0.2), grade="uncontrolled"),
        "activation_per_referral": P(0.03, 0.0, 1.0, "activation",
                                     "Rise in activation from the link-worker conversation",
                                     "assumption: modest PAM gains after social prescribing "
                                     "(Polley et al. 2017)",
                                     plausible=(0.0, 0.05), grade="uncontrolled"),
        "p_back_to_gp": P(0.15, 0.0, 1.0, "probability",
                          "A referred person is sent back to the GP with a medical need",
                          "assumption: link workers report returning people with unmet "
                          "medical needs (Wildman et al. 2019); about one in seven",
                          plausible=(0.05, 0.25), grade="uncontrolled"),
        "cost_per_referral": P(466.0, 0.0, 100_000.0, "GBP per person referred",
                               "Cost per person referred",
                               "Rotherham social prescribing evaluation (Dayson 2017), "
                               "via PSSRU Unit Costs 2024"),
    }

    def step(self) -> None:
        model, lev, p = self.model, self.model.levers, self.p
        # Pay for last week's referrals, then open this week's places.
        referred = model.link_worker_referrals
        people = model.people
        act = people.activation
        act[referred] += p.activation_per_referral * (1.0 - act[referred])
        back = referred[(model.streams.uniform("social_prescribing.back_to_gp",
                                               people.uid[referred]) < p.p_back_to_gp)
                        & (people.ti_gp_followup[referred] < 0)]
        people.ti_gp_followup[back] = model.week + 2
        self.cost_this_week = referred.size * p.cost_per_referral
        workers = p.link_workers_per_practice * len(model.practices)
        lev.link_worker_places += int(round(workers * p.referrals_per_link_worker_week))
        lev.link_worker_share = max(lev.link_worker_share, p.referral_share)
        lev.link_worker_weight = neighbourhood_weights(model)  # shared data (None: off)
