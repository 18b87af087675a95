"""Importing contacts from vCard 3/4 files and CSV exports (Google's and Outlook's column names), and exporting them.

The file is read whole and judged card by card (row by row) before anything is stored: a dry run
and a real import see the same plan. A card is *new*, a *duplicate* (an address already in the
book, or earlier in the file) or *invalid* (no name, no address, an address that is not valid,
a card that cannot be read), each with its reason. Imported addresses are unverified: someone has
to confirm them with the person.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import vobject

from desktop_app.core.addresses import AddressError, parse_address
from desktop_app.core.errors import KnownError
from desktop_app.store.contacts import Contact, ContactStore, Kind, NewContact, email_key

NAME_COLUMNS = ("name", "display name", "full name", "file as")
FIRST_COLUMNS = ("first name", "given name")
MIDDLE_COLUMNS = ("middle name", "additional name")
LAST_COLUMNS = ("last name", "family name")
ORG_COLUMNS = ("company", "organization 1 - name", "organization name", "organisation", "organization")
NOTE_COLUMNS = ("notes", "note")
_EMAIL_COLUMN = re.compile(r"^(?:e-?mail(?: address)?|e-?mail \d+ address|e-?mail \d+ - value|e-?mail address \d+)$")
_CARD = re.compile(r"^BEGIN:VCARD\s*$.*?^END:VCARD\s*$", re.IGNORECASE | re.MULTILINE | re.DOTALL)
MAX_BYTES = 20 * 2**20


class ContactImportError(KnownError, ValueError):
    """The file cannot be imported at all (not vCard or CSV, unreadable); the words say why."""


@dataclass(frozen=True)
class Refused:
    where: str  # "card 12" or "line 13"
    reason: str


@dataclass
class ImportPlan:
    new: list[NewContact] = field(default_factory=list)
    duplicates: list[Refused] = field(default_factory=list)
    invalid: list[Refused] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {"new": len(self.new), "duplicate": len(self.duplicates), "invalid": len(self.invalid)}


def plan_import(data: bytes, book: ContactStore, *, file_name: str = "") -> ImportPlan:
    """Judge every card or row of ``data`` against the address book; stores nothing."""
    if len(data) > MAX_BYTES:
        raise ContactImportError(
            f"the file is {len(data) / 2**20:.0f} MB; an address book file over 20 MB is not imported"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ContactImportError("the file is not UTF-8 text; export it again as UTF-8 (vCard or CSV)") from None
    is_vcard = file_name.lower().endswith((".vcf", ".vcard")) or text.lstrip().upper().startswith("BEGIN:VCARD")
    entries = list(_vcards(text) if is_vcard else _csv_rows(text))
    if not entries:
        raise ContactImportError("the file holds no contacts (expected vCards, or a CSV with a header row)")
    taken = {email_key(row[0]) for row in book.address_book_rows()}
    plan = ImportPlan()
    for where, entry in entries:
        if isinstance(entry, str):
            plan.invalid.append(Refused(where, entry))
            continue
        try:
            contact = _checked(entry)
        except AddressError as error:
            plan.invalid.append(Refused(where, str(error)))
            continue
        already = [e for e in contact.emails if email_key(e) in taken]
        if already:
            plan.duplicates.append(
                Refused(where, f"{already[0]} is already in the address book or earlier in the file")
            )
            continue
        taken.update(email_key(e) for e in contact.emails)
        plan.new.append(contact)
    return plan


def _checked(entry: dict[str, Any]) -> NewContact:
    name = " ".join(str(entry.get("name", "")).split())
    emails = [e.strip() for e in entry.get("emails", []) if e.strip()]
    if not emails:
        raise AddressError(f"“{name or 'a contact without a name'}” has no email address")
    checked = []
    for email in emails:
        address = parse_address(email)
        if address.display_name:
            raise AddressError(f"“{email}” is not a plain address")
        checked.append(address.email)
    if not name:
        raise AddressError(f"the contact with {checked[0]} has no name")
    kind = Kind.ORGANISATION if entry.get("organisation_only") else Kind.PERSON
    return NewContact(name, tuple(dict.fromkeys(checked)), kind, str(entry.get("organisation", "")),
                      str(entry.get("note", "")), source="import")  # fmt: skip


def _vcards(text: str) -> Iterable[tuple[str, dict[str, Any] | str]]:
    """Each card on its own, so one broken card is refused and the rest still read."""
    for number, match in enumerate(_CARD.finditer(text), 1):
        where = f"card {number}"
        try:
            card = vobject.readOne(match.group(0))
        except Exception as error:  # vobject raises several kinds for a malformed card
            yield where, f"the card cannot be read ({type(error).__name__}); check it in the program that exported it"
            continue
        contents = card.contents
        name = str(contents["fn"][0].value) if "fn" in contents else _n_name(contents)
        org = contents["org"][0].value if "org" in contents else ""
        organisation = " ".join(org) if isinstance(org, list) else str(org)
        emails = [str(line.value) for line in contents.get("email", [])]
        note = str(contents["note"][0].value) if "note" in contents else ""
        kind = str(contents["kind"][0].value).lower() if "kind" in contents else ""
        yield where, {"name": name or ("" if kind != "org" else organisation), "emails": emails,
                      "organisation": organisation, "note": note, "organisation_only": kind == "org"}  # fmt: skip


def _n_name(contents: dict[str, Any]) -> str:
    if "n" not in contents:
        return ""
    n = contents["n"][0].value
    return " ".join(str(p) for p in (n.prefix, n.given, n.additional, n.family, n.suffix) if p)


def _csv_rows(text: str) -> Iterable[tuple[str, dict[str, Any] | str]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        return
    email_columns = [i for i, h in enumerate(header) if _EMAIL_COLUMN.match(h)]
    if not email_columns:
        raise ContactImportError("the CSV has no email column (expected one such as 'Email', 'E-mail Address' or "
                           "'E-mail 1 - Value')")  # fmt: skip

    def cell(row: list[str], names: tuple[str, ...]) -> str:
        for name in names:
            if name in header and header.index(name) < len(row):
                return row[header.index(name)].strip()
        return ""

    for row in reader:
        where = f"line {reader.line_num}"
        if not any(c.strip() for c in row):
            continue
        name = cell(row, NAME_COLUMNS) or " ".join(
            p for p in (cell(row, FIRST_COLUMNS), cell(row, MIDDLE_COLUMNS), cell(row, LAST_COLUMNS)) if p
        )
        emails = [e for i in email_columns if i < len(row) for e in re.split(r"\s*:::\s*", row[i]) if e.strip()]
        yield where, {"name": name, "emails": emails, "organisation": cell(row, ORG_COLUMNS),
                      "note": cell(row, NOTE_COLUMNS)}  # fmt: skip


def export_contacts(contacts: Iterable[Contact], *, as_csv: bool) -> str:
    """The address book as vCard 3.0 (with each address's verification in an X-SEALPOST-VERIFIED
    parameter) or as CSV with Google's column names; both import back here."""
    if as_csv:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["Name", "E-mail 1 - Value", "Organization 1 - Name", "Notes", "Verified"])
        for contact in contacts:
            emails = " ::: ".join(a.email for a in contact.addresses)
            verified = " ::: ".join(a.verified_how.value or "no" for a in contact.addresses)
            writer.writerow([contact.display_name, emails, contact.organisation, contact.note, verified])
        return out.getvalue()
    cards = []
    for contact in contacts:
        card = vobject.vCard()
        card.add("fn").value = contact.display_name
        given, _, family = contact.display_name.rpartition(" ")
        card.add("n").value = vobject.vcard.Name(family=family, given=given)
        for address in contact.addresses:
            line = card.add("email")
            line.value = address.email
            line.type_param = "INTERNET"
            if address.verified:
                line.params["X-SEALPOST-VERIFIED"] = [address.verified_how.value]
        if contact.organisation:
            card.add("org").value = [contact.organisation]
        if contact.note:
            card.add("note").value = contact.note
        cards.append(card.serialize())
    return "".join(cards)
