"""SIGTERM and SIGINT close the window the way Ctrl+Q does, instead of killing the process.

A logout, a shutdown, ``kill`` or an IT tool's stop sends SIGTERM; Ctrl+C in the terminal that
started the window sends SIGINT. Killed by the default action, the window left its requests in
flight for the next sending owner to settle as "outcome unknown", its database's write-ahead log
open, and (for SIGINT) a traceback on the terminal. Python runs a signal handler only when the
interpreter next runs, which in a Qt event loop can be never, so the signal is written to a
pipe Qt watches (:func:`signal.set_wakeup_fd`) and the window closes on the GUI thread. A pipe,
not a socket pair, except on Windows, whose wakeup descriptor must be a socket: the ``socket``
module (and the selectors and enums it loads) cost the first paint ~4 ms.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable

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
        self._read, reader, self._ends = _wakeup_channel()
        for number in CLOSING_SIGNALS:
            signal.signal(number, _noted)  # a Python handler, so the number reaches the channel
        self._notifier = QSocketNotifier(reader, QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._woken)

    def _woken(self) -> None:
        with contextlib.suppress(OSError):
            received = self._read() or b""
            names = ", ".join(signal.Signals(n).name for n in received if n in _CLOSING_NUMBERS)
            if names:
                log.info("closing the window on %s", names)
                self._window.close()  # a second signal while it closes finds it closing: nothing more


def _wakeup_channel() -> tuple[Callable[[], bytes | None], int, tuple[object, ...]]:
    """A non-blocking channel whose write end is the wakeup descriptor: (read what arrived, the read
    end's descriptor for Qt to watch, the objects that keep both ends open)."""
    if sys.platform == "win32":  # pragma: no cover - Windows builds are not tested here (docs/install.md)
        import socket

        reader, writer = socket.socketpair()
        for end in (reader, writer):
            end.setblocking(False)
        signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
        return lambda: reader.recv(64), reader.fileno(), (reader, writer)
    read_end, write_end = os.pipe()
    for fd in (read_end, write_end):
        os.set_blocking(fd, False)
    pipe_reader, pipe_writer = os.fdopen(read_end, "rb", buffering=0), os.fdopen(write_end, "wb", buffering=0)
    signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    return lambda: pipe_reader.read(64), read_end, (pipe_reader, pipe_writer)


def _noted(_number: int, _frame: object) -> None:
    """Nothing to do here: the wakeup channel carries the signal to the GUI thread."""
