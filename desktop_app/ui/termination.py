"""SIGTERM and SIGINT close the window the way Ctrl+Q does, instead of killing the process.

A logout, a shutdown, ``kill`` or an IT tool's stop sends SIGTERM; Ctrl+C in the terminal that
started the window sends SIGINT. Killed by the default action, the window left its requests in
flight for the next sending owner to settle as "outcome unknown", its database's write-ahead log
open, and (for SIGINT) a traceback on the terminal. Python runs a signal handler only when the
interpreter next runs, which in a Qt event loop can be never, so the signal is written to a
socket Qt watches (:func:`signal.set_wakeup_fd`) and the window closes on the GUI thread.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket

from PySide6.QtCore import QObject, QSocketNotifier
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

CLOSING_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_CLOSING_NUMBERS = frozenset(int(number) for number in CLOSING_SIGNALS)


class CloseOnTermination(QObject):
    """Owned by the window: while it lives, a closing signal closes it (once)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        for number in CLOSING_SIGNALS:
            signal.signal(number, _noted)  # a Python handler, so the number reaches the socket
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._woken)

    def _woken(self) -> None:
        with contextlib.suppress(OSError):
            received = self._reader.recv(64)
            names = ", ".join(signal.Signals(n).name for n in received if n in _CLOSING_NUMBERS)
            if names:
                log.info("closing the window on %s", names)
                self._window.close()  # a second signal while it closes finds it closing: nothing more


def _noted(_number: int, _frame: object) -> None:
    """Nothing to do here: the wakeup socket carries the signal to the GUI thread."""
