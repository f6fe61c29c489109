"""Results directories: written whole or not at all.

Every command writes into a hidden temporary directory beside the destination and
renames it into place only when every file is written. Interrupted or failed work
(an exception, Ctrl-C, SIGTERM) removes the temporary directory, so a results
directory either exists complete or does not exist.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import yaml

from . import __version__
from .errors import InputError

__all__ = ["results_dir", "default_out", "write_scenario_yaml"]

RESULTS_ROOT = Path("results")


def default_out(name: str) -> Path:
    """``results/<scenario>/<timestamp>/`` (timestamp to the second, made unique)."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = RESULTS_ROOT / name / stamp
    k = 1
    while out.exists():
        k += 1
        out = RESULTS_ROOT / name / f"{stamp}-{k}"
    return out


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C so clean-up runs when a run is killed politely."""
    def handler(signum, frame):
        raise KeyboardInterrupt
    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _remove_abandoned(folder: Path) -> None:
    """Remove partial directories left by processes that were killed outright (SIGKILL,
    power loss), which had no chance to clean up; live processes' are left alone."""
    for partial in folder.glob(".*.partial-*"):
        pid = partial.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        shutil.rmtree(partial, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def results_dir(out: Path) -> Iterator[Path]:
    """Yield a temporary directory that becomes ``out`` if the block succeeds.

    Raises:
        InputError: if ``out`` already exists and is not empty, or cannot be created.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(str(out), "--out", "already exists and is not empty; "
                         "expected a new or empty directory")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(str(out), "--out", f"cannot create its parent ({exc.strerror})") from None
    _remove_abandoned(out.parent)
    tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        with _sigterm_as_interrupt():
            yield tmp
            if out.exists():
                out.rmdir()  # empty, checked above
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_scenario_yaml(path: Path, scenario, seeds: list[int], note: str = "") -> None:
    """The resolved scenario, loadable again as it is.

    Its ``seed`` field is the first replicate's seed; the Placesim version and every
    replicate's seed are written in a header comment, since they are not scenario keys.
    """
    header = [f"# Resolved by Placesim {__version__}; replicate seeds: {list(seeds)}"]
    if note:
        header.append(f"# {note}")
    body = yaml.safe_dump(scenario.to_dict(), sort_keys=False, allow_unicode=True)
    path.write_text("\n".join(header) + "\n" + body, encoding="utf-8")
