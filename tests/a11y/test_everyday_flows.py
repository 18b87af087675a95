"""Everyday flows as a screen reader user meets them: the real ``sealpost`` window (sandbox mode,
its embedded sandbox) under Xvfb and a window manager, driven only through the accessibility tree
(EditableText to type, Action to press, Selection to choose) and the keyboard (xdotool), its state
read only from the tree (tests/a11y/remote.py): issue #15's "How it will be checked".
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.a11y.session import BUS_LAUNCHER, ROOT, SYSTEM_PYTHON, _start_xvfb, _stop, missing_tools

REMOTE = Path(__file__).with_name("remote.py")
MAIN = "Sealpost — secure email"  # the main window's accessible name
START_SECONDS = 180.0  # window, store, keyring and sandbox on a loaded 2-core machine
STEP_SECONDS = 60.0  # one change seen in the tree
DELIVERY_SECONDS = 120.0  # queue, send, the sandbox's delivery delay and the tracker's poll
CALL_SECONDS = 60.0
BOUNCE_ADDRESS = "Sam Rivera <sam+hardbounce@old-isp.example>"  # docs/sandbox.md: "hardbounce" in the local part
PATIENT_ADDRESS = "pat@clinic.example"


# Each test polls with generous bounds (a send waits on the sandbox and the tracker); the first
# also starts the window.
pytestmark = pytest.mark.timeout(START_SECONDS + 4 * DELIVERY_SECONDS)


def said(node: dict[str, Any]) -> str:
    """What a screen reader reads for an object: its name, description and text."""
    return " ".join(str(node.get(key, "")) for key in ("name", "description", "text"))


class Sealpost:
    """The running app as the test reaches it: the AT-SPI remote, xdotool and xwininfo."""

    def __init__(self, app: subprocess.Popen[bytes], env: dict[str, str], stderr: Path) -> None:
        self.app, self.env, self.stderr = app, env, stderr
        self.remote = subprocess.Popen([SYSTEM_PYTHON, str(REMOTE), str(app.pid)], env=env, stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, text=True)  # fmt: skip
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        first = self._answer(START_SECONDS, "the remote to find Sealpost on the accessibility bus")
        assert first.get("ready"), f"the AT-SPI remote: {first}{self.tail()}"

    def _pump(self) -> None:
        assert self.remote.stdout is not None
        for line in self.remote.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def tail(self) -> str:
        text = self.stderr.read_text("utf-8", "replace") if self.stderr.exists() else ""
        return "\n--- Sealpost's stderr (end) ---\n" + text[-3000:] if text.strip() else ""

    def _answer(self, timeout: float, what: str) -> dict[str, Any]:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"the AT-SPI remote did not answer ({what}) in {timeout:.0f} s{self.tail()}") from None
        if line is None:
            raise AssertionError(f"the AT-SPI remote exited ({what}){self.tail()}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def ask(self, op: str, **query: Any) -> dict[str, Any]:
        """One remote command; an ``error`` key when nothing matched (the caller may poll)."""
        assert self.remote.stdin is not None
        self.remote.stdin.write(json.dumps({"op": op, **query}) + "\n")
        self.remote.stdin.flush()
        return self._answer(CALL_SECONDS, f"{op} {query}")

    def do(self, op: str, **query: Any) -> dict[str, Any]:
        """A remote command that must succeed now."""
        answer = self.ask(op, **query)
        assert "error" not in answer, f"{op} {query}: {answer['error']}{self.tail()}"
        return answer

    def until(self, what: str, probe: Callable[[], Any], timeout: float = STEP_SECONDS) -> Any:
        """Poll ``probe`` (reads of the tree) until it returns something truthy; fail saying what
        was awaited and what was last seen."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while True:
            assert self.app.poll() is None, (
                f"Sealpost exited ({self.app.returncode}) while waiting for {what}{self.tail()}"
            )
            last = probe()
            if last and not (isinstance(last, dict) and "error" in last):
                return last
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {timeout:.0f} s for {what}; last seen: {last}{self.tail()}")
            time.sleep(0.25)

    def text(self, name: str, window: str = MAIN) -> str | None:
        """A text field's content; None while it is not on screen (a view switching, say)."""
        field = self.ask("read", window=window, role="text", name=name)
        return None if "error" in field else str(field.get("text", ""))

    def nav_item(self, view: str) -> dict[str, Any]:
        """The navigation item of ``view`` (its name carries a badge: "Drafts, 1 kept")."""
        items = self.do("find", window=MAIN, role="list item")["found"]
        mine = [i for i in items if i["name"] == view or i["name"].startswith(view + ",")]
        assert mine, f"no navigation item for {view!r}: {[i['name'] for i in items]}"
        return dict(mine[0])

    def go_to(self, view: str, landmark: dict[str, Any]) -> None:
        """Choose a view in the navigation list, as a screen reader does (select its item). Its name
        may change between reading and selecting it (a badge arriving): then it is read again."""

        def select() -> dict[str, Any]:
            return self.ask("select", window=MAIN, role="list item", name=self.nav_item(view)["name"])

        self.until(f"the {view} item to be selected", select)
        self.until(f"the {view} view", lambda: self.ask("read", window=MAIN, **landmark))

    def windows(self) -> list[str]:
        return [w["name"] for w in self.do("windows")["windows"] if "showing" in w["states"]]

    def xdo(self, *args: str) -> str:
        done = subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=30,
                              check=False)  # fmt: skip
        assert done.returncode == 0, f"xdotool {args}: {done.stderr}"
        return done.stdout

    def x_window(self, title: str = "secure email") -> str:
        found = self.xdo("search", "--onlyvisible", "--pid", str(self.app.pid), "--name", title).split()
        assert found, f"no X window of Sealpost named {title!r}"
        return found[0]

    def keys(self, keys: str, title: str = "secure email") -> None:
        """Keys typed into the window (focused first: xdotool sends to the focused window)."""
        self.xdo("windowactivate", "--sync", self.x_window(title))
        self.xdo("key", "--clearmodifiers", keys)

    def send(self, to: str, subject: str) -> None:
        """Write and send a message with the composer's own controls, answering its questions."""
        self.go_to("Compose", {"role": "text", "name": "Subject"})
        self.do("type", window=MAIN, role="text", name="To recipients", text=to)
        self.do("type", window=MAIN, role="text", name="Subject", text=subject)
        self.do("type", window=MAIN, role="text", name="Message body", text="Please call the front desk.")
        self.do("press", window=MAIN, role="push button", name="Send message")

        def queued() -> bool:
            if "Send this message?" in self.windows():  # the first message to a domain is questioned
                self.ask("press", window="Send this message?", role="push button", name="Send anyway")
                return False
            if "error" not in self.ask("press", window=MAIN, role="push button", name="Send now"):
                return True  # the undo toast: skip its wait
            return self.text("Subject") == ""  # None a moment while the composer reloads

        self.until(f"{subject!r} to be queued", queued)


@contextmanager
def _under_xvfb() -> Iterator[Sealpost]:
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="sealpost-flows-") as scratch:
        try:
            display = _start_xvfb(processes)
            env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1",
                   "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "LANGUAGE": "", "PYTHONPATH": str(ROOT)}  # fmt: skip
            # A window manager, as on a desktop: it enforces the window's minimum size (bare Xvfb does not).
            processes.append(subprocess.Popen(["openbox", "--sm-disable"], env=env, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL))  # fmt: skip
            processes.append(subprocess.Popen([BUS_LAUNCHER, "--launch-immediately"], env=env,
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
            stderr = Path(scratch) / "sealpost.stderr"
            with stderr.open("w") as errors:
                app = subprocess.Popen([sys.executable, "-m", "desktop_app", "--profile-dir", str(Path(scratch) / "p")],
                                       cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=errors)  # fmt: skip
                try:
                    sealpost = Sealpost(app, env, stderr)
                    try:
                        yield sealpost
                    finally:
                        _stop(sealpost.remote)
                finally:
                    _stop(app)
        finally:
            for process in reversed(processes):
                _stop(process)


@pytest.fixture(scope="module")
def sealpost() -> Iterator[Sealpost]:
    missing = missing_tools() + [tool for tool in ("xdotool", "xwininfo", "openbox") if shutil.which(tool) is None]
    if missing:
        pytest.skip("the AT-SPI stack is absent: " + "; ".join(missing))
    with _under_xvfb() as running:
        running.until("the window to be online with its embedded sandbox",
                      lambda: "Online" in said(running.ask("read", window=MAIN, role="label", name="Connection state")),
                      START_SECONDS)  # fmt: skip
        yield running


def test_new_message_empties_the_composer_and_keeps_the_draft(sealpost: Sealpost) -> None:
    sealpost.go_to("Compose", {"role": "text", "name": "Subject"})
    sealpost.do("type", window=MAIN, role="text", name="To recipients", text="Ana Lima <ana@family.example>")
    sealpost.do("type", window=MAIN, role="text", name="Subject", text="Vaccination appointment")
    assert sealpost.text("Subject") == "Vaccination appointment"  # typed: the check below can fail

    sealpost.keys("ctrl+n")
    sealpost.until("Ctrl+N to empty To and Subject",
                   lambda: sealpost.text("To recipients") == "" and sealpost.text("Subject") == "")  # fmt: skip

    sealpost.go_to("Drafts", {"role": "table", "name": "Drafts"})
    cells = sealpost.until("the earlier message in the Drafts list",
                           lambda: sealpost.ask("find", window=MAIN, role="table cell",
                                                name="Vaccination appointment")["found"])  # fmt: skip
    assert len(cells) == 1, cells
    assert sealpost.ask("find", window=MAIN, role="table cell", name="Ana Lima <ana@family.example>")["found"]
    sealpost.until(
        "the Drafts item to count one draft", lambda: re.search(r"\b1\b", sealpost.nav_item("Drafts")["name"])
    )


def test_the_window_with_the_log_dock_resizes_to_1280_by_720(sealpost: Sealpost) -> None:
    if not sealpost.ask("find", window=MAIN, role="panel", name="Log")["found"]:
        sealpost.do("press", window=MAIN, role="menu item", name="Log panel", hidden=True)
    sealpost.until("the Log dock to open", lambda: sealpost.ask("find", window=MAIN, role="panel", name="Log")["found"])
    window = sealpost.x_window()
    sealpost.xdo("windowsize", "--sync", window, "1280", "720")

    def extents() -> list[int] | None:
        box: list[int] = sealpost.do("extents", window=MAIN, role="frame", name=MAIN)["extents"]
        return box if box[2:] == [1280, 720] else None

    try:
        sealpost.until("the window to report 1280 by 720", extents, STEP_SECONDS / 2)
    except AssertionError as error:
        hints = subprocess.run(["xprop", "-id", window, "WM_NORMAL_HINTS"], env=sealpost.env, capture_output=True,
                               text=True, check=False).stdout  # fmt: skip
        raise AssertionError(f"{error}\nthe size hints Qt gave the window manager:\n{hints}") from None
    info = subprocess.run(["xwininfo", "-id", window], env=sealpost.env, capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    assert re.search(r"Width: 1280\b", info), info
    assert re.search(r"Height: 720\b", info), info
    assert sealpost.ask("find", window=MAIN, role="panel", name="Log")["found"], "the Log dock closed"


def test_a_hard_bounce_raises_a_count_on_the_status_item(sealpost: Sealpost) -> None:
    assert not re.search(r"\d", sealpost.nav_item("Status")["name"]), sealpost.nav_item("Status")
    sealpost.send(BOUNCE_ADDRESS, "Flu clinic")

    def counted() -> dict[str, Any] | None:
        item = sealpost.nav_item("Status")
        return item if re.search(r"\b1\b", item["name"] + " " + item["description"]) else None

    item = sealpost.until("a count on the Status item after the hard bounce", counted, DELIVERY_SECONDS)
    assert "undelivered" in item["name"], item


def _row_of(sealpost: Sealpost, table: str, cell: str) -> list[str]:
    """The cells of the row of ``table`` that holds ``cell``, read from the tree."""
    children = sealpost.do("children", window=MAIN, role="table", name=table)["children"]
    columns = sum(c["role"] == "table column header" for c in children)
    names = [c["name"] for c in children if c["role"] == "table cell"]
    rows = [names[i : i + columns] for i in range(0, len(names), columns)]
    return next((row for row in rows if cell in row), [])


def test_a_sent_message_opens_and_resends_as_new(sealpost: Sealpost) -> None:
    subject = "Lab results ready"
    sealpost.send(f"Pat Doe <{PATIENT_ADDRESS}>", subject)
    sealpost.send("Lee <lee@family.example>", "Parking at the clinic")  # a newer row above it: Enter must pick ours
    sealpost.go_to("Status", {"role": "table", "name": "Sent messages"})
    for sent in (subject, "Parking at the clinic"):  # both settled: no row moves between selecting and Enter
        row = lambda sent=sent: "delivered" in _row_of(sealpost, "Sent messages", sent)  # noqa: E731
        sealpost.until(f"{sent!r} delivered in Status", row, DELIVERY_SECONDS)

    sealpost.do("select", window=MAIN, role="table cell", name=subject)
    sealpost.until(f"{subject!r} selected", lambda: "selected" in sealpost.do("read", window=MAIN, role="table cell",
                                                                             name=subject)["states"])  # fmt: skip
    sealpost.do("focus", window=MAIN, role="table", name="Sent messages")
    sealpost.keys("Return")
    view = "Sent message"
    sealpost.until("the sent message's window", lambda: view in sealpost.windows())

    def showing_subject() -> dict[str, Any] | None:
        label = sealpost.ask("read", window=view, role="label", name=subject)  # the subject is read aloud
        return label if "error" not in label and "Subject" in said(label) else None

    sealpost.until(f"the sent message's window to show {subject!r} (Enter opened another row?)", showing_subject)

    sealpost.until("Resend as new to be enabled",
                   lambda: "sensitive" in sealpost.do("read", window=view, role="push button",
                                                      name_contains="Resend as new")["states"])  # fmt: skip
    sealpost.do("press", window=view, role="push button", name_contains="Resend as new")
    question = "Resend a delivered message?"
    sealpost.until("the warning that it was delivered", lambda: question in sealpost.windows())
    sealpost.do("press", window=question, role="push button", name="Resend as new")

    def prefilled() -> bool:
        return sealpost.text("Subject") == subject and PATIENT_ADDRESS in (sealpost.text("To recipients") or "")

    sealpost.until("the composer prefilled with the sent message", prefilled)
    assert view not in sealpost.windows()
