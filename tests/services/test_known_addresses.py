"""The addresses offered while typing come from the stored recipients of recent messages (every
recipient, newest first, each once, names as written), without loading the messages themselves."""

from __future__ import annotations

import pytest

from desktop_app.core.addresses import Address
from desktop_app.core.outbox_state import OutboxState
from desktop_app.services import composing
from desktop_app.services.runtime import Runtime
from tests.helpers.messages import make_message


def test_known_addresses_are_every_recipient_newest_first_without_loading_messages(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = runtime.store
    assert store is not None
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
