"""The job runner: an owner that goes away, cancellation, the known-error split, and shutdown."""

from __future__ import annotations

import logging
import sys
import threading
import weakref
from collections.abc import Callable

import pytest
from PySide6.QtCore import SIGNAL, QObject
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from shiboken6 import Shiboken

from desktop_app.api.errors import AmbiguousOutcome
from desktop_app.core.addresses import AddressError
from desktop_app.core.errors import KnownError, is_known
from desktop_app.core.message import MessageError
from desktop_app.sandbox.server import SandboxServer
from desktop_app.services.runtime import SetupError
from desktop_app.store.database import DamagedDatabase, StoreError
from desktop_app.store.keys import KeyringUnavailable
from desktop_app.ui.jobs import CancelToken, JobRunner
from tests.conftest import sandbox_control
from tests.gui.conftest import WindowFactory, click


def test_a_result_for_a_deleted_owner_is_dropped_and_the_job_cancelled(qtbot: QtBot) -> None:
    runner = JobRunner()
    label = QLabel()
    release = threading.Event()
    seen: list[object] = []
    cancelled: list[bool] = []

    def slow(token: CancelToken) -> str:
        release.wait(5)
        cancelled.append(token.cancelled)
        return "late answer"

    job = runner.submit(slow, name="slow", on_result=lambda text: label.setText(text), owner=label)
    job.signals.finished.connect(lambda: seen.append("finished"))
    label.deleteLater()
    qtbot.waitUntil(lambda: job.token.cancelled, timeout=5_000)
    release.set()
    qtbot.waitUntil(lambda: seen == ["finished"], timeout=5_000)
    assert cancelled == [True]
    assert runner.shutdown(5_000)


def test_an_owner_that_stays_gets_its_result_and_progress(qtbot: QtBot) -> None:
    runner = JobRunner()
    owner = QObject()
    results: list[object] = []
    progress: list[tuple[int, int]] = []

    def work(token: CancelToken) -> int:
        token.progress(1, 2)
        return 42

    runner.submit(work, name="work", on_result=results.append, on_progress=lambda d, t: progress.append((d, t)),
                  owner=owner)  # fmt: skip
    qtbot.waitUntil(lambda: results == [42], timeout=5_000)
    assert progress == [(1, 2)]
    assert runner.shutdown(5_000)


def test_finished_jobs_let_go_of_a_long_lived_owner(qtbot: QtBot) -> None:
    """A view reloading on every change submits jobs all its life: once finished, none stays tied to it."""
    runner = JobRunner()
    owner = QObject()
    results: list[object] = []
    runner.submit(lambda _token: -1, name="reload", on_result=results.append, owner=owner)
    qtbot.waitUntil(lambda: len(results) == 1 and runner.active == 0, timeout=5_000)
    listening = owner.receivers(SIGNAL("destroyed(QObject*)"))  # what the binding keeps after a first job
    for n in range(50):
        runner.submit(lambda _token, n=n: n, name="reload", on_result=results.append, owner=owner)
    qtbot.waitUntil(lambda: len(results) == 51 and runner.active == 0, timeout=5_000)
    assert sorted(results) == list(range(-1, 50))  # type: ignore[type-var]
    assert owner.receivers(SIGNAL("destroyed(QObject*)")) == listening
    assert runner.shutdown(5_000)


def test_finished_jobs_and_their_results_are_freed(qtbot: QtBot) -> None:
    """Neither the pool nor the job's own signals keep a finished job (its closure, its result) alive."""
    runner = JobRunner()
    owner = QObject()
    results: list[object] = []
    jobs = [runner.submit(lambda _token: [0] * 1_000, name="reload", on_result=results.append, owner=owner)
            for _ in range(20)]  # fmt: skip
    gone = [weakref.ref(job) for job in jobs]
    del jobs
    qtbot.waitUntil(lambda: len(results) == 20 and runner.active == 0, timeout=5_000)
    qtbot.waitUntil(lambda: all(ref() is None for ref in gone), timeout=5_000)  # once the event loop runs
    assert runner.shutdown(5_000)


def test_shutdown_cancels_and_waits_for_every_job(qtbot: QtBot) -> None:
    runner = JobRunner()
    done: list[bool] = []

    def patient(token: CancelToken) -> None:
        while not token.cancelled:
            threading.Event().wait(0.01)
        done.append(True)

    runner.submit(patient, name="patient")
    assert runner.shutdown(5_000)
    assert done == [True]


def test_nothing_starts_after_shutdown(qtbot: QtBot) -> None:
    """A view's timer that fires while the window closes must not reach a store being closed."""
    runner = JobRunner()
    assert runner.shutdown(5_000)
    ran: list[bool] = []
    runner.submit(lambda _token: ran.append(True), name="late refresh")
    qtbot.wait(100)
    assert ran == []
    assert runner.active == 0


def test_known_errors_are_told_apart_from_bugs() -> None:
    known = [SetupError("x"), StoreError("x"), DamagedDatabase("x"), KeyringUnavailable("x"), MessageError("x"),
             AddressError("x"), AmbiguousOutcome("x")]  # fmt: skip
    assert all(is_known(error) for error in known)
    assert not any(is_known(error) for error in (ValueError("x"), KeyError("x"), RuntimeError("x")))


def test_every_paubox_error_is_a_known_error() -> None:
    """The Paubox errors are the world failing (offline, refused): none of them opens the crash dialog."""
    import inspect

    from desktop_app.api import errors as api_errors

    found = [c for _, c in inspect.getmembers(api_errors, inspect.isclass)
             if issubclass(c, Exception) and c.__module__ == api_errors.__name__]  # fmt: skip
    assert len(found) > 10
    assert [c.__name__ for c in found if not issubclass(c, KnownError)] == []


def test_an_error_no_callback_takes_is_said_if_known_and_crashes_if_a_bug(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = JobRunner()
    said: list[str] = []
    crashed: list[BaseException] = []
    handled: list[BaseException] = []
    runner.known_error.connect(said.append)
    monkeypatch.setattr(sys, "excepthook", lambda _kind, error, _tb: crashed.append(error))

    def offline(_token: CancelToken) -> None:
        raise SetupError("Paubox cannot be reached. Messages wait in the Outbox.")

    def bug(_token: CancelToken) -> None:
        raise ValueError("an internal mistake")

    runner.submit(offline, name="known")
    runner.submit(bug, name="bug")
    runner.submit(bug, name="handled bug", on_error=handled.append)  # its own handler decides
    qtbot.waitUntil(lambda: bool(said and crashed and handled), timeout=5_000)
    assert runner.shutdown(5_000)
    assert said == ["Paubox cannot be reached. Messages wait in the Outbox."]
    assert [type(e) for e in crashed] == [ValueError]  # once: the handled one did not reach the crash dialog
    assert [type(e) for e in handled] == [ValueError]


def test_a_cancelled_job_stops_at_its_next_check_and_still_finishes(qtbot: QtBot) -> None:
    runner = JobRunner()
    started = threading.Event()
    steps: list[int] = []
    results: list[object] = []

    def counting(token: CancelToken) -> str:
        started.set()
        for step in range(1000):
            if token.cancelled:
                return "stopped"
            steps.append(step)
            threading.Event().wait(0.005)
        return "ran to the end"

    job = runner.submit(counting, name="counting", on_result=results.append)
    assert started.wait(5)
    job.cancel()
    qtbot.waitUntil(lambda: results == ["stopped"], timeout=5_000)
    assert len(steps) < 1000
    assert runner.active == 0
    assert runner.shutdown(5_000)


def test_closing_settings_while_test_connection_runs_is_safe(
    qtbot: QtBot, make_window: WindowFactory, sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The sandbox answers slowly; the dialog is closed (and deleted) while the check waits. The
    late answer is dropped: no error logged, no Qt warning (the suite fails on those), no crash."""
    window = make_window()
    with sandbox_control(sandbox) as control:
        control.post("/faults", json={"latency_ms": 1500}).raise_for_status()
    dialog = window.open_settings(tab=1)
    qtbot.waitExposed(dialog)
    busy = window.jobs.active
    click(qtbot, dialog.test_button)
    assert window.jobs.active > busy  # the check is under way
    dialog.close()  # deleted on close, before the answer comes
    qtbot.waitUntil(lambda: not Shiboken.isValid(dialog), timeout=5_000)
    qtbot.waitUntil(lambda: window.jobs.active == 0, timeout=20_000)  # the answer came and was dropped quietly
    qtbot.wait(50)  # let the queued result reach its (guarded) callback
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_preparing_jobs_run_one_at_a_time_and_never_hold_up_the_others(qtbot: QtBot) -> None:
    """Work done ahead of need (an index, a dictionary) runs one job at a time, so it never fills the
    cores beside a repaint, and a load of what is on screen does not queue behind it. When the
    runtime it was for goes (a profile switch), the waiting ones never run and the running one is
    waited for before the store closes."""
    runner = JobRunner()
    release = threading.Event()
    lock = threading.Lock()
    running = [0]
    most = [0]
    ran: list[int] = []
    finished: list[str] = []

    def preparing(n: int) -> Callable[[CancelToken], None]:
        def work(_token: CancelToken) -> None:
            with lock:
                ran.append(n)
                running[0] += 1
                most[0] = max(most[0], running[0])
            release.wait(10)
            with lock:
                running[0] -= 1

        return work

    for n in range(3):
        runner.submit(
            preparing(n), name=f"prepare {n}", preparing=True, on_result=lambda _r: finished.append("prepared")
        )
    runner.submit(lambda _token: "page", name="load page", on_result=finished.append)
    qtbot.waitUntil(lambda: finished == ["page"], timeout=5_000)  # not behind the preparing jobs
    assert ran == [0]  # the first preparing job runs; the other two wait their turn
    runner.cancel_preparing()
    threading.Timer(0.3, release.set).start()
    assert runner.wait_preparing(10_000)  # the running one had to end first
    assert running[0] == 0
    qtbot.waitUntil(lambda: runner.active == 0, timeout=5_000)
    assert ran == [0]  # the two cancelled before they started never ran
    assert most[0] == 1
    assert finished == ["page", "prepared"]
    assert runner.shutdown(5_000)
