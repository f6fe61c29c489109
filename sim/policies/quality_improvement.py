"""``quality_improvement`` — practice teams improve their own service on their own data.

The middle of the power spectrum: the centre neither sets targets ("done to") nor
cedes the service to residents ("done with"); it **shares** the work with the teams
that run the service. Each practice with an improvement team (and, optionally, the
acute trust's outpatient team) runs plan-do-study-act cycles with a facilitator's
time, which is the policy's cost:

- **measure and pick**: at the start of each cycle the team picks one target in its
  own service — its failure demand (avoidable re-contacts: GP follow-ups that would
  not be needed had the problem been resolved at the first contact, one mechanism in
  this model) or its waits (appointment time freed by fixing how the day runs); the
  acute team works on outpatient follow-ups patients do not need. With shared data
  (:mod:`sim.shared_data`) the team picks where its data show the most lost
  appointments; without it, it picks as it sees fit (at random here);
- **change and study**: at the end of the cycle the tested change is adopted with
  probability ``p_adopt`` — most changes tested are not — and a failed test changes
  nothing;
- **adopt**: an adopted change raises the team's goal on that target by
  ``gain_per_adopted`` (up to the target's ceiling); the effect approaches the goal
  over ``ramp_weeks`` (spread, habit), so effects arrive gradually;
- **fade**: when the facilitator stops (the policy's ``end_week``), no cycles run,
  nothing is paid, and adopted effects fade with ``half_life_weeks``; the policy
  stays in force, unpaid, until they have faded.

Effects act on providers' processes (follow-up booking, capacity, outpatient
follow-up) through the levers, not on patients' health directly: the evidence is
clearer on processes than on patients' outcomes (Nadeem et al. 2013). Per practice,
vectorised over practices (no loop over teams or people).
"""

from __future__ import annotations

import numpy as np

from ..parameters import Param as P
from .base import Policy, register

# Targets of a practice team: columns of the goal and effect tables.
FAILURE_DEMAND, WAITS = 0, 1
TARGET_NAMES = ("failure demand", "waits")
FADED = 1e-4  # an effect below this share is gone: the policy then leaves force


@register
class QualityImprovement(Policy):
    kind = "quality_improvement"
    family = "shared"
    summary = "Practice teams run improvement cycles on their own data, with a facilitator"
    params = {
        "team_share": P(1.0, 0.0, 1.0, "share of practices",
                        "Share of practices with a facilitated improvement team",
                        "assumption: a programme offered to every practice (under "
                        "hierarchical governance only system.hierarchical_initiatives run)",
                        lever=True),
        "acute_team": P(False, doc="The acute trust's outpatient team runs cycles too",
                        source="assumption: practices first; acute teams optional"),
        "cycle_weeks": P(13, 1, 520, "weeks", "Length of one improvement cycle",
                         "assumption: a quarter per plan-do-study-act cycle with its "
                         "measurement; Taylor et al., BMJ Qual Saf 2014 found cycle "
                         "length rarely reported", integer=True),
        "p_adopt": P(0.25, 0.0, 1.0, "probability", "A tested change is adopted",
                     "Knudsen et al., BMC Health Serv Res 2019 (120 PDSA projects): 27% "
                     "stated a quantitative aim and reached it; Taylor et al., BMJ Qual Saf"
                     " 2014: fewer than 20% (14/73) documented iterative cycles",
                     plausible=(0.1, 0.4), grade="uncontrolled"),
        "gain_per_adopted": P(0.02, 0.0, 0.5, "share of the target",
                              "Fall in the target's demand from one adopted change",
                              "Schouten et al., BMJ 2008 (9 controlled studies of QI "
                              "collaboratives, 2 RCTs): moderate effects on care processes "
                              "in 7, none in 2, not predictable; Wells et al., BMJ Qual Saf"
                              " 2018 (64 controlled studies): 83% improved one or more "
                              "primary measures; a few per cent a change is this project's "
                              "reading", plausible=(0.0, 0.05), grade="controlled"),
        "failure_demand_ceiling": P(0.15, 0.0, 0.9, "share of follow-ups",
                                    "Most of a practice's follow-ups improvement can remove",
                                    "BMA/NHS Making Time in General Practice 2015: hospital-"
                                    "GP interface failures are 4.5% of GP appointments, "
                                    "about 15% of follow-ups; practice-related avoidable "
                                    "demand is put at about 10% of contacts (Demand and "
                                    "Capacity Optimisation Tool audits)",
                                    plausible=(0.05, 0.2), grade="uncontrolled"),
        "capacity_ceiling": P(0.05, 0.0, 0.5, "share of capacity",
                              "Most appointment capacity improvement can free",
                              "assumption: Making Time in General Practice 2015 put some "
                              "avoidable appointments within the practice's own control; a "
                              "twentieth of the day is this project's reading",
                              plausible=(0.0, 0.1), grade="assumption"),
        "op_followup_ceiling": P(0.01, 0.0, 0.5, "share of the follow-up chance",
                                 "Most of the chance an outpatient attendance books another"
                                 " that the acute team can remove",
                                 "NHS England 2022: patient-initiated follow-up's national "
                                 "ambition is 1.5% of outpatient attendances; each attendance"
                                 " books another with acute.p_op_followup (0.69), so 0.01 off"
                                 " that chance removes about 2% of attendances",
                                 plausible=(0.0, 0.02), grade="uncontrolled"),
        "ramp_weeks": P(13.0, 1.0, 520.0, "weeks",
                        "Time constant for an adopted change to take full effect",
                        "assumption: an adopted change spreads through the team over "
                        "about a quarter", plausible=(4.0, 26.0), grade="assumption"),
        "half_life_weeks": P(52.0, 1.0, 5200.0, "weeks",
                             "Half-life of adopted effects once the facilitator stops",
                             "Wells et al., BMJ Qual Saf 2018: only 8 of 64 studies "
                             "reported effects persisting 6 months to 2 years after the "
                             "collaborative; Zamboni et al., Implement Sci 2020: external "
                             "support is what sustains teams; a year is this project's "
                             "reading", plausible=(26.0, 104.0), grade="uncontrolled"),
        "cost_per_team_year": P(5000.0, 0.0, 1e6, "GBP per team per year",
                                "Facilitator time for one team",
                                "assumption: one facilitator (about GBP 50,000 a year) "
                                "supports about ten teams"),
    }

    def due(self, week: int) -> bool:
        """In force from ``start_week``; after ``end_week`` only until the effects fade."""
        if super().due(week):
            return True
        effect = getattr(self, "effect", None)
        return (week >= self.p.start_week and effect is not None
                and max(float(effect.max(initial=0.0)), self.acute_effect) > FADED)

    def start(self) -> None:
        model = self.model
        n = len(model.practices)
        k = int(round(self.p.team_share * n))
        if model.spec.system.governance == "hierarchical":
            k = min(k, model.spec.system.hierarchical_initiatives)
        rng = model.streams.generator("quality_improvement.teams")
        self.teams = np.sort(rng.permutation(n)[:k])
        if getattr(self, "effect", None) is None:  # restarted: adopted changes stay
            self.goal = np.zeros((n, len(TARGET_NAMES)))
            self.effect = np.zeros((n, len(TARGET_NAMES)))
            self.acute_goal = self.acute_effect = 0.0
            self.tested = self.adopted = 0
        self.target = np.full(self.teams.size, FAILURE_DEMAND, dtype=np.int64)
        self.acute_testing = False
        self.cycle = 0
        self._begin_cycle()

    def facilitated(self) -> bool:
        """Whether the facilitator is paid this week (inside the policy's window)."""
        return Policy.due(self, self.model.week)

    def step(self) -> None:
        model, p = self.model, self.p
        if self.facilitated():
            if (model.week - p.start_week) % p.cycle_weeks == p.cycle_weeks - 1:
                self._end_cycle()
                self._begin_cycle()
            self.effect += (self.goal - self.effect) / p.ramp_weeks
            self.acute_effect += (self.acute_goal - self.acute_effect) / p.ramp_weeks
            n_teams = self.teams.size + (1 if p.acute_team else 0)
            self.cost_this_week = p.cost_per_team_year * n_teams / 52.0
        else:
            keep = 0.5 ** (1.0 / p.half_life_weeks)
            self.effect *= keep
            self.goal = self.effect.copy()
            self.acute_effect *= keep
            self.acute_goal = self.acute_effect
            self.cost_this_week = 0.0
        self._pull_levers()

    def _pull_levers(self) -> None:
        """This week's effects as levers: per practice, and on outpatient follow-up."""
        lev = self.model.levers
        followup = 1.0 - self.effect[:, FAILURE_DEMAND]
        capacity = 1.0 + self.effect[:, WAITS]
        lev.practice_followup = followup if lev.practice_followup is None \
            else lev.practice_followup * followup
        lev.practice_capacity = capacity if lev.practice_capacity is None \
            else lev.practice_capacity * capacity
        lev.op_followup *= 1.0 - self.acute_effect

    def _begin_cycle(self) -> None:
        """Each team picks this cycle's target: from the shared data, or its own guess."""
        from ..shared_data import improvement_targets

        model = self.model
        self.cycle += 1
        guess = (model.streams.uniform("quality_improvement.target",
                                       self.teams.astype(np.uint64), draw=self.cycle)
                 * len(TARGET_NAMES)).astype(np.int64)
        self.target = improvement_targets(model, self.teams, guess)
        self.acute_testing = bool(self.p.acute_team)

    def _end_cycle(self) -> None:
        """Study: each tested change is adopted with ``p_adopt``; a failed one does nothing."""
        model, p = self.model, self.p
        keys = np.append(self.teams, len(model.practices)).astype(np.uint64)
        u = model.streams.uniform("quality_improvement.adopt", keys, draw=self.cycle)
        adopted = u[:-1] < p.p_adopt
        ceiling = np.array([p.failure_demand_ceiling, p.capacity_ceiling])
        rows, cols = self.teams[adopted], self.target[adopted]
        self.goal[rows, cols] = np.minimum(self.goal[rows, cols] + p.gain_per_adopted,
                                           ceiling[cols])
        self.tested += int(self.teams.size)
        self.adopted += int(adopted.sum())
        if self.acute_testing:
            self.tested += 1
            if u[-1] < p.p_adopt:
                self.adopted += 1
                self.acute_goal = min(self.acute_goal + p.gain_per_adopted,
                                      p.op_followup_ceiling)

    def changes_adopted_share(self) -> float:
        """Share of the changes tested so far that were adopted (nan before any)."""
        return self.adopted / self.tested if getattr(self, "tested", 0) else float("nan")

    def activity(self) -> dict:
        """What the teams have done so far, for the views (counts and mean effects)."""
        effect = getattr(self, "effect", None)
        if effect is None:
            return {"teams": 0, "changes_tested": 0, "changes_adopted": 0,
                    "followups_removed": 0.0, "capacity_freed": 0.0}
        return {"teams": int(self.teams.size), "changes_tested": self.tested,
                "changes_adopted": self.adopted,
                "followups_removed": float(effect[:, FAILURE_DEMAND].mean()),
                "capacity_freed": float(effect[:, WAITS].mean()),
                "outpatient_followups_removed": float(self.acute_effect)}

    def activity_words(self) -> str:
        """E.g. '6 of 24 changes tested adopted; follow-ups -2.1%, capacity +0.4%'."""
        a = self.activity()
        if not a["changes_tested"]:
            return f"{a['teams']} teams testing their first changes" if a["teams"] else ""
        words = (f"{a['changes_adopted']} of {a['changes_tested']} changes tested adopted; "
                 f"follow-ups {-100 * a['followups_removed']:+.1f}%, capacity "
                 f"{100 * a['capacity_freed']:+.1f}%")
        return words + ("" if self.facilitated() else " (facilitator stopped: fading)")
