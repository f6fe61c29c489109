"""The command line: ``python run.py <command> …`` (same as the ``placesim`` script).

Every command validates its input first. Bad input of any kind exits with code 2
and one message naming the file, the key and what was expected; no results
directory is created or left half-written (see :mod:`sim.results`).

This module builds the parser and runs a command; each family of commands is one
module that declares its subcommands (``add_<command>``) and runs them (``cmd_<command>``):

- :mod:`sim.cli_run` — ``run``;
- :mod:`sim.cli_compare` — ``compare``, ``demo``;
- :mod:`sim.cli_sweep` — ``sweep``;
- :mod:`sim.cli_checks` — ``calibrate``, ``evidence``, ``validate``;
- :mod:`sim.cli_dashboard` — ``dashboard``;
- :mod:`sim.cli_places` — ``places``, ``show``;
- :mod:`sim.cli_catalogue` — ``list``, ``parameters``;
- :mod:`sim.cli_options` — argument types and the options several commands share;
- :mod:`sim.cli_examples` — the example at the end of every command's ``--help``.

At import these modules load only the standard library, so ``--help`` and a bad
option answer at once; a command imports the model, pandas or plotting when it runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .cli_catalogue import add_list, add_parameters
from .cli_checks import add_calibrate, add_evidence, add_validate
from .cli_compare import add_compare, add_demo
from .cli_dashboard import add_dashboard
from .cli_examples import add_examples
from .cli_options import EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_WRITE_FAILED
from .cli_places import add_places, add_show
from .cli_run import add_run
from .cli_sweep import add_sweep
from .errors import InputError

__all__ = ["main", "build_parser"]

# The subcommands in the order --help lists them.
COMMANDS = (add_run, add_sweep, add_compare, add_demo, add_calibrate, add_evidence,
            add_dashboard, add_validate, add_list, add_places, add_show, add_parameters)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="placesim",
        description="Placesim: does doing things 'to' people or 'with' them change "
                    "demand on a local health system?")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    add_examples(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    from .errors import OutputError
    from .leftovers import remove_leftovers
    from .process import keep_freed_heap
    from .workers import end_helpers_at_exit

    for stream in (sys.stdout, sys.stderr):  # a path with undecodable bytes still prints
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    keep_freed_heap()
    end_helpers_at_exit()  # before any import of multiprocessing: see there
    out = getattr(args, "out", None)
    for removed in remove_leftovers([out.parent] if out is not None else []):
        print(f"note: removed {removed}, left by a run that was killed", file=sys.stderr)
    try:
        return int(args.handler(args) or 0)
    except BrokenPipeError:  # the reader stopped reading (| head): not an error
        import os

        # Point stdout at /dev/null so that the flush at exit does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_WRITE_FAILED
    except KeyboardInterrupt:
        print("interrupted: no results were written", file=sys.stderr)
        return EXIT_INTERRUPTED


def console_main() -> None:
    """The ``placesim`` console script."""
    sys.exit(main())
