"""The benchmark scripts still run end to end (at tiny sizes). Figures are never asserted here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.keyring
@pytest.mark.slow
def test_every_scenario_runs_at_a_tiny_size() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--output", "-"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for number in range(1, 13):
        assert f"[{number}] " in done.stdout
    assert "could not run" not in done.stdout
