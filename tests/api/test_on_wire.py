"""The client says when a send starts on the wire: the line between "provably not sent" and "maybe sent"."""

from __future__ import annotations

import socket

import pytest

from desktop_app.api.errors import ConnectionFailed
from desktop_app.sandbox.server import SandboxServer
from tests.api.helpers import make_client, message


def test_on_wire_fires_once_before_a_single_send_is_answered(sandbox: SandboxServer) -> None:
    calls: list[str] = []
    with make_client(sandbox) as client:
        result = client.send(message(), on_wire=lambda: calls.append("wire"))
    assert result.tracking_id
    assert calls == ["wire"]


def test_on_wire_names_the_messages_of_each_bulk_request(sandbox: SandboxServer) -> None:
    seen: list[list[int]] = []
    with make_client(sandbox) as client:
        outcomes = client.send_many([message(f"m{i}") for i in range(3)], on_wire=lambda ix: seen.append(list(ix)))
    assert len(outcomes) == 3
    assert seen == [[0, 1, 2]]


def test_on_wire_never_fires_when_the_connection_cannot_be_made(sandbox: SandboxServer) -> None:
    with socket.socket() as probe:  # a port nothing listens on: refused before any byte is written
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    calls: list[str] = []
    with make_client(sandbox) as client:
        client._http.base_url = f"http://127.0.0.1:{port}/v1/sealpost/"
        with pytest.raises(ConnectionFailed):
            client.send(message(), on_wire=lambda: calls.append("wire"))
    assert calls == []
