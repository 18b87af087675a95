"""POST messages and GET message_receipt: SDK-style payloads, receipts, validation errors."""

from __future__ import annotations

import base64

import httpx
import pytest

from .conftest import SENDER, message


def send(api: httpx.Client, msg: dict[str, object], **data: object) -> httpx.Response:
    return api.post("messages", json={"data": {"message": msg, **data}})


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
    receipt = api.get("message_receipt", params={"sourceTrackingId": tracking_id})
    assert receipt.status_code == 200
    body = receipt.json()
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
