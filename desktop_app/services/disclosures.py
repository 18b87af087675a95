"""Disclosure reports and review sign-offs: the answers a compliance officer owes an auditor.

"Show me every disclosure to this address": every message that left (or may have left) for one
address in a period, with when, how it was addressed, and its delivery status; the subject only
when asked. A report is for one address or for an address-book contact's addresses
(:func:`contact_addresses`; :func:`disclosures` takes any number). Producing a report is audited, without the
address itself, so the audit trail and what is forwarded from it stay free of PHI.
"""

from __future__ import annotations

import csv
import getpass
import io
from collections.abc import Sequence
from dataclasses import dataclass

from desktop_app.core.addresses import parse_address
from desktop_app.core.errors import KnownError
from desktop_app.core.outbox_state import OutboxState
from desktop_app.core.period import Period, iso_utc
from desktop_app.store.contacts import ContactStore
from desktop_app.store.messages import HistoryFilter, MessageStore, StoredMessage

DISCLOSED = {OutboxState.ACCEPTED: "accepted by Paubox", OutboxState.OUTCOME_UNKNOWN: "may have been sent"}
"""States in which a message left this machine (or may have): a failed or cancelled one did not."""
REPORT_ACTION = "disclosure_report"
REVIEW_ACTION = "review"
NOTE_LIMIT = 2000
CHUNK = 500


class DisclosureError(KnownError, ValueError):
    """A report's contact cannot be found, or the name fits more than one."""


def contact_addresses(store: MessageStore, key: str) -> tuple[int, list[str]]:
    """The contact named by its number, or by a name only it has: its id and every address it has."""
    book, key = ContactStore(store), key.strip()
    if key.isdigit():
        contact = book.contact(int(key))
    else:
        found = book.contacts(key)
        exact = [c for c in found if c.display_name.casefold() == key.casefold()]
        if len(exact or found) != 1:
            raise DisclosureError(f"{len(exact or found)} contacts match {key!r}; give the contact's number "
                                  "(sealpost contacts list)")  # fmt: skip
        contact = (exact or found)[0]
    if not contact.addresses:
        raise DisclosureError(f"contact {contact.id} has no address")
    return contact.id, [a.email for a in contact.addresses]


class ReviewError(KnownError, ValueError):
    """A review note that cannot be recorded (empty, too long, control characters)."""


@dataclass(frozen=True)
class Disclosure:
    sent_at: float
    message_id: int
    address: str
    field: str  # to, cc or bcc
    state: str
    delivery_status: str
    delivered_at: str
    subject: str


def _sent_at(message: StoredMessage) -> float:
    return message.accepted_at or message.on_wire_at or message.created_at


def disclosures(store: MessageStore, addresses: Sequence[str], period: Period) -> list[Disclosure]:
    """Every message to any of ``addresses`` that left in ``period``, oldest first (exact, case-blind match)."""
    wanted = {parse_address(a).email.lower() for a in addresses}
    found: list[Disclosure] = []
    candidates: set[int] = set()
    for email in wanted:  # the LIKE narrows; the exact comparison below decides
        candidates.update(store.list_ids(HistoryFilter(recipient=email), newest_first=False))
    ordered = sorted(candidates)
    for start in range(0, len(ordered), CHUNK):
        for stored in store.get_many(ordered[start : start + CHUNK]):
            if stored.state not in DISCLOSED or not period.contains(_sent_at(stored)):
                continue
            statuses = {s.recipient.lower(): s for s in store.recipient_statuses(stored.id)}
            message = stored.message
            for field, group in (("to", message.to), ("cc", message.cc), ("bcc", message.bcc)):
                for address in group:
                    if address.email.lower() in wanted:
                        status = statuses.get(address.email.lower())
                        found.append(Disclosure(
                            _sent_at(stored), stored.id, address.email, field, DISCLOSED[stored.state],
                            status.delivery_status if status else "", status.delivery_time if status else "",
                            stored.subject,
                        ))  # fmt: skip
    return sorted(found, key=lambda d: (d.sent_at, d.message_id, d.address))


def report_csv(rows: Sequence[Disclosure], *, subjects: bool) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(report_header(subjects=subjects))
    writer.writerows(report_cells(row, subjects=subjects) for row in rows)
    return text.getvalue().encode("utf-8")


def report_header(*, subjects: bool) -> list[str]:
    header = ["sent_at_utc", "message_id", "address", "field", "state", "delivery_status", "delivered_at"]
    return [*header, "subject"] if subjects else header


def report_cells(row: Disclosure, *, subjects: bool) -> list[str]:
    cells = [iso_utc(row.sent_at), str(row.message_id), row.address, row.field, row.state, row.delivery_status,
             row.delivered_at]  # fmt: skip
    return [*cells, row.subject] if subjects else cells


def audit_report(store: MessageStore, rows: Sequence[Disclosure], addresses: int, period: Period,
                 *, subjects: bool, contact: int | None = None) -> None:  # fmt: skip
    """Record that a report was made: how many messages and addresses, the period, the contact's
    number; never an address or a name."""
    with_subjects = ", subjects included" if subjects else ""
    of_contact = f" (contact {contact})" if contact is not None else ""
    store.audit(REPORT_ACTION, detail=f"{len(rows)} messages to {addresses} address(es){of_contact}, "
                f"{period.describe()}{with_subjects}")  # fmt: skip


def record_review(store: MessageStore, period: Period, note: str, reviewer: str = "") -> str:
    """The periodic review sign-off: one audit entry naming the reviewer, the period and the note."""
    note = note.strip()
    if not note:
        raise ReviewError("a review needs a note saying what was reviewed and what was found")
    if len(note) > NOTE_LIMIT:
        raise ReviewError(f"the review note is {len(note)} characters; at most {NOTE_LIMIT} are kept")
    if any(ord(c) < 32 and c not in "\n\t" for c in note):
        raise ReviewError("the review note contains control characters")
    who = reviewer.strip() or os_user()
    detail = f"period {period.describe()}; reviewer {who}; note: {note}"
    store.audit(REVIEW_ACTION, detail=detail)
    return detail


def os_user() -> str:
    """Who is signed in to the OS (exports and reviews name them)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
