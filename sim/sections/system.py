"""The ``system`` section of a scenario: its parameters, declared once (see :mod:`sim.param`)."""

from __future__ import annotations

from ..param import Param as P

PARAMS: dict[str, P] = {
    "governance": P("hierarchical", doc="How initiatives are run",
                    source="assumption: most places manage a few central projects",
                    choices=("hierarchical", "distributed"), lever=True),
    "hierarchical_initiatives": P(3, 1, 1000, "initiatives",
                                  "Initiatives a hierarchical system can run at once",
                                  "assumption: central programme office capacity",
                                  integer=True),
    "common_random_numbers": P(True, doc="Draw each person's randomness from named "
                               "streams keyed by the person (off: plain sequential draws)",
                               source="Starsim's CRN design (Kerr et al. 2024)"),
    "burn_in_weeks": P(52, 0, 1040, "weeks",
                       "Weeks of the baseline run before week 0 and not reported",
                       "assumption: the follow-up and outpatient pipelines, empty when "
                       "a place is built, fill within a year (outpatients 998 per 1,000 "
                       "in year 1 against about 1,600 in years 2-10 without it); a "
                       "whole number of years keeps the seasons in phase",
                       integer=True),
    "check_invariants": P(False, doc="Check model invariants every week (slower)",
                          source="assumption: for tests and debugging"),
    "threads": P(0, 0, 256, "threads",
                 "Threads for the per-resident passes of one run (0: every core)",
                 "assumption: a lone run uses every core; worker processes share "
                 "them out; the numbers are the same whatever the count",
                 integer=True),
}
