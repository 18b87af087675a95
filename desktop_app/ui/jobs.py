"""The one background-work abstraction of the GUI.

A :class:`Job` runs a plain function on a worker thread and reports back through queued
signals: ``started``, ``progress``, ``result``, ``error``, ``finished``. It can be cancelled
cooperatively (the function receives a :class:`CancelToken`), it is kept alive until it ends,
and :meth:`JobRunner.shutdown` waits for every job, so no thread outlives the window.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

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


class Job(QRunnable):
    def __init__(self, fn: Callable[[CancelToken], Any], name: str) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the runner owns it until finished
        self.fn = fn
        self.name = name
        self.token = CancelToken()
        self.signals = JobSignals()
        self.token.progress = self.signals.progress.emit

    def run(self) -> None:
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

    def __init__(self, parent: QObject | None = None, max_threads: int = 4) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._jobs: set[Job] = set()

    def submit(
        self,
        fn: Callable[[CancelToken], Any],
        *,
        name: str,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> Job:
        job = Job(fn, name)
        if on_result is not None:
            job.signals.result.connect(on_result)
        job.signals.error.connect(on_error if on_error is not None else _log_job_error(name))
        if on_progress is not None:
            job.signals.progress.connect(on_progress)
        job.signals.finished.connect(lambda: self._jobs.discard(job))
        self._jobs.add(job)
        self._pool.start(job)
        return job

    @property
    def active(self) -> int:
        return len(self._jobs)

    def shutdown(self, timeout_ms: int = 15000) -> bool:
        for job in list(self._jobs):
            job.cancel()
        return bool(self._pool.waitForDone(timeout_ms))


def _log_job_error(name: str) -> Callable[[BaseException], None]:
    def report(error: BaseException) -> None:
        log.error("background job %s failed", name, exc_info=(type(error), error, error.__traceback__))

    return report
