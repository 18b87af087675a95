"""``sealpost audit …`` as real subprocesses over the real keyring and a sandbox send."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.sandbox.server import SandboxServer
from tests.security.test_audit_export import run_standalone
from tests.services.test_headless import sealpost

pytestmark = pytest.mark.keyring


def test_export_after_sends_verifies_and_fails_after_one_byte_changes(sandbox: SandboxServer, tmp_path: Path) -> None:
    for n in range(2):
        sent = sealpost(sandbox, tmp_path / "p", "send", "--to", f"pat{n}@example.org", "--subject", "S", "--text", "t")
        assert sent.returncode == 0, sent.stderr
    out = tmp_path / "evidence"
    export = sealpost(sandbox, tmp_path / "p", "audit", "export", "--from", "2000-01-01", "--to", "2999-12-31",
                      "--out", str(out))  # fmt: skip
    assert export.returncode == 0, export.stderr
    assert json.loads((out / "manifest.json").read_text())["count"] == 2
    verify = sealpost(sandbox, tmp_path / "p", "audit", "verify", str(out))
    assert (verify.returncode, verify.stdout.strip()) == (0, "OK: 2 entries, chain and files intact")
    assert run_standalone(out).returncode == 0
    data = bytearray((out / "audit.csv").read_bytes())
    data[-70] ^= 0x01  # one bit of the last row's hash
    (out / "audit.csv").write_bytes(bytes(data))
    verify = sealpost(sandbox, tmp_path / "p", "audit", "verify", str(out))
    assert verify.returncode == 1
    assert "row 3 of audit.csv (entry 2)" in verify.stdout
    standalone = run_standalone(out)
    assert standalone.returncode == 1
    assert "row 3 of audit.csv (entry 2)" in standalone.stdout
    again = sealpost(sandbox, tmp_path / "p", "audit", "export", "--out", str(out))
    assert again.returncode == 2
    assert "already exists" in again.stderr
    assert "Traceback" not in again.stderr
    bad = sealpost(sandbox, tmp_path / "p", "audit", "export", "--from", "last tuesday", "--out", str(tmp_path / "x"))
    assert bad.returncode == 2
    assert "'last tuesday' is not a date" in bad.stderr


def test_a_no_content_export_policy_refuses_recipients_and_subjects_but_not_the_evidence(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    from tests.services.test_policies import policy_dir

    policies = str(policy_dir(tmp_path, managed={"NoContentExport": True}))
    sent = sealpost(sandbox, tmp_path / "p", "send", "--to", "pat@example.org", "--subject", "Results", "--text", "t")
    assert sent.returncode == 0, sent.stderr
    run = ("--policy-dir", policies)
    refused = sealpost(sandbox, tmp_path / "p", "audit", "export", "--out", str(tmp_path / "e"),
                       "--include-recipients", *run)  # fmt: skip
    assert refused.returncode == 2
    assert "policy (NoContentExport) does not allow exporting recipient addresses" in refused.stderr
    assert not (tmp_path / "e").exists()
    report = ("audit", "disclosures", "--address", "pat@example.org", "--out", str(tmp_path / "r.csv"))
    no_subjects = sealpost(sandbox, tmp_path / "p", *report, "--subjects", *run)
    assert no_subjects.returncode == 2
    assert "does not allow exporting subjects" in no_subjects.stderr
    assert not (tmp_path / "r.csv").exists()
    assert sealpost(sandbox, tmp_path / "p", *report, *run).returncode == 0  # the report itself is evidence
    assert sealpost(sandbox, tmp_path / "p", "audit", "export", "--out", str(tmp_path / "e"), *run).returncode == 0
