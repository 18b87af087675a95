"""What the user did that the audit trail records, written in one place for the window and the CLI.

Unlocking the screen (and failing to), saving settings, exporting the log, storing an API key for
later: each is one function here, so the set of audited user actions is readable in one file and
no screen writes the audit log itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from desktop_app.services.autolock import verify_passphrase

if TYPE_CHECKING:  # loaded with the runtime (the store, the keyring)
    from desktop_app.services.history import History
    from desktop_app.services.profile import Profile
    from desktop_app.services.runtime import Runtime
    from desktop_app.store.messages import MessageStore


def _audit(runtime: Runtime | None, action: str, detail: str) -> None:
    """Nothing to write to before a store is open (a profile still starting has no trail yet)."""
    if runtime is not None and runtime.store is not None:
        runtime.store.audit(action, detail=detail)


def unlock(runtime: Runtime | None, passphrase: str, stored_hash: str) -> bool:
    """Check the lock screen's passphrase; both outcomes are audited."""
    ok = verify_passphrase(passphrase, stored_hash)
    _audit(runtime, "unlock" if ok else "unlock_failed", "screen lock")
    return ok


def save_settings(profile: Profile, runtime: Runtime | None, changes: dict[str, object]) -> None:
    """Apply ``changes`` to the profile's settings file and audit which settings changed (never their values)."""
    profile.update(**changes)
    settings_saved(runtime, changes)


def settings_saved(runtime: Runtime | None, names: Iterable[str]) -> None:
    _audit(runtime, "settings", ", ".join(sorted(names)))


def exported(runtime: Runtime | None, what: str, count: int) -> None:
    """Something left the app (a log export): what, and how many entries."""
    _audit(runtime, "export", f"{what}, {count} entries")


def keep_api_key(profile: Profile, runtime: Runtime | None, key: str) -> None:
    """Into the keyring, and into use at once when the runtime talks to Paubox (a 401 pause resumes)."""
    from desktop_app.store import keys  # keyring: runs on a worker

    if (runtime is not None and runtime.client is not None and not runtime.is_sandbox
            and runtime.overrides.api_base_url is None):  # fmt: skip
        runtime.update_api_key(key)  # stores, swaps the client's key, audits
        return
    keys.store_api_key(profile.settings.profile_id, key)  # kept for when the profile uses Paubox
    _audit(runtime, "api_key_changed", "stored for later use")


def _recorded(reader: History, action: str, message_id: int, detail: str = "") -> None:
    """A view holds the store by its read face (:class:`History`); recording what the user did
    with a message is this module's job, so the write is here and not in the view."""
    store = cast("MessageStore", reader)
    store.audit(action, message_id=message_id, detail=detail)


def printed(reader: History, message_id: int) -> None:
    _recorded(reader, "print", message_id)


def exported_pdf(reader: History, message_id: int, pages: int) -> None:
    _recorded(reader, "export_pdf", message_id, f"{pages} page(s)")
