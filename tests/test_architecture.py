"""The shape of the code, checked by tools (issue 9): import-linter's contracts in
pyproject.toml (layers, the CLI over the API only, no cycles), module and function sizes,
and that commands are thin."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "geomon"


def test_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.fail("import-linter is not installed; it is in the test extra (pip install -e '.[test]')")
    run = subprocess.run([str(lint), str(ROOT / "pyproject.toml"), "--no-cache"], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-4000:]


MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _python_files():
    return sorted(SRC.rglob("*.py"))


def test_modules_are_small():
    big = [f"{p.relative_to(SRC)}: {n} lines" for p in _python_files()
           if (n := p.read_text(encoding="utf-8").count("\n")) > MAX_MODULE_LINES]
    assert big == [], f"modules over {MAX_MODULE_LINES} lines: split them"


def test_functions_are_small():
    long = []
    for p in _python_files():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    long.append(f"{p.relative_to(SRC)}:{node.lineno} {node.name}: {n} lines")
    assert long == [], f"functions over {MAX_FUNCTION_LINES} lines: split them"
