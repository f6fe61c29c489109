"""The ``choice`` section of a scenario: its parameters, declared once (see :mod:`sim.param`)."""

from __future__ import annotations

from ..param import Param as P

PARAMS: dict[str, P] = {
    "low_gp_base": P(-0.8, -10.0, 10.0, "utility",
                     "Utility of taking a low-level complaint to a GP",
                     "assumption: about a fifth of low-level complaints reach a "
                     "GP or A&E (symptom iceberg); fitted with low_per_year to "
                     "GP appointments 6.3 per person-year"),
    "low_ae_base": P(-4.2, -15.0, 10.0, "utility",
                     "Utility of taking a low-level complaint to A&E",
                     "assumption: tuned so minor self-referred A&E is a small share"),
    "low_peer_base": P(-1.2, -10.0, 10.0, "utility",
                       "Utility of turning to peers or a group",
                       "assumption: informal help is common for minor complaints"),
    "dependence_weight": P(3.0, 0.0, 20.0, "utility per unit",
                           "How far dependence pulls low-level complaints to services",
                           "assumption: tuned to the use concentration of Kontopantelis 2021",
                           plausible=(2.0, 4.0), grade="assumption"),
    "activation_weight": P(1.2, 0.0, 20.0, "utility per unit",
                           "How far activation pulls complaints to self-care",
                           "fitted to Deeny et al. 2018: GP use 0.82x at PAM level 4 vs 1",
                           plausible=(0.6, 1.8), grade="controlled"),
    "connectedness_weight": P(1.5, 0.0, 20.0, "utility per unit",
                              "How far connectedness makes peers an option",
                              "assumption: a well-connected person is about as likely to ask "
                              "a friend as to self-care",
                              plausible=(0.5, 2.5), grade="assumption"),
    "group_weight": P(1.0, 0.0, 20.0, "utility", "Extra pull of peers for group members",
                      "assumption: peer support is at hand in a group",
                      plausible=(0.5, 1.5), grade="assumption"),
    "wait_weight": P(0.5, 0.0, 10.0, "utility per week of wait",
                     "How far a GP wait pushes complaints elsewhere",
                     "assumption: waits deter minor consultations",
                     plausible=(0.25, 1.0), grade="assumption"),
    "flare_ae_share": P(0.06, 0.0, 1.0, "share",
                        "Share of condition flares taken straight to A&E",
                        "assumption: tuned to A&E attendances"),
    "acute_ae_share": P(0.85, 0.0, 1.0, "share",
                        "Share of acute episodes that reach A&E (rest via GP)",
                        "assumption: most acute episodes (injuries, chest pain, sudden "
                        "illness) go straight to A&E or 999"),
    "ae_wait_share": P(0.3, 0.0, 1.0, "share of wait_weight",
                       "How far a GP wait pushes a low-level complaint to A&E, as a "
                       "share of how far it pushes it away from the GP",
                       "assumption: most people deterred by a wait self-care or wait; "
                       "a minority go to A&E"),
    "dependence_causal_share": P(0.4, 0.0, 1.0, "share",
                                 "Share of the cross-sectional dependence gradient of "
                                 "choice that a change in dependence brings",
                                 "assumption: no study measures a change in dependence; "
                                 "taken as activation_causal_share, its mirror (Lindsay "
                                 "et al. 2018; Panagioti et al. 2014)",
                                 plausible=(0.1, 0.8), grade="assumption"),
    "activation_per_self_care": P(0.005, 0.0, 1.0, "per complaint",
                                  "Rise in activation after managing a complaint oneself",
                                  "assumption: mastery experiences build confidence "
                                  "(Bandura 1977); one event moves activation by well "
                                  "under a PAM point, so the baseline is stationary",
                                  plausible=(0.0025, 0.01), grade="assumption"),
    "dependence_per_self_care": P(0.005, 0.0, 1.0, "per complaint",
                                  "Fall in dependence after managing without services",
                                  "assumption: the mirror of activation_per_self_care",
                                  plausible=(0.0025, 0.01), grade="assumption"),
    "connectedness_per_peer_help": P(0.005, 0.0, 1.0, "per complaint",
                                     "Rise in connectedness after turning to peers",
                                     "assumption: small per event, so that loneliness "
                                     "stays near 7% in the baseline rather than "
                                     "draining away",
                                     plausible=(0.0025, 0.01), grade="assumption"),
}
