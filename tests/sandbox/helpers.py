"""Shared payload builders and clients for the sandbox contract tests."""

from __future__ import annotations

from typing import Any

import httpx

from desktop_app.sandbox.server import SandboxServer

SENDER = "sender@clinic.example"


def message(**overrides: object) -> dict[str, object]:
    """A minimal valid Paubox message object."""
    base: dict[str, object] = {
        "recipients": ["patient@example.org"],
        "headers": {"subject": "Your results", "from": SENDER},
        "content": {"text/plain": "Hello"},
    }
    base.update(overrides)
    return base


def client_for(server: SandboxServer, base: str = "v1_email", auth: str = "token") -> httpx.Client:
    """An httpx client on one base-URL generation with one auth style (``token`` or ``bearer``)."""
    value = f"Token token={server.api_key}" if auth == "token" else f"Bearer {server.api_key}"
    return httpx.Client(base_url=server.base_urls[base] + "/", headers={"Authorization": value}, timeout=5)


def send(client: httpx.Client, msg: dict[str, object], **data: object) -> httpx.Response:
    return client.post("messages", json={"data": {"message": msg, **data}})


def receipt(client: httpx.Client, tracking_id: str) -> dict[str, Any]:
    """The ``data.message`` part of a receipt."""
    response = client.get("message_receipt", params={"sourceTrackingId": tracking_id})
    assert response.status_code == 200, response.text
    message: dict[str, Any] = response.json()["data"]["message"]
    return message
