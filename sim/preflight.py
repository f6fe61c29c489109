"""Checks before work: every plan, output path and address is judged before a run starts.

- **The plan**: the number of runs and the memory they need, computed in closed form
  from the scenario (and, for a sweep, its design) before anything is built, and
  refused with the estimate (:func:`check_memory`, :func:`check_runs`,
  :func:`sweep_points`, :func:`check_sweep`). The dashboard and probabilistic draws call
  :func:`check_memory` with the scenarios they are about to run.
- **Output paths**: a scenario's or sweep's name becomes one safe path component
  (:func:`safe_name`), and ``--out`` is refused up front when it is too long, a symbolic
  link, a file, or on a special file system such as ``/proc`` or ``/sys``
  (:func:`check_out`); whether it can be written is tested by creating the hidden
  partial directory (:mod:`sim.results`), also before the run.
- **Addresses**: ``--scheduler`` must be ``tcp://HOST:PORT`` (:func:`check_scheduler`).

Every refusal is an :class:`~sim.errors.InputError` (exit code 2).
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from .errors import InputError

__all__ = ["available_memory", "run_bytes", "check_memory", "check_runs", "sweep_points",
           "check_sweep", "safe_name", "check_out", "check_scheduler", "MEMORY_SHARE"]

MEMORY_SHARE = 0.8  # of the memory available now that one command may plan to use
_NAME_BYTES = 100  # a results folder's name: long enough for any label, short for any disk
_COMPONENT_BYTES = 200  # --out's last part, leaving room for ".NAME.partial-PID"
_PATH_BYTES = 4000  # Linux's PATH_MAX is 4,096, including what Placesim appends
_SPECIAL_FILESYSTEMS = frozenset({
    "proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "debugfs", "tracefs",
    "securityfs", "pstore", "bpf", "configfs", "fusectl", "mqueue", "efivarfs",
    "binfmt_misc", "autofs", "hugetlbfs", "rpc_pipefs", "nsfs"})
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                       r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$")


# --- the plan: runs and memory -----------------------------------------------------------


def available_memory() -> int | None:
    """Bytes the kernel could give us now: MemAvailable counts reclaimable page cache,
    which the plain free-page count does not (it would refuse runs that fit)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return None


def run_bytes(size: int, weeks: int, mean_degree: float) -> int:
    """Peak memory of one run in bytes, in closed form (see ``sim.model.estimated_bytes``)."""
    from .model import estimated_bytes

    return estimated_bytes(size, weeks, mean_degree)


def check_memory(specs: Sequence, *, at_once: int = 1, source: str | None = None) -> int:
    """Refuse runs that would not fit in memory, before allocating anything.

    Args:
        specs: the scenarios about to run (each a :class:`~sim.scenario.Scenario`).
        at_once: how many of the largest run at the same time (local workers).
        source: named in the message (default: the largest scenario).

    Returns:
        The estimate in bytes.

    Raises:
        InputError: naming the population and the estimate against what is free.
    """
    largest, one = _largest_run(specs)
    return check_bytes(one * max(1, at_once), largest.population.size, at_once,
                       source or f"scenario {largest.name!r}")


def runs_that_fit(specs: Sequence) -> int | None:
    """How many runs of the largest of ``specs`` :func:`check_memory` lets run at once
    (at least 1; ``None`` when the free memory cannot be read)."""
    available = available_memory()
    if available is None:
        return None
    return max(1, int(MEMORY_SHARE * available // _largest_run(specs)[1]))


def _largest_run(specs: Sequence) -> tuple:
    """The scenario of ``specs`` whose run needs the most memory, and its bytes."""
    sized = [(s, run_bytes(s.population.size, s.weeks, s.network.mean_degree)) for s in specs]
    return max(sized, key=lambda pair: pair[1])  # the first of equals, as it always was


def check_bytes(need: int, residents: int, at_once: int, source: str) -> int:
    """Refuse a plan of ``need`` bytes that the memory free now cannot hold."""
    available = available_memory()
    if available is not None and need > MEMORY_SHARE * available:
        runs = f" x {at_once} runs at once" if at_once > 1 else ""
        raise InputError(source, "population.size",
                         f"{residents:,} residents{runs} need about {need / 1e9:.1f} GB; "
                         f"{available / 1e9:.1f} GB is free. Expected a plan that fits in "
                         "memory (fewer residents or workers)")
    return need


def check_runs(runs: int, most: int, source: str, key: str) -> None:
    """Refuse a plan of more than ``most`` runs (checked before any run is built)."""
    if runs > most:
        raise InputError(source, key, f"{runs:,} runs; expected at most {most:,}")


def sweep_points(design: str, values: Sequence[int | None], samples: int | None) -> int:
    """Design points of a sweep, in closed form, before any is generated.

    Args:
        design: ``grid``, ``lhs``, ``sobol`` or ``morris``.
        values: per parameter, the number of its values (``None`` when sampled).
        samples: the design's ``samples`` (sampled designs).
    """
    if design == "grid":
        return math.prod(n or 1 for n in values)
    d = len(values)
    return {"lhs": samples, "sobol": samples * (d + 2), "morris": samples * (d + 1)}[design]


def sweep_design_bytes(points: int, runs: int, parameters: int) -> int:
    """Memory of a sweep's design and task list in bytes (dicts of values, one task per run)."""
    return points * (200 + 110 * parameters) + runs * 1_000


def check_sweep(sweep, workers: int, local: bool = True) -> int:
    """Refuse a sweep whose design, or whose runs (``workers`` at once, at the largest
    swept population, horizon and degree), would not fit in this machine's memory.

    With a Dask cluster (``local=False``) the runs use the workers' memory, which this
    machine cannot see: then only the design and one run's estimate are checked.
    """
    base = sweep.scenario
    largest = {"population.size": base.population.size, "weeks": base.weeks,
               "network.mean_degree": base.network.mean_degree}
    for p in sweep.parameters:
        if p.path in largest:
            largest[p.path] = max(p.values if p.values is not None else p.bounds)
    one = run_bytes(int(largest["population.size"]), int(largest["weeks"]),
                    float(largest["network.mean_degree"]))
    at_once = min(workers, sweep.runs) if local else 1
    design = sweep_design_bytes(len(sweep.points), sweep.runs, len(sweep.parameters))
    return check_bytes(one * at_once + design, int(largest["population.size"]), at_once,
                       sweep.source)


# --- output paths ------------------------------------------------------------------------


def safe_name(name: str, fallback: str = "scenario") -> str:
    """A scenario's or sweep's name as one safe folder name.

    Separators, control characters and anything that is not a letter, digit, ``-``,
    ``_`` or ``.`` become ``_``; leading dots go (no hidden folders, no ``..``); the
    result is cut to 100 bytes. ``name: ../../etc`` becomes ``etc``-like, never a path.
    """
    kept = []
    for ch in str(name):
        ok = ch.isalnum() or ch in "-_." or unicodedata.category(ch) == "Zs"
        kept.append(ch if ok and ch.isprintable() and ch != "\u2215" else "_")
    text = re.sub(r"^[._]+", "", "".join(kept).strip().replace(" ", "_"))
    text = text.encode("utf-8", "ignore")[:_NAME_BYTES].decode("utf-8", "ignore")
    return text.rstrip("_") or fallback


def _mounts() -> list[tuple[str, str]]:
    """(mount point, file-system type) of every mount, from /proc/self/mountinfo."""
    found = []
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as info:
            for line in info:
                left, _, right = line.partition(" - ")
                fields = left.split()
                if len(fields) >= 5 and right:
                    point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
                    found.append((point, right.split()[0]))
    except OSError:
        pass
    return found


def filesystem_type(path: Path) -> str | None:
    """The type of the file system holding ``path`` (absolute, existing), if known."""
    best, kind = "", None
    text = str(path)
    for point, fstype in _mounts():
        inside = text == point or text.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fstype
    return kind


def check_out(out: Path, key: str = "--out") -> None:
    """Refuse an output directory that could not hold a result, before the run.

    Raises:
        InputError: too long, a symbolic link, an existing file, a folder on its way that
            is a file, or on a special file system (``/proc``, ``/sys``, ``cgroup`` ...).
    """
    where = str(out)
    absolute = Path(os.path.abspath(out))
    if len(os.fsencode(absolute)) > _PATH_BYTES:
        raise InputError(where, key, f"the path is longer than {_PATH_BYTES:,} bytes; "
                         "expected a shorter path")
    for part in absolute.parts:
        if len(os.fsencode(part)) > _COMPONENT_BYTES:
            raise InputError(where, key, f"a folder name is longer than {_COMPONENT_BYTES} "
                             "bytes; expected shorter names")
    if absolute.name in ("", ".", ".."):
        raise InputError(where, key, "expected a folder name, not the root or '..'")
    if os.path.islink(absolute):
        raise InputError(where, key, "is a symbolic link; expected a new or empty folder "
                         "of its own (name the link's target instead)")
    ancestor = absolute
    while not os.path.lexists(ancestor):
        ancestor = ancestor.parent
    if ancestor != absolute and not ancestor.is_dir():
        raise InputError(where, key, f"{ancestor} is a file; expected a folder there")
    if ancestor == absolute and not absolute.is_dir():
        raise InputError(where, key, "is a file; expected a new or empty folder")
    if ancestor == absolute and os.path.ismount(absolute):
        raise InputError(where, key, "is a mount point, which cannot be replaced by the "
                         "finished results; expected a new folder inside it")
    real = ancestor.resolve()
    kind = filesystem_type(real)
    if real.parts[1:2] in (("proc",), ("sys",)):  # whatever is mounted there
        kind = kind if kind in _SPECIAL_FILESYSTEMS else f"/{real.parts[1]}"
    if kind in _SPECIAL_FILESYSTEMS or kind in ("/proc", "/sys"):
        place = f"under {kind}" if kind.startswith("/") else f"on a {kind} file system"
        raise InputError(where, key, f"is {place}, which holds the system's state, not "
                         "files; expected a folder on a disk")


# --- addresses ---------------------------------------------------------------------------


def check_scheduler(address: str) -> tuple[str, int]:
    """The host and port of a ``tcp://HOST:PORT`` Dask scheduler address.

    Raises:
        InputError: for any other kind of address (``tls://`` needs certificates that
            Placesim does not configure; ``ucx://``, ``inproc://`` ... are not supported)
            or a malformed host or port.
    """
    text = address.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "tcp", text
    expected = "expected tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786"
    if scheme.lower() == "tls":
        raise InputError("--scheduler", address, "tls:// needs certificates, which Placesim "
                         "does not configure; " + expected + " (on a private network or "
                         "through an SSH tunnel)")
    if scheme.lower() != "tcp":
        raise InputError("--scheduler", address, f"{scheme}:// is not supported; {expected}")
    try:
        parts = urlsplit(f"tcp://{rest}")
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if not host or port is None or parts.path not in ("", "/") or parts.query or parts.username:
        raise InputError("--scheduler", address, expected)
    if ":" in host or host.replace(".", "").isdigit():
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise InputError("--scheduler", address, f"{host!r} is not an IP address; "
                             + expected) from None
    elif not _HOSTNAME.match(host):
        raise InputError("--scheduler", address, f"{host!r} is not a host name; " + expected)
    if not 1 <= port <= 65535:
        raise InputError("--scheduler", address, f"port {port} is out of range; " + expected)
    return host, port
