"""The ``places`` and ``show`` commands: find a place, and see what a scenario resolves to."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError

__all__ = ["list_places", "show_scenario", "print_totals", "place_overrides"]

KIND_WORDS = {"england": "country", "icb": "ICB", "ltla": "local authority", "custom": "patch"}


def place_overrides(text: str) -> dict[str, Any]:
    """The overrides ``--place TEXT`` stands for: a code or name, or a scenario file
    whose ``place:`` and ``population.scale`` are taken (a custom patch)."""
    from .places import resolve

    if not text.endswith((".yaml", ".yml")):
        resolve(text, "--place")  # a miss names the option, not the scenario
        return {"place": text}
    from .scenario import load_scenario

    patch = load_scenario(text)
    if patch.place is None:
        raise InputError(text, "place", "missing; expected a scenario with a place: key "
                         "for --place")
    return {"place": patch.place, "population.scale": patch.population.scale}


def list_places(search: str | None = None, icb: str | None = None) -> int:
    """Print the places (all, or those matching ``search`` / inside ``icb``) as a table."""
    from . import places

    chosen = places.catalogue(icb=icb)
    if search is not None:
        found = {id(p) for p in places.search(search)}
        chosen = [p for p in chosen if id(p) in found]
    if not chosen:
        close = places.suggestions(search or "")
        raise InputError("--search", search or "", "no place matches; expected part of a "
                         "name or code" + (f" (closest: {', '.join(close)})" if close else ""))
    print(f"{'code':10} {'name':52} {'kind':15} {'residents':>10}  "
          f"{'deprivation mix, % Q1..Q5':26} {'neighbourhoods':>14}")
    split = 0
    for place in chosen:
        mix = " ".join(f"{100 * s:4.0f}" for s in place.quintile_mix)
        name = place.name[:50] + (" *" if place.kind == "ltla" and len(place.icbs) > 1 else "")
        split += name.endswith(" *")
        print(f"{place.code:10} {name:52} {KIND_WORDS[place.kind]:15} "
              f"{place.population:>10,}  {mix:26} {place.msoas:>14,}")
    print(f"{len(chosen)} place(s); residents mid-2020 (ONS), deprivation mix: share of "
          "residents in each IMD 2019 quintile of England, most deprived (Q1) first; "
          "neighbourhoods: MSOAs")
    if split:
        print("* in more than one ICB: some of its LSOAs are served by a neighbouring ICB's "
              "practices (ONS lookup, July 2022)")
    return 0


def show_scenario(source: str | Path, overrides: Mapping[str, Any]) -> int:
    """Print the scenario resolved (extends, place, overrides) as YAML."""
    from .places import place_line
    from .scenario import load_scenario

    spec = load_scenario(source, overrides=overrides)
    line = place_line(spec)
    if line:
        print(f"# {line}")
    print(yaml.safe_dump(spec.to_dict(), sort_keys=False, allow_unicode=True), end="")
    return 0


def print_totals(summaries: Mapping[str, Any], spec) -> None:
    """The place (if any) and its totals a year, mean over replicates, per scenario."""
    from .compare import fmt, words
    from .places import place_line
    from .totals import TOTALS, place_residents

    import textwrap

    width = 100  # the terminal tables' width (sim.progress)
    line = place_line(spec)
    if line:
        print(textwrap.fill(line, width))
    print(f"Totals a year for {place_residents(spec):,} residents, final year, mean over "
          "replicates:")
    for label, summary in summaries.items():
        shown = [f"{words(m)[0]} {fmt(m, summary[m].mean())}" for m in TOTALS if m in summary]
        print(textwrap.fill(f"{label}: " + "; ".join(shown) + " (cost in GBP m)", width,
                            initial_indent="  ", subsequent_indent="    "))
