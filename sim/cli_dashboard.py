"""``dashboard``: the workshop dashboard, done to | done with, live in a browser
(works offline; see docs/dashboard.md).

Imports only the standard library at import: serving must set solara's settings
before solara is imported (:mod:`sim.dashboard_serve`).
"""

from __future__ import annotations

import argparse

from .cli_options import port

__all__ = ["add_dashboard", "cmd_dashboard"]


def add_dashboard(sub) -> None:
    """The ``dashboard`` subcommand."""
    p = sub.add_parser("dashboard", help="the workshop dashboard: done to | done with, live "
                       "in a browser (works offline)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only; "
                        "0.0.0.0 lets the room connect)")
    p.add_argument("--port", type=port, default=8765, help="port (default: 8765)")
    p.set_defaults(handler=cmd_dashboard)


def cmd_dashboard(args: argparse.Namespace) -> int:
    """``dashboard``: serve the workshop dashboard until Ctrl-C (see docs/dashboard.md)."""
    from .dashboard_serve import serve  # imports no solara: it must set solara's settings first

    serve(args.host, args.port)
    return 0
