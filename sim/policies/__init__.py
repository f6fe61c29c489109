"""The policy library: programmatic ("done to"), shared ("done by sharing") and co-produced
("done with") policies.

Each policy is its own class in its own module, registered by ``kind`` so that a YAML
``policies:`` mapping maps straight to code. Library order is the order they act in.
"""

from .base import COMMON, POLICIES, Policy, register
from . import screening, targets, access_expansion, campaign  # noqa: F401,E402 (done to)
from . import quality_improvement  # noqa: F401,E402 (done by sharing)
from . import (social_prescribing, community_development, social_movement,  # noqa: F401,E402
               co_design, pooled_budget)

__all__ = ["COMMON", "POLICIES", "Policy", "register"]
