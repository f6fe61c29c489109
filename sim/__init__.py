"""Placesim: an agent-based simulation of demand on a local health system.

The public API (see README.md and docs/):

- :func:`load_scenario` — read and validate a scenario YAML (or dict);
- :class:`HealthSystemModel` — the ``mesa.Model``;
- :func:`run_scenario` — replicates of a scenario;
- :func:`evaluate` — a plain function of scalar parameters returning outcomes;
- ``compare`` — scenarios on common random numbers, across plausible worlds with
  ``draws=N`` (:func:`sim.compare_draws.compare`);
- :func:`parameter_paths` — every parameter, with its declaration.

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
    "InputError": "sim.errors",
}

if TYPE_CHECKING:  # for type checkers and IDEs; at run time names load lazily
    from .errors import InputError
    from .model import PHASES, HealthSystemModel
    from .runner import evaluate, run_scenario
    from .scenario import Scenario, load_scenario, parameter_paths


def __getattr__(name: str):
    if name == "compare":  # the module sim.compare, made callable (see its end)
        return import_module("sim.compare")
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
