"""The workshop dashboard's export: one side's scenario, levers in force, as a YAML file
the command line runs (``python run.py run FILE.yaml`` or ``compare LEFT.yaml RIGHT.yaml``).
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

import yaml

from . import __version__
from .dashboard_levers import levers
from .dashboard_pair import lever_target, value_at

if TYPE_CHECKING:
    from .dashboard_pair import PairModel

__all__ = ["export_yaml"]


def export_yaml(pair: "PairModel", i: int) -> str:
    """Side ``i``'s scenario, with the levers in force, as a YAML file for the CLI.

    The scenario is written resolved (no ``extends``), so the file runs from any folder,
    alone (``python run.py run FILE.yaml``) or against the other side's export
    (``python run.py compare LEFT.yaml RIGHT.yaml``), on the pair's seeds. A lever moved
    mid-run is written as in force from the start (a file cannot say "from week N"; its
    description lists the weeks); a policy started or stopped mid-run keeps its week.
    It is validated before it is returned.
    """
    side = pair.sides[i]
    name = f"{side.name}_workshop"
    spec = side.spec.with_overrides({"seed": pair.seed, "replicates": pair.n_seeds,
                                     "name": name}, "dashboard")
    data = spec.to_dict()
    moved = [f"{lever.path}={pair.values[lever.key]}" for lever in levers()
             if lever_target(lever, side.spec, side.file_spec, pair.values[lever.key]) is not None
             and value_at(side.file_spec, lever.path) != value_at(side.spec, lever.path)]
    text = f"levers in force: {', '.join(moved)}" if moved else "no lever moved from the file"
    changes = [f"from week {m.week + 1}: {m.text}" for m in pair.markers if i in m.sides]
    if changes:
        text += f"; changed mid-run ({'; '.join(changes)})"
    data["description"] = (f"{side.name} as run in the workshop dashboard ({text}). "
                           f"{' '.join(side.file_spec.description.split())}").strip()
    from .scenario import load_scenario

    load_scenario(data)  # never hand out a file the CLI would refuse
    stamp = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    other = f"{pair.sides[1 - i].name}_workshop.yaml"
    files = f"{name}.yaml {other}" if i == 0 else f"{other} {name}.yaml"
    header = (f"# Exported from the Placesim {__version__} workshop dashboard on {stamp}.\n"
              f"# Run it with: python run.py run {name}.yaml\n"
              f"# or compare the room's two sides: python run.py compare {files}\n")
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
