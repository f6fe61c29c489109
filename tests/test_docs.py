"""The documentation stays true to the code it describes."""

from __future__ import annotations

import re

from sim.policies import POLICIES
from sim.scenario import parameter_paths, parameter_table

from .conftest import ROOT

MODEL_MD = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")


def test_every_parameter_row_in_docs_matches_its_declaration():
    rows = set(MODEL_MD.splitlines())
    stale = [line for line in parameter_table("").splitlines()[2:] if line not in rows]
    assert not stale, "regenerate with `python run.py parameters --markdown`:\n" + "\n".join(stale[:5])


def test_every_policy_has_a_section_with_evidence_and_failure_modes():
    for kind in POLICIES:
        match = re.search(rf"^### `{kind}`\n(.*?)(?=^### |\Z)", MODEL_MD, re.S | re.M)
        assert match, kind
        text = match.group(1)
        assert "*Evidence:*" in text and "*What would make it fail:*" in text, kind


def test_every_default_has_a_source_or_a_reason():
    """A bare 'assumption' is not a reason: say why the value was chosen."""
    for path, p in parameter_paths().items():
        source = p.source.strip()
        assert source and source.lower().rstrip(".") != "assumption", path
        if source.lower().startswith("assumption"):
            assert len(source) > len("assumption: ") + 8, path


def test_readme_commands_exist():
    from sim.cli import build_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = set(build_parser()._subparsers._group_actions[0].choices)
    for used in re.findall(r"run\.py ([a-z]\w*)", readme):
        assert used in commands, used


def test_every_module_of_the_package_is_in_the_code_layout():
    import fnmatch

    section = MODEL_MD.split("## The code, module by module", 1)[1]
    named = set(re.findall(r"`([\w*/]+\.py)`", section))
    package = ROOT / "sim"
    missing = [path.relative_to(package).as_posix() for path in sorted(package.rglob("*.py"))
               if not any(fnmatch.fnmatchcase(path.relative_to(package).as_posix(), pattern)
                          for pattern in named)]
    assert not missing, f"add to docs/model.md's 'The code, module by module': {missing}"
