"""Size limits that keep the code readable: no class over 450 lines, the main window a thin shell."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "desktop_app"
CLASS_LIMIT = 450
SHELL_LIMIT = 400


def long_classes(paths: list[Path], limit: int = CLASS_LIMIT) -> list[str]:
    """``file: Class (N lines)`` for every class longer than ``limit``."""
    found = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                size = node.end_lineno - node.lineno + 1
                if size > limit:
                    found.append(f"{path.name}: {node.name} ({size} lines)")
    return found


def test_no_class_in_the_ui_is_over_450_lines() -> None:
    assert long_classes(sorted((PACKAGE / "ui").rglob("*.py"))) == []


def test_the_main_window_stays_a_shell() -> None:
    lines = len((PACKAGE / "ui" / "main_window.py").read_text("utf-8").splitlines())
    assert lines <= SHELL_LIMIT, f"ui/main_window.py has {lines} lines: move the feature into ui/features/"


def test_the_size_check_sees_a_long_class(tmp_path: Path) -> None:
    """Negative control: a 461-line class is reported, a short one is not."""
    sample = tmp_path / "sample.py"
    sample.write_text("class Long:\n" + "    x = 1\n" * 460 + "\n\nclass Short:\n    y = 2\n")
    assert long_classes([sample]) == ["sample.py: Long (461 lines)"]
