"""POST messages and GET message_receipt: SDK-style payloads, receipts, validation errors."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator

import httpx
import pytest

from desktop_app.sandbox.server import SandboxConfig, SandboxServer

from .helpers import SENDER, client_for, message, receipt, send


def test_send_returns_tracking_id_and_echoes_custom_headers(api: httpx.Client) -> None:
    msg = message(headers={"subject": "S", "from": SENDER, "X-Ref": "42", "Other": "dropped"})
    response = send(api, msg)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == "Service OK"
    assert body["customHeaders"] == {"X-Ref": "42"}
    assert len(body["sourceTrackingId"]) == 36


def test_sdk_style_payload_with_nulls_and_base64_html(api: httpx.Client) -> None:
    """What paubox-node / paubox-python3 actually send."""
    html = base64.b64encode(b"<p>Hello <a href='https://x.example'>x</a></p>").decode()
    msg = {
        "recipients": ["patient@example.org"],
        "cc": None,
        "bcc": [],
        "headers": {"subject": "S", "from": SENDER, "reply-to": None, "List-Unsubscribe": None},
        "content": {"text/plain": None, "text/html": html},
        "attachments": None,
        "allowNonTLS": False,
        "forceSecureNotification": "false",
    }
    response = api.post(
        "messages",
        json={"data": {"message": msg}},
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    assert response.status_code == 200, response.text


def test_receipt_for_single_recipient_has_engagement_fields(api: httpx.Client) -> None:
    tracking_id = send(api, message()).json()["sourceTrackingId"]
    response = api.get("message_receipt", params={"sourceTrackingId": tracking_id})
    assert response.status_code == 200
    body = response.json()
    assert body["sourceTrackingId"] == tracking_id
    msg = body["data"]["message"]
    assert msg["id"].startswith("<")
    assert msg["id"].endswith("@clinic.example>")
    (row,) = msg["message_deliveries"]
    assert row["recipient"] == "patient@example.org"
    assert row["status"]["deliveryStatus"] == "delivered"
    assert row["status"]["openedStatus"] == "not opened"
    assert msg["total_opens"] == 0
    assert msg["unsubscribed"] is False


def test_receipt_unknown_tracking_id(api: httpx.Client) -> None:
    response = api.get("message_receipt", params={"sourceTrackingId": "nope"})
    assert response.status_code == 404
    assert response.json() == {
        "errors": [
            {
                "code": 404,
                "status": "message_not_found",
                "title": "Message was not found",
                "details": "Message with this tracking id was not found",
            }
        ],
        "sourceTrackingId": "nope",
    }


@pytest.mark.parametrize(
    ("msg", "fragment"),
    [
        (message(headers={"from": SENDER}), "subject"),
        (message(recipients=[]), "recipient"),
        (message(recipients=None), "recipient"),
        (message(content={"text/plain": None, "text/html": ""}), "content"),
        (message(content=None), "content"),
        (message(recipients=[f"p{i}@example.org" for i in range(101)]), "at most 100"),
        (message(recipients=["p@example.org"], cc=[f"c{i}@example.org" for i in range(100)]), "at most 100"),
        (message(attachments=[{"fileName": "a.pdf", "contentType": "x", "content": "***"}]), "base64"),
        (message(recipients=["not an address"]), "invalid email"),
        (message(headers={"subject": "S", "from": "nobody"}), "from"),
        (message(forceSecureNotification="maybe"), "forceSecureNotification"),
    ],
)
def test_validation_errors(api: httpx.Client, msg: dict[str, object], fragment: str) -> None:
    response = send(api, msg)
    assert response.status_code == 400, response.text
    (error,) = response.json()["errors"]
    assert error["code"] == 400
    assert fragment in error["details"]


def test_bulk_preserves_order(api: httpx.Client) -> None:
    subjects = [f"m{i}" for i in range(5)]
    msgs = [message(headers={"subject": s, "from": SENDER, "X-N": s}) for s in subjects]
    response = api.post("bulk_messages", json={"data": {"messages": msgs}})
    assert response.status_code == 200, response.text
    entries = response.json()["messages"]
    assert [e["customHeaders"]["X-N"] for e in entries] == subjects
    assert all(e["data"] == "Service OK" for e in entries)
    assert len({e["sourceTrackingId"] for e in entries}) == 5


def test_bulk_rejects_whole_batch_naming_the_bad_message(api: httpx.Client, control: httpx.Client) -> None:
    msgs = [message(), message(recipients=[])]
    response = api.post("bulk_messages", json={"data": {"messages": msgs}})
    assert response.status_code == 400
    assert response.json()["errors"][0]["details"].startswith("messages[1]:")
    assert control.get("/messages").json()["count"] == 0


@pytest.mark.parametrize("messages", [None, [], "x"])
def test_bulk_needs_messages(api: httpx.Client, messages: object) -> None:
    assert api.post("bulk_messages", json={"data": {"messages": messages}}).status_code == 400


@pytest.mark.parametrize(
    ("local", "status"),
    [
        ("hardbounce", "hard bounced"),
        ("softbounce", "soft bounced"),
        ("mailboxfull", "soft bounced - mailbox full"),
        ("portal", "delivered via secure portal"),
        ("notls", "TLS not offered, sending via Secure Portal"),
        ("internalerror", "Internal error. Please check back later."),
        ("stuck", "processing"),
        ("plain", "delivered"),
    ],
)
def test_outcome_table(api: httpx.Client, local: str, status: str) -> None:
    tracking_id = send(api, message(recipients=[f"x.{local}@example.org"])).json()["sourceTrackingId"]
    (row,) = receipt(api, tracking_id)["message_deliveries"]
    assert row["status"]["deliveryStatus"] == status
    assert ("deliveryTime" in row["status"]) == (status not in ("processing", INTERNAL_ERROR))


INTERNAL_ERROR = "Internal error. Please check back later."


def test_flags_change_outcomes(api: httpx.Client) -> None:
    secure = send(api, message(forceSecureNotification="true")).json()["sourceTrackingId"]
    non_tls = send(api, message(recipients=["notls@example.org"], allowNonTLS=True)).json()["sourceTrackingId"]
    assert receipt(api, secure)["message_deliveries"][0]["status"]["deliveryStatus"] == ("delivered via secure portal")
    assert receipt(api, non_tls)["message_deliveries"][0]["status"]["deliveryStatus"] == "delivered"


def test_opened_and_clicked_single_recipient(api: httpx.Client) -> None:
    html = '<a href="https://a.example">a</a> <a href="https://b.example">b</a>'
    msg = message(recipients=["jo.clicked@example.org"], content={"text/html": html})
    got = receipt(api, send(api, msg).json()["sourceTrackingId"])
    status = got["message_deliveries"][0]["status"]
    assert status["openedStatus"] == "opened"
    assert status["openedTime"].endswith("+0000")
    assert got["total_opens"] == 1
    assert got["total_click_count"] == 2
    assert got["clicks_per_link"] == [
        {"click_count": 1, "target_url": "https://a.example"},
        {"click_count": 1, "target_url": "https://b.example"},
    ]


def test_multi_recipient_receipt_has_no_engagement(api: httpx.Client) -> None:
    msg = message(recipients=["opened@example.org"], cc=["c@example.org"], bcc=["hardbounce@example.org"])
    got = receipt(api, send(api, msg).json()["sourceTrackingId"])
    rows = got["message_deliveries"]
    assert [r["recipient"] for r in rows] == ["opened@example.org", "c@example.org", "hardbounce@example.org"]
    assert [r["status"]["deliveryStatus"] for r in rows] == ["delivered", "delivered", "hard bounced"]
    assert all(set(r["status"]) == {"deliveryStatus", "deliveryTime"} for r in rows)
    assert "total_opens" not in got


def test_display_names_are_accepted_and_stripped_in_receipts(api: httpx.Client) -> None:
    msg = message(recipients=["Pat Doe <pat@example.org>"], headers={"subject": "S", "from": f"Clinic <{SENDER}>"})
    got = receipt(api, send(api, msg).json()["sourceTrackingId"])
    assert got["message_deliveries"][0]["recipient"] == "pat@example.org"
    assert send(api, message(recipients=["<angle@example.org>"])).status_code == 200
    assert send(api, message(recipients=["two@example.org three@example.org"])).status_code == 400


@pytest.fixture(scope="module")
def slow_sandbox() -> Iterator[SandboxServer]:
    config = SandboxConfig(delivery_delay=0.3, verified_domains=("clinic.example",))
    with SandboxServer(config) as server:
        yield server


def test_status_moves_from_processing_to_final(slow_sandbox: SandboxServer) -> None:
    with client_for(slow_sandbox) as client:
        tracking_id = send(client, message(recipients=["opened@example.org"])).json()["sourceTrackingId"]
        first = receipt(client, tracking_id)
        assert first["message_deliveries"][0]["status"] == {
            "deliveryStatus": "processing",
            "openedStatus": "not opened",
        }
        time.sleep(0.35)
        status = receipt(client, tracking_id)["message_deliveries"][0]["status"]
        assert status["deliveryStatus"] == "delivered"
        assert status["openedStatus"] == "not opened"
        time.sleep(0.3)
        status = receipt(client, tracking_id)["message_deliveries"][0]["status"]
        assert status["openedStatus"] == "opened"


def test_unverified_sender_domain_is_422(slow_sandbox: SandboxServer) -> None:
    with client_for(slow_sandbox) as client:
        response = send(client, message(headers={"subject": "S", "from": "me@gmail.com"}))
        assert response.status_code == 422
        assert "gmail.com" in response.json()["errors"][0]["details"]
        reply_to = {"subject": "S", "from": SENDER, "reply-to": "me@gmail.com"}
        assert send(client, message(headers=reply_to)).status_code == 422
        assert send(client, message()).status_code == 200


def test_tracking_and_unsubscribe_options(api: httpx.Client) -> None:
    options = {"override_open_tracking": True, "override_link_tracking": "false", "unsubscribe_url": None}
    assert send(api, message(), **options).status_code == 200
    assert send(api, message(), override_open_tracking=3).status_code == 400
