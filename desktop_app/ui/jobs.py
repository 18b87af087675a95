"""The one background-work abstraction of the GUI.

A :class:`Job` runs a plain function on a worker thread and reports back through queued
signals: ``started``, ``progress``, ``result``, ``error``, ``finished``. It can be cancelled
cooperatively (the function receives a :class:`CancelToken`), it is kept alive until it ends,
and :meth:`JobRunner.shutdown` waits for every job, so no thread outlives the window.

A job started for a widget names it as its ``owner``: once the owner is destroyed (a dialog
closed before the answer came), the job is cancelled and its callbacks are dropped, so a late
result never touches a deleted widget.

One error policy: a job's own ``on_error`` sees its errors; without one, a *known* error (the
world failed: :class:`desktop_app.core.errors.KnownError`) is said where the user works
(:attr:`JobRunner.known_error`, the window's status bar) and anything else is a bug, handed to
``sys.excepthook`` (logged in full and shown in the crash dialog, ``ui.app.install_crash_handler``).
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal
from shiboken6 import Shiboken

from desktop_app.core.errors import is_known

log = logging.getLogger(__name__)


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()
        self.progress: Callable[[int, int], None] = lambda _done, _total: None

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


class JobSignals(QObject):
    started = Signal()
    progress = Signal(int, int)
    result = Signal(object)
    error = Signal(object)  # the exception
    finished = Signal()


class Job:
    """One background call; the pool runs :meth:`run`, the runner keeps the job until it finishes."""

    def __init__(self, fn: Callable[[CancelToken], Any], name: str, *, preparing: bool = False) -> None:
        self.fn = fn
        self.name = name
        self.preparing = preparing
        self.token = CancelToken()
        self.signals = JobSignals()
        self.token.progress = self.signals.progress.emit

    def run(self) -> None:
        if self.preparing and self.token.cancelled:  # work ahead of need that is no longer needed
            self.signals.finished.emit()
            return
        self.signals.started.emit()
        try:
            value = self.fn(self.token)
        except Exception as error:
            self.signals.error.emit(error)
        else:
            self.signals.result.emit(value)
        finally:
            self.signals.finished.emit()

    def cancel(self) -> None:
        self.token.cancel()


class JobRunner(QObject):
    """Starts jobs on a private pool and keeps them alive until they finish."""

    known_error = Signal(str)  # words for the user: a known error that no ``on_error`` took

    def __init__(self, parent: QObject | None = None, max_threads: int = 4) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._preparing = QThreadPool(self)  # work ahead of need, one job at a time (see submit)
        self._preparing.setMaxThreadCount(1)
        self._jobs: set[Job] = set()
        self._closed = False  # after shutdown: what the jobs used (the runtime, its store) is closing

    def submit(
        self,
        fn: Callable[[CancelToken], Any],
        *,
        name: str,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        owner: QObject | None = None,
        preparing: bool = False,
    ) -> Job:
        """Run ``fn`` on the pool; callbacks run on the GUI thread, and not at all once ``owner`` is gone.

        ``preparing`` marks work done ahead of need (the address book's index, the completer's
        addresses, a spelling dictionary): such jobs run one at a time, beside the others. Started
        together with the loads of what is on screen, they were four threads running Python at once
        while another process sent on the same two cores, and the window's first repaint of its
        list, which takes Python's lock for every cell, waited behind them for 100-150 ms.

        After :meth:`shutdown` nothing more runs (a view's refresh timer firing while the window
        closes would read a store that is being closed): the job is returned, never started."""
        job = Job(fn, name, preparing=preparing)
        if self._closed:
            log.debug("job %s not started: the runner is shut down", name)
            return job
        guard = _OwnerGuard(owner, job) if owner is not None else None
        if on_result is not None:
            job.signals.result.connect(guard.wrap(on_result) if guard else on_result)
        on_error = on_error if on_error is not None else self._route_error(name)
        job.signals.error.connect(guard.wrap(on_error) if guard else on_error)
        if on_progress is not None:
            job.signals.progress.connect(guard.wrap(on_progress) if guard else on_progress)
        job.signals.finished.connect(lambda: self._finished(job))
        if guard is not None:
            job.signals.finished.connect(guard.release)
        self._jobs.add(job)
        pool = self._preparing if preparing else self._pool
        pool.start(job.run)  # a callable: the binding keeps a started QRunnable alive for ever
        return job

    def _finished(self, job: Job) -> None:
        """The job's last signal: let it go. Its signals' connections hold the callbacks, which hold
        the job, which holds the signals: a cycle through Qt that Python's collector cannot see, so
        every job (its closure, its result) stayed in memory, and in every full collection, for
        the window's life. Deleting the signals object drops the connections and the cycle."""
        self._jobs.discard(job)
        job.signals.deleteLater()

    def _route_error(self, name: str) -> Callable[[BaseException], None]:
        def route(error: BaseException) -> None:
            if is_known(error):
                log.info("background job %s: %s", name, type(error).__name__)
                self.known_error.emit(str(error))
            else:
                sys.excepthook(type(error), error, error.__traceback__)

        return route

    @property
    def active(self) -> int:
        return len(self._jobs)

    def cancel_preparing(self) -> None:
        """Cancel the work done ahead of need (the runtime it was for is going): a preparing job not yet
        started never runs, one running is asked to stop. GUI thread; see :meth:`wait_preparing`."""
        for job in list(self._jobs):
            if job.preparing:
                job.cancel()

    def wait_preparing(self, timeout_ms: int = 15000) -> bool:
        """Wait (on any thread) until no preparing job runs: before the store they read is closed."""
        return bool(self._preparing.waitForDone(timeout_ms))

    def shutdown(self, timeout_ms: int = 15000) -> bool:
        """Cancel every job, wait for them to end, and start no new one."""
        self._closed = True
        for job in list(self._jobs):
            job.cancel()
        ends = time.monotonic() + timeout_ms / 1000
        done = self._pool.waitForDone(timeout_ms)
        return bool(self._preparing.waitForDone(max(0, int((ends - time.monotonic()) * 1000)))) and bool(done)


class _OwnerGuard:
    """Drops a job's callbacks once its owner is destroyed, and cancels the job then."""

    def __init__(self, owner: QObject, job: Job) -> None:
        self._owner = owner
        self._alive = True
        self._job = job
        owner.destroyed.connect(self._gone)

    def _gone(self) -> None:
        self._alive = False
        self._job.cancel()

    def release(self) -> None:
        """The job finished: stop listening to the owner. A view that reloads on every change
        (another process's batch: several times a second) otherwise kept every job, its results
        and a connection alive for as long as it lived, and each full garbage collection walked them."""
        if self._alive and Shiboken.isValid(self._owner):
            self._owner.destroyed.disconnect(self._gone)

    def wrap(self, callback: Callable[..., None]) -> Callable[..., None]:
        def guarded(*args: Any) -> None:
            # ``destroyed`` may not have been delivered yet when the C++ object is already gone.
            if self._alive and Shiboken.isValid(self._owner):
                callback(*args)
            else:
                log.debug("a job's owner is gone; its callback was dropped")

        return guarded
