"""From the outside, as IT checks a desk: `sealpost policy --json`, a refused `--allow-non-tls`,
a malformed policy file named while the app still starts, and the problem in the audit trail.

Runs the installed ``sealpost`` command with the real Secret Service (scripts/with-test-keyring.sh).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.services.policies import load
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Runtime
from desktop_app.store import keys
from tests.e2e.test_damaged_profile import sealpost, sealpost_lines

pytestmark = pytest.mark.keyring


@pytest.fixture
def policy_dir(tmp_path: Path) -> Path:
    root = tmp_path / "policies"
    (root / "managed").mkdir(parents=True)
    (root / "recommended").mkdir()
    (root / "managed" / "10-clinic.json").write_text(json.dumps({"AllowNonTLS": False, "IdleLockMinutes": 2}))
    return root


@pytest.fixture
def profile_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "profile"
    yield directory
    if (directory / "profile-id").exists():
        profile_id = (directory / "profile-id").read_text().strip()
        for forget in (keys.delete_database_key, keys.delete_pending_database_key, keys.delete_api_key):
            forget(profile_id)


def test_the_issue_check_managed_values_reported_non_tls_refused(policy_dir: Path, profile_dir: Path) -> None:
    result = sealpost("policy", "--json", "--policy-dir", str(policy_dir), "--profile-dir", str(profile_dir))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    clinic = str(policy_dir / "managed" / "10-clinic.json")
    assert report["policies"]["AllowNonTLS"] == {"value": False, "source": "managed", "file": clinic}
    assert report["policies"]["IdleLockMinutes"] == {"value": 2, "source": "managed", "file": clinic}
    assert report["settings"]["autolock_minutes"]["value"] == 2
    assert report["settings"]["autolock_minutes"]["maximum"] == 2
    assert report["policies"]["OpenTracking"]["source"] == "default"
    assert report["problems"] == []

    refused = sealpost("send", "--policy-dir", str(policy_dir), "--profile-dir", str(profile_dir),
                       "--to", "pat@clinic.example", "--subject", "s", "--text", "t", "--allow-non-tls")  # fmt: skip
    assert refused.returncode == 2
    assert sealpost_lines(refused.stderr)[-1] == (
        "sealpost: Delivery without TLS is not allowed: no policy of your organisation allows it (AllowNonTLS)."
    )


def test_a_policy_that_allows_it_lets_the_switch_through(policy_dir: Path, profile_dir: Path) -> None:
    (policy_dir / "managed" / "10-clinic.json").write_text(json.dumps({"AllowNonTLS": True}))
    sent = sealpost("send", "--policy-dir", str(policy_dir), "--profile-dir", str(profile_dir),
                    "--to", "pat@clinic.example", "--subject", "s", "--text", "t", "--allow-non-tls")  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.startswith("accepted: message ")


def test_a_malformed_policy_is_named_audited_and_the_app_still_starts(policy_dir: Path, profile_dir: Path) -> None:
    broken = policy_dir / "managed" / "20-broken.json"
    broken.write_text('{"AllowNonTLS": tru')
    result = sealpost("policy", "--json", "--policy-dir", str(policy_dir), "--profile-dir", str(profile_dir))
    assert result.returncode == 1  # a deployment script notices
    report = json.loads(result.stdout)
    assert report["problems"] == [f"{broken}: is not valid JSON (line 1, column 17: Expecting value); "
                                  "its policies are ignored."]  # fmt: skip
    assert str(broken) in result.stderr
    assert report["policies"]["AllowNonTLS"]["value"] is False
    assert report["policies"]["NoContentExport"] == {
        "value": True, "source": "managed", "file": f"{broken} (fail-closed: a managed policy has a problem)"
    }  # fmt: skip
    assert report["policies"]["IdleLockMinutes"]["value"] == 2  # the good file still applies

    started = sealpost("--self-test", "--policy-dir", str(policy_dir), "--profile-dir", str(profile_dir))
    assert started.returncode == 0, started.stdout + started.stderr
    assert str(broken) in started.stderr

    runtime = Runtime(Profile(profile_dir, load(policy_dir)))
    runtime.open(start_engines=False)
    try:
        assert runtime.store is not None
        entries = [e for e in runtime.store.audit_entries() if e.action == "policy_problem"]
    finally:
        runtime.close()
    assert len(entries) >= 2  # the self-test's start and this one
    assert entries[0].actor == "policy"
    assert str(broken) in entries[0].detail


def test_headless_commands_honour_the_endpoint_and_sender_policies(policy_dir: Path, profile_dir: Path) -> None:
    (policy_dir / "managed" / "10-clinic.json").write_text(
        json.dumps({"EndpointPreset": "v1_email", "NoContentExport": True, "AllowedSenders": ["desk@clinic.example"]})
    )
    common = ("--policy-dir", str(policy_dir), "--profile-dir", str(profile_dir))
    around = sealpost("send", *common, "--api-base-url", "http://127.0.0.1:9", "--to", "pat@clinic.example",
                      "--subject", "s", "--text", "t")  # fmt: skip
    assert around.returncode == 2
    assert sealpost_lines(around.stderr)[-1] == (
        "sealpost: --api-base-url is not allowed: your organisation sets the endpoint (EndpointPreset)."
    )
    # sealpost export under NoContentExport: tests/e2e/test_export_pdf.py
    other = sealpost("send", *common, "--from", "someone@clinic.example", "--to", "pat@clinic.example",
                     "--subject", "s", "--text", "t")  # fmt: skip
    assert other.returncode == 2
    assert "(AllowedSenders)" in sealpost_lines(other.stderr)[-1]
