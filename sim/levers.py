"""The levers policies pull: every way a policy may change the mechanisms, in one place.

Phases read ``model.levers``; each week (phase 8) the model starts from neutral
levers and every policy in force sets its own. With no policy every lever is neutral
and the model is the baseline. Keeping them here makes it easy to see, and to test,
that a policy acts only through named mechanisms. Per-group policy state (grants,
contracts and their reporting burden) lives on the groups table instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Levers"]


@dataclass
class Levers:
    """One week's policy-controlled multipliers and switches (neutral defaults)."""

    # primary care
    gp_capacity: float = 1.0  # x appointment capacity (access_expansion)
    consultation_style_shift: float = 0.0  # + toward shared decisions (co_design), - directive (targets)
    followup: float = 1.0  # x follow-up booking (targets: lower resolution)
    refer: float = 1.0  # x outpatient referral (targets: defensive referral)
    failure_demand: float = 1.0  # x avoidable re-contacts (co_design lowers it)
    # per practice (None: 1 everywhere), set by quality_improvement's adopted changes
    practice_followup: np.ndarray | None = None  # x follow-up booking, by practice
    practice_capacity: np.ndarray | None = None  # x appointment capacity, by practice
    # help-seeking
    low_gp_utility: float = 0.0  # + pull of minor complaints to a GP (campaign)
    activation_nudge: float = 0.0  # per-week rise in everyone's activation (campaign)
    diagnose_low: float = 0.0  # chance a minor-complaint visit finds a condition (campaign)
    # acute
    op_followup: float = 1.0  # x outpatient follow-up booking
    incentivised_admission: float = 1.0  # x admission with a diagnosed condition (P4P)
    # social prescribing
    link_worker_places: int = 0  # people the link workers can take on this week
    link_worker_share: float = 0.0  # share of low-level consultations offered a referral
    link_worker_weight: np.ndarray | None = None  # x that share, by neighbourhood (shared data)
    # movement (set by the social_movement policy)
    movement_roles: bool = False
    movement_burnout: float = 0.0
    movement_group_effect: float = 0.0
    mobiliser_weight: float = 1.0
    lone_wolf_burnout: float = 0.0
    organiser_growth: float = 0.0
