"""Audit forwarding to a REAL rsyslog started here (plain TCP and TLS), plus the delivery edge cases.

rsyslog writes each message it receives as ``%rawmsg%``; the tests parse every line as RFC 5424,
check the order and the hash chain as a collector would, and scan it for PHI canaries.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from desktop_app.core.addresses import Address
from desktop_app.core.message import OutgoingMessage
from desktop_app.core.syslog_format import ForwardingTargetError, parse_target
from desktop_app.sandbox.server import SandboxServer
from desktop_app.services import audit_forwarding
from desktop_app.services.audit_forwarding import AuditForwarder
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Overrides, Runtime
from desktop_app.store.audit_forwarding import ForwardingLedger
from tests.services.syslog_collector import RSYSLOGD, Collector, TlsFiles, check_chain, free_port, parse

needs_rsyslog = pytest.mark.skipif(RSYSLOGD is None, reason="rsyslogd is not installed (Debian: rsyslog)")
CANARIES = ("canary-recipient-7Q2@example.org", "CANARY-SUBJECT-7Q2", "CANARY-BODY-7Q2", "CANARY-NOTE-7Q2")


def _runtime(profile: Profile, sandbox: SandboxServer, target: str) -> Runtime:
    profile.update(audit_forwarding=target)
    reread = Profile(profile.directory)  # the setting as saved, the way the next start reads it
    assert reread.settings.audit_forwarding == target
    runtime = Runtime(reread, Overrides(api_base_url=sandbox.base_url, api_key=sandbox.api_key))
    runtime.open()
    assert runtime.is_sending_owner
    assert runtime.forwarder is not None
    return runtime


def _wait(condition: object, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def _forwarded(collector: Collector, count: int) -> list[dict[str, str]]:
    return [parse(line) for line in collector.wait_for(count)]


@pytest.fixture
def collector(tmp_path: Path) -> Iterator[Collector]:
    rsyslog = Collector(tmp_path / "rsyslog")
    rsyslog.start()
    yield rsyslog
    rsyslog.stop()


@needs_rsyslog
def test_audited_actions_arrive_in_order_as_rfc5424_and_survive_the_collector_being_down(
    profile: Profile, sandbox: SandboxServer, collector: Collector
) -> None:
    runtime = _runtime(profile, sandbox, f"tcp://127.0.0.1:{collector.port}")
    try:
        assert runtime.store is not None
        store, forwarder = runtime.store, runtime.forwarder
        assert forwarder is not None
        message = OutgoingMessage(sender="staff@clinic.example", to=(Address(CANARIES[0], "Pat Canary"),),
                                  subject=CANARIES[1], text=CANARIES[2])  # fmt: skip
        runtime.queue(message)
        store.audit("review", detail=f"period all; reviewer me; note: {CANARIES[3]} {CANARIES[0]}")
        for n in range(18):
            store.audit("settings", detail=f"theme {n}")
        events = _forwarded(collector, 20)
        assert [int(e["seq"]) for e in events] == list(range(1, 21))
        assert {e["pri"] for e in events} == {"109"}
        assert [e["msgid"] for e in events[:3]] == ["queue", "review", "settings"]
        assert events[2]["detail"] == "theme 0"
        assert "detail" not in events[1]  # a typed note never travels as text, only its SHA-256
        assert len(events[1]["detail-sha256"]) == 64
        check_chain(events)
        _wait(lambda: forwarder.backlog() == 0, "the ledger never caught up")

        collector.stop()
        for n in range(100):
            store.audit("settings", detail=f"while down {n}")
        _wait(lambda: not forwarder.connected, "the forwarder never noticed the collector was gone")
        assert forwarder.backlog() == 100  # kept in the encrypted store, nothing marked forwarded
        collector.start()
        events = _forwarded(collector, 120)
        _wait(lambda: forwarder.backlog() == 0, "the backlog was never replayed")
        time.sleep(audit_forwarding.SETTLE_SECONDS * 2)
        events = [parse(line) for line in collector.lines()]
        assert [int(e["seq"]) for e in events] == list(range(1, 121))  # each once, in order
        assert [e["detail"] for e in events[20:]] == [f"while down {n}" for n in range(100)]
        check_chain(events)
        received = collector.output.read_text("utf-8")
        for canary in CANARIES:
            assert canary.lower() not in received.lower()
        assert "Pat Canary" not in received
    finally:
        runtime.close()


@needs_rsyslog
def test_entries_written_just_before_closing_still_go_out_on_the_live_connection(
    profile: Profile, sandbox: SandboxServer, collector: Collector
) -> None:
    runtime = _runtime(profile, sandbox, f"tcp://127.0.0.1:{collector.port}")
    assert runtime.store is not None
    forwarder = runtime.forwarder
    assert forwarder is not None
    runtime.store.audit("settings", detail="first")
    _wait(lambda: forwarder.backlog() == 0, "the first entry was never forwarded")
    for n in range(3):
        runtime.store.audit("settings", detail=f"just before closing {n}")
    runtime.close()  # a short command exits right after its work: what is waiting is drained first
    events = _forwarded(collector, 4)
    assert [e["detail"] for e in events] == ["first"] + [f"just before closing {n}" for n in range(3)]


@needs_rsyslog
@pytest.mark.keyring
def test_a_headless_send_forwards_its_own_audit_entry(
    sandbox: SandboxServer, collector: Collector, tmp_path: Path
) -> None:
    from tests.services.test_headless import sealpost

    Profile(tmp_path / "p").update(audit_forwarding=f"tcp://127.0.0.1:{collector.port}")
    sent = sealpost(sandbox, tmp_path / "p", "send", "--to", CANARIES[0], "--subject", CANARIES[1], "--text", "x")
    assert sent.returncode == 0, sent.stderr
    (event,) = _forwarded(collector, 1)
    assert (event["seq"], event["action"]) == ("1", "queue")
    assert CANARIES[0] not in collector.output.read_text("utf-8")


def _tls_files(directory: Path, common_name: str = "Throwaway test CA") -> TlsFiles:
    """A CA made for this test and a server certificate for 127.0.0.1 signed by it."""
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "collector")]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    files = TlsFiles(directory / "ca.pem", directory / "cert.pem", directory / "key.pem")
    files.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files.cert.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))  # fmt: skip
    return files


@needs_rsyslog
def test_tls_forwarding_verifies_the_collector_certificate(
    tmp_path: Path,
    profile: Profile,
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The collector's CA is trusted the way an installed organisation CA is (OpenSSL's SSL_CERT_FILE)."""
    tls = _tls_files(tmp_path / "pki")
    collector = Collector(tmp_path / "rsyslog-tls", tls=tls)
    collector.start()
    stranger = _tls_files(tmp_path / "other-pki", "Some other CA")
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(stranger.ca))
        runtime = _runtime(profile, sandbox, f"tls://127.0.0.1:{collector.port}")
        try:  # a collector whose certificate this CA did not sign gets nothing
            assert runtime.store is not None
            runtime.store.audit("settings", detail="theme")
            forwarder = runtime.forwarder
            assert forwarder is not None
            _wait(lambda: "CERTIFICATE_VERIFY_FAILED" in caplog.text, "the certificate was not refused")
            assert collector.lines() == []
            assert forwarder.backlog() == 1
        finally:
            runtime.close()
        monkeypatch.setenv("SSL_CERT_FILE", str(tls.ca))
        runtime = _runtime(profile, sandbox, f"tls://127.0.0.1:{collector.port}")
        try:
            assert runtime.store is not None
            runtime.store.audit("settings", detail="over tls")
            events = _forwarded(collector, 2)
            assert [(e["seq"], e["detail"]) for e in events] == [("1", "theme"), ("2", "over tls")]
            check_chain(events)
        finally:
            runtime.close()
    finally:
        collector.stop()


class FrameServer:
    """A minimal collector in the test: reads octet-counted frames; can drop a connection after N bytes."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.frames: list[bytes] = []
        self.drop_after: int | None = None
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn:
                buffer, taken = b"", 0
                while chunk := conn.recv(65536):
                    if self.drop_after is not None:
                        chunk = chunk[: max(0, self.drop_after - taken)]
                    buffer, taken = buffer + chunk, taken + len(chunk)
                    while b" " in buffer and len(buffer) > (n := int(buffer.split(b" ", 1)[0])) + buffer.index(b" "):
                        start = buffer.index(b" ") + 1
                        self.frames.append(buffer[start : start + n])
                        buffer = buffer[start + n :]
                    if self.drop_after is not None and taken >= self.drop_after:
                        self.drop_after = None
                        break  # closed mid-frame: a partial write the forwarder must repeat

    def seqs(self) -> list[int]:
        return [int(parse(f.decode())["seq"]) for f in self.frames]

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def frame_server() -> Iterator[FrameServer]:
    server = FrameServer()
    yield server
    server.close()


def _forwarder(runtime: Runtime, port: int) -> AuditForwarder:
    assert runtime.store is not None
    target = parse_target(f"tcp://127.0.0.1:{port}")
    assert target is not None
    return AuditForwarder(runtime.store, target, runtime.profile.settings.profile_id)


def test_a_crash_between_sending_and_recording_resends_with_the_same_sequence_numbers(
    profile: Profile, frame_server: FrameServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = Runtime(profile)
    runtime.open(start_engines=False)
    try:
        assert runtime.store is not None
        for n in range(5):
            runtime.store.audit("settings", detail=f"n{n}")
        first = _forwarder(runtime, frame_server.port)

        def crash(*_args: object) -> None:
            raise SystemExit("killed after sending, before recording")

        monkeypatch.setattr(ForwardingLedger, "confirm", crash)
        with pytest.raises(SystemExit):
            first._forward_once()
        first._drop()
        monkeypatch.undo()
        _wait(lambda: len(frame_server.frames) == 5, "the first copy never arrived")
        second = _forwarder(runtime, frame_server.port)  # the next process to own the sending
        assert second._forward_once() == 5
        second._drop()
        _wait(lambda: len(frame_server.frames) == 10, "the replay never arrived")
        assert frame_server.seqs() == [1, 2, 3, 4, 5] * 2  # at-least-once on the wire, same seq
        assert sorted(set(frame_server.seqs())) == [1, 2, 3, 4, 5]  # once each after de-duplication
        assert second.backlog() == 0
        assert second._forward_once() == 0  # marked once; nothing is sent a third time
    finally:
        runtime.close()


def test_a_connection_dropped_mid_frame_is_replayed_whole_on_a_new_one(
    profile: Profile, frame_server: FrameServer
) -> None:
    runtime = Runtime(profile)
    runtime.open(start_engines=False)
    try:
        assert runtime.store is not None
        for n in range(10):
            runtime.store.audit("settings", detail=f"n{n}")
        frame_server.drop_after = 700  # a few whole frames, then half of one, then the connection closes
        forwarder = _forwarder(runtime, frame_server.port)
        forwarder.start()
        _wait(lambda: forwarder.backlog() == 0, "the forwarder never recovered from the dropped connection")
        forwarder.stop()
        seqs = frame_server.seqs()
        assert seqs[0] == 1
        assert len(seqs) > 10  # part of it arrived before the drop
        assert sorted(set(seqs)) == list(range(1, 11))
        assert seqs[-10:] == list(range(1, 11))  # the whole batch again, in order, on the new connection
    finally:
        runtime.close()


@pytest.mark.parametrize(
    "text", ["udp://127.0.0.1:514", "tcp://127.0.0.1", "collector:514", "tcp://host:99999", "tls://h:514?ca=/x"]
)
def test_a_wrong_forwarding_target_is_refused_in_words(text: str) -> None:
    with pytest.raises(ForwardingTargetError):
        parse_target(text)
    assert parse_target("") is None
    assert free_port() > 0
