"""The package's layout rules: parts in the series' order, small modules, each saying where it is taught."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "colorhelpers"
#: The parts in the order data flows through them; a module may import only from its own part
#: and the parts before it.
PARTS = ["color", "data", "models", "scoring", "training", "evaluation", "colorize", "hints", "clips",
         "pages", "lineart", "app", "cli"]
#: What only the command line and notebooks 09-12 need; the teaching core never imports them.
TOOL_ONLY = ("colorhelpers.hints", "colorhelpers.clips", "colorhelpers.pages", "colorhelpers.lineart",
             "colorhelpers.cli", "colorhelpers.app")
MAX_LINES = 300


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py")


def imported(path: Path) -> list[str]:
    return [node.module for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("colorhelpers")]


def test_every_module_is_in_a_part_except_the_entry_points():
    loose = {p.name for p in PACKAGE.glob("*.py")}
    assert loose == {"__init__.py", "__main__.py", "series.py", "tutorial.py"}
    assert {p.parent.name for p in modules() if p.parent != PACKAGE} == set(PARTS)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_later_part(path):
    if path.parent == PACKAGE:
        return
    mine = PARTS.index(path.parent.name)
    later = [m for m in imported(path) if m.split(".")[1] in PARTS and PARTS.index(m.split(".")[1]) > mine]
    assert not later, f"{path.name} reaches down the data flow: {later}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_are_small_and_say_where_they_are_taught(path):
    text = path.read_text()
    assert len(text.splitlines()) <= MAX_LINES, f"{path.name}: {len(text.splitlines())} lines"
    doc = ast.get_docstring(ast.parse(text)) or ""
    assert "notebooks/" in doc or "README" in doc, f"{path.name}: the docstring names no notebook"


def test_teaching_core_loads_no_tool_only_part():
    parts = ", ".join(f"colorhelpers.{p}" for p in PARTS[:7])
    code = (f"import sys; import colorhelpers.tutorial, {parts}; "
            f"print(sorted(m for m in sys.modules if m.startswith({TOOL_ONLY!r})))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"}).stdout.strip()
    assert loaded == "[]", loaded
