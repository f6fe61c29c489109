"""The ``health`` section of a scenario: its parameters, declared once (see :mod:`sim.param`)."""

from __future__ import annotations

from ..param import Param as P

PARAMS: dict[str, P] = {
    "ltc_mean_age80": P(2.1, 0.0, 10.0, "conditions",
                        "Mean count of long-term conditions at age 80",
                        "fitted so that 68% of people aged 80+ and 14.8% of "
                        "all ages have 2+ (Valabhji et al. 2020)"),
    "ltc_age_slope": P(0.044, 0.0, 0.2, "per year of age",
                       "Log-rate increase of the condition count per year of age",
                       "fitted so that 0.9% of 0-19s and 68% of 80+ have 2+ "
                       "(Valabhji et al. 2020)"),
    "ltc_deprivation_ratio": P(1.75, 1.0, 5.0, "ratio",
                               "Condition rate, most vs least deprived quintile",
                               "fitted to multimorbidity odds 2.3x most vs least "
                               "deprived (Valabhji et al. 2020)"),
    "rel_onset_lonely": P(1.3, 1.0, 3.0, "rate ratio",
                          "Onset of new conditions among lonely residents",
                          "Valtorta et al., Heart 2016 (meta-analysis of prospective "
                          "cohorts): loneliness and isolation, pooled RR 1.29 (1.04-1.59) for"
                          " coronary heart disease",
                          plausible=(1.04, 1.59), grade="controlled"),
    "rel_onset_activated": P(0.85, 0.3, 1.0, "rate ratio",
                             "Onset of new conditions at full activation vs none",
                             "assumption: healthier behaviours of activated patients "
                             "(Hibbard & Greene 2013), kept modest",
                             plausible=(0.7, 1.0), grade="assumption"),
    "rel_onset_group": P(0.9, 0.3, 1.0, "rate ratio",
                         "Onset of new conditions among community-group members",
                         "assumption: physical activity and connection in groups, "
                         "kept modest (Holt-Lunstad 2010 is on mortality)",
                         plausible=(0.8, 1.0), grade="assumption"),
    "mortality_at_80": P(0.043, 0.0, 1.0, "per year",
                         "Annual probability of death at age 80",
                         "fitted to a crude death rate of about 9.2 per 1,000 "
                         "(ONS mid-2024) given the age pyramid; ONS National life "
                         "tables 2021-23, England: about 0.04-0.05 at 80 (persons)"),
    "mortality_gompertz": P(0.10, 0.0, 0.3, "per year of age",
                            "Gompertz slope of mortality by age",
                            "ONS National life tables 2021-23: death rates double "
                            "about every 7 years between 60 and 90"),
    "mortality_infant": P(0.004, 0.0, 0.1, "per year",
                          "Death probability in the first year of life",
                          "ONS Child and infant mortality 2022: 3.9 per 1,000"),
    "mortality_per_ltc": P(1.25, 1.0, 3.0, "hazard ratio",
                           "Mortality per long-term condition beyond the age-typical count",
                           "assumption: multimorbidity raises mortality "
                           "(Barnett et al. 2012); kept moderate"),
    "fertility_rate": P(0.050, 0.0, 0.3, "births per woman aged 15-44 per year",
                        "General fertility rate",
                        "fitted to births of about 9.6 per 1,000 (ONS mid-2024); "
                        "ONS Births in England and Wales 2023 gives a general "
                        "fertility rate of about 52 per 1,000 women aged 15-44"),
    "net_migration_per_1000": P(5.0, 0.0, 50.0, "per 1,000 residents per year",
                                "Net arrivals (mostly young adults; see "
                                "health.migrant_age_shares)",
                                "ONS 2022-based national population projections: "
                                "long-term net migration 340,000 a year, about 5 per "
                                "1,000; keeps the age structure from drifting older "
                                "than England's"),
    "wellbeing_drift": P(0.02, 0.0, 1.0, "per week",
                         "Rate at which wellbeing moves toward its level for the "
                         "person's state", "assumption: a half-life of about 8 months"),
    "trait_reversion": P(0.01, 0.0, 1.0, "per week",
                         "Rate at which activation and dependence return to the "
                         "person's disposition without reinforcement",
                         "assumption: a half-life of about 16 months, so that PAM "
                         "gains fade within 2-3 years without reinforcement; fast "
                         "enough that the baseline settles well within 10 years"),
    "seasonality": P(0.12, 0.0, 0.5, "relative amplitude",
                     "Winter peak of minor illness and acute episodes",
                     "NHS England Appointments in General Practice: monthly volumes "
                     "vary about +/-12% around the mean"),
    "wellbeing_base": P(1.2, -10.0, 10.0, "logit",
                        "Wellbeing level (logit) with no conditions, not lonely, not in a "
                        "group, at the activation and dependence centres",
                        "assumption: set with the other wellbeing_* coefficients so that "
                        "most residents' wellbeing sits in the upper half of the scale"),
    "wellbeing_per_ltc": P(0.35, 0.0, 5.0, "logit per condition",
                           "Fall in the wellbeing level per long-term condition",
                           "assumption: multimorbidity lowers wellbeing (ONS APS "
                           "personal wellbeing by health status); size not fitted"),
    "wellbeing_lonely": P(0.8, 0.0, 5.0, "logit", "Fall in the wellbeing level when lonely",
                          "assumption: loneliness is among the strongest correlates of "
                          "low wellbeing (ONS 2018); size not fitted"),
    "wellbeing_per_activation": P(1.0, 0.0, 5.0, "logit per unit of activation",
                                  "Rise in the wellbeing level per unit of activation "
                                  "above population.activation_centre",
                                  "assumption: activated people report better wellbeing "
                                  "(Hibbard & Gilburt 2014); size not fitted"),
    "wellbeing_member": P(0.3, 0.0, 5.0, "logit", "Rise in the wellbeing level in a group",
                          "assumption: group membership supports wellbeing (Kellezi "
                          "2019); kept modest"),
    "wellbeing_per_dependence": P(0.5, 0.0, 5.0, "logit per unit of dependence",
                                  "Fall in the wellbeing level per unit of dependence "
                                  "above wellbeing_dependence_centre",
                                  "assumption: reliance on services goes with lower "
                                  "self-efficacy; kept modest"),
    "wellbeing_dependence_centre": P(0.3, 0.0, 1.0, "dependence",
                                     "Dependence at which it does not shift wellbeing",
                                     "assumption: near the baseline's mean dependence"),
    "wellbeing_noise": P(0.02, 0.0, 0.5, "per week (standard deviation)",
                         "Spread of the weekly random step of wellbeing",
                         "assumption: small against wellbeing_drift, so that wellbeing "
                         "follows the person's state"),
    "initial_ltc_max": P(20, 0, 40, "conditions",
                         "Most long-term conditions a resident starts (or arrives) with",
                         "assumption: a cap on the Poisson draw's far tail; 20 is far "
                         "beyond anyone's count in the English data", integer=True),
    "fertile_age_min": P(15.0, 0.0, 60.0, "years",
                         "Youngest age of the women fertility_rate is per",
                         "ONS: the general fertility rate is per woman aged 15-44"),
    "fertile_age_max": P(45.0, 0.0, 60.0, "years",
                         "Age below which women are counted by fertility_rate",
                         "ONS: the general fertility rate is per woman aged 15-44"),
    "migrant_age_shares": P([0.15, 0.65, 0.20], 0.0, 1.0, "share",
                            "Share of net arrivals aged 0-17, 18-34 and 35-64 (uniform "
                            "within each band)",
                            "ONS Long-term international migration, year ending June 2024: "
                            "about two thirds of immigrants aged 16-34; the split is an "
                            "assumption within that", shares=3),
}
