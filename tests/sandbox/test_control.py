"""Introspection under ``/_sandbox/``: messages with duplicate counts, stats, reset, retention."""

from __future__ import annotations

import httpx

from desktop_app.sandbox.server import SandboxConfig, SandboxServer

from .helpers import SENDER, client_for, message, send


def test_messages_list_and_duplicate_counts(api: httpx.Client, control: httpx.Client) -> None:
    first = send(api, message()).json()["sourceTrackingId"]
    send(api, message())
    send(api, message(headers={"subject": "Other", "from": SENDER}))
    body = control.get("/messages").json()
    assert body["count"] == 3
    rows = body["messages"]
    assert rows[0]["sourceTrackingId"] == first
    assert rows[0]["recipients"] == ["patient@example.org"]
    assert rows[0]["subject"] == "Your results"
    assert rows[0]["from"] == SENDER
    assert [r["duplicate_count"] for r in rows] == [2, 2, 1]


def test_body_difference_is_not_a_duplicate(api: httpx.Client, control: httpx.Client) -> None:
    send(api, message(content={"text/plain": "one"}))
    send(api, message(content={"text/plain": "two"}))
    assert [r["duplicate_count"] for r in control.get("/messages").json()["messages"]] == [1, 1]


def test_stats_count_by_endpoint_and_status(api: httpx.Client, control: httpx.Client) -> None:
    send(api, message())
    send(api, message(recipients=[]))
    api.get("message_receipt", params={"sourceTrackingId": "x"})
    api.get("nowhere")
    stats = control.get("/stats").json()
    assert stats["total"] == 4
    assert stats["by_endpoint"] == {
        "POST messages": {"200": 1, "400": 1},
        "GET message_receipt": {"404": 1},
        "unrouted": {"404": 1},
    }


def test_reset_forgets_everything(api: httpx.Client, control: httpx.Client) -> None:
    tracking_id = send(api, message()).json()["sourceTrackingId"]
    api.post("dynamic_templates", data={"data[name]": "t", "data[body]": "x"})
    assert control.post("/reset").json() == {"reset": True}
    assert control.get("/messages").json()["count"] == 0
    assert control.get("/stats").json()["total"] == 0
    assert api.get("message_receipt", params={"sourceTrackingId": tracking_id}).status_code == 404
    assert api.get("dynamic_templates").json() == []


def test_retention_keeps_the_newest_messages() -> None:
    with SandboxServer(SandboxConfig(delivery_delay=0, retention=3)) as server, client_for(server) as client:
        ids = [send(client, message()).json()["sourceTrackingId"] for _ in range(5)]
        body = httpx.get(server.root_url + "/_sandbox/messages").json()
        assert [r["sourceTrackingId"] for r in body["messages"]] == ids[2:]
        assert body["accepted_total"] == 5
        assert [r["duplicate_count"] for r in body["messages"]] == [3, 3, 3]
        evicted = client.get("message_receipt", params={"sourceTrackingId": ids[0]})
        assert evicted.status_code == 404


def test_messages_limit_returns_the_newest(api: httpx.Client, control: httpx.Client) -> None:
    ids = [send(api, message()).json()["sourceTrackingId"] for _ in range(3)]
    rows = control.get("/messages", params={"limit": 2}).json()["messages"]
    assert [r["sourceTrackingId"] for r in rows] == ids[1:]
