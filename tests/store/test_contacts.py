"""The address book in the encrypted store: contacts, addresses, verification, merges, and an
audit entry for every change (in the same transaction, naming ids, never a name or an address)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.addresses import AddressError
from desktop_app.services.contacts import ContactBook
from desktop_app.store.contacts import ContactError, Kind, Verification
from desktop_app.store.messages import MessageStore
from desktop_app.store.unlock import open_profile_database


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MessageStore]:
    opened = MessageStore(open_profile_database(tmp_path / "s.db", "p1"))
    yield opened
    opened.close()


@pytest.fixture
def book(store: MessageStore) -> ContactBook:
    return ContactBook(store, actor="nurse.kim")


def test_a_contact_is_kept_with_its_addresses_unverified(book: ContactBook) -> None:
    jane = book.add("Jane Doe", ["Jane.Doe@Gmail.com", "jd@work.example"], organisation="Acme", note="prefers mornings")
    again = book.store.contact(jane.id)
    assert again == jane
    assert (again.kind, again.display_name, again.organisation, again.note) == (Kind.PERSON, "Jane Doe", "Acme",
                                                                                "prefers mornings")  # fmt: skip
    assert [a.email for a in again.addresses] == ["Jane.Doe@gmail.com", "jd@work.example"]
    assert not any(a.verified for a in again.addresses)


def test_an_address_belongs_to_one_contact(book: ContactBook) -> None:
    book.add("Jane Doe", ["jane.doe@gmail.com"])
    with pytest.raises(ContactError, match="already in the address book, for Jane Doe"):
        book.add("J. Doe", ["JANE.DOE@gmail.com"])
    assert book.store.contact_count() == 1  # the refused add left nothing behind


def test_bad_input_is_refused_in_words(book: ContactBook) -> None:
    with pytest.raises(AddressError, match="no @"):
        book.add("Jane", ["jane.example.org"])
    with pytest.raises(AddressError, match="name"):
        book.add("  ", ["jane@example.org"])
    with pytest.raises(ContactError, match="not in the address book"):
        book.verify("nobody@example.org", Verification.PHONE)


def test_verifying_records_how_who_and_when(book: ContactBook, store: MessageStore) -> None:
    book.add("Jane Doe", ["jane.doe@gmail.com"])
    address = book.verify("jane.doe@gmail.com", Verification.PHONE)
    assert (address.verified, address.verified_how, address.verified_by) == (True, Verification.PHONE, "nurse.kim")
    assert address.verified_at is not None
    cleared = book.verify("jane.doe@gmail.com", Verification.UNVERIFIED)
    assert (cleared.verified, cleared.verified_by, cleared.verified_at) == (False, "", None)


def test_every_change_is_audited_without_names_or_addresses(book: ContactBook, store: MessageStore) -> None:
    jane = book.add("Jane Doe", ["jane.doe@gmail.com"])
    other = book.add("Jane  Doe", ["jdoe@yahoo.com"])
    book.edit(jane.id, note="new note")
    book.verify("jane.doe@gmail.com", Verification.IN_PERSON)
    book.set_do_not_email("jdoe@yahoo.com", True)
    book.merge(jane.id, [other.id])
    book.add_address(jane.id, "jane@work.example")
    book.remove_address(jane.id, "jane@work.example")
    book.delete(jane.id)
    entries = store.audit_entries()
    assert [e.action for e in entries] == ["contact_add", "contact_add", "contact_edit", "contact_verify",
                                           "contact_do_not_email", "contact_merge", "contact_edit", "contact_edit",
                                           "contact_delete"]  # fmt: skip
    assert {e.actor for e in entries} == {"nurse.kim"}
    for entry in entries:
        assert "@" not in entry.detail, entry
        assert "Jane" not in entry.detail, entry
    assert store.verify_audit_chain() is None


def test_merging_duplicates_keeps_every_address_and_its_verification(book: ContactBook) -> None:
    jane = book.add("Jane Doe", ["jane.doe@gmail.com"], note="allergic to latex")
    dupe = book.add("Doe, Jane", ["jdoe@yahoo.com"], note="prefers mornings")
    book.verify("jdoe@yahoo.com", Verification.EHR)
    assert [[c.id for c in group] for group in book.duplicates()] == [[dupe.id, jane.id]]
    merged = book.merge(jane.id, [dupe.id])
    assert {(a.email, a.verified_how) for a in merged.addresses} == {
        ("jane.doe@gmail.com", Verification.UNVERIFIED), ("jdoe@yahoo.com", Verification.EHR)}  # fmt: skip
    assert merged.note == "allergic to latex\nprefers mornings"
    with pytest.raises(ContactError, match="merged"):
        book.store.contact(dupe.id)
    assert book.duplicates() == []


def test_search_finds_by_name_organisation_and_address(book: ContactBook) -> None:
    book.add("Jane Doe", ["jane.doe@gmail.com"])
    book.add("Riverside Imaging", ["front@riverside-imaging.org"], kind=Kind.ORGANISATION)
    book.add("Pat Lee", ["pat_lee@example.org"], organisation="Riverside Peds")
    assert [c.display_name for c in book.search("riverside")] == ["Pat Lee", "Riverside Imaging"]
    assert [c.display_name for c in book.search("GMAIL")] == ["Jane Doe"]
    assert [c.display_name for c in book.search("pat_")] == ["Pat Lee"]  # LIKE wildcards are literal
    assert len(book.search("")) == 3


def test_autocomplete_puts_verified_first_and_never_do_not_email_or_bounced_first(
    book: ContactBook, store: MessageStore
) -> None:
    book.add("Zed Verified", ["zed@example.org"])
    book.verify("zed@example.org", Verification.PHONE)
    book.add("Amy Unverified", ["amy@example.org"])
    book.add("Bob Blocked", ["bob@example.org"])
    book.verify("bob@example.org", Verification.PHONE)
    book.set_do_not_email("bob@example.org", True)
    book.add("Cy Bounced", ["cy@example.org"])
    book.verify("cy@example.org", Verification.PHONE)
    assert book.store.mark_bounced(["CY@example.org", "stranger@example.org"], at=5.0) == 1
    offered = book.autocomplete(["Hal Story <hist@example.org>", "Amy <AMY@example.org>"])  # history, in order
    assert offered[0] == "Zed Verified <zed@example.org>"
    assert offered[1:3] == ["Amy Unverified <amy@example.org>", "Hal Story <hist@example.org>"]
    assert set(offered[3:]) == {"Bob Blocked <bob@example.org>", "Cy Bounced <cy@example.org>"}


def test_the_index_knows_the_book_and_history(book: ContactBook) -> None:
    book.add("Jane Doe", ["jane.doe@gmail.com"])
    book.verify("jane.doe@gmail.com", Verification.PHONE)
    index = book.index()
    (issue,) = index.check("jane.doe@gmial.com")
    assert issue.suggestion == "jane.doe@gmail.com"
    assert book.names().find("Results for Jane Doe") == [(12, 20)]


def test_paubox_hard_bounces_are_marked_in_the_book(book: ContactBook, store: MessageStore) -> None:
    from desktop_app.core.addresses import Address
    from desktop_app.core.message import OutgoingMessage
    from desktop_app.core.outbox_state import OutboxState
    from desktop_app.core.records import RecipientDelivery

    book.add("Sam Old", ["sam@old-isp.example"])
    book.add("Pat New", ["pat@new-isp.example"])
    sent = store.add(OutgoingMessage(sender="s@clinic.example", subject="s", text="t",
                                     to=(Address("sam@old-isp.example"), Address("pat@new-isp.example"))))  # fmt: skip
    store.transition(sent.id, OutboxState.SENDING)
    store.transition(sent.id, OutboxState.ACCEPTED, tracking_id="t1")
    store.record_receipt(sent.id, [RecipientDelivery("sam@old-isp.example", "hard bounced"),
                                   RecipientDelivery("pat@new-isp.example", "delivered")], final=True,
                         next_poll_at=None)  # fmt: skip
    assert book.sync_bounces(store) == 1
    marked = {a.email: a.bounced_at is not None for c in book.search() for a in c.addresses}
    assert marked == {"sam@old-isp.example": True, "pat@new-isp.example": False}
    assert book.autocomplete()[-1] == "Sam Old <sam@old-isp.example>"  # offered last
