"""keyring's Secret Service backend, holding one D-Bus connection and one secret session per process.

keyring's own backend opens a new D-Bus connection for every read and write, and every secret it
moves opens a new session with the service: a Diffie-Hellman exchange, two 1024-bit modular powers
in Python (≈ 5 ms of CPU each time). Opening a new profile reads and writes the keyring four or five
times, the audit anchor twice more: ≈ 30 ms of a short command went to key exchanges. This backend
is the same backend (same items, same attributes, same collection, same unlock prompts) that keeps
its connection and its session until the process ends, and opens them again once if the service
went away meanwhile (a restarted keyring daemon). Callers serialise it (store/keys.py's lock).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

import secretstorage
from jeepney.wrappers import DBusErrorResponse  # type: ignore[import-untyped]
from keyring.backends import SecretService
from keyring.errors import InitError, KeyringLocked, PasswordDeleteError
from secretstorage.collection import Collection
from secretstorage.dhcrypto import Session
from secretstorage.exceptions import LockedException, PromptDismissedException, SecretStorageException
from secretstorage.util import open_session

_Result = TypeVar("_Result")
_GONE = (OSError, EOFError, DBusErrorResponse, SecretStorageException)
"""What a call on a connection or session that has gone raises; a locked keyring is not among them."""


class SharedConnectionKeyring(SecretService.Keyring):
    """Secret Service Keyring (one connection, one session)"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[no-untyped-call]
        self._connection: Any = None  # jeepney's DBusConnection (untyped)
        self._session: Session | None = None

    def get_preferred_collection(self) -> Collection:
        """The collection keyring's backend would use, on this process's connection and session."""
        if self._connection is None:
            self._connection = secretstorage.dbus_init()
        try:
            if hasattr(self, "preferred_collection"):
                collection = Collection(self._connection, self.preferred_collection, session=self._session)
            else:
                collection = secretstorage.get_default_collection(self._connection, session=self._session)
        except SecretStorageException as error:
            raise InitError(f"Failed to create the collection: {error}.") from error
        if collection.is_locked():
            collection.unlock()
            if collection.is_locked():  # the user dismissed the prompt
                raise KeyringLocked("Failed to unlock the collection!")
        return collection

    def _session_for(self, collection: Collection) -> Session:
        if self._session is None:
            self._session = open_session(collection.connection)
        collection.session = self._session
        return self._session

    def _again_if_gone(self, action: Callable[[Collection], _Result]) -> _Result:
        """``action`` on the collection; once more, on a new connection and session, if it failed
        on the kept ones (a closed socket, a session or collection the service no longer knows)."""
        kept = self._connection is not None
        try:
            return action(self.get_preferred_collection())
        except (PromptDismissedException, LockedException):
            raise  # the user said no: never ask twice
        except _GONE:
            if not kept:
                raise  # it failed on a fresh connection: as keyring's backend would
            self.forget_connection()
            return action(self.get_preferred_collection())

    def forget_connection(self) -> None:
        """Close the connection; the next call opens a new one (and a new session)."""
        connection, self._connection, self._session = self._connection, None, None
        if connection is not None:
            with contextlib.suppress(OSError):
                connection.close()

    def get_password(self, service: str, username: str) -> str | None:
        def read(collection: Collection) -> str | None:
            for item in collection.search_items(self._query(service, username)):
                self.unlock(item)  # type: ignore[no-untyped-call]
                item.session = self._session_for(collection)
                return str(item.get_secret().decode("utf-8"))
            return None

        return self._again_if_gone(read)

    def set_password(self, service: str, username: str, password: str) -> None:
        attributes = self._query(service, username, application=self.appid)
        label = f"Password for '{username}' on '{service}'"

        def write(collection: Collection) -> None:
            self._session_for(collection)
            collection.create_item(label, attributes, password, replace=True)  # type: ignore[arg-type]  # str is encoded

        self._again_if_gone(write)

    def delete_password(self, service: str, username: str) -> None:
        def delete(collection: Collection) -> None:
            for item in collection.search_items(self._query(service, username)):
                item.delete()
                return
            raise PasswordDeleteError("No such password!")

        self._again_if_gone(delete)
