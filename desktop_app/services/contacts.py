"""The address book as the window and the commands use it: search, add, edit, merge, verify, the
composer's autocomplete, and the index the look-alike check runs against.

Every change goes through the store, which audits it in the same transaction, as the staff member
logged in to the computer (the OS user): the trail says who verified an address, not "user".
"""

from __future__ import annotations

import getpass
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from email.utils import getaddresses
from typing import Any

from desktop_app.core.addresses import Address, AddressError, parse_address, split_address_field
from desktop_app.core.lookalike import AddressIndex, KnownAddress, name_tokens
from desktop_app.core.phi_guard import NameIndex
from desktop_app.services.history import History
from desktop_app.store.audit_log import AuditLog
from desktop_app.store.contacts import Contact, ContactAddress, ContactStore, Kind, NewContact, Verification

HISTORY_MESSAGES = 2000
"""How many of the newest accepted messages count as "written to before" for the look-alike check."""


def staff_user() -> str:
    """The OS user: who on the staff made a change (the audit log's actor)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (a container without a passwd entry)
        return "unknown"


def checked_email(text: str) -> str:
    """An address as the book keeps it (normalised), or AddressError in words; a name is not allowed here."""
    address = parse_address(text)
    return address.email


class ContactBook:
    """The address book's operations over one store, as one staff member."""

    def __init__(self, store: AuditLog, *, actor: str | None = None) -> None:
        self.store = ContactStore(store)
        self.actor = actor or staff_user()

    def search(self, text: str = "") -> list[Contact]:
        return self.store.contacts(text.strip())

    def add(self, name: str, emails: Sequence[str], *, kind: Kind = Kind.PERSON, organisation: str = "",
            note: str = "", source: str = "") -> Contact:  # fmt: skip
        """A new contact; AddressError for a bad address, ContactError for one already in the book."""
        name = name.strip()
        if not name:
            raise AddressError("Give the contact a name.")
        checked = tuple(dict.fromkeys(checked_email(e) for e in emails))
        if not checked:
            raise AddressError("Give the contact at least one address.")
        contact = NewContact(name, checked, kind, organisation.strip(), note.strip(), source)
        return self.store.add_contact(contact, actor=self.actor)

    def edit(self, contact_id: int, **fields: Any) -> Contact:
        if "display_name" in fields and not str(fields["display_name"]).strip():
            raise AddressError("A contact needs a name.")
        return self.store.update_contact(contact_id, actor=self.actor, **fields)

    def add_address(self, contact_id: int, email: str) -> Contact:
        return self.store.add_address(contact_id, checked_email(email), actor=self.actor)

    def remove_address(self, contact_id: int, email: str) -> Contact:
        return self.store.remove_address(contact_id, email, actor=self.actor)

    def verify(self, email: str, how: Verification) -> ContactAddress:
        return self.store.set_verification(checked_email(email), how, actor=self.actor)

    def set_do_not_email(self, email: str, flag: bool) -> ContactAddress:
        return self.store.set_do_not_email(checked_email(email), flag, actor=self.actor)

    def merge(self, keep: int, others: Sequence[int]) -> Contact:
        return self.store.merge_contacts(keep, others, actor=self.actor)

    def delete(self, contact_id: int) -> None:
        self.store.delete_contact(contact_id, actor=self.actor)

    def sync_bounces(self, history: History) -> int:
        """Mark the book's addresses that Paubox reported as hard bounces (recent history); how many."""
        from desktop_app.services.drafts import hard_bounced

        return self.store.mark_bounced(hard_bounced(history), at=time.time())

    def duplicates(self) -> list[list[Contact]]:
        """Contacts that share a name (however written): candidates for a merge, largest groups first."""
        groups: dict[frozenset[str], list[Contact]] = {}
        for contact in self.store.contacts():
            tokens = name_tokens(contact.display_name)
            if tokens:
                groups.setdefault(tokens, []).append(contact)
        return sorted((g for g in groups.values() if len(g) > 1), key=len, reverse=True)

    # ------------------------------------------------------------------ what the checks and the composer read

    def known_addresses(self) -> list[KnownAddress]:
        """The book's addresses, then every address written to before that the book does not hold."""
        book = self._book()
        return book + self._history({k.email.casefold() for k in book})

    def _book(self) -> list[KnownAddress]:
        return [KnownAddress(email, name, verified, dnd, bounced)
                for email, name, verified, dnd, bounced in self.store.address_book_rows()]  # fmt: skip

    def _history(self, skip: set[str]) -> list[KnownAddress]:
        found = []
        for address in stored_addresses(self.store.used_recipients(HISTORY_MESSAGES)):
            if address.email.casefold() not in skip:
                skip.add(address.email.casefold())
                found.append(KnownAddress(address.email, address.display_name))
        return found

    def index(self) -> AddressIndex:
        return AddressIndex(self.known_addresses())

    def names(self) -> NameIndex:
        """The full names of the people (not organisations) in the book, for the PHI guard."""
        return NameIndex(c.display_name for c in self.store.contacts() if c.kind is Kind.PERSON)

    def autocomplete(self, history: Sequence[str] = ()) -> list[str]:
        """What the composer offers, "Name <address>": verified first, then the rest of the book, then
        ``history`` (addresses written to before, in the caller's order); a bounced or "do not email"
        address of the book only ever last."""
        book = self._book()
        in_book = {k.email.casefold() for k in book}
        shown = [(f"{k.name} <{k.email}>" if k.name else k.email, k) for k in book]
        ok = [(s, k) for s, k in shown if not (k.do_not_email or k.bounced)]
        offered = [s for s, k in ok if k.verified] + [s for s, k in ok if not k.verified]
        for text in history:
            emails = [a.email.casefold() for a in stored_addresses([text])]
            if emails and emails[0] not in in_book:
                offered.append(text)
        return offered + [s for s, k in shown if k.do_not_email or k.bounced]


_WRITTEN = re.compile(
    r'\s*(?:(?:"((?:[^"\\]|\\.)*)"|([^",<>\\]*?))\s*<([^<>\s,"]+@[^<>\s,"]+)>|([^<>\s,"]+@[^<>\s,"]+))\s*(?:,|$)'
)
"""One address as ``Address.formatted`` or the composer's ``display_address`` writes it: a quoted or
plain name before ``<addr>``, or the bare address; then a comma or the end."""
_ESCAPED = re.compile(r"\\(.)")


def stored_addresses(formatted: Iterable[str]) -> Iterator[Address]:
    """The addresses in recipients as the app wrote them (``Name <addr>, …``: a message's stored
    recipients, or what ``display_address`` made of them), each checked in full when its message was
    queued, so split here and not checked again: the full check costs ≈ 100 µs an address, and the
    window reads 2,500 of them as it starts, maybe while another process sends (docs/benchmarks.md)."""
    for text in formatted:
        position = 0
        while position < len(text):
            one = _WRITTEN.match(text, position)
            if one is None:  # not a form the app writes: the standard parser takes the rest
                for name, email in getaddresses(split_address_field(text[position:])):
                    if email:
                        yield Address(email, name)
                break
            quoted, plain, bracketed, bare = one.groups()
            name = _ESCAPED.sub(r"\1", quoted) if quoted is not None else " ".join((plain or "").split())
            yield Address(bracketed or bare, name)
            position = one.end()
