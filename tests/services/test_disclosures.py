"""Disclosure reports and review sign-offs over the real engines and sandbox (and the CLI with PDF)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from desktop_app.core.addresses import Address
from desktop_app.core.message import OutgoingMessage
from desktop_app.core.outbox_state import OutboxState
from desktop_app.core.period import Period
from desktop_app.sandbox.server import SandboxServer
from desktop_app.services import audit_export, disclosures
from desktop_app.services.runtime import Runtime
from tests.services.test_headless import sealpost

ALL_TIME = Period(0.0, time.time() + 3600)


def _send(runtime: Runtime, subject: str, to: str, cc: str = "") -> int:
    message = OutgoingMessage(sender="staff@clinic.example", to=(Address(to),), cc=(Address(cc),) if cc else (),
                              subject=subject, text="body")  # fmt: skip
    stored = runtime.queue(message)
    assert runtime.wait_until(stored.id, {OutboxState.ACCEPTED}, 20).state is OutboxState.ACCEPTED
    return stored.id


def _delivered(runtime: Runtime, ids: list[int]) -> None:
    assert runtime.store is not None
    deadline = time.monotonic() + 20
    while not all(runtime.store.get(i).final_delivery for i in ids):
        assert time.monotonic() < deadline, "the tracker never saw the deliveries"
        time.sleep(0.05)


def test_every_message_to_the_address_with_its_status_and_nothing_else(runtime: Runtime) -> None:
    first = _send(runtime, "Lab results", "pat@example.org")
    _send(runtime, "Other patient", "lee@example.org")
    copied = _send(runtime, "Referral", "dr@clinic.example", cc="Pat@Example.org")
    _send(runtime, "Near miss", "apat@example.org")  # contains the address as text: not a disclosure to it
    _delivered(runtime, [first, copied])
    assert runtime.store is not None
    rows = disclosures.disclosures(runtime.store, ["pat@example.org"], ALL_TIME)
    assert [(r.message_id, r.field, r.state, r.delivery_status) for r in rows] == [
        (first, "to", "accepted by Paubox", "delivered"),
        (copied, "cc", "accepted by Paubox", "delivered"),
    ]
    assert disclosures.disclosures(runtime.store, ["pat@example.org"], Period(0.0, 1.0)) == []
    table = list(csv.reader(io.StringIO(disclosures.report_csv(rows, subjects=False).decode())))
    assert table[0][-1] == "delivered_at"
    assert "Lab results" not in str(table)
    with_subjects = disclosures.report_csv(rows, subjects=True).decode()
    assert "Lab results" in with_subjects
    assert "Referral" in with_subjects


def test_a_contact_report_covers_every_address_of_the_contact(runtime: Runtime) -> None:
    from desktop_app.services.contacts import ContactBook

    assert runtime.store is not None
    book = ContactBook(runtime.store)
    pat = book.add("Pat Doe", ["pat@example.org", "pat.work@clinic.example"])
    book.add("Pat Doerr", ["doerr@example.org"])
    home = _send(runtime, "Home", "pat@example.org")
    work = _send(runtime, "Work", "pat.work@clinic.example")
    _send(runtime, "Other", "doerr@example.org")
    for key in ("Pat Doe", str(pat.id)):  # the exact name wins over the longer one it is part of
        contact, addresses = disclosures.contact_addresses(runtime.store, key)
        assert contact == pat.id
        rows = disclosures.disclosures(runtime.store, addresses, ALL_TIME)
        assert [(r.message_id, r.address) for r in rows] == [
            (home, "pat@example.org"),
            (work, "pat.work@clinic.example"),
        ]
    with pytest.raises(disclosures.DisclosureError, match="2 contacts match 'Pat'"):
        disclosures.contact_addresses(runtime.store, "Pat")
    disclosures.audit_report(runtime.store, rows, 2, ALL_TIME, subjects=False, contact=pat.id)
    detail = runtime.store.audit_entries()[-1].detail
    assert f"(contact {pat.id})" in detail
    assert "Pat" not in detail
    assert "@" not in detail


def test_a_review_sign_off_is_an_audit_entry_that_the_export_includes(runtime: Runtime, tmp_path: Path) -> None:
    assert runtime.store is not None
    detail = disclosures.record_review(runtime.store, ALL_TIME, "Checked all November sends; no findings.", "J. Roe")
    assert "reviewer J. Roe" in detail
    with pytest.raises(disclosures.ReviewError, match="needs a note"):
        disclosures.record_review(runtime.store, ALL_TIME, "   ")
    audit_export.export_audit(runtime, ALL_TIME, tmp_path / "export")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "export" / "audit.csv").read_text())))
    assert [r["action"] for r in rows] == ["review"]
    assert "no findings" in rows[0]["detail"]
    assert audit_export.verify_export(tmp_path / "export").ok


@pytest.mark.keyring
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_cli_writes_csv_and_pdf_and_audits_the_report(sandbox: SandboxServer, tmp_path: Path) -> None:
    profile = tmp_path / "p"
    for to, subject in (("pat@example.org", "Results 1"), ("lee@example.org", "Other"), ("pat@example.org", "Ré 2")):
        sent = sealpost(sandbox, profile, "send", "--to", to, "--subject", subject, "--text", "t")
        assert sent.returncode == 0, sent.stderr
    out, pdf = tmp_path / "report.csv", tmp_path / "report.pdf"
    made = sealpost(sandbox, profile, "audit", "disclosures", "--address", "pat@example.org", "--out", str(out),
                    "--pdf", str(pdf), "--subjects")  # fmt: skip
    assert made.returncode == 0, made.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["subject"] for r in rows] == ["Results 1", "Ré 2"]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
                          timeout=30).stdout  # fmt: skip
    assert "Disclosure report" in text
    assert "Results 1" in text
    assert "Ré 2" in text
    assert "Other" not in text
    assert text.count("pat@example.org") == 3  # the heading line and the two rows
    assert not list(tmp_path.glob(".*partial"))
    review = sealpost(sandbox, profile, "audit", "review", "--from", "2026-01-01", "--note", "Looked at it")
    assert review.returncode == 0, review.stderr
    exported = sealpost(sandbox, profile, "audit", "export", "--out", str(tmp_path / "e"))
    assert exported.returncode == 0, exported.stderr
    actions = [r["action"] for r in csv.DictReader(io.StringIO((tmp_path / "e" / "audit.csv").read_text()))]
    assert actions[-2:] == ["disclosure_report", "review"]
    details = (tmp_path / "e" / "audit.csv").read_text()
    assert "pat@example.org" not in details  # the report is audited without the address
    assert json.loads((tmp_path / "e" / "manifest.json").read_text())["count"] == 5


@pytest.mark.keyring
def test_the_cli_reports_on_a_contact_by_name(sandbox: SandboxServer, tmp_path: Path) -> None:
    profile = tmp_path / "p"
    added = sealpost(sandbox, profile, "contacts", "add", "--name", "Pat Doe", "--email", "pat@example.org",
                     "--email", "pat@work.example")  # fmt: skip
    assert added.returncode == 0, added.stderr
    for to in ("pat@work.example", "lee@example.org"):
        assert sealpost(sandbox, profile, "send", "--to", to, "--subject", "S", "--text", "t").returncode == 0
    made = sealpost(sandbox, profile, "audit", "disclosures", "--contact", "Pat Doe", "--out", str(tmp_path / "r.csv"))
    assert made.returncode == 0, made.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text())))
    assert [r["address"] for r in rows] == ["pat@work.example"]
    missing = sealpost(sandbox, profile, "audit", "disclosures", "--contact", "Nobody", "--out", str(tmp_path / "x"))
    assert missing.returncode == 2
    assert "0 contacts match 'Nobody'" in missing.stderr
    neither = sealpost(sandbox, profile, "audit", "disclosures", "--out", str(tmp_path / "x"))
    assert neither.returncode == 2
    assert "name an address (--address) or a contact (--contact)" in neither.stderr
