"""The one reading path for every file a user hands Placesim.

Scenarios, their ``extends:`` parents, sweeps, targets files and the dashboard's pick
are all read by :func:`read_yaml`. It trusts nothing about the file:

- only a regular file is read (a FIFO, a device such as ``/dev/zero``, a directory or
  a socket is refused before a byte is read; opening does not block on a FIFO);
- the size is checked by reading at most :data:`MAX_FILE_BYTES` + 1 bytes, not by
  ``stat`` (which says 0 for ``/dev/zero`` and for files under ``/proc``);
- the bytes are decoded as strict UTF-8, and no string may hold a lone surrogate
  (YAML's ``"\\ud800"`` escape makes one; it cannot be written back out);
- the YAML is parsed with the safe loader under a budget: at most
  :data:`MAX_DEPTH` levels of nesting and :data:`MAX_NODES` nodes, no aliases, no tags
  beyond plain YAML's, no duplicate keys, every mapping key a string, and every
  number at most :data:`MAX_NUMBER_CHARS` characters long before it is converted.

Every failure is an :class:`~sim.errors.InputError` naming the file, the line and
column (where the parser knows them) and what was expected.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError

__all__ = ["read_yaml", "read_text", "read_scenario_pick", "check_text", "check_path_text",
           "parent_path", "resolved",
           "MAX_FILE_BYTES", "MAX_DEPTH", "MAX_NODES", "MAX_NUMBER_CHARS", "MAX_PATH_CHARS"]

MAX_FILE_BYTES = 1_000_000  # a scenario is a page of YAML; refuse anything huge
MAX_DEPTH = 32  # scenarios nest 3 levels, a sweep with its scenario inline 6
MAX_NODES = 200_000  # far beyond any real file; bounds the work a 1 MB file can ask for
MAX_NUMBER_CHARS = 40  # 2^64 has 20 digits; a 4,000-digit integer is never a parameter
MAX_PATH_CHARS = 1024  # an extends: or scenario: value is a file name, not a document
_NAME_MAX = 255  # bytes in one path component on Linux, macOS and Windows file systems


# --- bytes from the file ---------------------------------------------------------------


def _os_problem(exc: OSError) -> str:
    """What an OS error means for a file the user named, in words."""
    known = {errno.ENOENT: "file not found", errno.ENAMETOOLONG: "file name is too long",
             errno.ELOOP: "symbolic links loop; expected a file",
             errno.EISDIR: "is a directory; expected a YAML file",
             errno.ENOTDIR: "a folder on its path is not a folder",
             errno.EACCES: "cannot be read (permission denied)"}
    return known.get(exc.errno, f"cannot be read ({exc.strerror or exc})")


def check_path_text(source: str | Path, key: str, text: str) -> None:
    """Refuse a file name that no file system could hold (a NUL byte, too long). Bytes
    that are not UTF-8 are allowed: a file may be named so on disk."""
    if "\0" in text:
        raise InputError(source, key, "the file name contains a NUL byte; expected a file name")
    if len(text) > MAX_PATH_CHARS:
        raise InputError(source, key, f"the file name is {len(text):,} characters long; "
                         f"expected at most {MAX_PATH_CHARS:,}")
    for part in text.split("/"):
        if len(part.encode("utf-8", "surrogateescape")) > _NAME_MAX:
            raise InputError(source, key, f"a part of the file name is longer than {_NAME_MAX} "
                             "bytes; expected a file name the file system can hold")


def read_text(path: str | Path, limit: int = MAX_FILE_BYTES) -> str:
    """The text of a regular file of at most ``limit`` bytes, decoded as strict UTF-8.

    Raises:
        InputError: for anything else (missing, special file, too large, not UTF-8).
    """
    path = Path(path)
    check_path_text(path, "", os.fsdecode(path))
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise InputError(path, "", _os_problem(exc)) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(path, "", "is a directory; expected a YAML file")
        if not stat.S_ISREG(mode):
            raise InputError(path, "", "is not a regular file (a device, FIFO or socket); "
                             "expected a YAML file")
        os.set_blocking(fd, True)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 16, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise InputError(path, "", _os_problem(exc)) from None
    finally:
        os.close(fd)
    if size > limit:
        raise InputError(path, "", f"file is larger than {limit:,} bytes; "
                         "expected a file of a few kilobytes")
    data = b"".join(chunks)
    try:
        return data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        line, column = _line_column(data[:exc.start].decode("utf-8", "replace"))
        raise InputError(path, f"line {line}, column {column}",
                         "is not UTF-8 text; expected a YAML file") from None


def _line_column(before: str) -> tuple[int, int]:
    """1-based line and column of the character after ``before``."""
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def check_text(source: str | Path, key: str, text: str) -> None:
    """Refuse a string holding a lone surrogate (it cannot be written as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(source, key, f"contains a character that is not valid Unicode "
                         f"(at position {exc.start}); expected plain text") from None


def exists(path: str | Path) -> bool:
    """Whether ``path`` names something; ``False`` for names no file system could hold
    (``Path.exists`` raises for a name that is too long)."""
    return os.path.exists(path)


def resolved(path: Path) -> Path:
    """``path`` made absolute with symbolic links followed, or an :class:`InputError`."""
    check_path_text(path, "", os.fsdecode(path))
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python < 3.13)
        problem = _os_problem(exc) if isinstance(exc, OSError) else "symbolic links loop"
        raise InputError(path, "", f"{problem}; expected a YAML file") from None


def parent_path(child: Path, parent: str, key: str = "extends") -> Path:
    """The absolute path of a file named inside ``child`` (``extends:``, ``scenario:``).

    Raises:
        InputError: for a name no file system could hold, or a symbolic-link loop.
    """
    check_path_text(child, key, parent)
    try:
        return (child.parent / parent).resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python < 3.13)
        problem = _os_problem(exc) if isinstance(exc, OSError) else "symbolic links loop"
        raise InputError(child, key, f"{parent!r}: {problem}; expected a scenario file") from None


# --- YAML under a budget -----------------------------------------------------------------


class _Refused(yaml.MarkedYAMLError):
    """A YAML construct the budget or the rules refuse, at a position in the file."""

    def __init__(self, problem: str, mark):
        super().__init__("while reading", None, problem, mark)


class BudgetLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` under the rules above (refuses, never silently changes)."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML hook
        if self.check_event(yaml.AliasEvent):
            raise _Refused("anchors and aliases (*name) are not allowed in scenario files",
                           self.peek_event().start_mark)
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Refused(f"more than {MAX_NODES:,} values; expected a smaller file",
                           self.peek_event().start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(f"nested more than {MAX_DEPTH} levels deep; expected a "
                               "shallower file", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):  # noqa: D102 - PyYAML hook
        seen = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused("a key is a list or mapping; expected a name",
                               key_node.start_mark)
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str):
                raise _Refused(f"key {key!r} is not text; expected a name "
                               "(quote it to make it one)", key_node.start_mark)
            if key in seen:
                raise _Refused(f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_str(self, node):  # noqa: D102 - PyYAML hook
        value = super().construct_yaml_str(node)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _Refused("a string holds a lone surrogate (e.g. \"\\ud800\"); expected "
                           "plain text", node.start_mark) from None
        return value

    def _short_number(self, node):
        if len(node.value) > MAX_NUMBER_CHARS:
            raise _Refused(f"a number of {len(node.value):,} characters; expected at most "
                           f"{MAX_NUMBER_CHARS}", node.start_mark)

    def construct_yaml_int(self, node):  # noqa: D102 - PyYAML hook
        self._short_number(node)
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node):  # noqa: D102 - PyYAML hook
        self._short_number(node)
        return super().construct_yaml_float(node)


for _tag, _method in (("tag:yaml.org,2002:str", BudgetLoader.construct_yaml_str),
                      ("tag:yaml.org,2002:int", BudgetLoader.construct_yaml_int),
                      ("tag:yaml.org,2002:float", BudgetLoader.construct_yaml_float)):
    BudgetLoader.add_constructor(_tag, _method)


def parse_yaml(text: str, source: str | Path) -> Any:
    """Parse YAML text under the budget; raise :class:`InputError` with line and column."""
    try:
        loader = BudgetLoader(text)  # safe_load's own steps, with the stricter loader
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = (exc.problem or "invalid YAML").strip()
        if "could not determine a constructor" in problem:
            problem = "tags such as !!python/... are not allowed; expected plain YAML"
        raise InputError(source, where, f"malformed YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:  # a control character: no mark, a position
        line, column = _line_column(text[:exc.position])
        raise InputError(source, f"line {line}, column {column}",
                         f"malformed YAML: character {_shown(exc.character)} is not allowed; "
                         "expected printable text") from None
    except yaml.YAMLError as exc:
        raise InputError(source, "", f"malformed YAML: {' '.join(str(exc).split())}") from None
    except (ValueError, OverflowError) as exc:  # a constructor's conversion, e.g. a date
        raise InputError(source, "", f"malformed YAML: {exc}; expected plain values") from None


def _shown(character: int | str) -> str:
    code = character if isinstance(character, int) else ord(character)
    return f"U+{code:04X}"


def read_yaml(path: str | Path, what: str = "keys") -> dict:
    """Read a YAML mapping through the reading path above.

    Args:
        path: the file to read.
        what: named in the message for an empty file ("a mapping of scenario keys").

    Returns:
        The mapping at the top of the file.

    Raises:
        InputError: naming the file, where in it, and what was expected.
    """
    path = Path(path)
    data = parse_yaml(read_text(path), path)
    if data is None:
        raise InputError(path, "", f"file is empty; expected a mapping of {what}")
    if not isinstance(data, dict):
        raise InputError(path, "", f"expected a mapping of keys at the top, "
                         f"found {type(data).__name__}")
    return data


def read_scenario_pick(name: str, folder: Path | None = None):
    """The scenario a dashboard user picked by name: ``folder/<name>.yaml`` and nothing else.

    The name must be one plain file name (no separators, no leading dot); the file, and
    every ``extends`` parent, must resolve inside ``folder`` (default: the shipped
    ``scenarios/``); it is read by :func:`read_yaml` and its memory is checked.

    Returns:
        The validated :class:`~sim.scenario.Scenario`.

    Raises:
        InputError: for any other name or file.
    """
    from .preflight import check_memory
    from .scenario import SCENARIO_DIR, load_scenario

    folder = Path(SCENARIO_DIR if folder is None else folder).resolve()
    source = f"scenario {name!r}"
    if (not isinstance(name, str) or not name or len(name) > 200 or name.startswith(".")
            or "/" in name or "\\" in name or "\0" in name):
        raise InputError(source, "", "expected the name of a scenario in "
                         f"{folder.name}/ (letters, digits, - and _)")
    check_text(source, "", name)
    path = resolved(folder / f"{name}.yaml")
    if not path.is_relative_to(folder):
        raise InputError(source, "", f"is outside {folder}; expected a scenario in that folder")
    spec = load_scenario(path, root=folder)
    check_memory([spec])
    return spec
