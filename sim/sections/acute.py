"""The ``acute`` section of a scenario: its parameters, declared once (see :mod:`sim.param`)."""

from __future__ import annotations

from ..param import Param as P

PARAMS: dict[str, P] = {
    "p_admit": P(0.21, 0.0, 1.0, "probability", "Admission after an A&E attendance at age 40",
                 "NHS Digital HAEA 2022/23: about 26% of attendances admitted; "
                 "fitted to admissions 0.11 per person-year"),
    "admit_age_centre": P(40.0, 0.0, 120.0, "years",
                          "Age at which p_admit is the chance of admission (the odds rise "
                          "by admit_age_slope a year from it)",
                          "assumption: a middle age, where HAEA's all-age admission share "
                          "is about the average"),
    "admit_age_slope": P(0.02, 0.0, 0.2, "per year of age",
                         "Log-odds increase of admission per year of age",
                         "assumption: admission odds double about every 35 years of age"),
    "beds_per_1000": P(2.4, 0.0, 100.0, "beds per 1,000",
                       "General and acute beds available to emergencies",
                       "NHS England KH03 2023/24: about 101,000 G&A beds for "
                       "57.7 m people (1.75 per 1,000); raised to 2.4 because "
                       "the model's stays are whole weeks (no same-day or "
                       "few-day stays), which gives about 90% occupancy at "
                       "baseline admissions (KH03: about 93%)"),
    "length_of_stay_weeks": P(1.0, 0.15, 52.0, "weeks", "Mean length of stay",
                              "NHS Digital HES 2022/23: mean about 7 days for "
                              "emergency admissions"),
    "p_refer_after_admission": P(0.6, 0.0, 1.0, "probability",
                                 "An admission leads to outpatient follow-up",
                                 "assumption: most emergency admissions of adults "
                                 "get a clinic follow-up"),
    "p_op_followup": P(0.69, 0.0, 0.95, "probability",
                       "An outpatient attendance books another",
                       "NHS Digital HES 2022/23: about 2.2 follow-ups per first "
                       "attendance"),
    "op_followup_weeks": P(10.0, 1.0, 104.0, "weeks",
                           "Delay to an outpatient follow-up", "assumption: clinic follow-ups "
                                                               "are typically booked two to "
                                                               "three months ahead"),
    "p_op_finds": P(0.06, 0.0, 1.0, "probability",
                    "An outpatient assessment diagnoses a condition not yet known",
                    "assumption: 'once in the system, further assessments find more'"),
    "dependence_per_cascade": P(0.005, 0.0, 1.0, "per attendance",
                                "Rise in dependence per outpatient attendance",
                                "assumption: follow-up cascades teach reliance; small "
                                "per attendance like dependence_per_directive",
                                plausible=(0.0, 0.01), grade="assumption"),
    "admit_share_flare": P(0.8, 0.0, 1.0, "relative",
                           "Admission chance of a flare at A&E, relative to an acute "
                           "episode", "assumption: acute episodes are the main route "
                           "to admission"),
    "admit_share_other": P(0.1, 0.0, 1.0, "relative",
                           "Admission chance of a minor complaint at A&E, relative to an "
                           "acute episode", "assumption: a minor complaint is rarely "
                           "admitted"),
    "admit_per_ltc": P(0.15, 0.0, 2.0, "log-odds per condition",
                       "Rise in the log-odds of admission per long-term condition",
                       "assumption: multimorbid patients are admitted more often"),
    "discharge_followup_weeks": P(4, 0, 52, "weeks",
                                  "Delay from discharge to the outpatient follow-up",
                                  "assumption: a clinic about a month after discharge",
                                  integer=True),
    "op_followup_per_ltc": P(0.05, 0.0, 2.0, "relative, per condition",
                             "Rise in the chance of another outpatient appointment per "
                             "long-term condition",
                             "assumption: more conditions, longer follow-up"),
}
