"""Mesa, imported without the start-up cost of the parts Placesim does not use.

``import mesa`` imports every Mesa subpackage (its cell spaces pull in SciPy's spatial
module and NetworkX) and, at import, names its loggers through ``inspect.stack()``,
which reads the source of every frame on the stack and scans every loaded module: in
all about 0.3 s of a fresh process's start, for nothing the model uses. Placesim's
agents are plain ``mesa.Agent`` objects on a plain ``mesa.Model``.

:func:`import_mesa` imports it with

- the subpackages in :data:`DEFERRED` made lazy (:mod:`sim.deferred`): each is a
  module object at once and runs its code on first use, so ``mesa.discrete_space``,
  ``mesa.space`` and the rest work exactly as before for anyone who uses them (the
  dashboard's Mesa visualisation, a notebook); and ``pandas``, which Mesa imports for
  ``AgentSet`` methods and data recorders the model does not call, is a stand-in in
  Mesa's modules until they use it (:func:`sim.deferred.standing_in`: about 0.2 s; the
  results import it when they need it); so is ``tqdm.auto``, whose ``tqdm``
  ``mesa.batchrunner`` binds at import for ``batch_run``'s progress bar: its name there
  imports tqdm at its first call (about 0.03 s);
- while Mesa's own modules run, ``inspect.stack``/``getouterframes`` without source
  lines and ``inspect.getmodule`` of a frame read from the frame's globals: Mesa takes
  only the frame and the function or module name from them, which these give exactly.
  The standard functions are put back before it returns.

If Mesa is already imported (a notebook imported it first), it is returned as it is.
"""

from __future__ import annotations

import contextlib
import inspect
import sys
from collections.abc import Iterator
from types import ModuleType

from .deferred import deferring, standing_in

__all__ = ["import_mesa", "mesa", "DEFERRED"]

# Mesa's subpackages the model never touches at run time, loaded on first use.
DEFERRED = ("mesa.discrete_space", "mesa.space", "mesa.experimental.continuous_space",
            "mesa.experimental.devs", "mesa.experimental.meta_agents")


@contextlib.contextmanager
def _frames_without_source() -> Iterator[None]:
    """``inspect``'s frame helpers without the source reads (see the module docstring)."""
    stack, outer, getmodule = inspect.stack, inspect.getouterframes, inspect.getmodule

    def module_of(obj, _filename=None):
        if inspect.isframe(obj):
            return sys.modules.get(obj.f_globals.get("__name__"))
        return getmodule(obj, _filename)

    inspect.stack = lambda context=0: stack(context)
    inspect.getouterframes = lambda frame, context=0: outer(frame, context)
    inspect.getmodule = module_of
    try:
        yield
    finally:
        inspect.stack, inspect.getouterframes, inspect.getmodule = stack, outer, getmodule


def import_mesa() -> ModuleType:
    """The ``mesa`` package, imported as described in the module docstring."""
    if "mesa" in sys.modules:
        return sys.modules["mesa"]
    with standing_in(["pandas", "tqdm.auto"], call_later={"tqdm.auto": ["tqdm"]}), \
            deferring(DEFERRED), _frames_without_source():
        import mesa
    return mesa


mesa = import_mesa()
