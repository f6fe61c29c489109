"""Leftovers of killed runs, identified exactly and removed by the next command.

A run writes into a hidden partial directory ``.<out>.partial-<pid>`` beside its
``--out`` (see :mod:`sim.results`). The first thing in it is a marker, ``MARKER``: a
small JSON manifest that only Placesim writes, with the process id, the process's
start time (from ``/proc``, so a reused process id is not mistaken for the owner), the
host and the destination's name. A run that ends in any way but SIGKILL or power loss
removes its partial directory itself; what a killed one leaves is removed by the next
Placesim command of any kind, which looks under ``results/`` (two levels, where
``results/<name>/<time>/`` puts them) and in the folders it was told (``--out``'s
parent).

A directory is removed only if it carries a valid marker whose name matches it, was
written on this host, and whose process is gone. Anything else, such as someone's
own ``.x.partial-123`` folder, is never touched.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import socket
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import InputError

__all__ = ["MARKER", "partial_name", "write_marker", "unmark", "read_marker",
           "live_partials", "remove_in", "remove_leftovers"]

MARKER = ".placesim-partial.json"
_KIND = "placesim partial results"
_MARKER_BYTES = 4096


def partial_name(out_name: str, pid: int | None = None) -> str:
    """The hidden partial directory's name for a destination named ``out_name``."""
    return f".{out_name}.partial-{os.getpid() if pid is None else pid}"


def _process_start(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot), or ``None`` if unknown."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None  # field 22 of proc(5)


def write_marker(partial: Path, out_name: str) -> None:
    """Mark ``partial`` as this process's partial results for ``out_name``."""
    manifest = {"kind": _KIND, "pid": os.getpid(), "start": _process_start(os.getpid()),
                "host": socket.gethostname(), "out": out_name,
                "created": _dt.datetime.now().isoformat(timespec="seconds")}
    (partial / MARKER).write_text(json.dumps(manifest), encoding="utf-8")


def unmark(partial: Path) -> None:
    """Remove the marker just before the directory is renamed into place."""
    (partial / MARKER).unlink(missing_ok=True)


def read_marker(partial: Path) -> dict | None:
    """The manifest of a partial directory, or ``None`` if it is not Placesim's."""
    from .userfiles import read_text

    if partial.is_symlink() or not partial.is_dir():
        return None
    try:
        data = json.loads(read_text(partial / MARKER, limit=_MARKER_BYTES))
    except (InputError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("kind") != _KIND:
        return None
    pid, out = data.get("pid"), data.get("out")
    if not isinstance(pid, int) or not isinstance(out, str) or partial.name != partial_name(out, pid):
        return None
    return data


def _owner_alive(manifest: dict) -> bool:
    """Whether the process that wrote a manifest may still be running."""
    if manifest.get("host") != socket.gethostname():
        return True  # another machine's (a shared disk): we cannot tell, so keep it
    pid = manifest["pid"]
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    except (OverflowError, ValueError):
        return False
    start = _process_start(pid)
    return start is None or manifest.get("start") is None or start == manifest["start"]


def _partials(folder: Path) -> Iterator[tuple[Path, dict]]:
    try:
        candidates = list(folder.glob(".*.partial-*"))
    except OSError:
        return
    for partial in candidates:
        manifest = read_marker(partial)
        if manifest is not None:
            yield partial, manifest


def live_partials(folder: Path, out_name: str) -> list[dict]:
    """Manifests of live runs (other than this process) writing ``folder/out_name``."""
    return [m for _, m in _partials(folder)
            if m["out"] == out_name and m["pid"] != os.getpid() and _owner_alive(m)]


def remove_in(folder: Path) -> list[Path]:
    """Remove the leftovers of dead runs in one folder; return what was removed."""
    removed = []
    for partial, manifest in _partials(folder):
        if manifest["pid"] == os.getpid() or _owner_alive(manifest):
            continue
        shutil.rmtree(partial, ignore_errors=True)
        removed.append(partial)
    return removed


def remove_leftovers(told: Iterable[Path] = (), root: Path | None = None) -> list[Path]:
    """Remove dead runs' leftovers under ``results/`` (two levels) and in ``told``.

    Never raises: a folder that cannot be read is skipped.
    """
    from .results import RESULTS_ROOT

    root = RESULTS_ROOT if root is None else root
    folders = [root]
    try:
        if root.is_dir() and not root.is_symlink():
            folders += [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    except OSError:
        pass
    folders += [Path(f) for f in told]
    removed, seen = [], set()
    for folder in folders:
        try:
            key = folder.resolve()
        except (OSError, RuntimeError):
            continue
        if key in seen:
            continue
        seen.add(key)
        removed += remove_in(folder)
    return removed
