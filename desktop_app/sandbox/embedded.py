"""The sandbox as the app embeds it: started by the composition root (the ``sealpost`` entry point)
and handed to the runtime, which only sees its base URL and key (``services.runtime.EmbeddedSandbox``).

The app's sandbox runs in a child process (:class:`SandboxProcess`): its aiohttp server and its
imports then use the other core instead of the app's own interpreter lock, which the window's
start-up and the engines need (docs/benchmarks.md, start-up). Its state lives in that process, as it
lived in the app's before: it begins empty, lasts until the runtime stops it, and dies with the app.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import sys
import threading
import time
from typing import IO, TYPE_CHECKING

from desktop_app.core.errors import KnownError

if TYPE_CHECKING:  # aiohttp stays out of the app's process: only the child imports the server
    from desktop_app.sandbox.server import SandboxServer

log = logging.getLogger("desktop_app.sandbox")

CHILD_FLAG = "--embedded-sandbox"
"""``sealpost --embedded-sandbox …`` (``desktop_app/__main__.py``) runs ``python -m desktop_app.sandbox``:
a frozen app has no Python to give ``-m`` to, only its own executable."""

START_SECONDS = 30.0  # from spawning the child to its ``ready`` line, however loaded the machine
STOP_SECONDS = 5.0
_KEPT_OUTPUT_LINES = 20  # what a child that failed to start said last, for the error


class SandboxStartError(KnownError, RuntimeError):
    """The built-in test server did not start; the message says what it said."""


def start_embedded_sandbox(delivery_delay: float, attachment_limit_mb: float) -> SandboxServer:
    """A started sandbox on loopback in this process (tests and scripts that drive a window); its
    statuses become final ``delivery_delay`` seconds after a send, and it refuses attachments over
    the profile's limit as the client and composer do."""
    from desktop_app.sandbox.server import SandboxConfig, SandboxServer

    server = SandboxServer(SandboxConfig(delivery_delay=delivery_delay, attachment_limit_mb=attachment_limit_mb))
    server.start()
    return server


def child_command(*args: str) -> list[str]:
    """How to run the sandbox as a child of this app, from a source tree, an install or a frozen bundle."""
    if getattr(sys, "frozen", False):
        return [sys.executable, CHILD_FLAG, *args]
    return [sys.executable, "-m", "desktop_app", CHILD_FLAG, *args]


class _Child:
    """A child process with its input and output (stdout and stderr together) on pipes, started with
    ``os.posix_spawn`` where there is one: the ``subprocess`` module and what it imports (selectors,
    signal, locale) cost ~6 ms of Python on the way to the window's first paint or to "ready"."""

    def __init__(self, command: list[str]) -> None:
        self._popen = None
        self.returncode: int | None = None
        self.stdin: IO[str]
        self.stdout: IO[str]
        if not hasattr(os, "posix_spawn"):
            import subprocess

            self._popen = subprocess.Popen(  # noqa: S603  # our own executable, our own arguments
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True, encoding="utf-8", errors="replace",
            )  # fmt: skip
            assert self._popen.stdin is not None
            assert self._popen.stdout is not None
            self.pid, self.stdin, self.stdout = self._popen.pid, self._popen.stdin, self._popen.stdout
            return
        child_in, self_in = os.pipe()  # both ends close on exec; dup2 makes the child's copies its 0, 1, 2
        self_out, child_out = os.pipe()
        try:
            self.pid = os.posix_spawn(command[0], command, os.environ, file_actions=[
                (os.POSIX_SPAWN_DUP2, child_in, 0), (os.POSIX_SPAWN_DUP2, child_out, 1),
                (os.POSIX_SPAWN_DUP2, child_out, 2),
            ])  # fmt: skip
        except BaseException:
            os.close(self_in)
            os.close(self_out)
            raise
        finally:
            os.close(child_in)
            os.close(child_out)
        self.stdin = os.fdopen(self_in, "w", encoding="utf-8")
        self.stdout = os.fdopen(self_out, "r", encoding="utf-8", errors="replace")

    def wait(self, timeout: float) -> int | None:
        """Its exit status, or None if it is still running after ``timeout`` seconds."""
        if self._popen is not None:
            with contextlib.suppress(Exception):  # subprocess.TimeoutExpired
                self.returncode = self._popen.wait(timeout)
            return self.returncode
        deadline = time.monotonic() + timeout
        while self.returncode is None:
            with contextlib.suppress(ChildProcessError):  # reaped by a concurrent wait
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
                    break
            if time.monotonic() >= deadline:
                break
            time.sleep(0.01)
        return self.returncode

    def kill(self) -> None:
        if self._popen is not None:
            self._popen.kill()
            return
        import signal

        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)


class SandboxProcess:
    """The sandbox in a child process, spawned at once; its URLs and key wait until it listens.

    The child exits when its standard input closes (``--exit-with-stdin``), which the kernel does
    when this process dies however it dies; :meth:`stop` closes it on purpose. A watchdog on a pipe
    rather than Linux's ``PR_SET_PDEATHSIG``: that signal follows the *thread* that spawned the
    child, and the runtime starts its sandbox from a worker thread that ends long before the app.
    """

    def __init__(self, delivery_delay: float, attachment_limit_mb: float) -> None:
        self.settings = (delivery_delay, attachment_limit_mb)
        self._values: dict[str, str] = {}
        self._said: collections.deque[str] = collections.deque(maxlen=_KEPT_OUTPUT_LINES)
        self._ready = threading.Event()
        self._failure: str | None = None
        self._stopped = False
        self._lock = threading.Lock()
        command = child_command(
            "--port", "0", "--delivery-delay", repr(delivery_delay),
            "--attachment-limit-mb", repr(attachment_limit_mb), "--exit-with-stdin",
        )  # fmt: skip
        try:
            self._process = _Child(command)
        except OSError as error:
            raise SandboxStartError(
                f"Sealpost's built-in test server could not be started: {error.strerror or error}."
            ) from None
        self._reader = threading.Thread(target=self._read, name="sandbox-output", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        """The child's handshake (``name=value`` lines, then ``ready``); afterwards whatever it says
        goes to the log, as the sandbox's words did when it ran inside the app."""
        stream = self._process.stdout
        with contextlib.suppress(OSError, ValueError):
            for raw in stream:
                line = raw.rstrip("\n")
                if self._ready.is_set():
                    log.warning("sandbox: %s", line)
                elif line == "ready":
                    self._ready.set()
                else:
                    name, equals, value = line.partition("=")
                    if equals and name.isidentifier():
                        self._values[name] = value
                    else:
                        self._said.append(line)
        if not self._ready.is_set():
            code = self._process.wait(STOP_SECONDS)
            last = next((line for line in reversed(self._said) if line.strip()), "")
            self._failure = f"Sealpost's built-in test server did not start (exit status {code})" + (
                f": {last.strip()}" if last else "."
            )
            self._ready.set()

    def wait_ready(self, timeout: float = START_SECONDS) -> None:
        """Return once the child listens; raise :class:`SandboxStartError` (and stop it) if it cannot."""
        if not self._ready.wait(timeout):
            self.stop()
            raise SandboxStartError(f"Sealpost's built-in test server did not start within {timeout:g} seconds.")
        if self._failure is not None:
            self.stop()
            raise SandboxStartError(self._failure)

    def _value(self, name: str) -> str:
        self.wait_ready()
        return self._values[name]

    @property
    def base_url(self) -> str:
        return self._value("v1_email")

    @property
    def api_key(self) -> str:
        return self._value("api_key")

    @property
    def root_url(self) -> str:
        return self._value("v1").removesuffix("/v1")

    @property
    def pid(self) -> int:
        return self._process.pid

    def stop(self) -> None:
        """End the child (closing its input is its signal to stop) and wait for it; safe to call twice."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        process = self._process
        with contextlib.suppress(OSError):
            process.stdin.close()
        if process.wait(STOP_SECONDS) is None:
            process.kill()
            process.wait(STOP_SECONDS)
        if self._reader is not threading.current_thread():
            self._reader.join(STOP_SECONDS)
        process.stdout.close()


class SandboxStarter:
    """What the composition root hands the runtime as ``start_sandbox``: a new child for each runtime
    that asks, except that the first may have been spawned ahead (:meth:`prestart`), once the
    window has painted, while the views are built and the engines load, so its start-up costs
    nothing on the way to "ready"."""

    def __init__(self) -> None:
        self._early: SandboxProcess | None = None
        self._lock = threading.Lock()

    def prestart(self, delivery_delay: float, attachment_limit_mb: float) -> None:
        """Spawn the child the next runtime will ask for (a child it ends up not taking dies with the app)."""
        with self._lock:
            if self._early is None:
                with contextlib.suppress(SandboxStartError):  # the runtime's own start says it in words
                    self._early = SandboxProcess(delivery_delay, attachment_limit_mb)

    def __call__(self, delivery_delay: float, attachment_limit_mb: float) -> SandboxProcess:
        with self._lock:
            early, self._early = self._early, None
        if early is not None:
            if early.settings == (delivery_delay, attachment_limit_mb):
                return early
            early.stop()
        return SandboxProcess(delivery_delay, attachment_limit_mb)
