"""Placesim: an agent-based simulation of demand on a local health system.

The public API (see README.md and docs/):

- :func:`load_scenario` — read and validate a scenario YAML (or dict);
- :class:`HealthSystemModel` — the ``mesa.Model``;
- :func:`run_scenario` — replicates of a scenario;
- :func:`evaluate` — a plain function of scalar parameters returning outcomes;
- :func:`parameter_paths` — every parameter, with its declaration;
- :func:`compare` and :func:`run` — comparisons and runs for notebooks, with
  ``.to_frame()`` and ``.plot()`` (:mod:`sim.api`, docs/notebooks.md); ``compare(...,
  draws=N)`` across plausible worlds (:mod:`sim.compare_draws`).

Importing ``sim`` is cheap: heavy modules load when first used.
"""

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "load_scenario",
    "parameter_paths",
    "Scenario",
    "HealthSystemModel",
    "run_scenario",
    "evaluate",
    "compare",
    "run",
    "InputError",
    "PHASES",
]

_LAZY = {
    "load_scenario": "sim.scenario",
    "parameter_paths": "sim.scenario",
    "Scenario": "sim.scenario",
    "HealthSystemModel": "sim.model",
    "PHASES": "sim.model",
    "run_scenario": "sim.runner",
    "evaluate": "sim.runner",
    "compare": "sim.compare",  # the module is callable: sim.compare(...) is sim.api.compare
    "run": "sim.api",
    "InputError": "sim.errors",
}

if TYPE_CHECKING:  # for type checkers and IDEs; at run time names load lazily
    from .errors import InputError
    from .model import PHASES, HealthSystemModel
    from .api import compare, run
    from .runner import evaluate, run_scenario
    from .scenario import Scenario, load_scenario, parameter_paths


def __getattr__(name: str):
    if name == "compare":  # the module sim.compare, made callable (see its end)
        return import_module("sim.compare")
    if name in _LAZY:
        module = import_module(_LAZY[name])
        # sim.compare is its own (callable) module; other names are attributes.
        value = module if module.__name__ == f"sim.{name}" else getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
