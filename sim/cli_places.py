"""The place commands: ``places`` (England's places: residents, deprivation mix,
neighbourhoods) and ``show`` (a scenario fully resolved: extends, place, ``--set``).

The work is in :mod:`sim.place_commands`; this module only declares the commands.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .cli_options import overrides

__all__ = ["add_places", "add_show", "cmd_places", "cmd_show"]


def add_places(sub) -> None:
    """The ``places`` subcommand."""
    p = sub.add_parser("places", help="list England's places: residents, deprivation mix, "
                                      "neighbourhoods")
    p.add_argument("--search", metavar="TEXT", help="only places whose code or name contains TEXT")
    p.add_argument("--icb", metavar="CODE", help="only this ICB (code or name) and its local "
                                                 "authorities")
    p.set_defaults(handler=cmd_places)


def add_show(sub) -> None:
    """The ``show`` subcommand."""
    p = sub.add_parser("show", help="print a scenario fully resolved (extends, place, --set)")
    p.add_argument("scenario", type=Path, help="scenario YAML or a shipped scenario's name")
    p.add_argument("--place", help="a place of England (as for run)")
    p.add_argument("--set", dest="overrides", action="append", default=[],
                   metavar="KEY.PATH=VALUE", help="override a parameter (repeatable)")
    p.set_defaults(handler=cmd_show)


def cmd_places(args: argparse.Namespace) -> int:
    """``places``: England's places with residents, deprivation mix and neighbourhoods."""
    from .place_commands import list_places

    return list_places(args.search, args.icb)


def cmd_show(args: argparse.Namespace) -> int:
    """``show``: the fully resolved scenario as YAML."""
    from .place_commands import show_scenario

    return show_scenario(args.scenario, overrides(args.overrides, args.place))
