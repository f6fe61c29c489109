"""``campaign`` — a national symptom-awareness campaign, in bursts ("done to").

"If in doubt, get it checked": while a burst is on air more people take their symptoms
to the GP (more minor consultations), some of those presentations find a condition not
yet known, and activation rises a little. Campaigns such as Be Clear on Cancer run as
bursts of a few weeks with months off air, not as continuous pressure: the schedule is
``burst_weeks`` on air at the start of every ``burst_every_weeks``.
"""

from __future__ import annotations

from ..parameters import Param as P
from .base import Policy, register

BCOC = ("Ironmonger et al., Br J Cancer 2015 (Be Clear on Cancer, lung): attendances "
        "for cough among the over-50s +62%, about 3 more per practice a week, i.e. "
        "+0.3-0.4% of all appointments")


@register
class Campaign(Policy):
    kind = "campaign"
    family = "done_to"
    summary = "Symptom-awareness bursts: more presentation, a few more diagnoses"
    params = {
        "presentation_boost": P(0.04, 0.0, 5.0, "utility",
                                "Extra pull of complaints to the GP while a burst is on air",
                                BCOC + "; 0.04 gives about +0.35% of GP appointments "
                                "during a burst", plausible=(0.03, 0.05), grade="controlled"),
        "burst_weeks": P(8, 1, 520, "weeks", "Weeks on air in each burst",
                         "Ironmonger et al. 2015: Be Clear on Cancer bursts of about 8 "
                         "weeks", integer=True),
        "burst_every_weeks": P(52, 1, 1040, "weeks",
                               "Weeks from the start of one burst to the next",
                               "assumption: Be Clear on Cancer repeated national bursts "
                               "about yearly (PHE campaign calendar)", integer=True),
        "p_find_on_presentation": P(0.02, 0.0, 1.0, "probability",
                                    "A minor-complaint consultation during a burst finds "
                                    "an undiagnosed condition the person has",
                                    "assumption: Ironmonger et al. 2015 found about 9% "
                                    "more lung cancers in a burst; most presentations "
                                    "find nothing", plausible=(0.0, 0.05),
                                    grade="uncontrolled"),
        "activation_effect": P(0.0003, 0.0, 0.05, "per week",
                               "Rise in everyone's activation per week on air",
                               "assumption: broadcast information raises knowledge a "
                               "little; no study measures activation after a campaign",
                               plausible=(0.0, 0.0006), grade="assumption"),
        "cost_per_1000_year": P(400.0, 0.0, 1e6, "GBP per 1,000 per year",
                                "Local share of the campaign's cost",
                                "assumption: a national campaign of about GBP 20 m over "
                                "57 m people, doubled for local amplification"),
    }

    def on_air(self, week: int) -> bool:
        """Whether ``week`` falls in a burst of the schedule (bursts start at start_week)."""
        return (week - self.p.start_week) % self.p.burst_every_weeks < self.p.burst_weeks

    def step(self) -> None:
        lev, p = self.model.levers, self.p
        self.cost_this_week = p.cost_per_1000_year * len(self.model.people) / 1000.0 / 52.0
        if not self.on_air(self.model.week):
            return
        lev.low_gp_utility += p.presentation_boost
        lev.activation_nudge += p.activation_effect
        lev.diagnose_low = max(lev.diagnose_low, p.p_find_on_presentation)
