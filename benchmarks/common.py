"""What every scenario shares: results, statistics, the machine's description, a sandbox subprocess.

Benchmarks measure and report; they never assert timings. The sandbox runs as a separate process
so that its request handling does not share the client's GIL, which would blur every figure.
"""

from __future__ import annotations

import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import keyring
import psutil  # type: ignore[import-untyped]

from desktop_app.core.addresses import parse_address
from desktop_app.core.message import OutgoingMessage
from desktop_app.services.settings_schema import field_named, spec


def most(setting: str) -> float:
    """The largest value the settings allow for ``setting`` (larger ones are refused, not capped)."""
    high = spec(field_named(setting)).high
    if high is None:
        raise ValueError(f"{setting} has no upper bound")
    return high


UNLIMITED_RATE = most("requests_per_second")
"""The client-side limiter set out of the way ("no rate limit"): the most the settings allow. A
larger number is refused as out of range and the default (10 requests/s) used instead, which is
what scenarios 1 and 9 silently measured for a while."""

SENDER = "staff@clinic.example"
TIMES = "\N{MULTIPLICATION SIGN}"  # the unit of ratios
READY_TIMEOUT = 30.0


@dataclass(frozen=True)
class Figure:
    """One measured number, with the target it is judged against (if the issue sets one)."""

    name: str
    value: float
    unit: str
    target: str = ""
    passed: bool | None = None
    note: str = ""

    def formatted(self) -> str:
        if self.unit in ("ms", "s", "MB", TIMES, "%") or self.unit.endswith("/s"):
            precision = 0 if abs(self.value) >= 100 else (1 if abs(self.value) >= 10 else 2)
            return f"{self.value:.{precision}f} {self.unit}".replace(f" {TIMES}", TIMES)
        return f"{self.value:g} {self.unit}".strip()


@dataclass
class ScenarioResult:
    number: int
    title: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0

    def add(self, name: str, value: float, unit: str, target: str = "", *, ok: bool | None = None,
            note: str = "") -> None:  # fmt: skip
        self.figures.append(Figure(name, value, unit, target, ok, note))


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``fraction`` of the values at or below it."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(-(-fraction * len(ordered) // 1)) - 1))
    return ordered[rank]


def runs_text(values: list[float], unit: str = "s") -> str:
    return "runs: " + ", ".join(_short(v) for v in values) + f" {unit}"


def _short(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 100 else (f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}")


# ----------------------------------------------------------------------------- machine


def machine_description() -> dict[str, str]:
    """CPU, cores, RAM and library versions, so figures from different machines are not compared blindly."""
    from PySide6 import QtCore
    from PySide6 import __version__ as pyside_version

    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "CPU": cpu,
        "Cores": f"{os.cpu_count()} logical ({psutil.cpu_count(logical=False) or '?'} physical)",
        "RAM": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()} ({platform.libc_ver()[0]} {platform.libc_ver()[1]})",
        "Python": platform.python_version(),
        "Qt / PySide6": f"Qt {QtCore.qVersion()} / PySide6 {pyside_version}",
        "Qt platform": os.environ.get("QT_QPA_PLATFORM", "(default)"),
        "Keyring": type(keyring.get_keyring()).__module__.split(".")[-1],
    }


# ----------------------------------------------------------------------------- keyring


def real_keyring_available() -> bool:
    """The app keeps database keys only in the OS keyring; ``make bench`` starts a throwaway one."""
    return "fail" not in type(keyring.get_keyring()).__module__


# ----------------------------------------------------------------------------- data


def make_message(index: int, *, recipients: int = 1, body_bytes: int = 600) -> OutgoingMessage:
    """A realistic small clinical notice; every message differs so duplicates would be visible."""
    to = tuple(parse_address(f"Patient {index}-{r} <patient{index}.{r}@example.org>") for r in range(recipients))
    paragraph = f"<p>Dear patient, your appointment reference {index} is confirmed. Please arrive early.</p>"
    html = paragraph * max(1, body_bytes // len(paragraph))
    return OutgoingMessage(sender=SENDER, to=to, subject=f"Appointment {index}", html=html)


@contextmanager
def temporary_directory(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=f"sealpost-bench-{prefix}-") as name:
        yield Path(name)


# ----------------------------------------------------------------------------- sandbox


@dataclass
class SandboxProcess:
    """``python -m desktop_app.sandbox`` on loopback; ``control`` talks to its ``/_sandbox/`` API."""

    process: subprocess.Popen[str]
    base_url: str
    api_key: str
    root_url: str

    def control(self, method: str, path: str, json: Any = None) -> Any:
        with httpx.Client(base_url=self.root_url + "/_sandbox", timeout=30, trust_env=False) as client:
            response = client.request(method, path, json=json)
            response.raise_for_status()
            return response.json()

    def set_faults(self, **faults: Any) -> None:
        self.control("POST", "/faults", faults)

    def reset(self) -> None:
        self.control("POST", "/reset")

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self.control("GET", "/stats")
        return result


@contextmanager
def sandbox_process(*flags: str, delivery_delay: float = 0.5) -> Iterator[SandboxProcess]:
    command = [sys.executable, "-m", "desktop_app.sandbox", "--port", "0", "--delivery-delay", str(delivery_delay),
               *flags]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        values: dict[str, str] = {}
        deadline = time.monotonic() + READY_TIMEOUT
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline().strip()
            if line == "ready" or not line:
                break
            name, _, value = line.partition("=")
            values[name] = value
        if "v1_email" not in values or "api_key" not in values:
            raise RuntimeError("the sandbox did not start")
        base = values["v1_email"]
        yield SandboxProcess(process, base, values["api_key"], base.removesuffix("/v1/email"))
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(condition: Callable[[], bool], timeout: float, interval: float = 0.01) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` passes (bounded: benchmarks never hang)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def rss_mb(pid: int | None = None) -> float:
    return float(psutil.Process(pid).memory_info().rss) / 2**20
