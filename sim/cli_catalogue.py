"""What the model ships and declares: ``list`` (shipped scenarios, places and sweeps)
and ``parameters`` (every parameter with default, bounds, unit and source).

Imports only the standard library at import.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_list", "add_parameters", "cmd_list", "cmd_parameters"]


def add_list(sub) -> None:
    """The ``list`` subcommand."""
    p = sub.add_parser("list", help="list shipped scenarios and sweeps")
    p.set_defaults(handler=cmd_list)


def add_parameters(sub) -> None:
    """The ``parameters`` subcommand."""
    p = sub.add_parser("parameters", help="list every parameter with default, bounds, unit, source")
    p.add_argument("--markdown", action="store_true", help="as a Markdown table (for docs/)")
    p.add_argument("--prefix", default="", help="only paths starting with this, e.g. policies.screening")
    p.add_argument("--section", default="", help="only one section, e.g. primary_care or "
                   "policies.screening")
    p.add_argument("--search", default="", metavar="WORD",
                   help="only parameters whose path, description or source mention WORD")
    p.add_argument("--place", action="store_true",
                   help="only the few that describe your place (size, deprivation, capacity, costs)")
    p.set_defaults(handler=cmd_parameters)


def cmd_list(args: argparse.Namespace) -> int:
    """``list``: shipped scenarios and sweeps with one-line descriptions."""
    from .errors import InputError
    from .scenario import SCENARIO_DIR, read_yaml

    for folder, label in ((SCENARIO_DIR, "scenarios"), (SCENARIO_DIR / "places", "places"),
                          (SCENARIO_DIR / "sweeps", "sweeps")):
        files = sorted(folder.glob("*.yaml"))
        if not files:
            continue
        print(f"{label}:")
        for path in files:
            try:
                text = " ".join(str(read_yaml(path).get("description", "")).split())
            except InputError as exc:
                text = f"(invalid: {exc})"
            first = text.split(". ")[0].rstrip(".")
            print(f"  {path.relative_to(SCENARIO_DIR.parent)!s:44} {first}")
    return 0


def cmd_parameters(args: argparse.Namespace) -> int:
    """``parameters``: every parameter's declaration."""
    from .parameter_listing import format_parameter, select_parameters
    from .scenario import parameter_table

    if args.markdown:
        print(parameter_table(args.prefix))
        return 0
    chosen = select_parameters(args.section, args.search, args.place, args.prefix)
    for path, p in chosen.items():
        print(format_parameter(path, p))
    if not chosen:
        print("no parameter matches", file=sys.stderr)
    return 0
