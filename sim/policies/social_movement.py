"""``social_movement`` — a seed of activists with roles ("done with").

At the start a share of adults (the "3%") become activists, in a mix of roles:
mobilisers (reach many), organisers (grow new leaders and start groups) and lone
wolves (persistent, but burn out without support). The movement then spreads by
the threshold rule in :mod:`sim.movement`. With ``roles`` off, ``burnout`` 0,
``group_effect`` 0 and ``movement.min_age`` 0 it is Watts's (2002) threshold model
(``tests/test_movement.py`` checks it against a plain implementation).
"""

from __future__ import annotations

import numpy as np

from ..parameters import Param as P
from ..population import LONE_WOLF, MOBILISER, ORGANISER, PARTICIPANT
from .base import Policy, register


@register
class SocialMovement(Policy):
    kind = "social_movement"
    family = "done_with"
    summary = "A seed of activists (mobilisers, organisers, lone wolves) spreading over ties"
    params = {
        "activist_share": P(0.03, 0.0, 1.0, "share of adults", "Adults seeded as activists",
                            "the '3.5% rule' of Chenoweth & Stephan 2011, as claimed by "
                            "movement builders; a parameter to test, not a fact",
                            lever=True),
        "role_mix": P([0.3, 0.3, 0.4], 0.0, 1.0, "shares",
                      "Shares of activists who are mobilisers, organisers, lone wolves",
                      "assumption: an even mix (Han 2014, How Organizations Develop "
                      "Activists)", shares=3),
        "roles": P(True, doc="Activists act by role (off: every activist is a plain "
                   "participant)", source="assumption: roles on; off reduces the movement "
                   "to Watts's model"),
        "burnout": P(0.02, 0.0, 1.0, "per week",
                     "Chance an unsupported participant drifts away",
                     "assumption: most volunteers who stop cite lack of support "
                     "(NCVO Time Well Spent 2023)",
                     plausible=(0.01, 0.04), grade="assumption"),
        "group_effect": P(0.3, 0.0, 1.0, "share",
                          "How much lower a community-group member's threshold is",
                          "assumption: groups are where movements recruit (Han 2014)",
                          plausible=(0.0, 0.5), grade="assumption"),
        "mobiliser_weight": P(3.0, 1.0, 100.0, "ties", "How many ties a mobiliser counts as",
                              "assumption: mobilisers reach many",
                              plausible=(1.0, 5.0), grade="assumption"),
        "lone_wolf_burnout": P(0.05, 0.0, 1.0, "per week",
                               "Chance a lone wolf with no movement ties burns out",
                               "assumption: a lone wolf without support lasts about "
                               "five months",
                               plausible=(0.02, 0.1), grade="assumption"),
        "organiser_growth": P(0.002, 0.0, 1.0, "per organiser tie per week",
                              "Chance a participant tied to an organiser becomes one",
                              "assumption: organisers develop leaders (Ganz 2010)",
                              plausible=(0.0, 0.005), grade="assumption"),
        "cost_per_activist_year": P(50.0, 0.0, 1e5, "GBP", "Training and support per activist",
                                    "assumption: community organising training"),
    }

    def start(self) -> None:
        model, p = self.model, self.p
        people, s = model.people, model.streams
        n = people.n
        adults = people.alive[:n] & (people.age[:n] >= model.spec.population.adult_age)
        uid = people.uid[:n]
        seeds = np.flatnonzero(adults & (s.uniform("social_movement.seed", uid) < p.activist_share))
        if not p.roles:
            people.role[seeds] = PARTICIPANT
        else:
            edges = np.cumsum(p.role_mix)
            pick = np.searchsorted(edges, s.uniform("social_movement.role", people.uid[seeds]),
                                   side="right")
            roles = np.array([MOBILISER, ORGANISER, LONE_WOLF], dtype=np.int8)
            people.role[seeds] = roles[np.minimum(pick, 2)]
            people.organiser[seeds[people.role[seeds] == ORGANISER]] = True
        self.seeded = int(seeds.size)

    def step(self) -> None:
        lev, p = self.model.levers, self.p
        lev.movement_roles = bool(p.roles)
        lev.movement_burnout = p.burnout
        lev.movement_group_effect = p.group_effect
        if p.roles:
            lev.mobiliser_weight = p.mobiliser_weight
            lev.lone_wolf_burnout = p.lone_wolf_burnout
            lev.organiser_growth = p.organiser_growth
        self.cost_this_week = self.seeded * p.cost_per_activist_year / 52.0
