"""The scenario files the workshop dashboard offers, and reading one of them.

The pickers offer only regular files directly inside ``scenarios/``: no symbolic link
(which could point anywhere on the machine), no sub-folder, nothing a browser could
name by path. A file that is offered but cannot be read (bad YAML, a value out of
bounds) is not an error of the page: reading it raises :class:`~sim.errors.InputError`,
whose message the dashboard shows, and the side keeps a scenario that works.
"""

from __future__ import annotations

from pathlib import Path

from .errors import InputError
from .scenario import SCENARIO_DIR, Scenario
from .userfiles import read_scenario_pick

__all__ = ["offered_scenarios", "read_offered"]


def offered_scenarios(folder: Path = SCENARIO_DIR) -> list[str]:
    """Names (file stems) of the regular ``*.yaml`` files directly inside ``folder``."""
    root = folder.resolve()
    names = []
    for path in sorted(folder.glob("*.yaml")):
        if path.is_symlink() or not path.is_file() or path.resolve().parent != root:
            continue
        names.append(path.stem)
    return names


def read_offered(name: object, folder: Path = SCENARIO_DIR) -> Scenario:
    """The scenario ``folder/<name>.yaml``, if the pickers offer it.

    Raises:
        InputError: for a name not offered, or a file that does not validate (the
            message names the file, the key and what was expected).
    """
    names = offered_scenarios(folder)
    if not isinstance(name, str) or name not in names:
        raise InputError("dashboard", "scenario",
                         f"{name!r} is not one of the scenario files in {folder.name}/ "
                         f"(expected one of {', '.join(names)})")
    return read_scenario_pick(name, folder)  # the one reading path for user files
