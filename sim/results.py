"""Results directories: written whole or not at all.

Every command writes into a hidden temporary directory beside the destination and
renames it into place only when every file is written. Interrupted or failed work
(an exception, Ctrl-C, SIGTERM) removes the temporary directory, so a results
directory either exists complete or does not exist.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import fcntl
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import yaml

from . import __version__
from . import leftovers, preflight
from .errors import InputError, OutputError

__all__ = ["results_dir", "default_out", "write_scenario_yaml"]

RESULTS_ROOT = Path("results")


def default_out(name: str) -> Path:
    """``results/<name>/<timestamp>/`` (timestamp to the second, made unique); the name
    is made one safe folder name first (:func:`sim.preflight.safe_name`)."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    name = preflight.safe_name(name)  # a name is never a path: results stay in results/
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


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on a folder while a run claims a name in it, so two runs
    cannot both find a name free (released within milliseconds; no file is created)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        yield  # a folder we cannot open is refused just below, when we write into it
        return
    try:
        with contextlib.suppress(OSError):  # a file system without locks: best effort
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _claim(out: Path) -> Path:
    """Create the hidden partial directory of ``out`` with its marker, or refuse.

    Raises:
        InputError: ``out`` is not empty, another live run is writing it, or the
            folder cannot be written (read-only, permission, full).
    """
    with _folder_lock(out.parent):
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise InputError(str(out), "--out", "already exists and is not empty; "
                             "expected a new or empty directory")
        leftovers.remove_in(out.parent)
        for rival in leftovers.live_partials(out.parent, out.name):
            raise InputError(str(out), "--out", f"another run (process {rival['pid']}, "
                             f"started {rival['created']}) is writing there; expected it "
                             "to finish first, or another --out")
        tmp = out.parent / leftovers.partial_name(out.name)
        try:
            tmp.mkdir()
            leftovers.write_marker(tmp, out.name)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise InputError(str(out), "--out", f"cannot be written ({exc.strerror or exc}); "
                             "expected a folder Placesim may write in") from None
    return tmp


@contextlib.contextmanager
def results_dir(out: Path) -> Iterator[Path]:
    """Yield a temporary directory that becomes ``out`` if the block succeeds.

    Everything about ``out`` is checked before the block runs (see
    :func:`sim.preflight.check_out` and :func:`_claim`). A write that fails inside the
    block (a full disk, an I/O error) removes the temporary directory and raises
    :class:`~sim.errors.OutputError`.

    Raises:
        InputError: if ``out`` cannot take a result (before the block runs).
        OutputError: if writing the result failed.
    """
    out = Path(out)
    preflight.check_out(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(str(out), "--out", f"cannot create its parent ({exc.strerror})") from None
    tmp = _claim(out)
    try:
        with _sigterm_as_interrupt():
            yield tmp
            leftovers.unmark(tmp)
            with _folder_lock(out.parent):
                if out.exists():
                    out.rmdir()  # empty, checked above; OSError if someone filled it
                os.replace(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(str(out), f"writing the results failed ({_reason(exc)}); nothing "
                          "was kept") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _reason(exc: OSError) -> str:
    """An OS error in words, with its errno name (pyarrow's carry only a message)."""
    if exc.errno and exc.strerror:
        return f"{exc.strerror}, {errno.errorcode.get(exc.errno, exc.errno)}"
    return " ".join(str(exc).split())[:300] or type(exc).__name__


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
