"""The policy library: programmatic ("done to") and co-produced ("done with") policies.

Each policy is its own class in its own module, registered by ``kind`` so that a YAML
``policies:`` mapping maps straight to code.
"""

from .base import COMMON, POLICIES, Policy, register

__all__ = ["COMMON", "POLICIES", "Policy", "register"]
