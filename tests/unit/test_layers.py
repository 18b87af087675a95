"""The layer rule (DESIGN §2): nothing below desktop_app/ui imports PySide6, and imports flow down."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "desktop_app"
QT_ALLOWED = {"ui"}
# Which top-level layers each layer may import (besides itself).
ALLOWED_DEPENDENCIES = {
    "core": set(),
    "api": {"core"},
    "store": {"core"},  # value types it keeps (activity events, deliveries) live in core
    "sandbox": {"core"},
    "services": {"core", "api", "store"},  # the embedded sandbox is started by the entry point
    "ui": {"core", "api", "store", "services"},
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _layer_files(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def _offences(layer: str, paths: list[Path]) -> list[str]:
    offences = []
    for path in paths:
        for name in _imports(path):
            if name.split(".")[0] == "PySide6" and layer not in QT_ALLOWED:
                offences.append(f"{path.name} imports {name}")
            parts = name.split(".")
            if parts[0] == "desktop_app" and len(parts) > 1 and parts[1] in ALLOWED_DEPENDENCIES:
                target = parts[1]
                if target != layer and target not in ALLOWED_DEPENDENCIES[layer]:
                    offences.append(f"{path.name} imports {name} (upward or sideways)")
    return offences


@pytest.mark.parametrize("layer", sorted(ALLOWED_DEPENDENCIES))
def test_layer_imports_only_layers_below_it(layer: str) -> None:
    assert _offences(layer, _layer_files(layer)) == []


@pytest.mark.parametrize(
    ("layer", "line"),
    [("store", "from desktop_app.api.activity import ActivityEvent"),
     ("services", "from desktop_app.sandbox.server import SandboxServer"),
     ("core", "import desktop_app.store.messages")],
)  # fmt: skip
def test_the_edges_that_were_removed_fail_the_build_if_they_come_back(tmp_path: Path, layer: str, line: str) -> None:
    sample = tmp_path / "edge.py"
    sample.write_text(line + "\n")
    assert _offences(layer, [sample]) != []


def test_checker_catches_a_violation(tmp_path: Path) -> None:
    """Negative control: the AST scan does see a PySide6 import."""
    sample = tmp_path / "bad.py"
    sample.write_text("from PySide6.QtCore import QObject\nimport PySide6.QtWidgets\n")
    assert _imports(sample) == ["PySide6.QtCore", "PySide6.QtWidgets"]


STORE_REACH = {"store", "audit"}  # the runtime's store, and the audit log it writes (views hold a read-only History)


def _store_reaches(path: Path) -> list[str]:
    """Every ``x.store`` (``runtime.store``, ``self.runtime.store``…) and ``x.audit`` in a file."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    return [f"{path.name}:{node.lineno} .{node.attr}" for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in STORE_REACH]  # fmt: skip


def test_the_ui_never_reaches_the_store() -> None:
    """Views read through ``services.history`` and every change or audit record goes through the
    runtime or a rule in ``services/``, which the CLI shares; no screen holds a rule of its own."""
    assert [reach for path in _layer_files("ui") for reach in _store_reaches(path)] == []


def test_the_store_check_sees_a_reach(tmp_path: Path) -> None:
    """Negative control: the scan finds the shapes the window used to have."""
    sample = tmp_path / "reach.py"
    sample.write_text("runtime.store.get(1)\nself.runtime.store.audit('x')\nstore = window.runtime\n")
    assert sorted(_store_reaches(sample)) == ["reach.py:1 .store", "reach.py:2 .audit", "reach.py:2 .store"]


def test_importing_every_lower_layer_loads_no_qt() -> None:
    """At run time too: the CLI's headless paths and every lower layer never load PySide6."""
    modules = [
        f"desktop_app.{p.relative_to(PACKAGE).with_suffix('').as_posix().replace('/', '.')}"
        for layer in ALLOWED_DEPENDENCIES
        if layer not in QT_ALLOWED
        for p in _layer_files(layer)
        if p.name != "__main__.py"
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r} + ['desktop_app.cli', 'desktop_app.headless']:\n"
        "    importlib.import_module(name.removesuffix('.__init__'))\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('PySide6'))\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_the_log_file_is_written_at_the_first_record(tmp_path: Path) -> None:
    """The file handler opens lazily (start-up time) but must still capture every record."""
    code = (
        "import logging, pathlib, sys\n"
        "from desktop_app.services.logging_setup import configure_logging\n"
        f"configure_logging(pathlib.Path({str(tmp_path)!r}))\n"
        "assert 'logging.handlers' not in sys.modules\n"
        "logging.getLogger('t').warning('first record for jane@clinic.example')\n"
        "logging.shutdown()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "first record for [address]" in (tmp_path / "sealpost.log").read_text()
