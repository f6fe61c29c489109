"""The ``costs`` section of a scenario: its parameters, declared once (see :mod:`sim.param`)."""

from __future__ import annotations

from ..param import Param as P

PARAMS: dict[str, P] = {
    "gp_appointment": P(45.0, 0.0, 10_000.0, "GBP", "Unit cost of a GP-practice appointment",
                        "PSSRU/CHE Unit Costs of Health and Social Care 2024"),
    "ae_attendance": P(273.0, 0.0, 10_000.0, "GBP", "Unit cost of an A&E attendance",
                       "PSSRU/CHE Unit Costs 2024"),
    "emergency_admission": P(2600.0, 0.0, 100_000.0, "GBP",
                             "Unit cost of a non-elective admission",
                             "PSSRU/CHE Unit Costs 2024: weighted mean of long and "
                             "short stays"),
    "outpatient_attendance": P(198.0, 0.0, 10_000.0, "GBP",
                               "Unit cost of an outpatient attendance",
                               "PSSRU/CHE Unit Costs 2024"),
    "turned_away_admission": P(2600.0, 0.0, 100_000.0, "GBP",
                               "Cost of a patient turned away for want of a bed",
                               "assumption: admitted elsewhere (out of area, or a "
                               "corridor and a longer stay later) at the cost of an "
                               "emergency admission, so that beds given up are never a "
                               "saving (NAO 2017 on the Better Care Fund)"),
    "group_running_per_year": P(0.0, 0.0, 1_000_000.0, "GBP per group-year",
                                "Public cost of an unfunded group",
                                "assumption: volunteer-run groups cost the system nothing"),
}
