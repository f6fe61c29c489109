"""Refuse to vary a parameter of a policy the scenario does not run.

A policy parameter set on a scenario that does not list the policy (or lists it
switched off) tunes nothing: the policy never starts. A sweep over it gives identical
rows, and an ``evaluate`` call the baseline's numbers, with no sign that anything is
wrong. So both are refused up front, with how to switch the policy on.
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import InputError

__all__ = ["policy_of", "check_policies_run"]


def policy_of(path: str) -> str | None:
    """The policy kind a dotted parameter path belongs to (``None`` for other parameters)."""
    parts = path.split(".")
    return parts[1] if len(parts) == 3 and parts[0] == "policies" else None


def check_policies_run(scenario, paths: Iterable[str], source: str, key_prefix: str,
                       how: str) -> None:
    """Raise :class:`InputError` if a path varies a policy that ``scenario`` does not run.

    A path is fine when the policy is active in ``scenario`` or when ``paths`` also
    vary its ``enabled`` switch (a sweep that turns the policy on and off).

    Args:
        scenario: the scenario the values are applied to.
        paths: dotted parameter paths being varied.
        source: the file or call named in the message.
        key_prefix: prefix of the key named in the message (``"parameters."`` or ``""``).
        how: how to switch the policy on, with ``{kind}`` for its kind, e.g.
            ``"set: {{policies.{kind}.enabled: true}}"``.
    """
    paths = list(paths)
    active = scenario.active_policies()
    for path in paths:
        kind = policy_of(path)
        if kind is None or kind in active or path.endswith(".enabled"):
            continue
        if f"policies.{kind}.enabled" in paths:
            continue
        raise InputError(source, f"{key_prefix}{path}",
                         f"the scenario {scenario.name!r} does not run the policy {kind!r}, so "
                         f"varying it would change nothing; expected a policy the scenario "
                         f"runs. Switch it on with {how.format(kind=kind)}")
