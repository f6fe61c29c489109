"""The ``movement`` section of a scenario: its parameters, declared once (see :mod:`sim.param`)."""

from __future__ import annotations

from ..param import Param as P

PARAMS: dict[str, P] = {
    "threshold_mean": P(0.38, 0.0, 1.0, "share of ties",
                        "Mean threshold: share of ties in the movement before one joins",
                        "fitted so that under done_with about 20% of residents aged 16+ take "
                        "part in the final year of ten (17-21% over seeds 1-4 at 15,000 "
                        "residents), within formal volunteering's 16% of adults a month and "
                        "27% a year (DCMS Community Life Survey 2021/22)",
                        plausible=(0.36, 0.4), grade="uncontrolled"),
    "threshold_sd": P(0.08, 0.0, 1.0, "share of ties", "Spread of thresholds",
                      "assumption: heterogeneous thresholds (Granovetter 1978)"),
    "min_age": P(16, 0, 120, "years", "Youngest age at which a resident may join",
                 "assumption: volunteering surveys count people aged 16 and over "
                 "(DCMS Community Life Survey); 0 makes every resident eligible",
                 integer=True),
    "activation_per_week": P(0.001, 0.0, 0.1, "per week",
                             "Rise in activation of a participant",
                             "assumption: no controlled study of a health movement's effect "
                             "on its participants; as group membership "
                             "(community.activation_per_week, Lederle & Bitzer 2019)",
                             plausible=(0.0, 0.002), grade="assumption"),
    "dependence_per_week": P(0.001, 0.0, 0.1, "per week",
                             "Fall in dependence of a participant",
                             "assumption: the mirror of movement.activation_per_week",
                             plausible=(0.0, 0.002), grade="assumption"),
}
