"""Finds what Sealpost ships beside its code (themes, icons, the PHI guard's rules) in a source tree
or a frozen bundle; both the window and the headless commands read from there."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"
