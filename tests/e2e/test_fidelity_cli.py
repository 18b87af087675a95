"""What ``sealpost send`` puts on the wire, seen by a logging proxy between it and the sandbox.

A small HTTP proxy on 127.0.0.1 records every request body and forwards it to the real sandbox.
It shows that no ``override_*_tracking`` field is sent unless ``--open-tracking``/``--link-tracking``
asks for one, that ``--header "List-Unsubscribe: …"`` reaches the sandbox (which records it and
reports the one-click unsubscribe), and that a 12 MB attachment is refused the same way by the
client (before any request) and by the sandbox (400 "Failed to send", same figures).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from desktop_app.sandbox.server import SandboxConfig, SandboxServer
from desktop_app.services.profile import Profile

pytestmark = pytest.mark.keyring
REPO = Path(__file__).resolve().parents[2]
SEALPOST = REPO / ".venv" / "bin" / "sealpost"
UNSUBSCRIBE = "<mailto:unsubscribe@clinic.example>, <https://clinic.example/unsubscribe?u=42>"
TWELVE_MB = 12 * 1024 * 1024


class LoggingProxy:
    """Forwards every request to ``upstream`` unchanged and keeps (method, path, body) of each."""

    def __init__(self, upstream: str) -> None:
        self.log: list[tuple[str, str, bytes]] = []
        proxy = self
        client = httpx.Client(base_url=upstream, timeout=30)
        self._client = client

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                proxy.log.append((self.command, self.path, body))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                reply = client.request(self.command, self.path, content=body, headers=headers)
                self.send_response(reply.status_code)
                for name, value in reply.headers.items():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.content)))
                self.end_headers()
                self.wfile.write(reply.content)

            do_GET = do_POST = do_PATCH = do_DELETE = _forward

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def sends(self) -> list[tuple[bytes, dict[str, Any]]]:
        """(raw body, parsed JSON) of every POST …/messages."""
        return [
            (body, json.loads(body))
            for method, path, body in self.log
            if method == "POST" and path.endswith("/messages")
        ]

    def __enter__(self) -> LoggingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._client.close()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(delivery_delay=0.2)) as server:
        yield server


@pytest.fixture
def proxy(sandbox: SandboxServer) -> Iterator[LoggingProxy]:
    with httpx.Client(base_url=sandbox.root_url + "/_sandbox", timeout=5) as control:
        control.post("/reset").raise_for_status()
    with LoggingProxy(sandbox.root_url) as logging_proxy:
        yield logging_proxy


def sealpost(proxy: LoggingProxy, key: str, profile_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SEALPOST), "send", "--profile-dir", str(profile_dir), "--api-base-url", proxy.root_url + "/v1/email",
         "--to", "pat@example.org", "--subject", "Results", "--text", "Ready", *args],
        cwd=REPO, env={**os.environ, "PAUBOX_API_KEY": key}, capture_output=True, text=True,
        timeout=90, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def sandbox_records(sandbox: SandboxServer) -> list[dict[str, Any]]:
    with httpx.Client(base_url=sandbox.root_url + "/_sandbox", timeout=5) as control:
        rows: list[dict[str, Any]] = control.get("/messages").json()["messages"]
        return rows


def test_no_tracking_override_unless_asked(proxy: LoggingProxy, sandbox: SandboxServer, tmp_path: Path) -> None:
    plain = sealpost(proxy, sandbox.api_key, tmp_path / "p")
    assert plain.returncode == 0, plain.stderr
    asked = sealpost(proxy, sandbox.api_key, tmp_path / "p", "--open-tracking", "off", "--link-tracking", "on")
    assert asked.returncode == 0, asked.stderr
    (raw_plain, first), (_raw, second) = proxy.sends()
    assert b"override_" not in raw_plain  # not even an explicit false
    assert set(first["data"]) == {"message"}
    assert second["data"]["override_open_tracking"] is False
    assert second["data"]["override_link_tracking"] is True
    # The sandbox acted on them: account default for the first, the overrides for the second.
    records = sandbox_records(sandbox)
    assert [(r["override_open_tracking"], r["open_tracking"]) for r in records] == [(None, True), (False, False)]
    assert [(r["override_link_tracking"], r["link_tracking"]) for r in records] == [(None, True), (True, True)]


def test_list_unsubscribe_header_passes_through(proxy: LoggingProxy, sandbox: SandboxServer, tmp_path: Path) -> None:
    result = sealpost(
        proxy, sandbox.api_key, tmp_path / "p", "--header", f"List-Unsubscribe: {UNSUBSCRIBE}",
        "--header", "List-Unsubscribe-Post: List-Unsubscribe=One-Click", "--header", "X-Clinic-Ref: 42",
        "--unsubscribe-url", "https://clinic.example/paubox-unsubscribe",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    tracking_id = result.stdout.split()[-1]
    ((_raw, body),) = proxy.sends()
    headers = body["data"]["message"]["headers"]
    assert headers["List-Unsubscribe"] == UNSUBSCRIBE
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["X-Clinic-Ref"] == "42"
    assert body["data"]["unsubscribe_url"] == "https://clinic.example/paubox-unsubscribe"
    assert "override_open_tracking" not in body["data"]
    (record,) = sandbox_records(sandbox)
    assert record["list_unsubscribe"] == UNSUBSCRIBE
    assert record["list_unsubscribe_post"] == "List-Unsubscribe=One-Click"
    assert record["unsubscribe_url"] == "https://clinic.example/paubox-unsubscribe"
    with httpx.Client(base_url=sandbox.root_url + "/_sandbox", timeout=5) as control:
        done = control.post("/one-click", json={"sourceTrackingId": tracking_id})
    assert done.json()["url"] == "https://clinic.example/unsubscribe?u=42"
    with httpx.Client(
        base_url=sandbox.base_url + "/", headers={"Authorization": f"Token token={sandbox.api_key}"}
    ) as api:
        got = api.get("message_receipt", params={"sourceTrackingId": tracking_id}).json()
    assert got["data"]["message"]["unsubscribed"] is True


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("List-Unsubscribe: <http://clinic.example/u>", "only mailto: and https://"),
        ("List-Unsubscribe: <javascript:alert(1)>", "only mailto: and https://"),
        ("List-Unsubscribe-Post: List-Unsubscribe=One-Click", "needs an <https://"),
    ],
)
def test_a_bad_unsubscribe_header_exits_2_and_sends_nothing(
    proxy: LoggingProxy, sandbox: SandboxServer, tmp_path: Path, header: str, words: str
) -> None:
    result = sealpost(proxy, sandbox.api_key, tmp_path / "p", "--header", header)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("sealpost: ")
    assert words in result.stderr
    assert proxy.sends() == []


@pytest.mark.parametrize(
    ("size", "encoded"),
    [
        pytest.param(TWELVE_MB, "16.0", id="12-mb"),
        # 4 bytes over the limit once encoded: rounded up, so it never reads "10.0 MB, over the 10.0 MB limit".
        pytest.param(10 * 1024 * 1024 // 4 * 3 + 1, "10.1", id="just-over"),
    ],
)
def test_a_12_mb_attachment_is_refused_the_same_way_by_client_and_sandbox(
    proxy: LoggingProxy, sandbox: SandboxServer, tmp_path: Path, size: int, encoded: str
) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"\0" * size)
    # The client: refused before any request, in the same figures the sandbox uses.
    result = sealpost(proxy, sandbox.api_key, tmp_path / "p", "--attach", str(scan))
    assert result.returncode == 2, result.stderr
    assert f"{encoded} MB once encoded, over the 10.0 MB limit" in result.stderr
    assert proxy.sends() == []
    # The sandbox: the same attachment sent straight to it is refused, 400 "Failed to send".
    attachment = {"fileName": "scan.pdf", "contentType": "application/pdf",
                  "content": base64.b64encode(scan.read_bytes()).decode()}  # fmt: skip
    message = {"recipients": ["pat@example.org"], "headers": {"subject": "S", "from": "staff@clinic.example"},
               "content": {"text/plain": "x"}, "attachments": [attachment]}  # fmt: skip
    with httpx.Client(
        base_url=sandbox.base_url + "/", headers={"Authorization": f"Token token={sandbox.api_key}"}
    ) as api:
        refused = api.post("messages", json={"data": {"message": message}})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["title"] == "Failed to send"
    assert refused.json()["errors"][0]["details"] == f"Attachments are {encoded} MB once encoded; the limit is 10.0 MB."
    assert sandbox_records(sandbox) == []


def test_a_raised_profile_limit_meets_the_sandbox_limit(
    proxy: LoggingProxy, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """A profile allowing 20 MB lets the client send it; the sandbox (Paubox's 10 MB) refuses it: failed."""
    Profile(tmp_path / "p").update(attachment_limit_mb=20.0)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"\0" * TWELVE_MB)
    result = sealpost(proxy, sandbox.api_key, tmp_path / "p", "--attach", str(scan))
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "failed" in result.stderr
    assert "Failed to send" in result.stderr
    assert len(proxy.sends()) == 1  # it went once, was refused (400), and is not retried
    assert sandbox_records(sandbox) == []
