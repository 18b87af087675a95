"""The addresses offered while typing come from the stored recipients of recent messages (every
recipient, newest first, each once, names as written), without loading the messages themselves, and
split without checking them again: the same addresses the full check made of them when queued."""

from __future__ import annotations

import pytest

from desktop_app.core.addresses import Address, parse_address
from desktop_app.core.outbox_state import OutboxState
from desktop_app.services import composing
from desktop_app.services.contacts import stored_addresses
from desktop_app.services.runtime import Runtime
from desktop_app.store.rows import recipients_text
from desktop_app.ui.composer import display_address
from tests.helpers.messages import make_message


def test_known_addresses_are_every_recipient_newest_first_without_loading_messages(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = runtime.store
    assert store is not None
    assert runtime.outbox is not None
    runtime.outbox.hold(True)  # the queued messages stay queued (the engine's first tick must not claim them)
    older = make_message("Older", "ann@lab.example", name="Ann Lee",
                         cc=(Address("doe@clinic.example", "Doe, Jane"),))  # fmt: skip
    newer = make_message("Newer", "bo@clinic.example", name="Bö Ørsted",
                         bcc=(Address("ann@lab.example", "Ann Lee"),), html="<p>" + "x" * 10_000 + "</p>")  # fmt: skip
    store.add(older, state=OutboxState.QUEUED)
    store.add(newer, state=OutboxState.QUEUED)
    store.add(make_message("Draft", "never@offered.example"), state=OutboxState.DRAFT)

    def no_messages(_ids: object) -> object:
        raise AssertionError("the messages were loaded")

    monkeypatch.setattr(store, "get_many", no_messages)
    assert composing.known_addresses(runtime) == [
        Address("bo@clinic.example", "Bö Ørsted"),
        Address("ann@lab.example", "Ann Lee"),
        Address("doe@clinic.example", "Doe, Jane"),
    ]


@pytest.mark.parametrize(
    "address",
    [
        Address("pat@example.org"),
        Address("pat@example.org", "Pat Lee"),
        Address("doe@clinic.example", "Doe, Jane"),
        Address("q@clinic.example", 'Dr "Q" O\\Brien; MD'),
        Address("bo@clinic.example", "Bö Ørsted"),
        Address("ana@bücher.example", "Ana Álvarez"),
        Address("q@clinic.example", "Dr. Q. Lee [ward 4]"),
        Address("o@clinic.example", "Pat O\\Brien"),
    ],
)
def test_stored_recipients_split_into_what_the_full_check_made_of_them(address: Address) -> None:
    checked = parse_address(address.formatted())  # what was stored came out of this check
    assert checked == address
    stored = recipients_text(make_message(to=[checked, Address("x@example.org")]))
    assert list(stored_addresses([stored])) == [checked, Address("x@example.org")]
    assert list(stored_addresses([display_address(checked)])) == [checked]  # the composer's form
