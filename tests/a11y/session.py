"""A real X server, the accessibility bus and the driven Sealpost window, for the AT-SPI tests."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, which has pyatspi (a system package)
BUS_LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
WALKER = Path(__file__).with_name("walker.py")
READY_SECONDS = 120.0  # a loaded 2-core machine starts the window, the sandbox and the store slowly
COMMAND_SECONDS = 60.0


def missing_tools() -> list[str]:
    """What this machine lacks for the AT-SPI tests (scripts/system-packages.sh test installs it)."""
    missing = [tool for tool in ("Xvfb",) if shutil.which(tool) is None]
    if not Path(BUS_LAUNCHER).exists():
        missing.append(f"{BUS_LAUNCHER} (at-spi2-core)")
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True, check=False)
    if probe.returncode != 0:
        missing.append("pyatspi for /usr/bin/python3 (python3-pyatspi gir1.2-atspi-2.0 python3-gi)")
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        missing.append("a D-Bus session (run under scripts/with-test-keyring.sh, as `make test` does)")
    return missing


class Driver:
    """The driven window: one command line in, one JSON line out (tests/a11y/driver.py)."""

    def __init__(self, process: subprocess.Popen[str], stderr_path: Path) -> None:
        self.process = process
        self.stderr_path = stderr_path
        self._lines: queue.Queue[str | None] = queue.Queue()
        stdout = process.stdout
        assert stdout is not None
        threading.Thread(target=self._pump, args=(stdout,), daemon=True).start()
        first = self.read(READY_SECONDS, "the window to start")
        self.pid = int(first["pid"])

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._lines.put(line)
        self._lines.put(None)

    def read(self, timeout: float, what: str) -> dict[str, Any]:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"the driven window did not answer ({what}) in {timeout:.0f} s{self.tail()}") from None
        if line is None:
            raise AssertionError(f"the driven window exited ({what}){self.tail()}")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise AssertionError(f"the driven window failed ({what}): {answer['error']}{self.tail()}")
        return answer

    def call(self, command: str) -> dict[str, Any]:
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(command + "\n")
        stdin.flush()
        return self.read(COMMAND_SECONDS, command)

    def tail(self) -> str:
        text = self.stderr_path.read_text("utf-8", "replace") if self.stderr_path.exists() else ""
        return "\n--- window's stderr (end) ---\n" + text[-3000:] if text.strip() else ""

    def walk(self, titles: list[str]) -> dict[str, Any]:
        """The AT-SPI walk of these windows, from another process (the window's loop keeps running)."""
        done = subprocess.run([SYSTEM_PYTHON, str(WALKER), str(self.pid), *titles], capture_output=True, text=True,
                              timeout=COMMAND_SECONDS * 3, check=False)  # fmt: skip
        if done.returncode != 0 or not done.stdout.strip():
            raise AssertionError(f"the AT-SPI walker failed ({done.returncode}): {done.stdout}{done.stderr}")
        result: dict[str, Any] = json.loads(done.stdout)
        return result


class Listener:
    """AT-SPI events from the window (walker.py listen), read while the test makes changes."""

    def __init__(self, pid: int, seconds: float) -> None:
        self.process = subprocess.Popen([SYSTEM_PYTHON, str(WALKER), "listen", str(pid), str(seconds)],
                                        stdout=subprocess.PIPE, text=True)  # fmt: skip
        self._lines: queue.Queue[str | None] = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(target=self._pump, args=(self.process.stdout,), daemon=True).start()
        self.heard: list[dict[str, Any]] = []
        self.until(lambda event: bool(event.get("listening")), COMMAND_SECONDS, "the listener to start")

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._lines.put(line)
        self._lines.put(None)

    def until(self, wanted: Any, timeout: float, what: str) -> dict[str, Any]:
        """The first event for which ``wanted(event)`` holds; fails with all that was heard."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            event: dict[str, Any] = json.loads(line)
            self.heard.append(event)
            if wanted(event):
                return event
        raise AssertionError(f"no AT-SPI event for {what} in {timeout:.0f} s; heard: {self.heard}")

    def close(self) -> None:
        _stop(self.process)


def _start_xvfb(stack: list[subprocess.Popen[bytes]]) -> str:
    read_end, write_end = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24", "-nolisten",
                               "tcp"], pass_fds=(write_end,), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    stack.append(server)
    os.close(write_end)
    with os.fdopen(read_end) as reader:
        number = reader.readline().strip()
    if not number:
        raise AssertionError("Xvfb did not start")
    return f":{number}"


@contextmanager
def accessible_window(theme: str = "light", env: dict[str, str] | None = None) -> Iterator[Driver]:
    """Xvfb, at-spi-bus-launcher in this D-Bus session, and the driven window on both."""
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="sealpost-a11y-") as scratch:
        try:
            display = _start_xvfb(processes)
            environment = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
                           "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1", "SEALPOST_TEST_THEME": theme,
                           "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "LANGUAGE": "",
                           **(env or {})}  # fmt: skip
            launcher = subprocess.Popen([BUS_LAUNCHER, "--launch-immediately"], env=environment,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
            processes.append(launcher)
            stderr_path = Path(scratch) / "window.stderr"
            with stderr_path.open("w") as stderr:
                window = subprocess.Popen([sys.executable, "-m", "tests.a11y.driver", str(Path(scratch) / "profile")],
                                          cwd=ROOT, env=environment, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=stderr, text=True)  # fmt: skip
                try:
                    yield Driver(window, stderr_path)
                finally:
                    _stop(window)
        finally:
            for process in reversed(processes):
                _stop(process)


def _stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        try:
            if process.stdin is not None:
                process.stdin.write("quit\n")
                process.stdin.flush()
                process.wait(timeout=20)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            pass
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()
