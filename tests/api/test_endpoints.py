"""Every endpoint against the real sandbox over HTTP: typed results, ids mapped back, records checked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from desktop_app.api.errors import InvalidInput, InvalidRequest, NotFound, NotSent, PauboxError
from desktop_app.api.models import SendResult
from desktop_app.api.webhooks import WEBHOOK_EVENTS
from desktop_app.core.addresses import parse_address
from desktop_app.core.message import Attachment
from desktop_app.sandbox.server import SandboxServer

from .helpers import Recorder, make_client, message, recorded, stats


@pytest.mark.parametrize("generation", ["v1_email", "v1", "legacy"])
def test_send_and_receipt_on_every_generation(sandbox: SandboxServer, generation: str) -> None:
    recorder = Recorder()
    with make_client(sandbox, recorder, generation=generation) as client:
        result = client.send(message())
        receipt = client.receipt(result.tracking_id)
    assert result.data == "Service OK"
    assert receipt.tracking_id == result.tracking_id
    assert [d.recipient for d in receipt.deliveries] == ["patient@example.org"]
    assert [(e.method, e.endpoint, e.status, e.outcome) for e in recorder.events] == [
        ("POST", "messages", 200, "ok"),
        ("GET", "message_receipt", 200, "ok"),
    ]
    assert all(e.tracking_id == result.tracking_id for e in recorder.events)
    assert recorded(sandbox)["messages"][0]["duplicate_count"] == 1


def test_send_many_chunks_by_fifty_and_maps_ids_back_in_order(sandbox: SandboxServer) -> None:
    messages = [message(f"Batch {i}") for i in range(120)]
    recorder = Recorder()
    with make_client(sandbox, recorder) as client:
        outcomes = client.send_many(messages)
    assert all(isinstance(o, SendResult) for o in outcomes)
    assert [e.endpoint for e in recorder.events] == ["bulk_messages"] * 3
    by_id = {row["sourceTrackingId"]: row for row in recorded(sandbox)["messages"]}
    assert len(by_id) == 120
    for index, outcome in enumerate(outcomes):
        assert isinstance(outcome, SendResult)
        assert by_id[outcome.tracking_id]["subject"] == f"Batch {index}"
        assert by_id[outcome.tracking_id]["duplicate_count"] == 1


def test_send_many_refuses_an_invalid_message_locally_and_sends_the_rest(sandbox: SandboxServer) -> None:
    bad = message("Bad", custom_headers=(("Priority", "high"),))
    with make_client(sandbox) as client:
        outcomes = client.send_many([message("One"), bad, message("Two")])
    assert isinstance(outcomes[0], SendResult)
    assert isinstance(outcomes[1], InvalidInput)
    assert isinstance(outcomes[2], SendResult)
    assert sorted(row["subject"] for row in recorded(sandbox)["messages"]) == ["One", "Two"]


def test_a_batch_refused_for_one_message_blames_only_that_one(sandbox: SandboxServer) -> None:
    # An empty attachment: local validation is switched off so the server is the one refusing.
    odd = message("Odd", attachments=(Attachment("a.txt", "text/plain", ""),), text="x")
    with make_client(sandbox) as client:
        client._check_message = lambda *_a, **_k: None  # type: ignore[method-assign]  # let it through
        outcomes = client.send_many([message("One"), odd, message("Two")])
    assert isinstance(outcomes[1], InvalidRequest)
    assert type(outcomes[0]) is NotSent
    assert type(outcomes[2]) is NotSent
    assert recorded(sandbox)["count"] == 0


def test_templates_crud_and_templated_send(sandbox: SandboxServer) -> None:
    with make_client(sandbox) as client:
        created = client.create_template("welcome-api", "<p>Hello {{name}}</p>")
        assert created.message == "Template welcome-api created!"
        assert created.name == "welcome-api"
        summary = client.find_template("welcome-api")
        assert summary is not None
        template = client.get_template(summary.id)
        assert template.body == "<p>Hello {{name}}</p>"
        assert template.created_at
        changed = client.update_template(summary.id, body="<p>Hi {{name}}, {{#each items}}{{this}} {{/each}}</p>")
        assert changed.message == "Template  updated!"  # live quirk: body-only update, empty name
        renamed = client.update_template(str(summary.id), name="welcome-api-2")
        assert renamed.name == "welcome-api-2"
        result = client.send_templated(
            "welcome-api-2", {"name": "Jane", "items": ["a", "b"]}, message("Hi {{name}}", text="")
        )
        assert result.tracking_id
        assert client.delete_template(summary.id).message == "Template welcome-api-2 deleted!"
        with pytest.raises(NotFound):
            client.get_template(summary.id)
        assert client.find_template("welcome-api-2") is None
    assert recorded(sandbox)["messages"][0]["subject"] == "Hi Jane"


def test_templated_send_to_an_unknown_template_is_rejected(sandbox: SandboxServer) -> None:
    with make_client(sandbox) as client, pytest.raises(InvalidRequest, match="not found"):
        client.send_templated("no-such-template", {}, message(text=""))
    assert recorded(sandbox)["count"] == 0


def test_schedule_status_reschedule_cancel(sandbox: SandboxServer) -> None:
    now = datetime.now(UTC)
    with make_client(sandbox) as client:
        scheduled = client.schedule(message(), now + timedelta(days=2))
        assert scheduled.state == "pending"
        status = client.schedule_status(scheduled.tracking_id)
        assert status.scheduled_at == scheduled.scheduled_at
        moved = client.reschedule(scheduled.tracking_id, now + timedelta(days=3))
        assert moved.data == "Rescheduled"
        assert moved.scheduled_at > scheduled.scheduled_at
        cancelled = client.cancel_schedule(scheduled.tracking_id)
        assert cancelled.state == "cancelled"
        assert client.schedule_status(scheduled.tracking_id).cancelled_at
        with pytest.raises(InvalidInput, match="30 days"):
            client.schedule(message(), now + timedelta(days=31))
        with pytest.raises(InvalidInput, match="future"):
            client.schedule(message(), now - timedelta(minutes=1))


def test_webhook_endpoints_crud_and_keys_stay_out_of_repr(sandbox: SandboxServer) -> None:
    with make_client(sandbox) as client:
        created = client.create_webhook_endpoint(
            "http://127.0.0.1:9/hook", WEBHOOK_EVENTS[:2], signing_key="whsec-canary-123"
        )
        endpoint = created.endpoint
        assert endpoint is not None
        assert endpoint.events == WEBHOOK_EVENTS[:2]
        assert "whsec-canary-123" not in repr(endpoint)
        assert endpoint.signing_key == "whsec-canary-123"
        assert [e.id for e in client.list_webhook_endpoints()] == [endpoint.id]
        updated = client.update_webhook_endpoint(endpoint.id, active=False)
        assert updated.endpoint is not None
        assert updated.endpoint.active is False
        assert client.get_webhook_endpoint(endpoint.id).active is False
        assert client.delete_webhook_endpoint(endpoint.id).message == "Webhook deleted!"
        assert client.list_webhook_endpoints() == []
        with pytest.raises(InvalidInput, match="https"):
            client.create_webhook_endpoint("http://hooks.example.com/x", WEBHOOK_EVENTS)


@pytest.mark.parametrize("bad_id", ["../messages", "1/../../x", "abc\n", "1?x=2", "", " 12", "-1", "1" * 40])
def test_ids_are_validated_before_they_reach_a_url(sandbox: SandboxServer, bad_id: str) -> None:
    with make_client(sandbox) as client:
        for call in (client.get_template, client.delete_template, client.get_webhook_endpoint):
            with pytest.raises(InvalidInput):
                call(bad_id)
        if bad_id not in ("-1", "1" * 40):  # these two are fine tracking ids, just unknown
            for tracking in (client.receipt, client.schedule_status, client.cancel_schedule):
                with pytest.raises(InvalidInput):
                    tracking(bad_id)
    assert stats(sandbox) == {}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"to": ()}, "at least one recipient"),
        ({"to": tuple(parse_address(f"p{i}@example.org") for i in range(101))}, "100"),
        ({"subject": " "}, "subject"),
        ({"text": "", "html": ""}, "empty"),
        ({"subject": "Hi\r\nBcc: evil@example.com"}, "line break"),
        ({"custom_headers": (("Priority", "1"),)}, "X-"),
        ({"custom_headers": (("X-Ok", "a\nb"),)}, "line break"),
        ({"sender": "not an address"}, "not"),
    ],
)
def test_invalid_messages_never_leave(sandbox: SandboxServer, change: dict[str, Any], words: str) -> None:
    with make_client(sandbox) as client, pytest.raises(InvalidInput, match=words):
        client.send(message(**change))
    assert stats(sandbox) == {}


def test_attachments_must_be_strict_base64_within_the_limit(sandbox: SandboxServer) -> None:
    with make_client(sandbox) as client:
        with pytest.raises(InvalidInput, match="base64"):
            client.send(message(attachments=(Attachment("a.pdf", "application/pdf", "SGVsbG8=\nV29y"),)))
        big = Attachment.from_bytes("big.bin", "application/octet-stream", b"\0" * (8 * 1024 * 1024))
        with pytest.raises(InvalidInput, match="limit"):
            client.send(message(attachments=(big,)))
        ok = Attachment.from_bytes("a.pdf", "application/pdf", b"%PDF-1.4")
        assert client.send(message(attachments=(ok,))).tracking_id
    assert recorded(sandbox)["count"] == 1


def test_every_error_is_a_pauboxerror_with_user_words(sandbox: SandboxServer) -> None:
    with make_client(sandbox) as client, pytest.raises(PauboxError) as caught:
        client.receipt("00000000-0000-0000-0000-000000000000")
    assert isinstance(caught.value, NotFound)
    assert caught.value.user_message.startswith("Paubox does not know that item")
