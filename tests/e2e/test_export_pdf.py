"""``sealpost export ID --pdf FILE`` as real subprocesses against the real sandbox (real keyring).

The PDF is read back with poppler's ``pdftotext``: it must hold what a chart needs (subject, each
recipient's final status, the tracking id, the attachment with its size); the export is audited and
leaves nothing behind but the PDF (no temporary file next to it, nothing in the temp directory).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from desktop_app.sandbox.server import SandboxServer
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Overrides, Runtime

pytestmark = pytest.mark.keyring
REPO = Path(__file__).resolve().parents[2]
SEALPOST = REPO / ".venv" / "bin" / "sealpost"


def sealpost(sandbox: SandboxServer, profile_dir: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PAUBOX_API_KEY": sandbox.api_key, "TMPDIR": str(tmp)}
    env.pop("QT_QPA_PLATFORM", None)  # the export chooses the offscreen platform itself
    return subprocess.run(
        [str(SEALPOST), *args, "--profile-dir", str(profile_dir), "--api-base-url", sandbox.base_url],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path, Path]:
    profile, out, tmp = tmp_path / "p", tmp_path / "chart", tmp_path / "tmp"
    out.mkdir()
    tmp.mkdir()
    return profile, out, tmp


def test_a_delivered_message_exports_to_a_pdf_for_the_chart(
    sandbox: SandboxServer, dirs: tuple[Path, Path, Path]
) -> None:
    profile, out, tmp = dirs
    report = tmp.parent / "scan.pdf"
    report.write_bytes(b"%PDF-1.4 " + b"x" * 2039)
    sent = sealpost(
        sandbox, profile, tmp, "send", "--to", "pat@example.org", "--to", "sam.hardbounce@example.org",
        "--subject", "Lab results for March", "--html", '<p>Ready.</p><img src="https://tracker.example/p.gif">',
        "--attach", str(report), "--wait-delivery",
    )  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    tracking_id = sent.stdout.split()[-1]
    report.unlink()

    target = out / "lab results.pdf"
    result = sealpost(sandbox, profile, tmp, "export", "1", "--pdf", str(target))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith("message 1: 1 page(s) written to ")
    assert sorted(p.name for p in out.iterdir()) == ["lab results.pdf"]  # no temporary copy beside it
    assert list(tmp.iterdir()) == []  # nor in the temp directory
    assert target.stat().st_mode & 0o077 == 0  # PHI: readable by its owner only

    text = pdf_text(target)
    assert "Lab results for March" in text
    assert tracking_id in text.replace("\n", "")
    lines = text.splitlines()
    assert any("pat@example.org" in line and "delivered" in line for line in lines), text
    assert any("sam.hardbounce@example.org" in line and "hard bounced" in line for line in lines), text
    assert any("Hard bounced: sam.hardbounce@example.org" in line for line in lines), text  # the timeline
    assert any("Delivered: pat@example.org" in line for line in lines), text
    assert "scan.pdf" in text
    assert "2 KB" in text
    assert "Record produced by Sealpost on" in text

    runtime = Runtime(Profile(profile), Overrides(api_base_url=sandbox.base_url, api_key=sandbox.api_key))
    runtime.open(start_engines=False)
    try:
        assert runtime.store is not None
        exports = [e for e in runtime.store.audit_entries() if e.action == "export_pdf"]
        assert [(e.message_id, e.detail) for e in exports] == [(1, "1 page(s)")]
    finally:
        runtime.close()


def test_export_asks_paubox_for_statuses_not_yet_final(sandbox: SandboxServer, dirs: tuple[Path, Path, Path]) -> None:
    profile, out, tmp = dirs
    sent = sealpost(sandbox, profile, tmp, "send", "--to", "pat@example.org", "--subject", "Visit", "--text", "Hi")
    assert sent.returncode == 0, sent.stderr
    target = out / "visit.pdf"
    result = sealpost(sandbox, profile, tmp, "export", "1", "--pdf", str(target))
    assert result.returncode == 0, result.stderr
    assert any("pat@example.org" in line and "delivered" in line for line in pdf_text(target).splitlines())


def test_a_missing_message_or_folder_is_refused_in_words(sandbox: SandboxServer, dirs: tuple[Path, Path, Path]) -> None:
    profile, out, tmp = dirs
    assert (
        sealpost(sandbox, profile, tmp, "send", "--to", "pat@example.org", "--subject", "S", "--text", "T").returncode
        == 0
    )
    missing = sealpost(sandbox, profile, tmp, "export", "7", "--pdf", str(out / "x.pdf"))
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines()[-1] == "sealpost: message 7 does not exist"
    no_folder = sealpost(sandbox, profile, tmp, "export", "1", "--pdf", str(out / "nowhere" / "x.pdf"))
    assert no_folder.returncode == 2
    assert "does not exist; choose an existing folder" in no_folder.stderr
    assert "Traceback" not in missing.stderr + no_folder.stderr
    assert list(out.iterdir()) == []
    assert list(tmp.iterdir()) == []


def test_the_no_content_export_policy_refuses_it(sandbox: SandboxServer, dirs: tuple[Path, Path, Path]) -> None:
    profile, out, tmp = dirs
    assert (
        sealpost(sandbox, profile, tmp, "send", "--to", "pat@example.org", "--subject", "S", "--text", "T").returncode
        == 0
    )
    managed = tmp.parent / "policies" / "managed"
    managed.mkdir(parents=True)
    (managed / "export.json").write_text('{"NoContentExport": true}')
    env = {**os.environ, "PAUBOX_API_KEY": sandbox.api_key, "TMPDIR": str(tmp),
           "SEALPOST_POLICY_DIR": str(managed.parent)}  # fmt: skip
    result = subprocess.run(
        [str(SEALPOST), "export", "1", "--pdf", str(out / "x.pdf"), "--profile-dir", str(profile),
         "--api-base-url", sandbox.base_url],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "policy (NoContentExport) does not allow exporting a message's content" in result.stderr
    assert list(out.iterdir()) == []
    assert list(tmp.iterdir()) == []
