"""``sealpost send`` with a key Paubox refuses: it says so and ends, the message stays queued, nothing is lost.

A headless run cannot be given a new key while it waits, so waiting out ``--timeout`` after a 401
only hid the reason ("still queued after 120 s"). Run against the real sandbox in realistic mode
(docs/sandbox.md): a legacy key sent to a URL that names another generation gets the legacy 401,
which no re-detection can mend (a URL naming a generation is used as given); the same key given the
root URL and its username then sends the queued message, once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.sandbox.server import SandboxConfig, SandboxServer
from tests.e2e.test_fidelity_cli import sandbox_records

pytestmark = pytest.mark.keyring
REPO = Path(__file__).resolve().parents[2]
KEY = "legacy-generation-key"
WAIT = "600"  # far longer than the subprocess is allowed to run: the refusal must end the run


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    config = SandboxConfig(delivery_delay=0.2, api_key=KEY, api_username="acme", realistic=True)  # a legacy key
    with SandboxServer(config) as server:
        yield server


def sealpost(url: str, profile_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args, "--profile-dir", str(profile_dir), "--api-base-url", url,
         "--timeout", WAIT],
        cwd=REPO, env={**os.environ, "PAUBOX_API_KEY": KEY, **env}, capture_output=True, text=True,
        timeout=90, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def send(url: str, profile_dir: Path, subject: str, **env: str) -> subprocess.CompletedProcess[str]:
    return sealpost(url, profile_dir, "send", "--to", "pat@example.org", "--subject", subject, "--text", "Ready", **env)


def test_a_refused_key_ends_the_run_with_the_reason_and_keeps_the_message(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    profile = tmp_path / "profile"
    refused = send(sandbox.root_url + "/v1/email", profile, "First")
    assert refused.returncode == 4, refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1, refused.stderr
    assert "API key was not accepted" in lines[0], lines[0]
    assert "stays queued" in lines[0], lines[0]
    assert KEY not in refused.stderr
    assert sandbox_records(sandbox) == []

    outbox = subprocess.run(
        [sys.executable, "-m", "desktop_app", "outbox", "--profile-dir", str(profile)],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert "First" in outbox.stdout + outbox.stderr, outbox

    fixed = send(sandbox.root_url, profile, "Second", PAUBOX_API_USERNAME="acme")
    assert fixed.returncode == 0, fixed.stderr
    rows = sandbox_records(sandbox)
    assert sorted(row["subject"] for row in rows) == ["First", "Second"], rows
    assert all(row["duplicate_count"] == 1 for row in rows), rows


def batch(url: str, profile_dir: Path, rows: Path, body: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return sealpost(url, profile_dir, "batch", str(rows), "--body-file", str(body), **env)


def test_a_refused_key_ends_a_batch_with_the_reason_and_the_same_command_sends_it_once(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    profile = tmp_path / "profile"
    rows = tmp_path / "rows.csv"
    rows.write_text("to,subject\npat@example.org,Flu clinic\nsam@example.org,Flu clinic\nlee@example.org,Flu clinic\n")
    body = tmp_path / "letter.txt"
    body.write_text("Walk-in flu shots all week.")
    refused = batch(sandbox.root_url + "/v1/email", profile, rows, body)
    assert refused.returncode == 4, refused.stderr
    last = refused.stderr.strip().splitlines()[-1]
    assert "API key was not accepted" in last, refused.stderr
    assert "stay queued" in last, last
    assert KEY not in refused.stderr
    assert "Traceback" not in refused.stderr
    assert json.loads(refused.stdout.strip().splitlines()[-1])["counts"] == {"queued": 3}
    assert sandbox_records(sandbox) == []

    fixed = batch(sandbox.root_url, profile, rows, body, PAUBOX_API_USERNAME="acme")
    assert fixed.returncode == 0, fixed.stderr
    assert "resuming the same batch" in fixed.stderr
    assert json.loads(fixed.stdout.strip().splitlines()[-1])["counts"] == {"accepted": 3}
    records = sandbox_records(sandbox)
    assert len(records) == 3, records
    assert all(row["duplicate_count"] == 1 for row in records), records
