"""``placesim parameters`` in the terminal: what each parameter means, its range and source.

Each parameter reads as a block within 100 columns: its path, default and unit, then
its description, its bounds (and, for an effect, its plausible range and the grade of
evidence behind it), and its source, wrapped. ``--section`` keeps one section (the
first part of the path, e.g. ``primary_care`` or ``policies.screening``), ``--search``
keeps parameters whose path, description or source mention a word, and ``--place``
keeps the few a planner sets to describe their own place (:data:`PLACE`).
"""

from __future__ import annotations

import textwrap

from .errors import InputError

__all__ = ["PLACE", "select_parameters", "format_parameter", "WIDTH"]

WIDTH = 100  # columns: every line of the listing fits a 100-column terminal

# The parameters that describe a place rather than a theory of behaviour: set these from
# the place's own figures first (population, deprivation, practices, capacity, beds, costs).
PLACE = ("population.size", "population.neighbourhoods", "population.deprivation_mix",
         "population.practice_list_size", "primary_care.capacity_per_1000_week",
         "acute.beds_per_1000", "costs.gp_appointment", "costs.ae_attendance",
         "costs.emergency_admission", "costs.outpatient_attendance", "weeks")


def _section(path: str) -> str:
    parts = path.split(".")
    if parts[0] == "policies" and len(parts) > 2:
        return ".".join(parts[:2])
    return parts[0] if len(parts) > 1 else "run"


def select_parameters(section: str = "", search: str = "", place: bool = False,
                      prefix: str = "") -> dict[str, object]:
    """The declared parameters that match, in declaration order.

    Raises:
        InputError: for a section that does not exist (naming the sections there are).
    """
    from .scenario import parameter_paths

    params = parameter_paths()
    if section:
        sections = sorted({_section(p) for p in params} | {"policies"})
        if section not in sections:
            raise InputError("command line", "--section",
                             f"no section {section!r}; expected one of {', '.join(sections)}")
        params = {k: p for k, p in params.items()
                  if _section(k) == section or (section == "policies"
                                                and k.startswith("policies."))}
    if place:
        params = {k: params[k] for k in PLACE if k in params}
    if prefix:
        params = {k: p for k, p in params.items() if k.startswith(prefix)}
    if search:
        word = search.lower()
        params = {k: p for k, p in params.items()
                  if word in f"{k} {p.doc} {p.source} {p.unit}".lower()}
    return params


def _range(p) -> str:
    if p.choices:
        return "one of " + " / ".join(p.choices)
    if p.lo is None and p.hi is None:
        return ""
    lo = "" if p.lo is None else f"{p.lo:g}"
    hi = "" if p.hi is None else f"{p.hi:g}"
    return f"{lo} .. {hi}"


def format_parameter(path: str, p) -> str:
    """One parameter as a block of lines, none longer than :data:`WIDTH`."""
    default = f"{p.default}"
    head = f"{path} = {default}" + (f" {p.unit}" if p.unit else "")
    lines = textwrap.wrap(head, WIDTH, subsequent_indent="    ")
    detail = []
    if p.doc:
        detail.append(p.doc)
    bounds = _range(p)
    if bounds:
        detail.append(f"range: {bounds}")
    if getattr(p, "plausible", None) is not None:
        low, high = p.plausible
        detail.append(f"plausible: {low:g} .. {high:g} ({p.grade} evidence)")
    elif getattr(p, "grade", None):
        detail.append(f"evidence: {p.grade}")
    if p.source:
        detail.append(f"source: {p.source}")
    for text in detail:
        lines += textwrap.wrap(text, WIDTH, initial_indent="    ", subsequent_indent="      ")
    return "\n".join(lines)
