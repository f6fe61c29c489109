"""A workshop run's settings in the page's address, so a reload (or a shared link) restores them.

The address carries what :meth:`sim.dashboard_pair.PairModel.settings` returns (the two
scenarios, the seed, the seeds per side and every lever not at its default) and Play's
speed in weeks a second, if one is chosen, e.g.
``?left=done_to&right=done_with&seed=1&policies__social_movement__activist_share=0.055``.
Reading it back never fails: a value that cannot be read is passed on as text, and
:class:`~sim.dashboard_pair.PairModel` reports it on the page and keeps the default.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from .dashboard_levers import lever_by_key

__all__ = ["to_query", "from_query"]

# At most this many characters of address are read (a link is a few hundred).
MAX_QUERY = 4000


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return repr(value)  # round-trips exactly
    return str(value)


def to_query(settings: dict[str, Any]) -> str:
    """The settings as a query string (without the ``?``)."""
    return urlencode({key: _text(value) for key, value in settings.items()})


def _number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def from_query(query: str | None) -> dict[str, Any]:
    """Keyword arguments of :class:`~sim.dashboard_pair.PairModel` from a query string."""
    settings: dict[str, Any] = {}
    for key, text in parse_qsl((query or "")[:MAX_QUERY].lstrip("?"), keep_blank_values=True):
        if key in ("left", "right", "place"):
            settings[key] = text
        elif key in ("seed", "seeds", "speed"):
            settings[key] = _number(text)
        else:
            lever = lever_by_key(key)
            if lever is None:
                settings[key] = text  # reported as an unknown lever
            elif lever.kind == "switch":
                settings[lever.key] = {"on": True, "off": False}.get(text, text)
            elif lever.kind == "choice":
                settings[lever.key] = text
            else:
                settings[lever.key] = _number(text)
    return settings
