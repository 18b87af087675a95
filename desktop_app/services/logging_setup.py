"""Application logging: a rotating file in the profile, redacted (and the terminal for commands).

The file is what a support engineer asks for (the log viewer shows API activity, which comes from
the client's activity events, not from here). Every handler passes through the redaction filter,
so nothing logged can hold an address or a key. The log folder is 0700 and
every log file, rotated ones included, is 0600 from its creation (older, looser ones are fixed).
"""

from __future__ import annotations

import logging
import os
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.core.redact import redact

if TYPE_CHECKING:
    from io import TextIOWrapper
    from logging.handlers import RotatingFileHandler

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
MAX_LOG_BYTES = 2_000_000
BACKUP_COUNT = 3


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


class EarlyRecords(logging.Handler):
    """Warnings logged before :func:`configure_logging` (the profile is loaded first, and may say
    a file was damaged), held so the log file, the log viewer and the console still get them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: deque[logging.LogRecord] = deque(maxlen=100)
        self.loggers: list[logging.Logger] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


early_records = EarlyRecords()


def hold_until_configured(logger: logging.Logger) -> None:
    """Keep ``logger``'s warnings until logging is configured, then replay them to its handlers."""
    if early_records not in logger.handlers:
        logger.addHandler(early_records)
        early_records.loggers.append(logger)


def _replay_early_records(handlers: list[logging.Handler]) -> None:
    for logger in early_records.loggers:
        logger.removeHandler(early_records)
    early_records.loggers.clear()
    while early_records.records:
        record = early_records.records.popleft()
        for handler in handlers:
            if record.levelno >= handler.level:
                handler.handle(record)


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
            self._target = _private_rotating_handler(self._path)
            self._target.setFormatter(self.formatter)
        self._target.emit(record)

    def close(self) -> None:
        if self._target is not None:
            self._target.close()
        super().close()


def _private_rotating_handler(path: Path) -> RotatingFileHandler:
    """A RotatingFileHandler whose file is created 0600 (rotation renames it, keeping the mode)."""
    import logging.handlers

    class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
        def _open(self) -> TextIOWrapper:
            fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            if hasattr(os, "fchmod"):  # POSIX; Windows has no such mode bits
                os.fchmod(fd, 0o600)  # a file left 0644 by an older version
            return open(fd, "a", encoding=self.encoding, errors=self.errors)

    for n in range(1, BACKUP_COUNT + 1):  # rotated files an older version left readable
        rotated = path.with_name(f"{path.name}.{n}")
        if rotated.exists() and rotated.stat().st_mode & 0o077:
            os.chmod(rotated, 0o600)
    return PrivateRotatingFileHandler(path, maxBytes=MAX_LOG_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8")


def configure_logging(log_dir: Path, *, verbose: bool = False, console: bool = False) -> None:
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if log_dir.stat().st_mode & 0o077:
        os.chmod(log_dir, 0o700)
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    redactor = RedactingFilter()
    file_handler = LazyRotatingFileHandler(log_dir / "sealpost.log")
    handlers: list[logging.Handler] = [file_handler]
    if console:
        stream = logging.StreamHandler()
        stream.setLevel(logging.DEBUG if verbose else logging.WARNING)
        handlers.append(stream)
    for handler in handlers:
        handler.addFilter(redactor)
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    _replay_early_records(handlers)
    # httpx logs every request URL at INFO; URLs can carry a legacy username. Keep it quiet.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
