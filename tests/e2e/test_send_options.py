"""``sealpost send --attach/--content-type/--header/--html-file`` as a real subprocess (real keyring).

The options meet the composer's rules (docs/security.md §3a): a bad value exits 2 with one
``sealpost: <reason>`` line and nothing reaches the outbox or the sandbox; a good send arrives
at the sandbox with its attachment and header, which the sandbox's own record shows.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

import desktop_app.sandbox.server as sandbox_server_module
from desktop_app.sandbox.config import SandboxConfig
from desktop_app.sandbox.runtime import Runtime as SandboxRuntime
from desktop_app.sandbox.server import SandboxServer
from desktop_app.sandbox.state import SandboxState

pytestmark = pytest.mark.keyring
REPO = Path(__file__).resolve().parents[2]
SEALPOST = REPO / ".venv" / "bin" / "sealpost"


class RecordingSandbox(SandboxServer):
    """The real sandbox, keeping a handle on its state and the JSON bodies it was sent."""

    def __init__(self) -> None:
        super().__init__(SandboxConfig(delivery_delay=0.2))
        self.state: SandboxState | None = None
        self.bodies: list[Any] = []

    async def _open(self, runtime: SandboxRuntime) -> web.AppRunner:
        self.state = runtime.state
        return await super()._open(runtime)

    def sent(self) -> list[Any]:
        """Send requests as the sandbox received them (``POST …/messages``)."""
        return [body for body in self.bodies if "message" in body.get("data", {})]


@pytest.fixture(scope="module")
def recording_sandbox() -> Iterator[RecordingSandbox]:
    server = RecordingSandbox()
    original = sandbox_server_module.build_app

    def build_app(runtime: SandboxRuntime) -> web.Application:
        app = original(runtime)

        @web.middleware
        async def record(request: web.Request, handler: Any) -> web.StreamResponse:
            if request.method == "POST" and request.content_type == "application/json":
                server.bodies.append(json.loads(await request.read()))  # cached: the handler reads it again
            response: web.StreamResponse = await handler(request)
            return response

        app.middlewares.append(record)
        return app

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sandbox_server_module, "build_app", build_app)
        server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sandbox(recording_sandbox: RecordingSandbox) -> RecordingSandbox:
    assert recording_sandbox.state is not None
    recording_sandbox.state.messages.clear()
    recording_sandbox.bodies.clear()
    return recording_sandbox


def sealpost(sandbox: SandboxServer, profile_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SEALPOST), "send", "--profile-dir", str(profile_dir), "--api-base-url", sandbox.base_url,
         "--to", "pat@example.org", "--subject", "Results", *args],
        cwd=REPO, env={**os.environ, "PAUBOX_API_KEY": sandbox.api_key}, capture_output=True, text=True,
        timeout=90, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def assert_refused(result: subprocess.CompletedProcess[str], sandbox: RecordingSandbox, *reason: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("sealpost: "), lines
    for words in reason:
        assert words in lines[0], lines[0]
    assert result.stdout == ""
    assert sandbox.state is not None
    assert not sandbox.state.messages  # nothing reached Paubox
    assert not sandbox.sent()


def outbox(sandbox: SandboxServer, profile_dir: Path) -> list[Any]:
    if not profile_dir.exists():
        return []
    listed = subprocess.run(
        [str(SEALPOST), "outbox", "--json", "--profile-dir", str(profile_dir), "--api-base-url", sandbox.base_url],
        cwd=REPO, env={**os.environ, "PAUBOX_API_KEY": sandbox.api_key}, capture_output=True, text=True,
        timeout=60, check=True,
    )  # fmt: skip
    rows: list[Any] = json.loads(listed.stdout)
    return rows


def test_attachment_name_with_a_bidi_override_is_refused(sandbox: RecordingSandbox, tmp_path: Path) -> None:
    disguised = tmp_path / "lab-results\u202efdp.exe"
    disguised.write_bytes(b"MZ not really")
    result = sealpost(sandbox, tmp_path / "p", "--text", "Hello", "--attach", str(disguised))
    assert_refused(result, sandbox, "text-direction character (U+202E)", "rename the file")
    assert "\u202e" not in result.stderr  # the reason cannot reorder the terminal line either
    assert outbox(sandbox, tmp_path / "p") == []


def test_content_type_with_a_line_break_is_refused(sandbox: RecordingSandbox, tmp_path: Path) -> None:
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4")
    result = sealpost(
        sandbox, tmp_path / "p", "--text", "Hello",
        "--attach", str(report), "--content-type", "application/pdf\r\nX-Injected: 1",
    )  # fmt: skip
    assert_refused(result, sandbox, "content type", "line break", "report.pdf", "application/pdf")
    assert outbox(sandbox, tmp_path / "p") == []


def test_header_name_with_a_space_is_refused(sandbox: RecordingSandbox, tmp_path: Path) -> None:
    result = sealpost(sandbox, tmp_path / "p", "--text", "Hello", "--header", "X-Clinic Ref: 42")
    assert_refused(result, sandbox, "X-Clinic Ref", "without spaces", "X-Clinic-Ref")
    assert outbox(sandbox, tmp_path / "p") == []


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--header", "X-Ref 42"], "has no “:”"),
        (["--header", "Bcc: spy@evil.example"], "must start with X-"),
        (["--header", "X-Ref: 1\r\nBcc: spy@evil.example"], "line break"),
        (["--attach", "{missing}"], "cannot read the attachment"),
        (["--html-file", "{missing}"], "cannot read the HTML file"),
        (["--html-file", "{latin1}"], "not UTF-8"),
        (["--content-type", "text/plain", "--attach", "{note}"], "comes before any --attach"),
        (["--attach", "{note}", "--content-type", "text/plain", "--content-type", "text/html"], "two --content-type"),
        (["--attach", "{note}", "--content-type", "pdf"], "type/subtype"),
        (["--html", "<p>x</p>", "--html-file", "{page}"], "not both"),
    ],
)
def test_other_bad_values_exit_2_with_a_reason(
    sandbox: RecordingSandbox, tmp_path: Path, args: list[str], reason: str
) -> None:
    (tmp_path / "note.txt").write_text("note")
    (tmp_path / "page.html").write_text("<p>page</p>")
    (tmp_path / "latin1.html").write_bytes("<p>Müller</p>".encode("latin-1"))
    paths = {"missing": str(tmp_path / "missing.pdf"), "note": str(tmp_path / "note.txt"),
             "page": str(tmp_path / "page.html"), "latin1": str(tmp_path / "latin1.html")}  # fmt: skip
    result = sealpost(sandbox, tmp_path / "p", "--text", "Hello", *(a.format(**paths) for a in args))
    assert_refused(result, sandbox, reason)
    if "{missing}" in args:
        assert "missing.pdf" in result.stderr  # the file is named
    assert outbox(sandbox, tmp_path / "p") == []


def test_attachment_header_and_html_file_reach_the_sandbox(sandbox: RecordingSandbox, tmp_path: Path) -> None:
    report = tmp_path / "Lab results 2026-03.pdf"
    report.write_bytes(b"%PDF-1.4 results")
    notes = tmp_path / "notes.csv"
    notes.write_bytes(b"a,b\n1,2\n")
    page = tmp_path / "body.html"
    page.write_text(
        '<p>Dear Pat,</p><p>See <a href="https://clinic.example/r?a=1&amp;b=&quot;x&quot;">your results</a>.'
        "</p><script>alert(1)</script><pre>\n\nkept</pre>",
        encoding="utf-8",
    )
    result = sealpost(
        sandbox, tmp_path / "p", "--html-file", str(page),
        "--attach", str(report), "--attach", str(notes), "--content-type", "text/csv; charset=utf-8",
        "--header", "X-Clinic-Ref: 42", "--header", "X-Department:Cardiology",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("accepted: message 1, tracking id ")
    tracking_id = result.stdout.split()[-1]

    # The sandbox's own record of the accepted message.
    assert sandbox.state is not None
    stored = sandbox.state.messages[tracking_id].message
    assert stored.custom_headers == {"X-Clinic-Ref": "42", "X-Department": "Cardiology"}
    assert stored.attachment_count == 2

    # And what it was sent: names, types (guessed for the PDF, given for the CSV) and bytes.
    (body,) = sandbox.sent()
    attachments = body["data"]["message"]["attachments"]
    assert [(a["fileName"], a["contentType"]) for a in attachments] == [
        ("Lab results 2026-03.pdf", "application/pdf"),
        ("notes.csv", "text/csv; charset=utf-8"),
    ]
    assert base64.b64decode(attachments[0]["content"]) == b"%PDF-1.4 results"
    assert body["data"]["message"]["headers"]["X-Clinic-Ref"] == "42"
    html = base64.b64decode(body["data"]["message"]["content"]["text/html"]).decode("utf-8")
    assert "alert" not in html  # sanitised like --html
    assert "https://clinic.example/r?a=1&amp;b=" in html
    assert "&amp;amp;" not in html
    assert "<pre>\n\nkept</pre>" in html


def test_unknown_extension_falls_back_to_octet_stream(sandbox: RecordingSandbox, tmp_path: Path) -> None:
    blob = tmp_path / "scan.zzunknown"
    blob.write_bytes(b"\x00\x01")
    result = sealpost(sandbox, tmp_path / "p", "--text", "Hello", "--attach", str(blob))
    assert result.returncode == 0, result.stderr
    (body,) = sandbox.sent()
    (attachment,) = body["data"]["message"]["attachments"]
    assert attachment["contentType"] == "application/octet-stream"
