"""Every behavioural constant is a declared parameter: an AST scan of the phase modules
and the compiled kernels finds only structural numbers.

A number in a phase's code that changes what residents do (a coefficient, a cut-point,
an age) belongs in ``sim/sections/<section>.py`` or its policy's ``params``, with a
default, bounds, unit and source, so that the schema, ``--set``, sweeps, the dashboard
and docs/model.md see it. The scan fails, naming ``file:line``, on any other numeric
literal than those allowed below, each with the reason it is not behaviour.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHASE_MODULES = ["sim/need.py", "sim/health.py", "sim/practice.py", "sim/acute.py",
                 "sim/community.py", "sim/network.py", "sim/movement.py", "sim/population.py",
                 "sim/metrics.py", "sim/shared_data.py"]
# The policies: their declared parameters (``Param(...)``/``P(...)`` in ``params``) are
# where their numbers belong, so literals inside those calls are not scanned.
POLICIES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "sim" / "policies").glob("*.py"))
KERNELS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "sim" / "kernels").glob("*.py"))

# Allowed anywhere: identities, signs, halves and squares, and the units the parameters
# are declared in (rates per year and per 1,000 turned into weekly numbers).
ANYWHERE = {
    0: "zero", 1: "one", -1: "minus one: none / the last", 2: "squares, halves, pairs",
    0.5: "a half",
    52: "weeks in a year (rates are declared per year)",
    1000: "per 1,000 (rates are declared per 1,000)",
}

# Whole files of numerical definitions, not behaviour.
WHOLE_FILES = {
    "sim/kernels/draws.py": "the SplitMix64 hash constants of the uniforms and Cephes "
                            "ndtri's coefficients for the normals (numerical definitions)",
}

QUINTILES = {3: "IMD: the middle quintile", 4: "IMD: four steps from quintile 1 to 5",
             5: "IMD: five quintiles"}
GUARD = "guards a division or a logarithm against zero (no effect on any value it meets)"

# Allowed in one file, with the reason.
BY_FILE: dict[str, dict[float, str]] = {
    "sim/health.py": {
        3: "the fourth of the arrivals' draws (index)", 4: "the fifth (index)",
        18.0: "edge of the migrant age bands health.migrant_age_shares is declared over",
        35.0: "edge of the migrant age bands health.migrant_age_shares is declared over",
        65.0: "edge of the migrant age bands health.migrant_age_shares is declared over",
        62: "the bit that marks a migrant's uid (identity, not behaviour)",
        131: "cells of the bound tables' age axis (0-130 years, a year a cell)",
        6: "cells of the bound table's quintile axis (0-5)",
        8: "size of a cache of bound tables",
    },
    "sim/need.py": {
        4: "the four kinds of need drawn by the pass", 5.0: "IMD: five quintiles",
        6: "the six kinds of GP request", 8: "size of a cache of bound tables",
        256: "cells of the bound tables' wellbeing and activation axes",
    },
    "sim/practice.py": {1e-9: GUARD, 8: "size of a cache of follow-up and referral tables"},
    "sim/acute.py": {1e-12: GUARD},
    "sim/community.py": {64: "rows of the group table allocated at first (it grows)"},
    "sim/network.py": {
        24: "2**24: whole numbers below it sum exactly in float32",
        99.9: "percentile of degree that sets the padded layout's width (speed only)",
        31: "2**31: the CSR's index type widens to int64 beyond it",
    },
    "sim/population.py": {
        **QUINTILES,
        5.0: "IMD: five quintiles; width in years of a band of population.age_pyramid",
        1.25: "growth factor of the residents' arrays (memory, not behaviour)",
        1.1: "row reserve's margin over the expected births and arrivals (memory only)",
        256: "rows reserved beyond that for a small place's chance (memory only)",
    },
    "sim/metrics.py": {
        # The definitions of measures reported against published figures.
        0.3: "PAM level cut-point (activation 0.3 | 0.5 | 0.7, see docs/model.md)",
        0.7: "PAM level cut-point (activation 0.3 | 0.5 | 0.7, see docs/model.md)",
        0.1: "top 10% of GP users (the published concentration of use)",
        0.01: "top 1% of GP users (the published concentration of use)",
        80: "multimorbidity among the 80+, as published",
        20: "multimorbidity among the 0-19, as published; twenty five-year age bands",
        19: "the last of twenty five-year age bands",
        **QUINTILES,
    },
    "sim/shared_data.py": {1e-12: GUARD},
    "sim/policies/screening.py": {3.0: "IMD: the middle quintile (uptake's reference)",
                                  5: "the NHS Health Check's five-year cycle (its definition)"},
    "sim/policies/quality_improvement.py": {
        100: "per cent, in the policy's one-line activity",
        0.0001: "an effect below a hundredth of a per cent is gone (when to stop the books)"},
    "sim/policies/community_development.py": {13: "weeks in a quarter (a unit)"},
    "sim/kernels/bounds.py": {
        0.001: "relative widening of a bound (rounding), not the rule's value",
        1e-12: "absolute widening of a bound of zero",
        3: "rule arity of a loop template", 4: "rule arity of a loop template",
        5: "rule arity of a loop template", 6: "rule arity of a loop template",
        7: "rule arity of a loop template", 64: "size of a cache of rule parameters",
    },
    # The kernels of health and need: the rules' reference points are part of the
    # declared parameters' definitions (mortality_at_80, ltc_mean_age80,
    # acute_per_year_age40), and the quintile arithmetic.
    "sim/kernels/health.py": {
        4: QUINTILES[4], 5: QUINTILES[5],
        80.0: "the age of mortality_at_80 and ltc_mean_age80 (their definition)",
        40: "most conditions a resident's int8 count holds (MAX_LTC)",
        3: "the fourth of the pass's draw keys (index); IMD: the middle quintile",
        1e-9: GUARD,
    },
    "sim/kernels/need.py": {
        4: "the four kinds of need; IMD: four steps from quintile 1 to 5",
        3: "the fourth kind of need (index)", 8: "the bit of the fourth kind of need",
        5.0: "IMD: five quintiles",
        40.0: "the age of acute_per_year_age40 (its definition)",
    },
    "sim/kernels/accounting.py": {3: "a row of the state pass's counts", 4: "a row of them",
                                  5: "a row of them", 6: "a row of them",
                                  7: "rows of the state pass's counts"},
    "sim/kernels/movement.py": {1e-6: GUARD},
    "sim/kernels/blocks.py": {16384: "rows a thread takes at a time (speed only; fixed, so "
                                     "the numbers do not depend on the thread count)"},
    "sim/kernels/threads.py": {4: "blocks a pass needs before it goes to threads (speed only)",
                               16: "blocks a small pass needs before it goes to threads "
                                   "(speed only)"},
    "sim/kernels/rows.py": {8: "rows read eight at a time (bit layout)",
                            7: "rows read eight at a time (bit layout)",
                            64: "eights counted in one vectorised loop (speed only)",
                            0x0101010101010101: "a one in each byte: summing eight bytes "
                                                "(bit layout)",
                            56: "the top byte of a word (bit layout)"},
    "sim/kernels/ties.py": {32: "ties of a row above which it is sorted by NumPy's sort "
                                "rather than by insertion (speed only: the same order)"},
}


def unexplained_numbers(path: str, source: str) -> list[str]:
    """``file:line: value`` for each numeric literal of ``source`` not allowed above."""
    if path in WHOLE_FILES:
        return []
    allowed = {**ANYWHERE, **BY_FILE.get(path, {})}
    tree = ast.parse(source)
    declared = {id(sub) for node in ast.walk(tree) if _declares_parameter(node)
                for sub in ast.walk(node)}
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
                and not isinstance(node.value, bool) and node.value not in allowed
                and id(node) not in declared):
            found.append(f"{path}:{node.lineno}: {node.value!r}")
    return sorted(found, key=lambda s: int(s.split(":")[1]))


def _declares_parameter(node: ast.AST) -> bool:
    """A call ``Param(...)`` or ``P(...)``: a parameter's declaration (default, bounds,
    plausible range), where a number is meant to be."""
    if not isinstance(node, ast.Call):
        return False
    name = getattr(node.func, "id", getattr(node.func, "attr", None))
    return name in ("Param", "P")


def test_phase_modules_and_kernels_hold_no_undeclared_constants():
    found = [hit for path in PHASE_MODULES + POLICIES + KERNELS
             for hit in unexplained_numbers(path, (ROOT / path).read_text())]
    assert not found, ("numbers that are not declared parameters (declare them in "
                       "sim/sections/, or say here why they are structural):\n"
                       + "\n".join(found))


def test_a_planted_coefficient_is_named_by_file_and_line():
    path = "sim/community.py"
    source = (ROOT / path).read_text()
    line = source.splitlines().index("def run_community(model: \"HealthSystemModel\") -> None:") + 1
    planted = source.replace('def run_community(model: "HealthSystemModel") -> None:',
                             'def run_community(model: "HealthSystemModel") -> None:\n'
                             '    boost = 0.15', 1)
    assert unexplained_numbers(path, source) == []
    assert unexplained_numbers(path, planted) == [f"{path}:{line + 1}: 0.15"]


def test_every_allowed_number_is_still_met():
    """An allowance no longer needed is removed, so the list stays what the code holds."""
    unused = []
    for path, allowed in BY_FILE.items():
        values = {node.value for node in ast.walk(ast.parse((ROOT / path).read_text()))
                  if isinstance(node, ast.Constant) and isinstance(node.value, (int, float))}
        unused += [f"{path}: {v!r}" for v in allowed if v not in values]
    assert not unused, "\n".join(unused)
