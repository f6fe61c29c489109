"""The ``community`` section of a scenario: its parameters, declared once (see :mod:`sim.param`)."""

from __future__ import annotations

from ..param import Param as P

PARAMS: dict[str, P] = {
    "groups_per_1000": P(1.0, 0.0, 100.0, "groups per 1,000",
                         "Community groups at the start",
                         "assumption: NCVO Almanac, about 1 local voluntary group "
                         "per 1,000 people running health-relevant activities"),
    "group_capacity": P(25, 2, 1000, "members", "Members a group can hold",
                        "assumption: a room or a walk", integer=True),
    "initial_members": P(12, 1, 1000, "members", "Members of a group at the start",
                         "assumption: about half full, a typical small local group",
                         integer=True),
    "p_contact": P(0.1, 0.0, 1.0, "per week",
                   "Chance a resident talks about groups with a random tie",
                   "assumption: groups come up in conversation with someone about every ten "
                   "weeks"),
    "p_invite": P(0.15, 0.0, 1.0, "probability",
                  "A member invites a tie who is not in a group, at full vitality",
                  "assumption: a thriving group converts about one conversation in seven"),
    "p_leave": P(0.01, 0.0, 1.0, "per week", "A member leaves a group with no vitality",
                 "assumption: half of new members gone within a year in a flagging group"),
    "vitality_growth": P(0.1, 0.0, 1.0, "per week",
                         "Growth of vitality from organisers and members",
                         "assumption: a group with an organiser and half its places "
                         "filled holds a vitality of about 0.6 against "
                         "vitality_decay, so groups persist at about their starting "
                         "number over ten years"),
    "vitality_decay": P(0.015, 0.0, 1.0, "per week",
                        "Decay of vitality (burnout, costs of running)",
                        "assumption: a group with no organiser fades within a year"),
    "p_found": P(0.0003, 0.0, 1.0, "per week",
                 "An organiser not running a group starts one",
                 "assumption: fitted so that about as many groups are "
                 "founded that take root as fold (groups keep their number "
                 "over ten years); most seeds fail"),
    "split_size": P(22, 2, 1000, "members",
                    "Members at which a vital group splits in two",
                    "assumption: just below capacity", integer=True),
    "activation_per_week": P(0.001, 0.0, 0.1, "per week",
                             "Rise in activation for a member of a vital group",
                             "Lederle & Bitzer, BMC Health Serv Res 2019 (systematic review "
                             "of lay-led and peer support self-management): mixed, mostly "
                             "null effects on activation and use; a quarter of the earlier "
                             "assumption of 0.004",
                             plausible=(0.0, 0.002), grade="rct"),
    "dependence_per_week": P(0.001, 0.0, 0.1, "per week",
                             "Fall in dependence for a member of a vital group",
                             "the mirror of activation_per_week (Lederle & Bitzer 2019)",
                             plausible=(0.0, 0.002), grade="rct"),
    "connectedness_per_week": P(0.0035, 0.0, 1.0, "per week",
                                "Rise in connectedness for a member of a vital group",
                                "Hickin et al., Public Health 2021: loneliness interventions,"
                                " standardised effect -0.47 in RCTs and -0.24 in controlled "
                                "cohorts; 0.0025-0.005 a week gives -0.2 to -0.3 SD among the"
                                " people referred (Kellezi 2019 on groups)",
                                plausible=(0.0025, 0.005), grade="rct"),
    "organiser_share": P(0.05, 0.0, 1.0, "share",
                         "Adults with the skills and will to organise",
                         "assumption: NCVO Time Well Spent 2023, a few percent "
                         "lead or organise; 5% so that groups can replace an "
                         "organiser who leaves"),
    "grant_half_effect": P(100.0, 0.0, 100_000.0, "GBP per week",
                           "Grant at which a group's vitality growth is 1.5x",
                           "assumption: small grants matter most (Local Trust, "
                           "Big Local evaluation 2021)",
                           plausible=(50.0, 400.0), grade="assumption"),
    "burden_decay": P(2.0, 0.0, 20.0, "x decay at full burden",
                      "How much reporting burden speeds a group's decay",
                      "assumption: monitoring crowds out volunteer energy "
                      "(Frey & Jegen 2001 on motivation crowding)",
                      plausible=(1.0, 3.0), grade="assumption"),
    "norm_rate": P(0.01, 0.0, 1.0, "per week",
                   "Drift of dependence and activation toward one's ties' "
                   "departures from their own dispositions",
                   "assumption: help-seeking norms spread along ties "
                   "(Christakis & Fowler 2013)",
                   plausible=(0.0, 0.02), grade="assumption"),
    "seed_vitality": P(0.2, 0.0, 1.0, "vitality", "Vitality of a newly founded group",
                       "assumption: fragile at first"),
    "fold_vitality": P(0.02, 0.0, 1.0, "vitality", "Vitality below which a group folds",
                       "assumption: near none"),
    "grace_weeks": P(8, 0, 520, "weeks",
                     "Weeks a new group has to find members before an empty one folds",
                     "assumption: two months", integer=True),
    "initial_vitality_min": P(0.3, 0.0, 1.0, "vitality",
                              "Lowest vitality of the groups at the start",
                              "assumption: starting groups range from flagging to thriving"),
    "initial_vitality_max": P(0.9, 0.0, 1.0, "vitality",
                              "Highest vitality of the groups at the start",
                              "assumption: as initial_vitality_min"),
    "split_vitality": P(0.6, 0.0, 1.0, "vitality",
                        "Vitality a large group needs to split in two",
                        "assumption: only thriving groups split"),
    "split_organisers": P(2, 1, 1000, "organisers",
                          "Organisers a group needs to split in two (one for each half)",
                          "assumption: each half needs someone to run it", integer=True),
    "split_kept_vitality": P(0.8, 0.0, 1.0, "share",
                             "Share of its vitality each half keeps after a split",
                             "assumption: a split costs some momentum"),
    "split_share": P(0.5, 0.0, 1.0, "share",
                     "Chance that a member of a splitting group moves to the new one",
                     "assumption: an even split"),
    "found_activation_base": P(0.5, 0.0, 5.0, "relative",
                               "Founding chance of an organiser with no activation, "
                               "relative to p_found (rising by one per unit of "
                               "activation)", "assumption: activated organisers start "
                               "more groups"),
    "contact_min_age": P(16.0, 0.0, 100.0, "years",
                         "Youngest age at which residents talk about groups",
                         "assumption: groups recruit from age 16"),
}
