"""Transport policy: HTTPS with verification and TLS >= 1.2 (checked with trustme), http only on
loopback, one pooled connection reused, and the key never in a log line, error, repr or event."""

from __future__ import annotations

import http.server
import json
import logging
import ssl
import threading
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trustme

from desktop_app.api.calls import tls_context
from desktop_app.api.client import PauboxClient
from desktop_app.api.config import ApiConfig, InsecureEndpointError, Secret
from desktop_app.api.connection import ProbeOutcome
from desktop_app.api.errors import CertificateUnverified, ConnectionFailed, InvalidInput, PauboxError
from desktop_app.api.webhooks import WEBHOOK_EVENTS
from desktop_app.sandbox.server import SandboxConfig, SandboxServer

from .helpers import Recorder, closed_port, make_client, message, set_faults

RECEIPT = {"sourceTrackingId": "t-1", "data": {"message": {"id": "<m>", "message_deliveries": []}}}


class _ReceiptHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.requests += 1  # type: ignore[attr-defined]
        body = json.dumps(RECEIPT).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


class _TlsServer(http.server.ThreadingHTTPServer):
    """HTTPS on loopback whose failed handshakes are counted instead of printed."""

    daemon_threads = True

    def __init__(self, context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _ReceiptHandler)
        self.socket = context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)
        self.requests = 0
        self.failed_handshakes = 0

    def handle_error(self, request: object, client_address: object) -> None:
        self.failed_handshakes += 1


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def _serve(ca: trustme.CA, *, maximum: ssl.TLSVersion | None = None) -> Iterator[_TlsServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    if maximum is not None:
        with warnings.catch_warnings():  # offering an old TLS version is the point of this server
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
            context.maximum_version = maximum
        context.set_ciphers("DEFAULT:@SECLEVEL=0")  # so OpenSSL really offers it
    server = _TlsServer(context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def https_server(ca: trustme.CA) -> Iterator[_TlsServer]:
    yield from _serve(ca)


@pytest.fixture
def old_tls_server(ca: trustme.CA) -> Iterator[_TlsServer]:
    yield from _serve(ca, maximum=ssl.TLSVersion.TLSv1_1)


def _https_client(server: _TlsServer, ca_bundle: str | None = None) -> PauboxClient:
    url = f"https://127.0.0.1:{server.server_address[1]}/v1/email"
    return PauboxClient(ApiConfig(url, Secret("k"), connect_timeout=5, ca_bundle=ca_bundle), read_attempts=1)


def test_a_self_signed_https_server_is_refused(https_server: _TlsServer) -> None:
    with _https_client(https_server) as client, pytest.raises(ConnectionFailed):
        client.receipt("t-1")
    assert https_server.requests == 0


def test_a_certificate_failure_says_so_not_that_the_network_is_down(https_server: _TlsServer) -> None:
    with _https_client(https_server) as client, pytest.raises(CertificateUnverified) as caught:
        client.send(message())
    words = caught.value.user_message
    assert words.startswith("The certificate of 127.0.0.1 could not be verified (")
    assert "so Sealpost did not connect" in words
    assert "network" not in words.lower().replace("your network inspects", "")
    assert "\n" not in words
    assert isinstance(caught.value, ConnectionFailed)  # nothing was sent: the outbox keeps it queued
    assert https_server.requests == 0


def test_a_certificate_for_another_host_is_named_as_such(ca: trustme.CA, tmp_path: Path) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("other.example").configure_cert(context)
    server = _TlsServer(context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    try:
        with _https_client(server, str(bundle)) as client, pytest.raises(CertificateUnverified) as caught:
            client.receipt("t-1")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert "could not be verified (it is for a different" in caught.value.user_message


def test_test_connection_reports_an_untrusted_certificate_in_words(https_server: _TlsServer) -> None:
    with _https_client(https_server) as client:
        report = client.test_connection(root=f"https://127.0.0.1:{https_server.server_address[1]}")
    assert report.results
    assert {r.outcome for r in report.results} == {ProbeOutcome.UNTRUSTED}
    assert all("certificate of 127.0.0.1 could not be verified" in r.words for r in report.results)
    assert report.summary.startswith("The server's certificate could not be verified")


def test_the_same_server_works_once_its_ca_is_trusted(https_server: _TlsServer, ca: trustme.CA, tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    with _https_client(https_server, str(bundle)) as client:
        assert client.receipt("t-1").tracking_id == "t-1"
    assert https_server.requests == 1


def test_tls_below_1_2_is_refused_even_with_a_trusted_certificate(
    old_tls_server: _TlsServer, ca: trustme.CA, tmp_path: Path
) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    with _https_client(old_tls_server, str(bundle)) as client, pytest.raises(ConnectionFailed) as caught:
        client.receipt("t-1")
    assert "A secure connection to 127.0.0.1 could not be set up" in caught.value.user_message
    assert "TLS 1.2" in caught.value.user_message
    assert old_tls_server.requests == 0


def test_tls_context_policy() -> None:
    context = tls_context()
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname


@pytest.mark.parametrize(
    "url",
    [
        "http://api.paubox.com/v1/email",
        "http://10.0.0.5/v1",
        "http://127.0.0.1.example.com/v1",
        "ftp://api.paubox.com/v1",
        "https://user:pw@api.paubox.com/v1",
        "api.paubox.com/v1",
    ],
)
def test_insecure_base_urls_are_refused(url: str) -> None:
    with pytest.raises(InsecureEndpointError):
        ApiConfig(url, Secret("k"))


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/v1", "http://localhost/v1/", "http://[::1]:9/v1"])
def test_plain_http_is_allowed_on_loopback(url: str) -> None:
    assert ApiConfig(url, Secret("k")).base_url == url.rstrip("/")


class _AddressRecordingTransport(httpx.HTTPTransport):
    """Notes the local address of the connection each response came over."""

    def __init__(self) -> None:
        super().__init__()
        self.local_addresses: list[object] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.local_addresses.append(response.extensions["network_stream"].get_extra_info("client_addr"))
        return response


def test_one_connection_is_reused_for_many_requests(sandbox: SandboxServer) -> None:
    transport = _AddressRecordingTransport()
    with make_client(sandbox, transport=transport) as client:
        tracking_id = client.send(message()).tracking_id
        for _ in range(10):
            client.receipt(tracking_id)
        client.list_templates()
    transport.close()
    assert len(transport.local_addresses) == 12
    assert len(set(transport.local_addresses)) == 1


# ------------------------------------------------------------------------------------- the key

CANARY = "sk_live_CANARY_7f3a9c1e5b"


@pytest.fixture(scope="module")
def canary_sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(api_key=CANARY, delivery_delay=0)) as server:
        yield server


def test_the_key_never_appears_in_logs_errors_reprs_or_events(
    canary_sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx and httpcore log every request and header phase at DEBUG
    # The app's logging setup quiets these two (an earlier test may have run it): listen anyway.
    for name in ("httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    texts: list[str] = []
    recorder = Recorder()

    def attempt(call: object) -> None:
        try:
            texts.append(repr(call()))  # type: ignore[operator]
        except PauboxError as error:
            texts.extend([str(error), repr(error), repr(error.args), error.user_message, error.detail])
            texts.append("".join(traceback.format_exception(error)))

    with make_client(canary_sandbox, recorder, read_timeout=0.5) as client:
        texts.extend([repr(client), repr(client.config), str(client.config.api_key)])
        attempt(lambda: client.send(message()))
        attempt(lambda: client.send_many([message(), message("Two")]))
        attempt(lambda: client.create_webhook_endpoint("http://127.0.0.1:9/h", WEBHOOK_EVENTS))
        attempt(lambda: client.list_webhook_endpoints())
        for faults in (
            {"fail_rate": 1.0, "seed": 1},
            {"accept_then_fail_rate": 1.0, "accept_then_fail_mode": "drop"},
            {"accept_then_fail_rate": 1.0, "accept_then_fail_mode": "timeout", "hang_seconds": 2},
            {"malformed_rate": 1.0},
            {"rate_limit": 0.01, "retry_after": "http-date"},
            {"revoke_key_after": 0},
        ):
            set_faults(canary_sandbox, **faults)
            attempt(lambda: client.send(message()))
            attempt(lambda: client.send(message()))
            attempt(lambda: client.list_templates())
        set_faults(canary_sandbox)
        texts.append(repr(client.test_connection(username="sandbox", root=canary_sandbox.root_url)))
    with make_client(canary_sandbox, recorder, key=CANARY + "-wrong") as client:
        attempt(lambda: client.receipt("abc"))
    unreachable = ApiConfig(f"http://127.0.0.1:{closed_port()}/v1", Secret(CANARY))
    with PauboxClient(unreachable, on_activity=recorder.events.append, read_attempts=1) as client:
        attempt(lambda: client.send(message()))
    texts.extend(repr(event) for event in recorder.events)
    texts.extend(record.getMessage() for record in caplog.records)
    texts.extend(caplog.text.splitlines())
    assert len(recorder.events) > 20
    assert caplog.records  # the loggers really were listening
    leaks = [text for text in texts if CANARY in text]
    assert leaks == []


@pytest.mark.parametrize("key", ["abc\r\nX-Evil: 1", "has space", "naïve", "tab\there"])
def test_a_key_that_cannot_travel_in_a_header_is_refused_without_quoting_it(key: str) -> None:
    with PauboxClient(ApiConfig("http://127.0.0.1:9/v1", Secret(key))) as client, pytest.raises(InvalidInput) as caught:
        client.receipt("abc")
    assert key not in str(caught.value)
    assert key not in repr(Secret(key))


def test_an_ascii_host_is_reached_without_loading_the_idna_codec() -> None:
    """The connect hands an ASCII host to the lookup as bytes (text loads the IDNA codec's tables for
    nothing); a host that is not ASCII is still looked up, and fails as a lookup, not as an encoding."""
    from tests.helpers.fresh_process import run_fresh

    run_fresh(
        "import socket, sys\n"
        "from desktop_app.api.bounded import _connect\n"
        "server = socket.create_server(('127.0.0.1', 0))\n"
        "sock = _connect('127.0.0.1', server.getsockname()[1], 5.0, None, (), None)\n"
        "sock.close(); server.close()\n"
        "assert 'encodings.idna' not in sys.modules, 'the IDNA codec was loaded for an ASCII host'\n"
        "try:\n"
        "    _connect('bücher.invalid', 443, 5.0, None, (), None)\n"
        "except UnicodeError as error:\n"
        "    raise AssertionError(error) from None\n"
        "except OSError:\n"
        "    pass\n"
        "else:\n"
        "    raise AssertionError('bücher.invalid was reached')\n"
    )
