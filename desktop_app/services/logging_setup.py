"""Application logging: a rotating file in the profile, redacted, plus an in-memory ring buffer.

The ring buffer feeds the log viewer; the file is what a support engineer asks for. Both pass
through the redaction filter, so neither can hold an address or a key.
"""

from __future__ import annotations

import logging
from collections import deque
from pathlib import Path

from desktop_app.core.redact import redact

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
            record.exc_text = None
        record.msg = redact(message)
        record.args = None
        return True


class RingBufferHandler(logging.Handler):
    """Keeps the newest records in memory for the log viewer; listeners hear about new ones."""

    def __init__(self, capacity: int = 2000) -> None:
        super().__init__()
        self.records: deque[logging.LogRecord] = deque(maxlen=capacity)

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


ring_buffer = RingBufferHandler()


class LazyRotatingFileHandler(logging.Handler):
    """A rotating log file opened at the first record, not at start-up.

    ``logging.handlers`` pulls in socket, pickle and queue; deferring it keeps them out of the
    time before the main window first paints, and a session that logs nothing creates no file.
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._path = path
        self._target: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._target is None:
            import logging.handlers

            self._target = logging.handlers.RotatingFileHandler(
                self._path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
            )
            self._target.setFormatter(self.formatter)
        self._target.emit(record)

    def close(self) -> None:
        if self._target is not None:
            self._target.close()
        super().close()


def configure_logging(log_dir: Path, *, verbose: bool = False, console: bool = False) -> None:
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    redactor = RedactingFilter()
    file_handler = LazyRotatingFileHandler(log_dir / "sealpost.log")
    handlers: list[logging.Handler] = [file_handler, ring_buffer]
    if console:
        stream = logging.StreamHandler()
        stream.setLevel(logging.DEBUG if verbose else logging.WARNING)
        handlers.append(stream)
    for handler in handlers:
        handler.addFilter(redactor)
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    # httpx logs every request URL at INFO; URLs can carry a legacy username. Keep it quiet.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
