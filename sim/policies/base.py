"""The policy lifecycle and the registry from a YAML ``kind`` to its class."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..parameters import Param

if TYPE_CHECKING:
    from ..model import HealthSystemModel

__all__ = ["Policy", "POLICIES", "register"]

POLICIES: dict[str, type["Policy"]] = {}

# Parameters every policy has; declared here once.
COMMON: dict[str, Param] = {
    "enabled": Param(True, doc="Whether the policy runs (switch off with --set ...enabled=false)",
                     source="assumption: listed policies run"),
    "start_week": Param(0, 0, 10_000, "week", "Week the policy starts",
                        "assumption: from the start of the run", integer=True),
    "end_week": Param(None, 0, 10_000, "week", "Week the policy stops (none: never)",
                      "assumption: policies run to the horizon", integer=True),
}


def register(cls: type["Policy"]) -> type["Policy"]:
    """Class decorator: make a policy available to scenarios under ``cls.kind``."""
    if cls.kind in POLICIES:
        raise ValueError(f"policy kind {cls.kind!r} registered twice")
    POLICIES[cls.kind] = cls
    return cls


class Policy:
    """One policy of a scenario.

    Lifecycle: built with the model; ``start()`` once at ``start_week``; ``step()`` every
    week it is active (phase 8 of the week); ``stop()`` at ``end_week``. It acts on
    the model only through the model's levers and state, and reports its weekly cost.
    """

    kind: ClassVar[str] = ""
    family: ClassVar[str] = ""  # "done_to" (programmatic) or "done_with" (co-produced)
    summary: ClassVar[str] = ""
    params: ClassVar[dict[str, Param]] = {}
    initiatives: ClassVar[int] = 0  # initiatives it takes under hierarchical governance

    def __init__(self, model: "HealthSystemModel", settings: Any):
        self.model = model
        self.p = settings
        self.running = False
        self.cost_this_week = 0.0

    @classmethod
    def all_params(cls) -> dict[str, Param]:
        """Common lifecycle parameters followed by the policy's own."""
        return {**COMMON, **cls.params}

    def due(self, week: int) -> bool:
        """Whether the policy is in force in ``week``."""
        end = self.p.end_week
        return self.p.start_week <= week and (end is None or week < end)

    def start(self) -> None:
        """Called once, the first week the policy is in force."""

    def step(self) -> None:
        """Called every week the policy is in force."""

    def stop(self) -> None:
        """Called once, the first week after ``end_week``."""

    def activity_words(self) -> str:
        """What the policy has done so far, in a few words for the dashboard ('' for none)."""
        return ""
