"""One window per profile: a second start says the profile is open and offers to show that window.

Two windows on one profile would each show and edit the same drafts and outbox, and staff could
not tell which one sends. The first window holds the profile's window lock (released by the
kernel if it dies) and listens on a local socket named after the profile; a second start finds
the lock taken, says so in words, and can ask the first window to come to the front. The window
takes the lock before it is shown and listens once it has painted: QtNetwork and the socket are
not worth a moment of the first paint (a second start asks only after its user said so).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal

from desktop_app import APP_NAME
from desktop_app.core.times import shown_time
from desktop_app.services.ownership import WINDOW_LOCK_FILE, ProfileLock

if TYPE_CHECKING:  # the window claims its profile before its first paint, which needs neither
    from PySide6.QtNetwork import QLocalServer, QLocalSocket
    from PySide6.QtWidgets import QMessageBox, QWidget

SHOW_REQUEST = b"show\n"


def server_name(profile_dir: Path) -> str:
    """The local socket's name: the same for every process on this profile, nothing of its path revealed."""
    import hashlib  # here: it loads OpenSSL, which the first paint does not need

    digest = hashlib.sha256(str(profile_dir.resolve()).encode("utf-8")).hexdigest()[:24]
    return f"sealpost-window-{digest}"


class WindowClaim(QObject):
    """This process's claim to be the window of a profile, and the way others reach it."""

    show_requested = Signal()  # another start asked this window to come to the front
    delivered = Signal(bool)  # for a second start: whether the open window got the request

    def __init__(self, profile_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = ProfileLock(profile_dir, WINDOW_LOCK_FILE, role="the Sealpost window")
        self._profile_dir = profile_dir
        self._server: QLocalServer | None = None
        self._socket: QLocalSocket | None = None

    def try_claim(self, *, listen: bool = True) -> bool:
        """Become the profile's window if none is open; then listen for "show yourself" requests
        (or later, with :meth:`listen`)."""
        if not self._lock.try_acquire():
            return False
        if listen:
            self.listen()
        return True

    def listen(self) -> None:
        """Hear other starts' requests (once the claim is ours; a second call does nothing)."""
        from PySide6.QtNetwork import QLocalServer

        if self._server is not None or not self._lock.held:
            return
        name = server_name(self._profile_dir)
        QLocalServer.removeServer(name)  # a socket left by a window that died: the lock proves it gone
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        server.newConnection.connect(self._accept)
        server.listen(name)
        self._server = server

    def describe_holder(self) -> str:
        holder = self._lock.holder()
        if holder is None:
            return "Another Sealpost window is using it."
        since = shown_time(holder.since)
        return f"The window opened at {since} (process {holder.pid}) is using it."

    def ask_open_window_to_show(self) -> None:
        """Ask the open window to come to the front; ``delivered`` says whether it heard (never blocks)."""
        from PySide6.QtNetwork import QLocalSocket

        socket = QLocalSocket(self)
        self._socket = socket
        # Bound methods, not lambdas: Qt drops them if this object goes first, so a socket closing
        # while its owner is destroyed never calls into a half-deleted object.
        socket.connected.connect(self._send_show)
        socket.disconnected.connect(self._heard)
        socket.errorOccurred.connect(self._not_heard)
        socket.connectToServer(server_name(self._profile_dir))

    def _send_show(self) -> None:
        assert self._socket is not None
        self._socket.write(SHOW_REQUEST)
        self._socket.flush()
        self._socket.disconnectFromServer()

    def _heard(self) -> None:
        self.delivered.emit(True)

    def _not_heard(self, _error: QLocalSocket.LocalSocketError) -> None:
        self.delivered.emit(False)

    def release(self) -> None:
        """Give the profile up (at exit): close the listener and any request still going."""
        if self._socket is not None:
            self._socket.disconnected.disconnect(self._heard)
            self._socket.errorOccurred.disconnect(self._not_heard)
            self._socket.abort()
            self._socket = None
        if self._server is not None:
            self._server.close()
            self._server = None
        self._lock.release()

    def _accept(self) -> None:
        assert self._server is not None
        while (connection := self._server.nextPendingConnection()) is not None:
            connection.readyRead.connect(self._read)
            connection.disconnected.connect(connection.deleteLater)

    def _read(self) -> None:
        from PySide6.QtNetwork import QLocalSocket

        connection = self.sender()
        if isinstance(connection, QLocalSocket) and bytes(connection.readAll().data()).startswith(b"show"):
            self.show_requested.emit()


def already_open_box(claim: WindowClaim, parent: QWidget | None = None) -> QMessageBox:
    """The words a second start shows: what is going on, and the one useful thing to do."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Information, f"{APP_NAME} is already open",
                      f"{APP_NAME} is already open for this profile.", parent=parent)  # fmt: skip
    box.setInformativeText(
        QCoreApplication.translate(
            "single_window",
            "{0} A profile is open in one window at a time, so that every message is written, sent and tracked in one place.",  # noqa: E501
        ).format(claim.describe_holder())
    )
    box.addButton(
        QCoreApplication.translate("single_window", "Show the open window"), QMessageBox.ButtonRole.AcceptRole
    )
    box.addButton(QCoreApplication.translate("single_window", "Close"), QMessageBox.ButtonRole.RejectRole)
    return box


def bring_to_front(window: QWidget) -> None:
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
