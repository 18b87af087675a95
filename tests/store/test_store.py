"""The encrypted store: keys, rotation, schema versions, retention, search, audit chain."""

from __future__ import annotations

import secrets
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest
from keyring.backends import fail

from desktop_app.core.addresses import Address
from desktop_app.core.message import OutgoingMessage
from desktop_app.core.outbox_state import OutboxState
from desktop_app.services.profile import Mode, Profile
from desktop_app.services.runtime import Runtime, SetupError
from desktop_app.store import keys
from desktop_app.store.database import StoreError, WrongKey, open_database, rekey
from desktop_app.store.messages import HistoryFilter, MessageStore
from desktop_app.store.unlock import open_profile_database
from tests.helpers.messages import make_message

PROFILE_ID = "p1"


def open_store(path: Path, clock: float | None = None) -> MessageStore:
    connection = open_profile_database(path, PROFILE_ID)
    return MessageStore(connection) if clock is None else MessageStore(connection, clock=lambda: clock)


def test_database_file_is_encrypted(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    store.add(make_message("Canary-subject-xyz"))
    store.close()
    raw = (tmp_path / "s.db").read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert b"Canary-subject-xyz" not in raw


def test_rotation_replaces_the_key_and_keeps_every_message(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    store.add(make_message())
    old_key = keys.load_database_key(PROFILE_ID)
    store.rotate_key(PROFILE_ID)
    store.close()
    new_key = keys.load_database_key(PROFILE_ID)
    assert new_key not in (None, old_key)
    assert keys.load_pending_database_key(PROFILE_ID) is None
    assert old_key is not None
    with pytest.raises(WrongKey):
        open_database(tmp_path / "s.db", old_key)
    reopened = open_store(tmp_path / "s.db")
    assert len(reopened.list_ids(HistoryFilter())) == 1
    reopened.close()


def test_rotation_interrupted_after_re_encrypting_is_finished_on_open(tmp_path: Path) -> None:
    open_store(tmp_path / "s.db").close()
    new_key = secrets.token_bytes(32)
    keys.store_pending_database_key(PROFILE_ID, new_key)
    old_key = keys.load_database_key(PROFILE_ID)
    assert old_key is not None
    connection = open_database(tmp_path / "s.db", old_key)
    rekey(connection, new_key)
    connection.close()  # "crash" before the main keyring entry was updated
    open_store(tmp_path / "s.db").close()
    assert keys.load_database_key(PROFILE_ID) == new_key
    assert keys.load_pending_database_key(PROFILE_ID) is None


def test_rotation_interrupted_before_re_encrypting_keeps_the_old_key(tmp_path: Path) -> None:
    open_store(tmp_path / "s.db").close()
    old_key = keys.load_database_key(PROFILE_ID)
    keys.store_pending_database_key(PROFILE_ID, secrets.token_bytes(32))
    open_store(tmp_path / "s.db").close()
    assert keys.load_database_key(PROFILE_ID) == old_key
    assert keys.load_pending_database_key(PROFILE_ID) is None


def test_a_newer_schema_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    store._db.execute("PRAGMA user_version = 3000")
    store.close()
    with pytest.raises(StoreError, match="newer version of Sealpost"):
        open_store(tmp_path / "s.db")


def production_runtime(tmp_path: Path) -> Runtime:
    profile = Profile(tmp_path / "profile")
    profile.update(mode=Mode.PAUBOX)
    return Runtime(profile)


def test_wrong_key_in_the_keyring_is_explained(tmp_path: Path) -> None:
    runtime = production_runtime(tmp_path)
    open_profile_database(runtime.profile.database_path, runtime.profile.settings.profile_id).close()
    keys.store_database_key(runtime.profile.settings.profile_id, secrets.token_bytes(32))
    with pytest.raises(SetupError, match="cannot be decrypted"):
        runtime.open()


def test_missing_key_for_an_existing_database_is_explained(tmp_path: Path) -> None:
    runtime = production_runtime(tmp_path)
    open_profile_database(runtime.profile.database_path, runtime.profile.settings.profile_id).close()
    keys.delete_database_key(runtime.profile.settings.profile_id)
    with pytest.raises(SetupError, match="missing from the system keyring"):
        runtime.open()


def test_no_keyring_writes_nothing(tmp_path: Path) -> None:
    keyring.set_keyring(fail.Keyring())
    runtime = production_runtime(tmp_path)
    with pytest.raises(SetupError, match="No secure OS keyring"):
        runtime.open()
    # The open lock (empty: it only makes processes take turns opening the profile) is all there is besides.
    assert sorted(p.name for p in runtime.profile.directory.iterdir()) == ["open.lock", "settings.json"]
    assert (runtime.profile.directory / "open.lock").stat().st_size == 0


class LockedKeyring(keyring.backend.KeyringBackend):
    priority = 0.05  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("locked")


def test_locked_keyring_is_explained_and_writes_nothing(tmp_path: Path) -> None:
    keyring.set_keyring(LockedKeyring())
    runtime = production_runtime(tmp_path)
    with pytest.raises(SetupError, match="locked; unlock it"):
        runtime.open()
    assert not runtime.profile.database_path.exists()


def accepted(store: MessageStore, subject: str) -> int:
    message_id = store.add(make_message(subject)).id
    store.transition(message_id, OutboxState.SENDING)
    store.transition(message_id, OutboxState.ACCEPTED, tracking_id=f"t-{message_id}")
    return message_id


def test_retention_purges_old_history_but_keeps_the_audit_log(tmp_path: Path) -> None:
    old = open_store(tmp_path / "s.db", clock=1_000.0)
    old_id = accepted(old, "Old letter")
    old.audit("send", message_id=old_id)
    old.close()
    store = open_store(tmp_path / "s.db", clock=1_000_000.0)
    accepted(store, "New letter")
    assert store.purge_older_than(500_000.0) == 1
    assert store.list_ids(HistoryFilter(search="letter")) != [old_id]
    assert len(store.list_ids(HistoryFilter(search="letter"))) == 1
    assert store.timeline(old_id) == []
    assert [e.action for e in store.audit_entries()] == ["send"]
    store.close()


def test_runtime_purges_on_open_per_the_retention_setting(tmp_path: Path) -> None:
    runtime = production_runtime(tmp_path)
    runtime.profile.update(retention_days=30)
    old = MessageStore(open_profile_database(runtime.profile.database_path, runtime.profile.settings.profile_id),
                       clock=lambda: 1_000.0)  # fmt: skip
    accepted(old, "Ancient")
    old.close()
    runtime.open(start_engines=False)
    try:
        assert runtime.store is not None
        assert runtime.store.list_ids(HistoryFilter()) == []
        assert runtime.store.audit_entries()[-1].action == "purge"
    finally:
        runtime.close()


def test_search_and_filters(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    knee = accepted(store, "Knee MRI results")
    store.add(make_message("Flu shot reminder", to="lee@example.net"))
    assert store.list_ids(HistoryFilter(search="kne")) == [knee]
    assert store.list_ids(HistoryFilter(search="MRI", states=(OutboxState.QUEUED,))) == []
    assert len(store.list_ids(HistoryFilter(recipient="example.net"))) == 1
    assert store.list_ids(HistoryFilter(search='"; DROP TABLE messages; --')) == []
    store.close()


def test_audit_log_is_append_only_and_chained(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    for action in ("unlock", "send", "export", "settings"):
        store.audit(action)
    assert store.verify_audit_chain() is None
    with pytest.raises(Exception, match="append-only"):
        store._db.execute("UPDATE audit_log SET action = 'x'")
    store.close()


@pytest.mark.keyring
def test_rotation_with_the_real_secret_service(tmp_path: Path) -> None:
    profile_id = secrets.token_hex(8)
    store = MessageStore(open_profile_database(tmp_path / "s.db", profile_id))
    store.add(make_message())
    store.rotate_key(profile_id)
    store.close()
    reopened = MessageStore(open_profile_database(tmp_path / "s.db", profile_id))
    assert len(reopened.list_ids(HistoryFilter())) == 1
    reopened.close()
    keys.delete_database_key(profile_id)


def test_recipient_names_are_searchable_as_typed(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    named = store.add(
        OutgoingMessage(
            sender="staff@clinic.example",
            to=(Address("t.alvarez@mail.example", "Tomás Álvarez"),),
            subject="Prescription renewal",
            text="Ready for pickup",
        )
    )
    assert store.list_ids(HistoryFilter(search="Álvarez")) == [named.id]
    assert store.list_ids(HistoryFilter(search="alvarez")) == [named.id]  # accents optional when searching
    assert store.list_ids(HistoryFilter(recipient="Tomás")) == [named.id]
    store.close()


def test_daily_counts_for_the_history_chart(tmp_path: Path) -> None:
    from desktop_app.api.models import RecipientDelivery

    day = 86_400.0
    start = 1_000_000.0
    stores = {n: open_store(tmp_path / "s.db", clock=start + n * day + 60) for n in (0, 2)}
    first = accepted(stores[0], "Day one, delivered and opened")
    stores[0].record_receipt(first, [RecipientDelivery("pat@example.org", "delivered", opened_status="opened")],
                             final=True, next_poll_at=None)  # fmt: skip
    stores[0].close()
    bounced = accepted(stores[2], "Day three, bounced")
    stores[2].record_receipt(bounced, [RecipientDelivery("pat@example.org", "hard bounced")], final=True,
                             next_poll_at=None)  # fmt: skip
    stores[2].add(make_message("Still queued: not sent yet"))
    counts = stores[2].daily_counts(start, 3)
    assert counts == {"sent": [1, 0, 1], "delivered": [1, 0, 0], "bounced": [0, 0, 1], "opened": [1, 0, 0]}
    assert stores[2].daily_counts(start + day, 3)["sent"] == [0, 1, 0]  # the first day is before the window
    stores[2].close()
