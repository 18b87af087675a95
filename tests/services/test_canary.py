"""Canary scan: PHI and the API key must never reach a file in plaintext, UTF-16 or base64.

Messages carrying unique strings in the subject, body, attachment name and recipient display
names are composed (and autosaved), sent, searched and tracked to delivery with file logging
on; then every file under the profile and the temp directory is searched for the strings.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.addresses import Address
from desktop_app.core.message import Attachment, OutgoingMessage
from desktop_app.core.outbox_state import OutboxState
from desktop_app.sandbox.server import SandboxConfig, SandboxServer
from desktop_app.services.logging_setup import configure_logging
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Overrides, Runtime
from desktop_app.store.messages import HistoryFilter

MAX_SCANNED_FILE = 64 * 1024 * 1024


def encodings(secret: str) -> list[bytes]:
    """The secret as UTF-8, UTF-16 (both orders) and base64 at each of the three byte alignments."""
    data = secret.encode()
    forms = [data, secret.encode("utf-16-le"), secret.encode("utf-16-be")]
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + data)
        start, end = -(-4 * shift // 3), 4 * (shift + len(data)) // 3
        forms.append(encoded[start:end])
    return forms


def scan(roots: list[Path], secrets: dict[str, str], since: float) -> list[str]:
    pattern = re.compile(b"|".join(re.escape(form) for s in secrets.values() for form in encodings(s)))
    names = {form: name for name, s in secrets.items() for form in encodings(s)}
    hits: list[str] = []
    for root in roots:
        for directory, _, files in os.walk(root):
            for name in files:
                path = Path(directory, name)
                try:
                    info = path.lstat()
                    if not path.is_file() or info.st_size > MAX_SCANNED_FILE or info.st_mtime < since:
                        continue  # a file untouched since the canaries existed cannot hold them
                    content = path.read_bytes()
                except OSError:
                    continue
                hits.extend(f"{path}: {names[m.group(0)]}" for m in pattern.finditer(content))
    return hits


@pytest.fixture
def file_logging(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    log_dir = tmp_path / "profile" / "logs"
    configure_logging(log_dir, verbose=True)
    yield log_dir
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_no_canary_or_key_reaches_any_file(tmp_path: Path, file_logging: Path) -> None:
    started = time.time() - 1
    tag = uuid.uuid4().hex[:12]
    canaries = {
        "subject": f"SubjCanary{tag}",
        "body": f"BodyCanary{tag}",
        "html": f"HtmlCanary{tag}",
        "attachment": f"FileCanary{tag}.pdf",
        "name": f"NameCanary{tag}",
        "address": f"addr{tag}@example.org",
        "api_key": f"KeyCanary{tag}{uuid.uuid4().hex}",
    }
    message = OutgoingMessage(
        sender="staff@clinic.example",
        to=(Address(canaries["address"], canaries["name"]),),
        cc=(Address("cc@example.org", f"Cc {canaries['name']}"),),
        subject=f"Results {canaries['subject']}",
        text=f"Dear patient, {canaries['body']}",
        html=f"<p>{canaries['html']}</p>",
        attachments=(Attachment.from_bytes(canaries["attachment"], "application/pdf", b"%PDF-1.4 tiny"),),
    )
    with SandboxServer(SandboxConfig(api_key=canaries["api_key"], delivery_delay=0.2)) as server:
        runtime = Runtime(Profile(tmp_path / "profile"), Overrides(api_base_url=server.base_url,
                                                                   api_key=canaries["api_key"]))  # fmt: skip
        runtime.open()
        try:
            draft = runtime.save_draft(message)
            stored = runtime.queue(message, draft_id=draft)
            assert runtime.wait_until(stored.id, {OutboxState.ACCEPTED}, 20).state is OutboxState.ACCEPTED
            assert runtime.store is not None
            assert runtime.store.list_ids(HistoryFilter(search=canaries["subject"])) == [stored.id]
            deadline = time.monotonic() + 20
            while runtime.store.get(stored.id).delivery_summary != "delivered" and time.monotonic() < deadline:
                time.sleep(0.1)
            assert runtime.store.get(stored.id).delivery_summary == "delivered"
            runtime.rotate_database_key()
        finally:
            runtime.close()
    assert list(file_logging.glob("*.log")), "file logging was not exercised"
    roots = [tmp_path, Path(tempfile.gettempdir())]
    assert scan(roots, canaries, started) == []


def test_the_scan_itself_finds_every_encoding(tmp_path: Path) -> None:
    secret = "ProbeCanary123"
    for n, form in enumerate(encodings(secret)):
        (tmp_path / f"f{n}").write_bytes(b"xx" + form + b"yy")
    (tmp_path / "b64").write_bytes(base64.b64encode(b"ab" + secret.encode() + b"cd"))
    assert len(scan([tmp_path], {"probe": secret}, 0.0)) >= 7
    assert scan([tmp_path], {"probe": "AbsentCanary"}, 0.0) == []
