"""The ``population`` section of a scenario: its parameters, declared once (see :mod:`sim.param`)."""

from __future__ import annotations

from ..param import Param as P
from ..param import ONS

PARAMS: dict[str, P] = {
    "size": P(50_000, 100, 20_000_000, "residents", "Residents at the start of the run",
              "assumption: a typical English place (two primary care networks)",
              lever=True, integer=True),
    "neighbourhoods": P(10, 1, 100_000, "neighbourhoods", "Neighbourhoods (MSOA-like areas)",
                        "assumption: about 5,000 residents each, the size of an English MSOA"),
    "deprivation_mix": P([0.2, 0.2, 0.2, 0.2, 0.2], 0.0, 1.0, "share",
                         "Share of neighbourhoods in each IMD quintile, most deprived first",
                         "English IMD 2019 quintiles are 20% each by construction", shares=5),
    "female_share": P(0.506, 0.0, 1.0, "share", "Share of residents who are female", ONS),
    "activation_logit_mean": P(-0.37, -5.0, 5.0, "logit",
                               "Mean activation (logit scale) in the middle quintile",
                               "fitted, over the final year of a 10-year baseline, to PAM "
                               "levels among people with a long-term condition: 24% "
                               "level 1, 13% level 4 (Health Foundation 2018)"),
    "activation_logit_sd": P(1.0, 0.0, 5.0, "logit", "Spread of activation",
                             "fitted with activation_logit_mean"),
    "activation_deprivation_step": P(0.12, 0.0, 2.0, "logit per quintile",
                                     "Lower activation per step toward the most deprived",
                                     "Hibbard & Gilburt 2014: activation is lower in "
                                     "deprived groups"),
    "dependence_logit_mean": P(-1.0, -5.0, 5.0, "logit", "Mean dependence (logit scale)",
                               "assumption: most people turn to services for a minority "
                               "of what they could manage"),
    "dependence_logit_sd": P(1.0, 0.0, 5.0, "logit", "Spread of dependence",
                             "assumption: tuned to use concentration (Kontopantelis 2021)"),
    "dependence_activation_coupling": P(0.8, 0.0, 5.0, "logit per logit",
                                        "How much lower dependence is at higher activation",
                                        "assumption: the two are facets of one disposition"),
    "connectedness_logit_mean": P(0.05, -5.0, 5.0, "logit", "Mean connectedness (logit)",
                                  "fitted, over the final year of a 10-year baseline, to 7% "
                                  "of adults often or always lonely (ONS OPN, Dec "
                                  "2023-Jan 2024)"),
    "connectedness_logit_sd": P(1.0, 0.0, 5.0, "logit", "Spread of connectedness",
                                "assumption: one logit, as for activation and dependence; "
                                "with the mean it sets the 7% lonely"),
    "lonely_below": P(0.2, 0.0, 1.0, "connectedness",
                      "Connectedness below which a person is lonely",
                      "assumption: the bottom of the scale, where ONS's 'often or "
                      "always' sits; the mean is fitted to 7% with this cut"),
    "diagnosed_share": P(0.8, 0.0, 1.0, "share",
                         "Share of long-term conditions diagnosed at the start",
                         "assumption: e.g. about 1 in 5 with hypertension or type 2 "
                         "diabetes undiagnosed (PHE 2017; Diabetes UK)"),
    "practice_list_size": P(10_000, 500, 100_000, "patients",
                            "Registered list of one GP practice",
                            "NHS Digital, Patients Registered at a GP Practice 2024: "
                            "63 m patients over about 6,300 practices", integer=True),
    # With a real place (scenario key ``place``, see sim.places).
    "scale": P(1.0, 0.0001, 1.0, "share of the place's residents",
               "With a place: share of its residents simulated, keeping its age and "
               "deprivation structure (for quick runs)",
               "assumption: the whole place unless a quicker run is asked for"),
    "neighbourhood_min_residents": P(1_000, 1, 1_000_000, "residents",
                                     "With a place: fewest simulated residents in a "
                                     "neighbourhood (MSOAs merge below it)",
                                     "assumption: enough adults in a neighbourhood for "
                                     "its community groups at a scaled size; at full "
                                     "size every MSOA (2,200 or more) is one",
                                     integer=True),
    "connectedness_old_age": P(80.0, 0.0, 130.0, "years",
                               "Age from which connectedness is lower",
                               "assumption: ONS finds the oldest among the more often "
                               "lonely (bereavement, frailty)"),
    "connectedness_old_age_drop": P(0.6, 0.0, 5.0, "logit",
                                    "How much lower connectedness is from that age",
                                    "assumption: with the mean, it sets the 7% lonely"),
    "age_pyramid": P([0.054, 0.059, 0.061, 0.058, 0.060, 0.066, 0.069, 0.067, 0.064, 0.061,
                      0.068, 0.067, 0.059, 0.050, 0.049, 0.039, 0.025, 0.015, 0.0066, 0.0024],
                     0.0, 1.0, "share",
                     "Share of the starting residents in each five-year age band, 0-4 to "
                     "95-99 (uniform within a band; a real place uses its own ages)",
                     "ONS mid-2022 population estimates for England, rounded; the 0.9% aged "
                     "90 and over split 90-94 / 95-99 about three to one (ONS, Estimates of "
                     "the very old, 2022); centenarians are ignored", shares=20),
    "adult_age": P(18.0, 0.0, 130.0, "years",
                   "Age from which a resident is an adult: may organise, starts in a group, "
                   "and counts in the adult measures (lonely share)",
                   "assumption: the age of majority in England"),
    "activation_centre": P(0.5, 0.0, 1.0, "activation",
                           "Activation at which the effects per unit of activation are "
                           "centred (rate ratios of one, no shift of wellbeing)",
                           "assumption: the middle of the scale, so a rate ratio 'at full "
                           "activation vs none' splits evenly either side"),
}
