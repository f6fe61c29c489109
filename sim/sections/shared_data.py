"""The ``shared_data`` section of a scenario: its parameters, declared once (see :mod:`sim.param`).

What the place's weekly data let the people who act see, and how strongly they act
on it (:mod:`sim.shared_data`). No study measures any of these: each is an assumption
with a range, so a probabilistic comparison draws them.
"""

from __future__ import annotations

from ..param import Param as P

PARAMS: dict[str, P] = {
    "enabled": P(False, doc="Share the place's weekly data with practices, groups and the "
                 "commissioner (off: nobody sees or responds to them)",
                 source="assumption: off unless a scenario shares its data, so the baseline "
                 "and the packages that do not share keep their numbers", lever=True),
    "lag_weeks": P(2, 0, 104, "weeks",
                   "Delay before a week's data are seen under distributed governance",
                   "assumption: a shared dashboard refreshed from practice and community "
                   "returns within a fortnight", integer=True,
                   plausible=(1, 8), grade="assumption"),
    "granularity": P("neighbourhood", doc="Finest level the shared data show: each "
                     "neighbourhood and practice, or the place as a whole (no targeting)",
                     source="assumption: data shared down to neighbourhoods and practices",
                     choices=("neighbourhood", "place")),
    "response_strength": P(0.5, 0.0, 1.0, "0..1",
                           "How strongly those who act follow the data: the share of grants "
                           "shared out by need, the pull of link-worker effort, the chance "
                           "a team picks its target from the data",
                           "assumption: half-way between ignoring the data and acting on "
                           "them alone", plausible=(0.1, 0.9), grade="assumption"),
    "report_weeks": P(13, 1, 520, "weeks",
                      "Period one report to the centre averages under hierarchical governance",
                      "assumption: quarterly RAG-rated programme reports", integer=True),
    "report_lag_weeks": P(8, 0, 520, "weeks",
                          "Delay from the end of a reporting period to the centre reading it",
                          "assumption: returns collated, validated and taken to a board "
                          "about two months after the quarter", integer=True,
                          plausible=(4, 26), grade="assumption"),
}
