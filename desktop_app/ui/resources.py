"""Finds the shipped resources (themes, icons) in a source tree or a frozen bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def theme_stylesheet(name: str = "light") -> str:
    path = resources_dir() / "themes" / f"{name}.qss"
    return path.read_text("utf-8") if path.exists() else ""
