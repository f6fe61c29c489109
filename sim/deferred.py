"""Modules a run never touches, imported on first use rather than at start-up.

A fresh process pays for every module imported on the way to its first week. Some come
in only because a library imports them at its own import for something the model never
asks of it (measured with ``python -X importtime`` on the way to the first week of a
1,000-resident run):

- ``pandas`` (about 0.2 s with ``pyarrow``): ``mesa.agent`` imports it for type checks
  in ``AgentSet`` methods the model does not call; Placesim needs it only for results
  (``HealthSystemModel.timeseries`` and everything that writes or reports them);
- ``scipy.linalg`` (about 0.13 s, with the ``numpy.f2py`` and ``numpy.testing`` its
  array-API layer imports by reading every public attribute of ``numpy``): Numba checks
  that BLAS is there, when it first loads a kernel, by importing
  ``scipy.linalg.cython_blas``, which imports all of ``scipy.linalg``; no kernel calls
  BLAS, and Numba imports the module again where one does.
- ``tqdm.auto`` (about 0.03 s, with ``asyncio`` and ``importlib.metadata``):
  ``mesa.batchrunner`` binds its ``tqdm`` at import (``from tqdm.auto import tqdm``),
  for the progress bar of ``mesa.batch_run``.

:func:`standing_in` puts, for the length of a block, a stand-in for each such module not
yet imported in ``sys.modules``: an import of it inside the block gets the stand-in (an
import statement reads only its ``__spec__``, which loads nothing). When the block ends
the stand-ins leave ``sys.modules``, so every later import is an ordinary import. The
names bound to a stand-in keep working: the first read of an attribute it lacks
imports the real module (an ordinary import), and every read is handed on to that. A
name that an importer binds at its import (``from tqdm.auto import tqdm``) and only
calls later can be declared one to *call later*: reading it from the stand-in gives a
function that imports the module at its first call and hands every call on to the real
``tqdm``, so the importer's name works as before, without the import until it is used. Mesa
imports pandas inside such a block (:mod:`sim.mesa_import`), and the model makes Numba's
check inside one (:func:`numba_checked`). This is not ``importlib.util.LazyLoader``,
whose modules load when an import statement reads their ``__spec__`` (Mesa imports
pandas twice), and the stand-ins are not left in ``sys.modules``, where a first import
of a submodule (``from pandas.errors import ...``) would import the package halfway.
A process that imported the module already (a notebook) keeps it. :func:`deferring` is
for subpackages that their own package imports: found inside the block, they get
``LazyLoader`` (Mesa's cell spaces).
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from types import ModuleType

__all__ = ["DeferringFinder", "deferring", "numba_checked", "standing_in"]

_LOADING = threading.RLock()  # one thread loads; another reading meanwhile waits for it


class _OnFirstUse(ModuleType):
    """Stands in for a module not loaded yet (see the module docstring)."""

    def __init__(self, name: str, spec, call_later: Iterable[str] = ()):
        super().__init__(name)
        self.__spec__ = spec  # what import statements read: known without loading
        if spec.has_location:  # what tools that scan sys.modules read (inspect, reloaders)
            self.__file__ = spec.origin
        for attr in call_later:
            setattr(self, attr, _called_later(name, attr))

    def __getattr__(self, attr: str):  # called only for what the stand-in lacks
        if attr == "__path__" and self.__spec__.submodule_search_locations is None:
            # Not a package: what ``from module import name`` asks first, answered from
            # the spec without loading (a package's is read from the real module).
            raise AttributeError(attr)
        return getattr(_load(self.__name__), attr)


def _called_later(module: str, attr: str):
    """A function standing in for the callable ``module.attr``: its first call imports
    ``module``; every call is handed on to the real ``attr``."""
    def call(*args, **kwargs):
        return getattr(_load(module), attr)(*args, **kwargs)

    call.__name__ = call.__qualname__ = attr
    call.__module__ = module
    call.__doc__ = f"{module}.{attr}, imported at its first call (sim.deferred)."
    return call


def _load(name: str) -> ModuleType:
    """The real module ``name``, imported now (an ordinary import) if it is not yet."""
    with _LOADING:
        if isinstance(sys.modules.get(name), _OnFirstUse):  # read inside the block
            del sys.modules[name]
        return importlib.import_module(name)


def _spec_of(name: str):
    """Where ``name`` would be imported from, found without importing its packages."""
    parent, _, _ = name.rpartition(".")
    if not parent:
        return importlib.machinery.PathFinder.find_spec(name)
    package = sys.modules.get(parent)
    if package is not None and not isinstance(package, _OnFirstUse):
        path = getattr(package, "__path__", None)
    else:
        parent_spec = _spec_of(parent)
        path = parent_spec.submodule_search_locations if parent_spec else None
    return importlib.machinery.PathFinder.find_spec(name, path) if path else None


@contextlib.contextmanager
def standing_in(names: Iterable[str],
                call_later: Mapping[str, Iterable[str]] | None = None) -> Iterator[None]:
    """Within the block, each named module not yet imported is a stand-in (see the
    module docstring); a name that cannot be found is left for its importer to report.
    ``call_later`` names, by module, the callables its importers bind and call later."""
    placed = []
    for name in names:
        spec = None if name in sys.modules else _spec_of(name)
        if spec is not None:
            sys.modules[name] = _OnFirstUse(name, spec, (call_later or {}).get(name, ()))
            placed.append(name)
    try:
        yield
    finally:
        for name in placed:
            if isinstance(sys.modules.get(name), _OnFirstUse):
                del sys.modules[name]


def numba_checked() -> None:
    """Numba's check for BLAS made, with ``scipy.linalg.cython_blas`` standing in (see
    the module docstring): call before the first kernel loads (nothing once made)."""
    if "numba.np.arraymath" in sys.modules:
        return
    with standing_in(["scipy.linalg.cython_blas"]):
        import numba.np.arraymath  # noqa: F401 (its import makes the check)


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
