"""Transport rules (docs/security.md §5): HTTPS with verification and TLS ≥ 1.2; http only to loopback."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import trustme

from desktop_app.api.calls import endpoint_tls_context, tls_context
from desktop_app.api.client import PauboxClient
from desktop_app.api.config import ApiConfig, InsecureEndpointError, Secret, check_base_url
from desktop_app.api.errors import ConnectionFailed
from tests.security.tally import count


@pytest.mark.parametrize(
    "url",
    [
        "http://api.paubox.com/v1/email",
        "http://10.0.0.5:8025/v1",
        "http://127.0.0.1.evil.example/v1",
        "http://localhost.evil.example/v1",
        "http://[::ffff:10.0.0.1]/v1",
        "ftp://api.paubox.com/v1",
        "file:///etc/passwd",
        "https://user:secret@api.paubox.com/v1",
        "//api.paubox.com/v1",
        "api.paubox.com/v1",
    ],
)
def test_insecure_or_odd_base_urls_are_refused(url: str) -> None:
    count("transport cases")
    with pytest.raises(InsecureEndpointError):
        ApiConfig(url, Secret("k"))


@pytest.mark.parametrize("url", ["http://127.0.0.1:8025/v1/email", "http://localhost:1/v1", "http://[::1]:8025/v1",
                                 "https://api.paubox.com/v1/email"])  # fmt: skip
def test_https_and_loopback_http_are_accepted(url: str) -> None:
    assert check_base_url(url) == url


def test_tls_context_verifies_and_never_offers_below_1_2() -> None:
    context = tls_context()
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert context.options & ssl.OP_NO_SSLv3  # and nothing older sneaks in through options


def test_a_loopback_http_endpoint_gets_a_context_that_trusts_no_certificate() -> None:
    """No trust store is loaded for the sandbox's plain-http URL; were TLS ever used with that context,
    verification would be on and every certificate refused."""
    plain = endpoint_tls_context("http://127.0.0.1:8025/v1/email")
    assert plain.verify_mode is ssl.CERT_REQUIRED
    assert plain.check_hostname
    assert plain.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert plain.cert_store_stats()["x509_ca"] == 0
    secure = endpoint_tls_context("HTTPS://api.paubox.com/v1/email")
    assert secure.verify_mode is ssl.CERT_REQUIRED
    assert secure.cert_store_stats()["x509_ca"] > 0


def test_the_trust_nothing_context_refuses_a_server_the_bundle_would_trust(
    self_signed_server: tuple[str, Path],
) -> None:
    url, ca = self_signed_server
    with httpx.Client(verify=tls_context(str(ca))) as trusting:
        assert trusting.get(url).status_code == 404  # the CA bundle makes this server trusted
    nothing = endpoint_tls_context("http://127.0.0.1/", str(ca))
    with pytest.raises(httpx.ConnectError), httpx.Client(verify=nothing) as refusing:
        refusing.get(url)


class _Recorder(BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self) -> None:
        _Recorder.seen.append(self.headers.get("Authorization", ""))
        body = b'{"errors":[{"code":404,"title":"message_not_found"}]}'
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture
def self_signed_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTPS server on loopback whose certificate comes from a CA nobody trusts (trustme)."""
    ca = trustme.CA()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    _Recorder.seen.clear()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/v1/email", ca_file
    finally:
        server.shutdown()
        server.server_close()


def test_self_signed_certificate_is_refused_before_the_key_is_sent(self_signed_server: tuple[str, Path]) -> None:
    url, _ = self_signed_server
    with PauboxClient(ApiConfig(url, Secret("canary-key-tls")), read_attempts=1) as client, \
            pytest.raises(ConnectionFailed):  # fmt: skip
        client.check_credentials()
    assert _Recorder.seen == []  # no request (and so no key) ever reached the server


def test_control_the_same_server_is_reached_when_its_ca_is_trusted(self_signed_server: tuple[str, Path]) -> None:
    """Proves the refusal above is about trust, not a broken test server."""
    url, ca_file = self_signed_server
    with PauboxClient(ApiConfig(url, Secret("k"), ca_bundle=str(ca_file)), read_attempts=1) as client:
        client.check_credentials()  # the JSON 404 of an unknown tracking id means "reached, key accepted"
    assert _Recorder.seen == ["Token token=k"]
