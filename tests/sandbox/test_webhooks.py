"""Webhook-endpoint CRUD and event delivery to a receiver running on loopback."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from desktop_app.sandbox.server import SandboxConfig, SandboxServer

from .helpers import SENDER, client_for, message, send

ALL_EVENTS = [
    "api_mail_log_delivered",
    "api_mail_log_temporary_failure",
    "api_mail_log_permanent_failure",
    "api_mail_log_opened",
]


class Receiver:
    """Collects JSON webhook bodies; answers ``fail_first`` requests with 500 first."""

    def __init__(self, fail_first: int = 0) -> None:
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.fail_first = fail_first
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if outer.fail_first > 0:
                    outer.fail_first -= 1
                    self.send_response(500)
                else:
                    outer.events.put(json.loads(body))
                    self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def next(self) -> dict[str, Any]:
        return self.events.get(timeout=5)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    yield hook
    hook.close()


def register(api: httpx.Client, url: str, events: list[str] | None = None) -> dict[str, Any]:
    response = api.post("webhook_endpoints", json={"target_url": url, "events": events or ALL_EVENTS, "active": True})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def test_endpoint_crud(api: httpx.Client) -> None:
    created = api.post(
        "webhook_endpoints", json={"data": {"target_url": "https://hooks.example/p", "events": ALL_EVENTS[:1]}}
    )
    assert created.json()["message"] == "Webhook created!"
    endpoint = created.json()["data"]
    assert endpoint["active"] is True
    assert endpoint["events"] == ALL_EVENTS[:1]
    assert isinstance(endpoint["id"], int)
    assert api.get("webhook_endpoints").json() == [endpoint]
    assert api.get(f"webhook_endpoints/{endpoint['id']}").json() == {"data": endpoint}
    updated = api.patch(f"webhook_endpoints/{endpoint['id']}", json={"active": False, "signing_key": "s"})
    assert updated.json()["message"] == "Webhook updated!"
    assert updated.json()["data"]["active"] is False
    assert updated.json()["data"]["signing_key"] == "s"
    assert updated.json()["data"]["target_url"] == "https://hooks.example/p"
    deleted = api.delete(f"webhook_endpoints/{endpoint['id']}")
    assert deleted.json()["message"] == "Webhook deleted!"
    assert api.get(f"webhook_endpoints/{endpoint['id']}").status_code == 404
    assert api.get("webhook_endpoints").json() == []


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"events": ALL_EVENTS}, 400),
        ({"target_url": "ftp://x.example", "events": ALL_EVENTS}, 422),
        ({"target_url": "https://x.example", "events": ["api_mail_log_bogus"]}, 422),
        ({"target_url": "https://x.example", "events": []}, 400),
        ({"target_url": "https://x.example", "events": ALL_EVENTS, "active": "yes"}, 400),
    ],
)
def test_endpoint_validation(api: httpx.Client, body: dict[str, object], status: int) -> None:
    response = api.post("webhook_endpoints", json=body)
    assert response.status_code == status
    assert response.json()["errors"][0]["code"] == status


def test_events_are_posted_with_documented_payload(
    api: httpx.Client, receiver: Receiver, control: httpx.Client
) -> None:
    register(api, receiver.url)
    msg = message(recipients=["jo.opened@example.org"], headers={"subject": "S", "from": SENDER, "X-Ref": "7"})
    tracking_id = send(api, msg).json()["sourceTrackingId"]
    events = sorted((receiver.next(), receiver.next()), key=lambda e: e["event_name"])
    assert [e["event_name"] for e in events] == ["api_mail_log_delivered", "api_mail_log_opened"]
    payload = events[0]["payload"]
    assert set(payload) == {
        "id",
        "subject",
        "header_message_id",
        "source_tracking_id",
        "outbound_queue_id",
        "time",
        "from",
        "to",
        "custom_headers",
    }
    assert payload["source_tracking_id"] == tracking_id
    assert payload["to"] == "jo.opened@example.org"
    assert payload["from"] == SENDER
    assert payload["custom_headers"] == {"X-Ref": "7"}
    assert payload["time"].endswith("Z")
    assert isinstance(payload["id"], int)


def test_bounces_map_to_failure_events_and_subscriptions_filter(api: httpx.Client, receiver: Receiver) -> None:
    register(api, receiver.url, ["api_mail_log_permanent_failure", "api_mail_log_temporary_failure"])
    msg = message(recipients=["ok@example.org", "hardbounce@example.org"], cc=["softbounce@example.org"])
    send(api, msg)
    got = sorted((receiver.next()["event_name"], receiver.next()["event_name"]))
    assert got == ["api_mail_log_permanent_failure", "api_mail_log_temporary_failure"]
    with pytest.raises(queue.Empty):
        receiver.events.get(timeout=0.2)


def test_failed_post_is_not_retried_by_default(api: httpx.Client, control: httpx.Client) -> None:
    hook = Receiver(fail_first=1)
    try:
        register(api, hook.url, ["api_mail_log_delivered"])
        send(api, message())
        with pytest.raises(queue.Empty):
            hook.events.get(timeout=0.3)
        log = control.get("/webhooks").json()["deliveries"]
        assert [(d["status"], d["attempt"]) for d in log] == [(500, 1)]
    finally:
        hook.close()


@pytest.fixture(scope="module")
def retrying_sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(delivery_delay=0, webhook_retries=2)) as server:
        yield server


def test_retries_when_enabled(retrying_sandbox: SandboxServer) -> None:
    hook = Receiver(fail_first=2)
    try:
        with client_for(retrying_sandbox) as client:
            register(client, hook.url, ["api_mail_log_delivered"])
            send(client, message())
            assert hook.next()["event_name"] == "api_mail_log_delivered"
            log = httpx.get(retrying_sandbox.root_url + "/_sandbox/webhooks").json()["deliveries"]
            assert [(d["status"], d["attempt"]) for d in log] == [(500, 1), (500, 2), (200, 3)]
    finally:
        hook.close()


def test_unreachable_target_is_logged(api: httpx.Client, control: httpx.Client) -> None:
    register(api, "http://127.0.0.1:9/hook", ["api_mail_log_delivered"])
    send(api, message())
    for _ in range(50):
        log = control.get("/webhooks").json()["deliveries"]
        if log:
            break
        threading.Event().wait(0.02)
    assert log[0]["status"] is None
    assert log[0]["error"] == "ConnectError"
