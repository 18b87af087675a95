"""Shared payload builders and clients for the sandbox contract tests."""

from __future__ import annotations

import json
import queue
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


class Delivery:
    """One webhook POST as a receiver saw it: raw body bytes and headers."""

    def __init__(self, body: bytes, headers: dict[str, str], path: str) -> None:
        self.body = body
        self.headers = headers
        self.path = path

    def json(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.body)
        return value


class HookReceiver:
    """A webhook receiver on 127.0.0.1 (plain http, or https with a trustme certificate) keeping raw bodies."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.deliveries: queue.Queue[Delivery] = queue.Queue()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.deliveries.put(Delivery(body, dict(self.headers.items()), self.path))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        scheme = "http"
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def next(self, timeout: float = 5) -> Delivery:
        return self.deliveries.get(timeout=timeout)

    def nothing_more(self, wait: float = 0.3) -> bool:
        try:
            self.deliveries.get(timeout=wait)
        except queue.Empty:
            return True
        return False

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def service_client(server: SandboxServer, key: str | None = None) -> httpx.Client:
    """An httpx client on the webhooks service with a scoped Bearer key (the sandbox's own by default)."""
    headers = {"Authorization": f"Bearer {server.webhooks_key if key is None else key}"}
    return httpx.Client(base_url=server.webhooks_url + "/", headers=headers, timeout=5)


def mint_key(server: SandboxServer, events: list[str]) -> str:
    """A webhooks key scoped to ``events`` only, from the control API."""
    response = httpx.post(server.root_url + "/_sandbox/webhook_keys", json={"events": events}, timeout=5)
    response.raise_for_status()
    key: str = response.json()["key"]
    return key
