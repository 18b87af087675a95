"""Scenario 3: process start to the first painted main window, against a bare PySide6 window.

Both are timed by this process from just before it spawns the child to the moment the child's
``painted`` line arrives, so interpreter start-up and imports count, exactly as a user waits.
Runs alternate (bare, app, a new profile's app, bare, ...) so machine noise hits them alike. The app
runs twice a round: on the profile of every run (as a clinic starts it each morning) and on a folder
never used before (a profile's first start, as a check with a fresh ``--profile-dir`` sees it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import TIMES, ScenarioResult, median, runs_text, temporary_directory

TARGET_RATIO = 1.5
CHILD_TIMEOUT = 90.0


def _launch(args: list[str]) -> dict[str, float]:
    """Run the probe; return the seconds at which each line it printed arrived."""
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    # An installed app has its bytecode cached; without this every run would recompile the app's
    # modules (but not PySide6's), which says nothing about start-up as users see it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as errors:
        child = subprocess.Popen([sys.executable, "-m", "benchmarks.startup_probe", *args],
                                 stdout=subprocess.PIPE, stderr=errors, text=True, env=env)  # fmt: skip
        seen: dict[str, float] = {}
        assert child.stdout is not None
        for line in child.stdout:
            seen.setdefault(line.split()[0], time.perf_counter() - started)
        child.wait(CHILD_TIMEOUT)
        if "painted" not in seen:
            errors.seek(0)
            tail = errors.read()[-2000:]
            raise RuntimeError(f"startup probe {args[0]} never painted (exit {child.returncode}): {tail}")
    if "failed" in seen:
        raise RuntimeError("Sealpost's window reported a start-up failure")
    return seen


def startup(runs: int = 5) -> ScenarioResult:
    result = ScenarioResult(3, "Start-up: process start to the first painted main window")
    with temporary_directory("startup") as directory:
        profile = str(Path(directory) / "profile")
        _launch(["bare"])
        _launch(["app", profile])  # first run: creates the profile, its database and its key
        bare: list[float] = []
        app: list[float] = []
        first: list[float] = []
        ready: list[float] = []
        for run in range(runs):
            bare.append(_launch(["bare"])["painted"] * 1000)
            seen = _launch(["app", profile])
            app.append(seen["painted"] * 1000)
            if "ready" in seen:
                ready.append(seen["ready"] * 1000)
            first.append(_launch(["app", str(Path(directory) / f"new-{run}")])["painted"] * 1000)
    ratios = [a / b for a, b in zip(app, bare, strict=True)]
    first_ratios = [f / b for f, b in zip(first, bare, strict=True)]
    result.add("Bare PySide6 window, first paint", median(bare), "ms", note=runs_text(bare, "ms"))
    result.add("Sealpost main window, first paint", median(app), "ms", note=runs_text(app, "ms"))
    ratio = median(ratios)
    result.add("Ratio Sealpost / bare", ratio, TIMES, f"≤ {TARGET_RATIO}{TIMES}", ok=ratio <= TARGET_RATIO,
               note="median of per-pair ratios")  # fmt: skip
    result.add("Sealpost main window, first paint of a new profile", median(first), "ms", note=runs_text(first, "ms"))
    first_ratio = median(first_ratios)
    result.add("Ratio, a new profile / bare", first_ratio, TIMES, f"≤ {TARGET_RATIO}{TIMES}",
               ok=first_ratio <= TARGET_RATIO, note="its first start: no settings or window state yet")  # fmt: skip
    if ready:
        result.add("Sealpost ready (store open, engines running, views attached)", median(ready), "ms",
                   note=runs_text(ready, "ms") + "; includes starting the embedded sandbox")  # fmt: skip
    return result
