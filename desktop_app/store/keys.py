"""Secrets in the OS keyring: the database key and the Paubox API keys.

Nothing here ever falls back to a file. When no keyring is usable the caller gets a
``KeyringUnavailable`` whose message tells the user what to do.
"""

from __future__ import annotations

import contextlib
import importlib
import secrets
import sys
import threading

if sys.platform != "darwin":
    # keyring imports every backend it ships to choose one, and its macOS backend asks ctypes to find
    # Apple's frameworks, which off macOS runs ldconfig and gcc (≈ 0.1 s of every start). It cannot work
    # here anyway: without its module the backend says "not viable" as it would after the search failed.
    sys.modules.setdefault("keyring.backends.macOS.api", None)  # type: ignore[arg-type]

import keyring
import keyring.core
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import fail

from desktop_app.core.errors import KnownError

SERVICE = "Sealpost"
DATABASE_KEY_BYTES = 32

# Secret Service calls are not safe to interleave from several threads (Vorta serialises them).
_keyring_lock = threading.Lock()


class KeyringUnavailable(KnownError, RuntimeError):
    """No usable OS keyring: the app must not store secrets anywhere else."""


OS_KEYRING_MODULES = {
    "linux": ("SecretService", "kwallet", "libsecret"),
    "win32": ("Windows",),
    "darwin": ("macOS",),
}
"""The keyring backends keyring itself ships for each platform: the OS keyrings Sealpost trusts."""

_chosen = False  # whether this process has chosen its keyring (under _keyring_lock)


def _choose_keyring() -> None:
    """Choose the keyring once, as keyring would, but without its search of every installed package.

    keyring's own choice first loads the keyring plugins of every package in the environment (an
    entry-point scan: ≈ 30 ms of every command, more than the keyring's answer takes). Sealpost
    looks at the OS keyrings keyring ships (:data:`OS_KEYRING_MODULES`) and, when exactly one of
    them answers, uses it: the same one keyring would pick, short of a third-party plugin that
    outranks it. Everything else is keyring's own way: an explicit choice
    (``PYTHON_KEYRING_BACKEND``, ``keyringrc.cfg``, or ``keyring.set_keyring`` as tests do),
    none answering (so its failure says why), or several (keyring chains them). A profile whose
    key only such a plugin holds is still opened: see :func:`search_every_keyring`.
    """
    global _chosen
    if _chosen:
        return
    _chosen = True
    if getattr(keyring.core, "_keyring_backend", None) is not None:
        return  # chosen already (keyring.set_keyring)
    explicit = keyring.core.load_env() or keyring.core.load_config()
    if explicit is not None:
        keyring.set_keyring(explicit)
        return
    answering = [ring for ring in _os_keyrings() if ring.priority > 0]
    if len(answering) == 1:
        keyring.set_keyring(_shared_connection(answering[0]))


def _shared_connection(ring: KeyringBackend) -> KeyringBackend:
    """keyring's Secret Service backend as one that keeps its D-Bus connection and secret session
    (store/secret_service.py: the same items, without a key exchange for every secret)."""
    if type(ring).__module__ != "keyring.backends.SecretService" or type(ring).__name__ != "Keyring":
        return ring
    from desktop_app.store.secret_service import SharedConnectionKeyring

    return SharedConnectionKeyring()


def _os_keyrings() -> list[KeyringBackend]:
    rings: list[KeyringBackend] = []
    for name in OS_KEYRING_MODULES.get(sys.platform, ()):
        try:
            module = importlib.import_module(f"keyring.backends.{name}")
        except ImportError:  # a bundle without it: as keyring does with a plugin that fails to load
            continue
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, KeyringBackend)
                    and value.__module__ == module.__name__ and value.viable):  # fmt: skip
                with contextlib.suppress(TypeError):  # as keyring does: one that needs arguments is skipped
                    rings.append(value())
    return rings


def search_every_keyring() -> bool:
    """Choose the keyring keyring's full search finds (third-party plugins included), if it is another
    one than this process uses; True if it switched. For a database whose key the chosen keyring lacks."""
    with _keyring_lock:
        before = type(keyring.get_keyring())
        keyring.core.init_backend()
        return type(keyring.get_keyring()) is not before


def choose_backend() -> None:
    """Choose this process's keyring now, on the caller's thread: on Linux that asks the secret
    services over D-Bus whether they answer, round trips that are mostly waiting, which a thread
    can overlap with other work (the window: with building its views, before the first key is read)."""
    with _keyring_lock:
        _choose_keyring()
        keyring.get_keyring()


def _backend_usable() -> None:
    _choose_keyring()
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or type(backend).__module__.startswith("keyrings.alt"):
        raise KeyringUnavailable(
            "No secure OS keyring is available. Sealpost keeps its encryption key and API keys only "
            "in the system keyring (GNOME Keyring, KWallet, macOS Keychain or Windows Credential "
            "Manager); start or install one, then open Sealpost again."
        )


def _get(name: str) -> str | None:
    with _keyring_lock:
        _backend_usable()
        try:
            value: str | None = keyring.get_password(SERVICE, name)
            return value
        except keyring.errors.KeyringLocked:
            raise KeyringUnavailable("The system keyring is locked; unlock it and try again.") from None
        except keyring.errors.KeyringError as error:
            raise KeyringUnavailable(f"The system keyring could not be read ({type(error).__name__}).") from None


def _set(name: str, value: str) -> None:
    with _keyring_lock:
        _backend_usable()
        try:
            keyring.set_password(SERVICE, name, value)
        except keyring.errors.KeyringLocked:
            raise KeyringUnavailable("The system keyring is locked; unlock it and try again.") from None
        except keyring.errors.KeyringError as error:
            raise KeyringUnavailable(f"The system keyring refused the key ({type(error).__name__}).") from None


def _delete(name: str) -> None:
    with _keyring_lock:
        _backend_usable()
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password(SERVICE, name)


def _db_entry(profile_id: str) -> str:
    return f"database-key:{profile_id}"


def _api_entry(profile_id: str) -> str:
    return f"api-key:{profile_id}"


def load_database_key(profile_id: str) -> bytes | None:
    value = _get(_db_entry(profile_id))
    return bytes.fromhex(value) if value else None


def create_database_key(profile_id: str) -> bytes:
    """Make a random 256-bit key and store it; read it back so a silently failing backend is caught."""
    key = secrets.token_bytes(DATABASE_KEY_BYTES)
    _set(_db_entry(profile_id), key.hex())
    if load_database_key(profile_id) != key:
        raise KeyringUnavailable("The system keyring did not keep the database key; check the keyring.")
    return key


def store_database_key(profile_id: str, key: bytes) -> None:
    _set(_db_entry(profile_id), key.hex())


def load_api_key(profile_id: str) -> str | None:
    return _get(_api_entry(profile_id))


def store_api_key(profile_id: str, api_key: str) -> None:
    _set(_api_entry(profile_id), api_key)


def delete_api_key(profile_id: str) -> None:
    _delete(_api_entry(profile_id))


def delete_database_key(profile_id: str) -> None:
    _delete(_db_entry(profile_id))


def _pending_db_entry(profile_id: str) -> str:
    return f"database-key-pending:{profile_id}"


def load_pending_database_key(profile_id: str) -> bytes | None:
    """The key a rotation was moving to; present only if that rotation did not finish."""
    value = _get(_pending_db_entry(profile_id))
    return bytes.fromhex(value) if value else None


def store_pending_database_key(profile_id: str, key: bytes) -> None:
    """Keep the new key before the database is re-encrypted, so a crash mid-rotation loses nothing."""
    _set(_pending_db_entry(profile_id), key.hex())
    if load_pending_database_key(profile_id) != key:
        raise KeyringUnavailable("The system keyring did not keep the new database key; check the keyring.")


def delete_pending_database_key(profile_id: str) -> None:
    _delete(_pending_db_entry(profile_id))


def _audit_anchor_entry(profile_id: str) -> str:
    return f"audit-anchor:{profile_id}"


def load_audit_anchor(profile_id: str) -> str | None:
    """The newest audit entry's ``id:hash``, kept outside the database it vouches for."""
    return _get(_audit_anchor_entry(profile_id))


def store_audit_anchor(profile_id: str, anchor: str) -> None:
    _set(_audit_anchor_entry(profile_id), anchor)
