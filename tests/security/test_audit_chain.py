"""Audit log tamper detection (docs/security.md §7).

The table's append-only triggers stop the app itself from editing history. An attacker holding the
database key can drop them; these tests do exactly that on a raw connection and check that the
hash chain still exposes the edit.
"""

from __future__ import annotations

import pytest

from desktop_app.services.runtime import Runtime
from desktop_app.store.database import DatabaseError
from tests.security.faults import message
from tests.security.tally import count


def _history(runtime: Runtime) -> None:
    for n in range(4):
        runtime.queue(message(n))
    assert runtime.store is not None
    assert len(runtime.store.audit_entries()) == 4
    assert runtime.store.verify_audit_chain() is None


def _as_attacker(runtime: Runtime, statement: str) -> None:
    assert runtime.store is not None
    db = runtime.store._db
    with runtime.store._lock:  # as every statement of the app: its engines use the connection meanwhile
        db.execute("DROP TRIGGER audit_log_no_update")
        db.execute("DROP TRIGGER audit_log_no_delete")
        db.execute(statement)


def test_the_app_cannot_edit_or_delete_entries(runtime: Runtime) -> None:
    _history(runtime)
    assert runtime.store is not None
    before = runtime.store.audit_entries()
    for statement in ("UPDATE audit_log SET actor = 'x' WHERE id = 2", "DELETE FROM audit_log WHERE id = 2"):
        # Under the store's lock, as the app runs every statement: the engines sending the queued
        # messages share the connection; without it the UPDATE once ran without its trigger's error (CI).
        with runtime.store._lock, pytest.raises(DatabaseError):
            runtime.store._db.execute(statement)
    assert runtime.store.audit_entries() == before


@pytest.mark.parametrize(
    ("statement", "first_bad"),
    [
        ("UPDATE audit_log SET detail = 'nothing to see' WHERE id = 2", 2),
        ("UPDATE audit_log SET actor = 'someone else' WHERE id = 3", 3),
        ("UPDATE audit_log SET at = at - 86400 WHERE id = 1", 1),
        ("UPDATE audit_log SET action = 'export' WHERE id = 4", 4),
        ("DELETE FROM audit_log WHERE id = 2", 3),
        ("DELETE FROM audit_log WHERE id = 1", 2),
    ],
)
def test_an_edited_or_deleted_entry_breaks_the_chain(runtime: Runtime, statement: str, first_bad: int) -> None:
    count("audit tampering cases")
    _history(runtime)
    _as_attacker(runtime, statement)
    assert runtime.store is not None
    assert runtime.store.verify_audit_chain() == first_bad


def test_removing_the_newest_entry_is_detected(runtime: Runtime) -> None:
    _history(runtime)
    assert runtime.verify_audit() is None
    _as_attacker(runtime, "DELETE FROM audit_log WHERE id = 4")
    assert runtime.verify_audit() == 4


def test_the_audit_anchor_is_kept_in_the_keyring_and_survives_a_restart(runtime: Runtime) -> None:
    _history(runtime)
    runtime.close()  # a clean exit writes the newest head
    reopened = Runtime(runtime.profile, runtime.overrides)
    reopened.open(start_engines=False)
    try:
        assert reopened.verify_audit() is None
        _as_attacker(reopened, "DELETE FROM audit_log WHERE id = 4")
        assert reopened.verify_audit() == 4
    finally:
        reopened.close()
