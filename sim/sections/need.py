"""The ``need`` section of a scenario: its parameters, declared once (see :mod:`sim.param`)."""

from __future__ import annotations

from ..param import Param as P

PARAMS: dict[str, P] = {
    "low_per_year": P(5.0, 0.0, 50.0, "per person-year",
                      "Low-level complaints (minor illness, aches, worries)",
                      "assumption: the 'symptom iceberg': most symptoms are "
                      "self-managed and only a minority are taken to a GP "
                      "(Hannay 1979; McAteer et al. 2011); level tuned with "
                      "flares and reviews to GP appointments 6.3 per person-year"),
    "flares_per_ltc_year": P(2.6, 0.0, 20.0, "per condition-year",
                             "Flares of a long-term condition needing attention",
                             "fitted to GP appointments 6.3 per person-year (with "
                             "reviews, complaints and follow-ups)"),
    "reviews_per_diagnosed_year": P(3.2, 0.0, 12.0, "per diagnosed condition-year",
                                    "Planned reviews of a diagnosed condition",
                                    "assumption: QOF annual review per condition plus "
                                    "medication reviews, monitoring bloods and nurse "
                                    "checks (about 3 a year); fitted to GP appointments "
                                    "6.3 per person-year"),
    "acute_per_year_age40": P(0.14, 0.0, 5.0, "per person-year",
                              "Acute episodes at age 40 with no conditions",
                              "fitted to A&E attendances 0.44 per person-year (NHS "
                              "Digital HAEA 2022/23)"),
    "acute_age_slope": P(0.02, 0.0, 0.2, "per year of age",
                         "Log-rate increase of acute episodes per year of age",
                         "assumption: tuned to admissions rising steeply with age"),
    "rel_acute_per_ltc": P(1.35, 1.0, 5.0, "rate ratio",
                           "Acute episodes per long-term condition",
                           "assumption: tuned to the A&E deprivation gradient 1.9x"),
    "rel_acute_managed": P(0.8, 0.1, 1.0, "rate ratio",
                           "Acute episodes of diagnosed (managed) vs undiagnosed conditions",
                           "assumption: earlier management lowers acute risk; "
                           "screening's benefit rests on it",
                           plausible=(0.6, 1.0), grade="assumption"),
    "rel_flare_activated": P(0.5, 0.05, 1.0, "rate ratio per unit of activation",
                             "Flares of a condition at full activation vs none "
                             "(centred on activation 0.5)",
                             "fitted to Deeny et al. 2018: GP contacts 0.82x at "
                             "PAM level 4 vs level 1, adjusted",
                             plausible=(0.3, 0.7), grade="controlled"),
    "rel_acute_activated": P(0.6, 0.05, 1.0, "rate ratio per unit of activation",
                             "Acute episodes at full activation vs none "
                             "(centred on activation 0.5)",
                             "fitted to Deeny et al. 2018: A&E 0.68x and emergency "
                             "admissions 0.62x at PAM level 4 vs level 1, adjusted",
                             plausible=(0.4, 0.8), grade="controlled"),
    "rel_followup_activated": P(0.85, 0.05, 1.0, "rate ratio per unit of activation",
                                "Follow-ups booked (GP and outpatient) at full "
                                "activation vs none (centred on activation 0.5)",
                                "fitted to Deeny et al. 2018: outpatient attendances "
                                "0.81x and GP contacts 0.82x at PAM level 4 vs 1: "
                                "activated patients self-manage between visits",
                                plausible=(0.7, 1.0), grade="controlled"),
    "acute_deprivation_ratio": P(1.6, 1.0, 5.0, "rate ratio",
                                 "Acute episodes, most vs least deprived, beyond conditions",
                                 "fitted to the A&E gradient 1.9x most vs least "
                                 "deprived (NHS Digital HAEA 2022/23)"),
    "low_wellbeing_slope": P(1.5, 0.0, 10.0, "log-rate per unit of wellbeing",
                             "How much faster low-level complaints arise as wellbeing "
                             "falls", "assumption: minor symptoms are reported more "
                             "often at low wellbeing; size not fitted"),
    "low_wellbeing_centre": P(0.65, 0.0, 1.0, "wellbeing",
                              "Wellbeing at which low-level complaints arise at "
                              "low_per_year", "assumption: near the baseline's mean "
                              "wellbeing, so low_per_year is about the mean rate"),
    "activation_causal_share": P(0.4, 0.0, 1.0, "share",
                                 "Share of the cross-sectional activation gradient of "
                                 "need and choice that a change in activation brings",
                                 "Lindsay et al., JGIM 2018 (2,155 patients, adjusted for "
                                 "baseline): a PAM level gained goes with 8.3% (2.5-13.2%) "
                                 "lower costs, about 0.55 of Deeny et al. 2018's "
                                 "cross-sectional gradient, itself an upper bound; "
                                 "self-management trials cut use only in some models "
                                 "(Panagioti et al. 2014, 184 RCTs; Lederle & Bitzer "
                                 "2019, mostly null): central 0.4",
                                 plausible=(0.1, 0.8), grade="controlled"),
    "season_peak_week": P(40, 0, 51, "week of the year (0 = 1 April)",
                          "Week of the winter peak of need (seasonality)",
                          "assumption: early January, the usual peak of winter pressure "
                          "(NHS England winter situation reports)", integer=True),
}
