"""One colour per scenario, fixed by its name, colour-blind safe: for the dashboard and reports.

A scenario keeps its colour wherever it is drawn, so a room that has learnt "done with
is green" on the dashboard reads a report the same way. The colours are Okabe and
Ito's palette (distinguishable with the common forms of colour blindness) and, for
more scenarios than it has colours, Paul Tol's "muted" palette. The programmatic
("done to") packages take the warm colours, the co-produced ("done with") the cool
ones, and the baseline grey. A scenario not listed here (a user's own file) gets a
colour from its name's hash, the same on every run and machine.

    >>> colour("done_with")
    '#009E73'
"""

from __future__ import annotations

import hashlib

__all__ = ["SCENARIO_COLOURS", "DIFFERENCE", "SPARE", "colour", "pair_colours"]

SCENARIO_COLOURS: dict[str, str] = {
    "baseline": "#666666",
    "done_to": "#D55E00",               # vermillion
    "done_with": "#009E73",             # bluish green
    "mixed": "#CC79A7",                 # reddish purple
    "screening": "#E69F00",             # orange
    "targets": "#882255",               # wine
    "access_expansion": "#CC6677",      # rose
    "campaign": "#DDCC77",              # sand
    "social_prescribing": "#0072B2",    # blue
    "community_development": "#56B4E9",  # sky blue
    "social_movement": "#117733",       # green
    "co_design": "#332288",             # indigo
    "pooled_budget": "#44AA99",         # teal
    "shared_power": "#999933",          # olive: the middle of the spectrum
    "shared_power_without_data": "#DDDDDD",  # pale grey: the same without its data
    "ambidextrous": "#AA4499",          # purple
    "done_with_shared_data": "#88CCEE",  # cyan: done_with with its data shared
}
# The difference between two sides: a neutral dark colour neither side uses.
DIFFERENCE = "#3B3B3B"
# For scenarios not listed above, in this order of preference.
SPARE = ("#999933", "#AA4499", "#0072B2", "#E69F00", "#CC79A7")


def colour(name: str) -> str:
    """The colour of scenario ``name`` (a hex string)."""
    if name in SCENARIO_COLOURS:
        return SCENARIO_COLOURS[name]
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return SPARE[digest[0] % len(SPARE)]


def pair_colours(left: str, right: str) -> tuple[str, str]:
    """Colours of two sides; distinct even when both run the same scenario."""
    a, b = colour(left), colour(right)
    if a == b:
        b = next(c for c in (*SPARE, "#000000") if c != a)
    return a, b
