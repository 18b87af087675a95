"""The issue's own check, as a clinic would run it: real processes, the real keyring, the profile's
embedded sandbox. Import 200 cards (10 duplicates, 3 invalid); with jane.doe@gmail.com verified,
look-alikes exit 3 naming the suggestion and pass once confirmed with a reason (audited); a date
of birth in the subject exits 3 naming the rule; held-out ordinary subjects and addresses pass."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from benchmarks.guard_quality import load_corpus
from tests.services.vcards import two_hundred_cards

pytestmark = [pytest.mark.keyring, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
SEALPOST = REPO / ".venv" / "bin" / "sealpost"


def sealpost(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SEALPOST), *args, "--profile-dir", str(profile)], cwd=REPO, env=dict(os.environ),
        capture_output=True, text=True, timeout=120, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def send(profile: Path, to: str, subject: str = "Hello", *extra: str) -> subprocess.CompletedProcess[str]:
    return sealpost(profile, "send", "--to", to, "--subject", subject, "--text", "See the portal.", "--timeout", "60",
                    *extra)  # fmt: skip


def audit(profile: Path) -> list[dict[str, str]]:
    from desktop_app.services.profile import Profile
    from desktop_app.store.messages import MessageStore
    from desktop_app.store.unlock import open_profile_database

    loaded = Profile(profile)
    store = MessageStore(open_profile_database(loaded.database_path, loaded.settings.profile_id))
    try:
        return [{"action": e.action, "detail": e.detail} for e in store.audit_entries()]
    finally:
        store.close()


def test_the_issues_check_end_to_end(tmp_path: Path) -> None:
    profile = tmp_path / "p"
    cards = tmp_path / "book.vcf"
    cards.write_text(two_hundred_cards(), encoding="utf-8")
    dry = sealpost(profile, "contacts", "import", str(cards), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout) == {"dry_run": True, "new": 187, "duplicate": 10, "invalid": 3, "stored": 0}
    assert dry.stderr.count(": invalid: ") == 3
    assert dry.stderr.count(": duplicate: ") == 10
    real = sealpost(profile, "contacts", "import", str(cards))
    assert json.loads(real.stdout)["stored"] == 187
    listed = sealpost(profile, "contacts", "list", "--json")
    assert len(json.loads(listed.stdout)) == 187
    exported = sealpost(profile, "contacts", "export", str(tmp_path / "out.vcf"))
    assert exported.stdout.strip() == f"exported 187 contacts to {tmp_path / 'out.vcf'}"
    assert (tmp_path / "out.vcf").read_text().count("BEGIN:VCARD") == 187

    assert sealpost(profile, "contacts", "add", "--name", "Jane Doe", "--email", "jane.doe@gmail.com").returncode == 0
    verified = sealpost(profile, "contacts", "verify", "jane.doe@gmail.com", "--how", "phone")
    assert verified.returncode == 0
    assert "verified by phone" in verified.stdout

    for typed in ("jane.doe@gmial.com", "jane.doe@gmаil.com"):  # the second has a Cyrillic а
        stopped = send(profile, typed)
        assert stopped.returncode == 3, (stopped.stdout, stopped.stderr)
        assert "Did you mean jane.doe@gmail.com?" in stopped.stderr
        assert f"--confirm-recipient {typed} --reason" in stopped.stderr
        passed = send(profile, typed, "Hello", "--confirm-recipient", typed, "--reason", "the patient wrote it down")
        assert passed.returncode == 0, passed.stderr
        assert passed.stdout.startswith("accepted: ")

    dob = send(profile, "jane.doe@gmail.com", "Lab results DOB 03/14/1962")
    assert dob.returncode == 3
    assert "rule “date-of-birth”" in dob.stderr
    assert "--override-guard date-of-birth" in dob.stderr
    overridden = send(profile, "jane.doe@gmail.com", "Lab results DOB 03/14/1962", "--override-guard",
                      "date-of-birth", "--reason", "the patient asked for it so")  # fmt: skip
    assert overridden.returncode == 0, overridden.stderr

    held_out = load_corpus()["held_out"]
    for address, subject in list(zip(held_out["ordinary_addresses"], held_out["ordinary_subjects"], strict=False))[:3]:
        ordinary = send(profile, address, subject)
        assert ordinary.returncode == 0, (address, subject, ordinary.stderr)

    entries = audit(profile)
    confirmations = [e for e in entries if e["action"] == "recipient_confirmed"]
    assert len(confirmations) == 2
    assert all("reason: the patient wrote it down" in e["detail"] for e in confirmations)
    assert [e["detail"] for e in entries if e["action"] == "guard_overridden"] == [
        "rule date-of-birth (subject); reason: the patient asked for it so"]  # fmt: skip
    assert not any("@" in e["detail"] for e in entries)


def test_only_verified_recipients_when_the_profile_says_so(tmp_path: Path) -> None:
    profile = tmp_path / "p"
    assert sealpost(profile, "contacts", "add", "--name", "Jane Doe", "--email", "jane.doe@gmail.com").returncode == 0
    from desktop_app.services.profile import Profile

    Profile(profile).update(require_verified_recipients=True)  # as the Settings dialog or a policy would
    refused = send(profile, "jane.doe@gmail.com")
    assert refused.returncode == 3
    assert "not verified in the address book" in refused.stderr
    assert "sealpost contacts verify jane.doe@gmail.com" in refused.stderr
    assert sealpost(profile, "contacts", "verify", "jane.doe@gmail.com", "--how", "in-person").returncode == 0
    assert send(profile, "jane.doe@gmail.com").returncode == 0


def test_a_batch_reports_every_stopped_row_and_queues_none(tmp_path: Path) -> None:
    profile = tmp_path / "p"
    sealpost(profile, "contacts", "add", "--name", "Jane Doe", "--email", "jane.doe@gmail.com")
    sealpost(profile, "contacts", "verify", "jane.doe@gmail.com", "--how", "ehr")
    rows = tmp_path / "rows.csv"
    rows.write_text("to,subject\njane.doe@gmail.com,Flu clinic\njane.doe@gmial.com,Flu clinic\n"
                    "pat@lakeview-health.org,Results DOB 03/14/1962\n")  # fmt: skip
    body = tmp_path / "body.txt"
    body.write_text("Dear patient, see the portal.")
    stopped = sealpost(profile, "batch", str(rows), "--body-file", str(body), "--timeout", "60")
    assert stopped.returncode == 3, stopped.stderr
    assert "line 3: Did you mean" not in stopped.stderr
    assert "line 3: “gmial.com” is a common typo of gmail.com. Did you mean jane.doe@gmail.com?" in stopped.stderr
    assert "line 4: The subject seems to hold a date of birth" in stopped.stderr
    assert json.loads(sealpost(profile, "outbox", "--json").stdout) == []
    others = sealpost(profile, "batch", str(rows), "--body-file", str(body), "--timeout", "60", "--skip-bad-rows")
    assert others.returncode == 0, others.stderr
    assert json.loads(others.stdout.strip().splitlines()[-1])["counts"] == {"accepted": 1}
