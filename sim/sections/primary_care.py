"""The ``primary_care`` section of a scenario: its parameters, declared once (see :mod:`sim.param`)."""

from __future__ import annotations

from ..param import Param as P

PARAMS: dict[str, P] = {
    "capacity_per_1000_week": P(127.0, 1.0, 1000.0, "appointments per 1,000 per week",
                                "Weekly appointment capacity of general practice",
                                "NHS England Appointments in General Practice 2023/24: "
                                "6.3 per person-year = 121 per 1,000 per week; 5% "
                                "headroom so winter peaks bind", lever=True),
    "consultation_style": P(0.5, 0.0, 1.0, "0 directive .. 1 shared",
                            "Consultation style: directive (0) to shared decision-making (1)",
                            "assumption: a mix; SDM is not yet the norm (NICE NG197)"),
    "p_followup": P(0.32, 0.0, 0.95, "probability", "A consultation books a follow-up",
                    "fitted to GP appointments 6.3 per person-year and the "
                    "top-10% share 40% (Kontopantelis 2021)"),
    "followup_weeks": P(3.0, 1.0, 52.0, "weeks", "Delay to a booked follow-up",
                        "assumption: a typical 'come back in two to four weeks'"),
    "referral_wait_weeks": P(12.0, 0.0, 104.0, "weeks",
                             "Wait from referral to a first outpatient appointment",
                             "NHS England RTT statistics 2024: median wait about "
                             "13-14 weeks"),
    "p_diagnose_flare": P(0.5, 0.0, 1.0, "probability",
                          "A consultation for a flare of an undiagnosed condition "
                          "diagnoses it", "assumption: a symptomatic presentation leads to a "
                                          "diagnosis about half the time"),
    "wait_at_full": P(2.0, 0.0, 52.0, "weeks",
                      "Typical wait for a routine appointment when demand equals capacity",
                      "GP Patient Survey 2024: most routine appointments within two weeks"),
    "p_refer": P(0.17, 0.0, 1.0, "probability",
                 "A consultation refers to outpatients",
                 "fitted to outpatient attendances 1.66 per person-year "
                 "(HES 2022/23); stands for every route into a first "
                 "outpatient appointment (GP, A&E, consultant-to-consultant), so "
                 "above the GP referral rate alone"),
    "p_unserved_ae": P(0.12, 0.0, 1.0, "probability",
                       "An unserved request goes to A&E instead",
                       "tuned so about a quarter of unplanned A&E follows a failed "
                       "GP request (GP Patient Survey analyses)"),
    "p_unserved_retry": P(0.6, 0.0, 1.0, "probability",
                          "An unserved request tries again next week (else gives up)",
                          "assumption: most people who cannot get an appointment try again "
                          "(GP Patient Survey: a minority give up)"),
    "dependence_per_directive": P(0.005, 0.0, 1.0, "per consultation",
                                  "Rise in dependence from a directive consultation",
                                  "assumption: being 'done to' teaches people to come back; "
                                  "small per consultation (a quarter of a PAM-scale "
                                  "point at the baseline style) so that heavy users' "
                                  "dispositions are not set by their use",
                                  plausible=(0.0, 0.01), grade="assumption"),
    "activation_per_shared": P(0.005, 0.0, 1.0, "per consultation",
                               "Rise in activation from shared decision-making",
                               "assumption; Hibbard 2004 PAM rises with support "
                               "for self-management; small per consultation, like "
                               "dependence_per_directive, else frequent attenders "
                               "become the most activated and the Deeny 2018 "
                               "gradient reverses",
                               plausible=(0.0, 0.01), grade="assumption"),
    "followup_per_ltc": P(0.15, 0.0, 5.0, "relative, per condition",
                          "Rise in the chance of a booked follow-up per long-term condition",
                          "assumption: multimorbidity brings more monitoring; fitted "
                          "with p_followup to the top-10% share of appointments"),
    "followup_directive": P(1.2, 0.0, 5.0, "relative",
                            "Follow-ups booked under a fully directive style, relative "
                            "to p_followup", "assumption: directive care books more "
                            "returns (failure demand)"),
    "followup_per_style": P(0.4, 0.0, 5.0, "relative per unit of style",
                            "Fewer follow-ups booked per unit of shared decision-making",
                            "assumption: shared decisions resolve more at the first "
                            "visit; at the mid style 1.2 - 0.4 x 0.5 = 1"),
    "refer_per_ltc": P(0.2, 0.0, 5.0, "relative, per condition",
                       "Rise in the chance of a referral per long-term condition",
                       "assumption: more conditions, more specialist input"),
    "wait_free_pressure": P(0.5, 0.0, 0.99, "demand / capacity",
                            "Pressure below which a practice has no wait",
                            "assumption: a practice at half capacity offers "
                            "appointments at once"),
    "wait_adjust": P(0.3, 0.0, 1.0, "per week",
                     "Share of the gap to its target wait a practice's wait closes a week",
                     "assumption: waits follow pressure over a few weeks"),
    "followup_cap": P(0.95, 0.0, 1.0, "probability",
                      "Largest chance of a booked follow-up (GP or outpatient)",
                      "assumption: some care always ends"),
}
