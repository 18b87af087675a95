"""Importing an address book: vCard 3 and 4, Google's and Outlook's CSV, a dry-run plan that counts
new, duplicate and invalid cards and says why each invalid one is refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.services.contacts import ContactBook
from desktop_app.services.contacts_import import ContactImportError, plan_import
from desktop_app.store.contacts import ContactStore
from desktop_app.store.messages import MessageStore
from desktop_app.store.unlock import open_profile_database
from tests.services.vcards import card, two_hundred_cards


@pytest.fixture
def messages(tmp_path: Path) -> Iterator[MessageStore]:
    opened = MessageStore(open_profile_database(tmp_path / "s.db", "p1"))
    yield opened
    opened.close()


@pytest.fixture
def store(messages: MessageStore) -> ContactStore:
    return ContactStore(messages)


def test_two_hundred_cards_plan_as_187_new_10_duplicate_3_invalid(store: ContactStore) -> None:
    plan = plan_import(two_hundred_cards().encode(), store, file_name="book.vcf")
    assert plan.summary() == {"new": 187, "duplicate": 10, "invalid": 3}
    reasons = [r.reason for r in plan.invalid]
    assert "“broken.example.org” is not a valid address" in reasons[0]
    assert "has no email address" in reasons[1]
    assert "has no name" in reasons[2]
    assert all("already in the address book or earlier in the file" in r.reason for r in plan.duplicates)
    assert store.contact_count() == 0  # a plan stores nothing
    store.add_contacts(plan.new, actor="nurse.kim")
    assert store.contact_count() == 187
    assert not any(a.verified for c in store.contacts() for a in c.addresses)  # imported = unverified
    again = plan_import(two_hundred_cards().encode(), store, file_name="book.vcf")
    assert again.summary() == {"new": 0, "duplicate": 197, "invalid": 3}


def test_a_vcard_keeps_organisation_note_and_several_addresses(store: ContactStore) -> None:
    text = card("Jane Doe", ["jane@example.org", "jd@work.example"], version="4.0", org="Acme;Billing",
                note="call first")  # fmt: skip
    (contact,) = plan_import(text.encode(), store).new
    assert (contact.display_name, contact.emails, contact.organisation, contact.note) == (
        "Jane Doe", ("jane@example.org", "jd@work.example"), "Acme Billing", "call first")  # fmt: skip


def test_a_broken_card_is_refused_and_the_others_still_read(store: ContactStore) -> None:
    text = card("Ann Able", ["ann@example.org"]) + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bad\r\nEMAIL;=:x\r\nEND:VCARD\r\n"
    text += card("Bob Baker", ["bob@example.org"])
    plan = plan_import(text.encode(), store)
    assert [c.display_name for c in plan.new] == ["Ann Able", "Bob Baker"]
    assert [r.where for r in plan.invalid] == ["card 2"]


@pytest.mark.parametrize(
    ("header", "row", "expected"),
    [
        ("Name,Given Name,Family Name,E-mail 1 - Value,E-mail 2 - Value,Organization 1 - Name,Notes",
         "Jane Doe,Jane,Doe,jane@example.org ::: jd@work.example,,Acme,call first",
         ("Jane Doe", ("jane@example.org", "jd@work.example"), "Acme", "call first")),
        ("First Name,Middle Name,Last Name,E-mail Address,E-mail 2 Address,Company,Notes",
         "Jane,Q,Doe,jane@example.org,jd@work.example,Acme,call first",
         ("Jane Q Doe", ("jane@example.org", "jd@work.example"), "Acme", "call first")),
        ("name,email", "Jane Doe,jane@example.org", ("Jane Doe", ("jane@example.org",), "", "")),
    ],
)  # fmt: skip
def test_google_and_outlook_csv_columns(store: ContactStore, header: str, row: str,
                                        expected: tuple[object, ...]) -> None:  # fmt: skip
    (contact,) = plan_import(f"{header}\n{row}\n".encode(), store, file_name="export.csv").new
    assert (contact.display_name, contact.emails, contact.organisation, contact.note) == expected


def test_a_file_that_is_not_an_address_book_is_refused_in_words(store: ContactStore) -> None:
    with pytest.raises(ContactImportError, match="no email column"):
        plan_import(b"first,last\nJane,Doe\n", store, file_name="x.csv")
    with pytest.raises(ContactImportError, match="not UTF-8"):
        plan_import("Name,Email\nJosé,j@example.org\n".encode("latin-1"), store)
    with pytest.raises(ContactImportError, match="no contacts"):
        plan_import(b"", store)


def test_an_import_is_one_audited_transaction(messages: MessageStore) -> None:
    book = ContactBook(messages, actor="nurse.kim")
    plan = plan_import(two_hundred_cards().encode(), book.store)
    book.store.add_contacts(plan.new, actor=book.actor)
    (entry,) = messages.audit_entries()
    assert (entry.action, entry.actor, entry.detail) == ("contact_import", "nurse.kim", "187 contacts")


@pytest.mark.parametrize("as_csv", [False, True])
def test_an_export_imports_back_as_the_same_book(messages: MessageStore, tmp_path: Path, as_csv: bool) -> None:
    from desktop_app.services.contacts_import import export_contacts
    from desktop_app.store.contacts import Verification
    from desktop_app.store.unlock import open_profile_database

    book = ContactBook(messages, actor="nurse.kim")
    book.add("Jane Q. Doe", ["jane@example.org", "jd@work.example"], organisation="Acme", note="call, first")
    book.add("Pat Lee", ["pat@example.org"])
    book.verify("pat@example.org", Verification.PHONE)
    text = export_contacts(book.search(), as_csv=as_csv)
    other = MessageStore(open_profile_database(tmp_path / "other.db", "p2"))
    try:
        plan = plan_import(text.encode(), ContactStore(other), file_name="book.csv" if as_csv else "book.vcf")
    finally:
        other.close()
    assert plan.summary() == {"new": 2, "duplicate": 0, "invalid": 0}
    assert [(c.display_name, c.emails, c.organisation, c.note) for c in plan.new] == [
        ("Jane Q. Doe", ("jane@example.org", "jd@work.example"), "Acme", "call, first"),
        ("Pat Lee", ("pat@example.org",), "", ""),
    ]
    if not as_csv:
        assert "X-SEALPOST-VERIFIED=phone:pat@example.org" in text.replace("\r\n", "\n")
