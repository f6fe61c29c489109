"""The package's shape: modules of one job that a reader can hold in mind.

Every module under sim/ is at most ``MODULE_LINES`` lines, every function (method,
nested function) at most ``FUNCTION_LINES`` lines from its ``def`` to its last line, and
every compiled kernel (``@njit``/``@jit``) takes at most ``KERNEL_ARGUMENTS`` arguments
(pass named tuples of columns and parameters instead). A failure names the file and the
function.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

MODULE_LINES = 500
FUNCTION_LINES = 80
KERNEL_ARGUMENTS = 12

# Known exceptions, each exact (file, and function or "module"), ONLY in files that other
# work in progress owns right now; they are being split there. Empty this list when that
# work is merged: test_allow_list_is_still_needed fails for an entry that now passes.
ALLOWED = {
}


def _is_kernel(node: ast.FunctionDef) -> bool:
    """Whether a function is compiled by Numba (``@njit``, ``@numba.njit(...)``, ``@jit``)."""
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name in ("njit", "jit"):
            return True
    return False


def _arguments(node: ast.FunctionDef) -> int:
    a = node.args
    return (len(a.posonlyargs) + len(a.args) + len(a.kwonlyargs)
            + (a.vararg is not None) + (a.kwarg is not None))


def layout_problems(root: Path, package: str = "sim") -> dict[tuple[str, str], str]:
    """Every breach under ``root/package``: (file, function or "module") -> what is wrong."""
    problems = {}
    for path in sorted((root / package).rglob("*.py")):
        name = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MODULE_LINES:
            problems[(name, "module")] = f"{name}: {lines} lines (at most {MODULE_LINES})"
        for node in ast.walk(ast.parse(text, filename=name)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            length = node.end_lineno - node.lineno + 1
            if length > FUNCTION_LINES:
                problems[(name, node.name)] = (f"{name}:{node.lineno} {node.name}: {length} "
                                               f"lines (at most {FUNCTION_LINES})")
            if _is_kernel(node) and _arguments(node) > KERNEL_ARGUMENTS:
                problems[(name, node.name)] = (
                    f"{name}:{node.lineno} kernel {node.name}: {_arguments(node)} arguments "
                    f"(at most {KERNEL_ARGUMENTS}; pass named tuples)")
    return problems


def test_modules_functions_and_kernels_are_small():
    problems = {key: text for key, text in layout_problems(ROOT).items() if key not in ALLOWED}
    assert not problems, "\n".join(problems.values())


def test_allow_list_is_still_needed():
    found = layout_problems(ROOT)
    stale = sorted(f"{file} {what}" for file, what in ALLOWED if (file, what) not in found)
    assert not stale, f"remove from ALLOWED, these now pass: {stale}"


def test_the_check_names_a_long_module_a_long_function_and_a_wide_kernel(tmp_path):
    package = tmp_path / "pkg"
    (package / "kernels").mkdir(parents=True)
    long_body = "".join(f"    x{i} = {i}\n" for i in range(FUNCTION_LINES))  # def + 80 lines
    (package / "long.py").write_text(f"def short():\n    return 1\n\n\ndef long():\n{long_body}",
                                     encoding="utf-8")
    wide = ", ".join(f"a{i}" for i in range(KERNEL_ARGUMENTS + 1))
    narrow = ", ".join(f"a{i}" for i in range(KERNEL_ARGUMENTS))
    (package / "kernels" / "wide.py").write_text(
        "import numba\nfrom numba import njit\n\n\n"
        f"@njit(inline='always')\ndef wide({wide}):\n    return a0\n\n\n"
        f"@numba.njit\ndef narrow({narrow}):\n    return a0\n\n\n"
        f"def plain({wide}):\n    return a0\n", encoding="utf-8")
    (package / "big.py").write_text("x = 1\n" * (MODULE_LINES + 1), encoding="utf-8")
    (package / "fits.py").write_text("x = 1\n" * MODULE_LINES, encoding="utf-8")

    problems = layout_problems(tmp_path, "pkg")

    assert set(problems) == {("pkg/long.py", "long"), ("pkg/kernels/wide.py", "wide"),
                             ("pkg/big.py", "module")}
    assert "pkg/long.py:5 long: 81 lines" in problems[("pkg/long.py", "long")]
    assert f"kernel wide: {KERNEL_ARGUMENTS + 1} arguments" in problems[
        ("pkg/kernels/wide.py", "wide")]
    assert f"pkg/big.py: {MODULE_LINES + 1} lines" in problems[("pkg/big.py", "module")]
