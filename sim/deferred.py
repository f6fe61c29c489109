"""Modules a run never touches, imported on first use rather than at start-up.

A fresh process pays for every module imported on the way to its first week. Some come
in only because a library imports them at its own import for something the model never
asks of it (measured with ``python -X importtime`` on the way to the first week of a
1,000-resident run):

- ``pandas`` (about 0.2 s with ``pyarrow``): ``mesa.agent`` imports it for type checks
  in ``AgentSet`` methods the model does not call; Placesim needs it only for results
  (``HealthSystemModel.timeseries`` and everything that writes or reports them);
- ``scipy.linalg`` (about 80 ms): Numba, when it first loads a kernel, checks that BLAS
  is there by importing ``scipy.linalg.cython_blas``; the stand-in package lets that
  extension module load on its own (a package's stand-in has the package's
  ``__path__``), without the rest of ``scipy.linalg``, which no kernel calls;
- ``numpy.f2py`` and ``numpy.testing`` (about 55 ms): ``scipy.linalg``, once it is
  loaded, reads every public attribute of ``numpy`` in its array-API layer, and
  ``numpy`` imports these two submodules when they are read.

:func:`defer` puts a stand-in for each such module, where it is not imported yet, in
``sys.modules`` (and on its parent package): whoever imports it later gets the stand-in,
and the first read of an attribute it lacks imports the real module, takes the stand-in
out of ``sys.modules`` and hands on the attribute; every later read through the stand-in
is handed on too. Import statements read only its ``__spec__``, which loads nothing
(``importlib.util.LazyLoader``'s modules load on that read, so a second ``import
pandas`` anywhere would load it). A process that already imported the module (a
notebook) keeps it. :func:`deferring` is for subpackages that their own package imports:
found inside the block, they get ``LazyLoader`` (:mod:`sim.mesa_import`).
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
from collections.abc import Iterable, Iterator
from types import ModuleType

__all__ = ["UNUSED_BY_RUNS", "DeferringFinder", "defer", "deferring"]

# Imported by Mesa, and by Numba's BLAS check through SciPy, never used by a run (above).
UNUSED_BY_RUNS = ("pandas", "scipy.linalg", "numpy.f2py", "numpy.testing")

_LOADING = threading.RLock()  # one thread loads; another reading meanwhile waits for it


class _OnFirstUse(ModuleType):
    """Stands in ``sys.modules`` for a module not loaded yet (see the module docstring)."""

    def __init__(self, name: str, spec):
        super().__init__(name)
        self.__spec__ = spec  # what import statements read: known without loading
        if spec.has_location:  # what tools that scan sys.modules read (inspect, reloaders)
            self.__file__ = spec.origin
        if spec.submodule_search_locations is not None:  # a package: its submodules
            self.__path__ = spec.submodule_search_locations  # import without it

    def __getattr__(self, attr: str):  # called only for what the stand-in lacks
        return getattr(_load(self.__name__), attr)


def _load(name: str) -> ModuleType:
    """The real module ``name``, imported now if only its stand-in is in ``sys.modules``."""
    with _LOADING:
        stand_in = sys.modules.get(name)
        if isinstance(stand_in, _OnFirstUse):
            del sys.modules[name]
            try:
                module = importlib.import_module(name)
            except BaseException:
                sys.modules[name] = stand_in
                raise
            for child, value in vars(stand_in).items():  # submodules imported meanwhile
                if isinstance(value, ModuleType) and not hasattr(module, child):
                    setattr(module, child, value)
        return sys.modules[name]


class DeferringFinder(importlib.abc.MetaPathFinder):
    """Finds the named modules as usual and hands them a lazy loader."""

    def __init__(self, names: Iterable[str]):
        self.names = frozenset(names)

    def find_spec(self, name, path, target=None):
        if name not in self.names:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


@contextlib.contextmanager
def deferring(names: Iterable[str]) -> Iterator[None]:
    """Within the block, the named modules, when first imported, load on first use."""
    finder = DeferringFinder(names)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def defer(names: Iterable[str] = UNUSED_BY_RUNS) -> None:
    """Put a stand-in for each named module not yet imported (see the module docstring);
    a name that cannot be found is left for its importer to report."""
    for name in names:
        if name in sys.modules:
            continue
        parent, _, child = name.rpartition(".")
        spec = importlib.util.find_spec(name)  # imports the parent package, if any
        if spec is None or name in sys.modules:  # absent, or imported by its parent
            continue
        stand_in = sys.modules[name] = _OnFirstUse(name, spec)
        if parent:  # as an import would: numpy.f2py is then found without importing it
            setattr(sys.modules[parent], child, stand_in)
