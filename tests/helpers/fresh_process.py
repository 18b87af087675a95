"""Running a few lines in a Python of their own: what a module loads on import is only visible there."""

from __future__ import annotations

import subprocess
import sys


def run_fresh(probe: str) -> None:
    """Run ``probe`` (its own asserts say what must hold) in a new interpreter; fail with its stderr."""
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
