"""The profile's runtime: opened on a worker once the window has painted, replaced when the user
switches profiles or changes how Sealpost connects, and closed with the window."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject

from desktop_app.services.history import NOT_OPEN
from desktop_app.services.profile import Profile
from desktop_app.ui.jobs import CancelToken

if TYPE_CHECKING:
    from desktop_app.services.runtime import Runtime
    from desktop_app.ui.main_window import MainWindow, RuntimeFactory


class RuntimeSession(QObject):
    """One runtime at a time; the window attaches it (and its features) once it is open."""

    def __init__(self, window: MainWindow, make_runtime: RuntimeFactory) -> None:
        super().__init__(window)
        self.window = window
        self._make_runtime = make_runtime
        self._opening: Runtime | None = None  # built on the worker, not attached yet; closed if we close first

    def open(self, make_profile: Callable[[], Profile], replacing: Runtime | None = None) -> None:
        """Close ``replacing`` (if any), then build and open a runtime for ``make_profile()``, all on a worker."""
        make_runtime = self._make_runtime
        window = self.window

        jobs = window.jobs
        if replacing is not None:
            jobs.cancel_preparing()  # an index or a dictionary for the profile that is going

        def run(_token: CancelToken) -> Runtime:
            if replacing is not None:
                jobs.wait_preparing()  # none still reads the store closed next
                replacing.close()
            runtime = make_runtime(make_profile())
            self._opening = runtime  # read by close() only after the job has ended
            try:
                runtime.open()
            except BaseException:
                self._opening = None
                runtime.close()  # whatever open() got as far as starting
                raise
            return runtime

        def opened(runtime: Runtime) -> None:
            if window.closing:  # close() has closed it (it was still self._opening)
                return
            self._opening = None
            window.attach(runtime)
            if replacing is not None and window.runtime is runtime:
                window.statusBar().showMessage(
                    QCoreApplication.translate("session", "Switched to {0}.").format(runtime.profile.settings.name),
                    5000,
                )

        window.jobs.submit(run, name="open runtime", on_result=opened, on_error=window.startup_failed)

    def switch_profile(self, directory: Path) -> None:
        """Close this profile's engines and open another's, without closing the window."""
        self.reopen(lambda: Profile(directory))

    def reopen(self, make_profile: Callable[[], Profile]) -> None:
        window = self.window
        old = window.runtime
        if old is None:  # still opening (or failed): one runtime at a time
            window.statusBar().showMessage(NOT_OPEN, 5000)
            return
        window.runtime = None
        window.save_window_state()
        window.connection_label.setText(self.tr("Switching…"))
        for feature in window.features.values():
            feature.detach()
        self.open(make_profile, replacing=old)

    def close(self) -> None:
        """After the window's jobs have ended: an open in progress has left its runtime in ``_opening``."""
        for runtime in (self.window.runtime, self._opening):
            if runtime is not None:
                runtime.close()
