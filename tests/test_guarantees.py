"""README's "What Placesim guarantees" names tests; every one it names exists."""

from __future__ import annotations

import re

from .conftest import ROOT


def _guarantees() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## What Placesim guarantees", 1)[1].split("\n## ", 1)[0]


def test_every_test_the_guarantees_name_exists():
    text = _guarantees()
    named = 0
    for bullet in re.findall(r"^- \*\*.*?(?=^- \*\*|\Z)", text, re.S | re.M):
        refs = re.findall(r"`(tests/[\w/]+\.py)?(?:::(\w+))?`", bullet)
        assert any(f or t for f, t in refs), "a guarantee names no test:\n" + bullet[:120]
        current = None
        for file, test in refs:
            current = file or current
            source = (ROOT / current).read_text(encoding="utf-8")
            if test:
                assert re.search(rf"^def {test}\(", source, re.M), f"{current}::{test}"
                named += 1
    assert named >= 10


def test_the_dask_recipe_keeps_the_scheduler_dashboard_local():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in re.findall(r"^dask scheduler .*$", readme, re.M):
        assert "--dashboard-address 127.0.0.1:" in line, line
