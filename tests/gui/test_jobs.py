"""The job runner: an owner that goes away, cancellation, the known-error split, and shutdown."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop_app.api.errors import AmbiguousOutcome
from desktop_app.core.addresses import AddressError
from desktop_app.core.errors import is_known
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


def test_known_errors_are_told_apart_from_bugs() -> None:
    known = [SetupError("x"), StoreError("x"), DamagedDatabase("x"), KeyringUnavailable("x"), MessageError("x"),
             AddressError("x"), AmbiguousOutcome("x")]  # fmt: skip
    assert all(is_known(error) for error in known)
    assert not any(is_known(error) for error in (ValueError("x"), KeyError("x"), RuntimeError("x")))


def test_closing_settings_while_test_connection_runs_is_safe(
    qtbot: QtBot, make_window: WindowFactory, sandbox: SandboxServer
) -> None:
    window = make_window()
    with sandbox_control(sandbox) as control:
        control.post("/faults", json={"latency_ms": 1500}).raise_for_status()
    dialog = window.open_settings(tab=1)
    qtbot.waitExposed(dialog)
    click(qtbot, dialog.test_button)
    dialog.close()  # deleted on close, before the answer comes
    qtbot.waitUntil(lambda: window.jobs.active == 0, timeout=20_000)  # the answer came and was dropped quietly
