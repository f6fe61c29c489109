"""The command line's modules (sim/cli.py and sim/cli_*.py): each family of commands
declares and runs its own subcommands, and none loads the model at import, so that
``--help`` and a mistyped option answer at once."""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys

import pytest

from sim.cli import COMMANDS, build_parser
from sim.cli_options import overrides, port, positive_int, seed

from .conftest import ROOT

# What a command module may import at its top: the standard library and the CLI's own
# light modules. Everything else (the model, pandas, plotting, YAML) inside a command.
LIGHT = {"errors", "cli_examples"}
HEAVY = ("numpy", "pandas", "plotly", "SALib", "solara", "dask", "numba", "mesa", "yaml",
         "scipy", "sim.model", "sim.report", "sim.scenario", "sim.compare", "sim.sweep")


def _cli_modules():
    return sorted((ROOT / "sim").glob("cli*.py"))


def _top_level_imports(path):
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            yield from ((alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.module or "", node.level


def test_cli_modules_import_only_the_standard_library_and_each_other_at_the_top():
    assert len(_cli_modules()) >= 8
    for path in _cli_modules():
        for module, level in _top_level_imports(path):
            if level:  # a sibling in sim/
                assert module.startswith("cli") or module in LIGHT, (path.name, module)
            else:
                root = module.split(".")[0]
                assert root in sys.stdlib_module_names or root == "__future__", (path.name, module)


@pytest.mark.slow
def test_building_the_parser_loads_nothing_heavy():
    code = ("import sys, sim.cli; sim.cli.build_parser(); "
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []


def test_each_command_is_run_by_the_module_that_declares_it():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    declared = {}
    for add in COMMANDS:
        mini = argparse.ArgumentParser().add_subparsers()
        add(mini)
        for name, parser in mini.choices.items():
            declared[name] = add.__module__
    assert set(declared) == set(sub.choices)
    for name, parser in sub.choices.items():
        assert parser.get_default("handler").__module__ == declared[name], name
        assert parser.get_default("handler").__name__ == "cmd_" + name, name


def test_argument_types_refuse_what_a_command_cannot_use():
    assert positive_int("3") == 3 and seed("0") == 0 and seed(str(2**32 - 1)) == 2**32 - 1
    assert port("1") == 1 and port("65535") == 65535
    for parse, text, said in ((positive_int, "0", "at least 1, got 0"),
                              (positive_int, "two", "a whole number, got 'two'"),
                              (seed, "-1", "from 0 to 2^32-1, got -1"),
                              (seed, str(2**32), f"2^32-1, got {2**32}"),
                              (port, "65536", "from 1 to 65535, got 65536"),
                              (port, "http", "a port number, got 'http'")):
        with pytest.raises(argparse.ArgumentTypeError, match=re.escape(said)):
            parse(text)


def test_place_and_set_become_one_mapping_of_parsed_values():
    chosen = overrides(["population.scale=0.1", "network.mean_degree=6"], place="Lancaster")
    assert chosen == {"place": "Lancaster", "population.scale": 0.1, "network.mean_degree": 6}
    assert overrides(["place=Preston"], place="Lancaster") == {"place": "Preston"}  # --set last
