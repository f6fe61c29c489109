"""The kernels' on-disk cache, kept in step with every source they are compiled from.

Numba files a compiled kernel under the source file that defines it, and takes it as
current while that one file is unchanged. A kernel is compiled with the helpers it
inlines from other modules (the draws of ``draws.py``, the blocks, the rules' bounds)
and with constants it reads from them (the kinds of need of ``sim.need``): after a
change to one of those, Numba would go on loading the kernel compiled from the old
helper, silently, until the kernel's own file changed. A checkout updated by ``git
pull`` would then run code that is in none of its files.

So the cache carries a digest of every such source (:func:`sources`), and
:func:`keep_in_step`, called when ``sim.kernels`` is imported (before any kernel
loads), empties a cache whose digest differs of its compiled kernels: each compiles
afresh at its first use (about 35 s for all of them, once), as on a fresh checkout.
Reading and hashing the sources takes about 3 ms of a start.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

__all__ = ["sources", "digest", "cache_dir", "keep_in_step", "DIGEST_FILE"]

KERNELS = Path(__file__).resolve().parent
DIGEST_FILE = "placesim-kernel-sources.sha256"
_LOCK_FILE = "placesim-kernel-sources.lock"
# What Numba writes for a kernel: its index and its compiled overloads.
_COMPILED = ("*.nbi", "*.nbc")
# A kernel module's import of another module of the package (``from ..need import X``),
# also inside a function: whatever a kernel module reads may be compiled in.
_PACKAGE_IMPORT = re.compile(rb"^[ \t]*from \.\.(\w+) import", re.MULTILINE)


def _read(kernels: Path) -> dict[Path, bytes]:
    """The bytes of every source the kernels are compiled from: the modules of
    ``sim/kernels`` and the package's modules they import (``from ..need import ...``)."""
    texts = {path: path.read_bytes() for path in kernels.glob("*.py")}
    for text in list(texts.values()):
        for name in _PACKAGE_IMPORT.findall(text):
            module = kernels.parent / f"{name.decode()}.py"
            if module not in texts and module.exists():
                texts[module] = module.read_bytes()
    return texts


def sources(kernels: Path = KERNELS) -> list[Path]:
    """Every source the kernels are compiled from (see :func:`_read`), sorted."""
    return sorted(_read(kernels))


def digest(kernels: Path = KERNELS) -> str:
    """SHA-256 over :func:`sources`: each one's path in the package and bytes, in order."""
    h = hashlib.sha256()
    for path, text in sorted(_read(kernels).items()):
        h.update(path.relative_to(kernels.parent).as_posix().encode() + b"\0")
        h.update(text + b"\0")
    return h.hexdigest()


def cache_dir() -> Path | None:
    """Where Numba files the kernels' compiled code (beside the sources, or its user-wide
    cache directory where that is not writable); ``None`` if it has none."""
    from numba.core.caching import FunctionCache

    from .draws import hash_uniform

    try:
        return Path(FunctionCache(hash_uniform.py_func)._cache_path)
    except (AttributeError, RuntimeError, OSError):  # no cache possible: nothing to keep
        return None


def keep_in_step(directory: Path | None = None, kernels: Path = KERNELS) -> bool:
    """Empty the kernels' cache (``directory``, by default :func:`cache_dir`) of compiled
    kernels if it was filled from other sources than today's; returns whether it did.

    Two processes starting at once take turns (a lock file), so one never empties the
    cache under the other; a cache that cannot be written is left as it is. (A process
    that compiles a kernel while its sources are being edited may still file it under
    the new digest: edit with no run under way, as Numba itself asks for its own
    files.)"""
    directory = cache_dir() if directory is None else Path(directory)
    if directory is None:
        return False
    import fcntl

    now = digest(kernels)
    stamp = directory / DIGEST_FILE
    try:
        directory.mkdir(parents=True, exist_ok=True)  # what is compiled next is of today's
        with open(directory / _LOCK_FILE, "a") as lock:  # closing it releases the lock
            fcntl.flock(lock, fcntl.LOCK_EX)
            if stamp.exists() and stamp.read_text(encoding="ascii").strip() == now:
                return False
            stale = [p for pattern in _COMPILED for p in directory.glob(pattern)]
            for path in stale:
                path.unlink(missing_ok=True)
            part = stamp.with_suffix(".part")
            part.write_text(now + "\n", encoding="ascii")
            part.replace(stamp)
            return bool(stale)
    except OSError:  # a read-only cache: Numba will not write to it either
        return False
