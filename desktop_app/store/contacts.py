"""The address book, in the encrypted store: people and organisations, their addresses, and how
each address was verified (how, by whom on the staff, when), a "do not email" flag and bounces.

Every change is one transaction that writes its audit entry in the same commit, so the trail and
the address book can never disagree. Audit entries name contacts and addresses by their ids, never
a name or an address (the trail is exported for compliance reviews). Addresses are unique across
the book (matched without case): one address belongs to one contact, so a merge of duplicates is exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from desktop_app.store.audit_log import AuditAnchor, AuditLog
from desktop_app.store.database import Connection, StoreError, transaction

_ADDRESS_COLUMNS = "id, contact_id, email, verified_how, verified_by, verified_at, do_not_email, bounced_at, source"


class Kind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class Verification(StrEnum):
    """How an address was confirmed to be the person's; "" is not at all."""

    UNVERIFIED = ""
    IN_PERSON = "in-person"
    PHONE = "phone"
    EHR = "ehr"
    DIRECTORY = "directory"
    REPLY = "reply"

    @property
    def label(self) -> str:
        return {"": "unverified", "in-person": "in person", "phone": "by phone", "ehr": "from the EHR",
                "directory": "from a directory import", "reply": "by a reply"}[self.value]  # fmt: skip


class ContactError(StoreError):
    """An address-book change that cannot be made; the words say why."""


@dataclass(frozen=True)
class ContactAddress:
    id: int
    contact_id: int
    email: str
    verified_how: Verification
    verified_by: str
    verified_at: float | None
    do_not_email: bool
    bounced_at: float | None
    source: str

    @property
    def verified(self) -> bool:
        return self.verified_how is not Verification.UNVERIFIED


@dataclass(frozen=True)
class Contact:
    id: int
    kind: Kind
    display_name: str
    organisation: str
    note: str
    created_at: float
    updated_at: float
    addresses: tuple[ContactAddress, ...] = ()


@dataclass(frozen=True)
class NewContact:
    """A contact to add: its addresses already checked (services/contacts.py)."""

    display_name: str
    emails: tuple[str, ...]
    kind: Kind = Kind.PERSON
    organisation: str = ""
    note: str = ""
    source: str = ""


def email_key(email: str) -> str:
    return email.strip().casefold()


class ContactStore:
    """The address book, on the message store's one connection and under its lock; its changes go
    into the store's audit chain (and so to the keyring anchor and any syslog forwarding)."""

    def __init__(self, store: AuditLog) -> None:
        self._db = store._db
        self._lock = store._lock
        self._clock = store._clock
        self._append_audit = store._append_audit
        self._audit_appended = store._audit_appended

    def add_contact(self, contact: NewContact, *, actor: str) -> Contact:
        """Add one contact with its addresses; ContactError if an address is already someone's."""
        return self.contact(self.add_contacts([contact], actor=actor, action="contact_add")[0])

    def add_contacts(self, contacts: Sequence[NewContact], *, actor: str, action: str = "contact_import") -> list[int]:
        """Add many in one transaction and one audit entry (an import): all of them, or none."""
        now = self._clock()
        with self._lock, transaction(self._db) as db:
            ids = [self._insert_contact(db, now, contact) for contact in contacts]
            detail = f"contact {ids[0]}" if len(ids) == 1 else f"{len(ids)} contacts"
            anchor = self._append_audit(db, now, actor, action, None, detail)
        self._audit_appended(anchor)
        return ids

    def _insert_contact(self, db: Connection, now: float, contact: NewContact) -> int:
        cursor = db.execute(
            "INSERT INTO contacts (kind, display_name, organisation, note, created_at, updated_at) "
            "VALUES (?,?,?,?,?,?)",
            (contact.kind.value, contact.display_name, contact.organisation, contact.note, now, now),
        )
        contact_id = int(cursor.lastrowid or 0)
        for email in contact.emails:
            self._insert_address(db, contact_id, email, contact.source)
        return contact_id

    @staticmethod
    def _insert_address(db: Connection, contact_id: int, email: str, source: str) -> None:
        owner = db.execute(
            "SELECT c.display_name FROM contact_addresses a JOIN contacts c ON c.id = a.contact_id "
            "WHERE a.email_key = ?",
            (email_key(email),),
        ).fetchone()
        if owner is not None:
            raise ContactError(f"{email} is already in the address book, for {owner[0]}.")
        db.execute("INSERT INTO contact_addresses (contact_id, email, email_key, source) VALUES (?,?,?,?)",
                   (contact_id, email, email_key(email), source))  # fmt: skip

    def update_contact(self, contact_id: int, *, actor: str, **fields: Any) -> Contact:
        """Change the name, kind, organisation or note; only the fields given."""
        allowed = {"display_name", "kind", "organisation", "note"}
        if not fields or set(fields) - allowed:
            raise ValueError(f"update_contact takes {sorted(allowed)}")
        values = {k: (v.value if isinstance(v, StrEnum) else v) for k, v in fields.items()}
        with self._lock, transaction(self._db) as db:
            self._existing(db, contact_id)
            assignments = ", ".join(f"{name} = ?" for name in values)
            db.execute(f"UPDATE contacts SET {assignments}, updated_at = ? WHERE id = ?",
                       (*values.values(), self._clock(), contact_id))  # fmt: skip
            anchor = self._append_audit(db, self._clock(), actor, "contact_edit", None,
                                        f"contact {contact_id}: {', '.join(sorted(values))}")  # fmt: skip
        self._audit_appended(anchor)
        return self.contact(contact_id)

    def add_address(self, contact_id: int, email: str, *, actor: str, source: str = "") -> Contact:
        return self._audited(contact_id, actor, "contact_edit", f"contact {contact_id}: an address added",
                             lambda db: self._insert_address(db, contact_id, email, source))  # fmt: skip

    def remove_address(self, contact_id: int, email: str, *, actor: str) -> Contact:
        def remove(db: Connection) -> None:
            gone = db.execute("DELETE FROM contact_addresses WHERE contact_id = ? AND email_key = ?",
                              (contact_id, email_key(email))).rowcount  # fmt: skip
            if not gone:
                raise ContactError(f"{email} is not one of this contact's addresses.")

        return self._audited(contact_id, actor, "contact_edit", f"contact {contact_id}: an address removed", remove)

    def set_verification(self, email: str, how: Verification, *, actor: str) -> ContactAddress:
        """Record how ``email`` was confirmed (or that it no longer is), by whom, now."""
        now = self._clock()
        with self._lock, transaction(self._db) as db:
            where = self._address_row(db, email)
            verified = how is not Verification.UNVERIFIED
            db.execute("UPDATE contact_addresses SET verified_how = ?, verified_by = ?, verified_at = ? "
                       "WHERE email_key = ?", (how.value, actor if verified else "", now if verified else None,
                                               email_key(email)))  # fmt: skip
            anchor = self._append_audit(db, now, actor, "contact_verify" if verified else "contact_unverify", None,
                                        f"{where}: {how.label}")  # fmt: skip
        self._audit_appended(anchor)
        return self._found(email)

    def set_do_not_email(self, email: str, flag: bool, *, actor: str) -> ContactAddress:
        now = self._clock()
        with self._lock, transaction(self._db) as db:
            where = self._address_row(db, email)
            db.execute("UPDATE contact_addresses SET do_not_email = ? WHERE email_key = ?",
                       (int(flag), email_key(email)))  # fmt: skip
            anchor = self._append_audit(db, now, actor, "contact_do_not_email", None,
                                        f"{where}: {'do not email' if flag else 'may be emailed again'}")  # fmt: skip
        self._audit_appended(anchor)
        return self._found(email)

    def mark_bounced(self, emails: Iterable[str], at: float) -> int:
        """Paubox reported hard bounces: the addresses in the book are marked (others are left alone)."""
        keys = [email_key(e) for e in emails]
        with self._lock, transaction(self._db) as db:
            return sum(db.execute("UPDATE contact_addresses SET bounced_at = ? WHERE email_key = ?", (at, key)).rowcount
                       for key in keys)  # fmt: skip

    def merge_contacts(self, keep: int, others: Sequence[int], *, actor: str) -> Contact:
        """Fold ``others`` into ``keep``: their addresses (with their verification) and notes move, they go."""
        others = [o for o in others if o != keep]
        if not others:
            raise ContactError("Choose at least one other contact to merge into this one.")

        def merge(db: Connection) -> None:
            notes = [self._existing(db, keep)[4]]
            for other in others:
                notes.append(self._existing(db, other)[4])
                db.execute("UPDATE contact_addresses SET contact_id = ? WHERE contact_id = ?", (keep, other))
                db.execute("DELETE FROM contacts WHERE id = ?", (other,))
            note = "\n".join(dict.fromkeys(n for n in notes if n))
            db.execute("UPDATE contacts SET note = ? WHERE id = ?", (note, keep))

        return self._audited(keep, actor, "contact_merge",
                             f"contact {keep}: merged {', '.join(map(str, others))}", merge)  # fmt: skip

    def delete_contact(self, contact_id: int, *, actor: str) -> None:
        now = self._clock()
        with self._lock, transaction(self._db) as db:
            self._existing(db, contact_id)
            db.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
            anchor = self._append_audit(db, now, actor, "contact_delete", None, f"contact {contact_id}")
        self._audit_appended(anchor)

    def record_export(self, count: int, *, actor: str) -> None:
        """An export of the book leaves the encrypted store: audited (how many, never who)."""
        now = self._clock()
        with self._lock, transaction(self._db) as db:
            anchor = self._append_audit(db, now, actor, "contact_export", None, f"{count} contacts")
        self._audit_appended(anchor)

    def contact(self, contact_id: int) -> Contact:
        with self._lock:
            row = self._existing(self._db, contact_id)
            addresses = self._addresses_of(self._db, [contact_id])
        return _contact(row, addresses)

    def contacts(self, search: str = "", *, limit: int = 10_000) -> list[Contact]:
        """Contacts whose name, organisation, note or an address holds ``search`` (all when empty), by name."""
        like = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with self._lock:
            rows = self._db.execute(
                "SELECT id, kind, display_name, organisation, note, created_at, updated_at FROM contacts c "
                "WHERE ? = '' OR display_name LIKE ? ESCAPE '\\' OR organisation LIKE ? ESCAPE '\\' "
                "OR note LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM contact_addresses a WHERE a.contact_id = c.id "
                "AND a.email_key LIKE ? ESCAPE '\\') ORDER BY display_name COLLATE NOCASE, id LIMIT ?",
                (search, like, like, like, like.casefold(), limit),
            ).fetchall()
            addresses = self._addresses_of(self._db, [r[0] for r in rows])
        return [_contact(row, addresses) for row in rows]

    def find_address(self, email: str) -> tuple[Contact, ContactAddress] | None:
        with self._lock:
            row = self._db.execute("SELECT contact_id FROM contact_addresses WHERE email_key = ?",
                                   (email_key(email),)).fetchone()  # fmt: skip
        if row is None:
            return None
        contact = self.contact(int(row[0]))
        return contact, next(a for a in contact.addresses if email_key(a.email) == email_key(email))

    def address_book_rows(self) -> list[tuple[str, str, bool, bool, bool]]:
        """Every address with its contact's name: (email, name, verified, do not email, bounced)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT a.email, c.display_name, a.verified_how != '', a.do_not_email, a.bounced_at IS NOT NULL "
                "FROM contact_addresses a JOIN contacts c ON c.id = a.contact_id"
            ).fetchall()
        return [(r[0], r[1], bool(r[2]), bool(r[3]), bool(r[4])) for r in rows]

    def used_recipients(self, limit: int = 2000) -> list[str]:
        """The recipients of the newest messages that Paubox accepted (as formatted when sent)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT recipients FROM messages WHERE state = 'accepted' ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [str(r[0]) for r in rows]

    def contact_count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM contacts").fetchone()[0])

    # ------------------------------------------------------------------ helpers

    def _audited(self, contact_id: int, actor: str, action: str, detail: str, change: Any) -> Contact:
        now = self._clock()
        with self._lock, transaction(self._db) as db:
            self._existing(db, contact_id)
            change(db)
            db.execute("UPDATE contacts SET updated_at = ? WHERE id = ?", (now, contact_id))
            anchor: AuditAnchor = self._append_audit(db, now, actor, action, None, detail)
        self._audit_appended(anchor)
        return self.contact(contact_id)

    @staticmethod
    def _existing(db: Connection, contact_id: int) -> tuple[Any, ...]:
        row = db.execute("SELECT id, kind, display_name, organisation, note, created_at, updated_at FROM contacts "
                         "WHERE id = ?", (contact_id,)).fetchone()  # fmt: skip
        if row is None:
            raise ContactError(f"There is no contact {contact_id} in the address book (it may have been merged).")
        return tuple(row)

    @staticmethod
    def _address_row(db: Connection, email: str) -> str:
        """Which contact and address ``email`` is, as the audit log names them (never the address itself)."""
        row = db.execute("SELECT contact_id, id FROM contact_addresses WHERE email_key = ?", (email_key(email),))
        found = row.fetchone()
        if found is None:
            raise ContactError(f"{email} is not in the address book; add it first.")
        return f"contact {found[0]}, address {found[1]}"

    def _found(self, email: str) -> ContactAddress:
        found = self.find_address(email)
        assert found is not None
        return found[1]

    @staticmethod
    def _addresses_of(db: Connection, ids: Sequence[int]) -> dict[int, list[ContactAddress]]:
        found: dict[int, list[ContactAddress]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = db.execute(f"SELECT {_ADDRESS_COLUMNS} FROM contact_addresses WHERE contact_id IN "
                              f"({','.join('?' * len(chunk))}) ORDER BY id", tuple(chunk)).fetchall()  # fmt: skip
            for r in rows:
                address = ContactAddress(r[0], r[1], r[2], Verification(r[3]), r[4], r[5], bool(r[6]), r[7], r[8])
                found.setdefault(address.contact_id, []).append(address)
        return found


def _contact(row: Sequence[Any], addresses: dict[int, list[ContactAddress]]) -> Contact:
    contact_id, kind, name, organisation, note, created_at, updated_at = row
    return Contact(contact_id, Kind(kind), name, organisation, note, created_at, updated_at,
                   tuple(addresses.get(contact_id, ())))  # fmt: skip
