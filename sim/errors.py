"""The one error type for bad input, so every front end can answer it the same way."""

from __future__ import annotations

__all__ = ["InputError", "OutputError"]


class InputError(Exception):
    """Bad input from a user: a file, a key path and what was expected.

    The CLI turns it into exit code 2 and the message below; the dashboard shows it.

    Args:
        source: the file (or ``--set``, or ``evaluate()``) the input came from.
        key: dotted key path inside it, or ``""`` for the whole file.
        problem: what was wrong and what was expected.
    """

    def __init__(self, source: str, key: str, problem: str):
        self.source = str(source)
        self.key = key
        self.problem = problem
        where = f"{self.source}: {key}" if key else self.source
        super().__init__(f"{where}: {problem}")


class OutputError(Exception):
    """Results could not be written (a full disk, an I/O error) after the work began.

    The CLI turns it into exit code 1 and the message below, with no traceback; the
    half-written results have been removed by then.

    Args:
        out: the results directory.
        problem: what failed.
    """

    def __init__(self, out: str, problem: str):
        self.out = str(out)
        self.problem = problem
        super().__init__(f"{self.out}: {problem}")
