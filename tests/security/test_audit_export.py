"""Audit export (docs/compliance.md): both verifiers accept an export and reject any edit of it.

The standalone verifier is loaded from ``scripts/`` the way an auditor would run it: a separate
``python3 -I`` process with no access to Sealpost (plus in-process for the many-edits property).
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import random
import subprocess
import time
from pathlib import Path
from types import ModuleType

import pytest

from desktop_app.core.period import Period, parse_period
from desktop_app.services import audit_export
from desktop_app.services.runtime import Runtime
from tests.security.faults import message
from tests.security.tally import count

REPO = Path(__file__).resolve().parents[2]
STANDALONE = REPO / "scripts" / "verify-audit-export.py"
ALL_TIME = Period(0.0, time.time() + 3600)


def _standalone() -> ModuleType:
    spec = importlib.util.spec_from_file_location("verify_audit_export", STANDALONE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_standalone(folder: Path) -> subprocess.CompletedProcess[str]:
    """The auditor's way: system Python, isolated mode (no site-packages, no Sealpost on the path)."""
    return subprocess.run(["python3", "-I", str(STANDALONE), str(folder)], capture_output=True, text=True,
                          timeout=30, check=False, cwd="/")  # fmt: skip


def _history(runtime: Runtime, n: int = 6) -> None:
    for k in range(n):
        runtime.queue(message(k, subject="CANARY-SUBJECT"))
    assert runtime.store is not None
    runtime.store.audit("settings", detail='retention_days, ünïcode, "quoted", comma, and\nnewline')


def _export(runtime: Runtime, folder: Path, **kwargs: bool) -> Path:
    audit_export.export_audit(runtime, ALL_TIME, folder, **kwargs)
    return folder


def both_fail(folder: Path, module: ModuleType) -> str:
    in_app = audit_export.verify_export(folder)
    assert not in_app.ok
    with pytest.raises(module.Broken) as standalone:
        module.verify(folder)
    return f"{in_app.problem} | {standalone.value}"


def test_an_export_verifies_with_both_verifiers(runtime: Runtime, tmp_path: Path) -> None:
    _history(runtime)
    folder = _export(runtime, tmp_path / "out" / "export")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["export"]  # nothing half-built left beside it
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["count"] == 7
    assert manifest["exported_by"]["profile_id"] == runtime.profile.settings.profile_id
    assert manifest["exported_by"]["os_user"]
    assert manifest["chain_intact_at_export"] is True
    assert audit_export.verify_export(folder).words() == "OK: 7 entries, chain and files intact"
    result = run_standalone(folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK: 7 entries")
    assert runtime.store is not None
    last = runtime.store.audit_entries()[-1]
    assert last.action == "audit_export"
    assert manifest["seal"] in last.detail


def test_no_recipient_or_subject_unless_asked_and_asking_is_audited(runtime: Runtime, tmp_path: Path) -> None:
    _history(runtime)
    plain = _export(runtime, tmp_path / "out" / "plain")
    text = b"".join(p.read_bytes() for p in plain.iterdir())
    assert b"@example.org" not in text
    assert b"CANARY-SUBJECT" not in text
    with_phi = _export(runtime, tmp_path / "out" / "phi", include_recipients=True)
    rows = list(csv.DictReader(io.StringIO((with_phi / "audit.csv").read_text())))
    assert {r["recipients"] for r in rows if r["action"] == "queue"} == {f"Pat <pat{k}@example.org>" for k in range(6)}
    assert b"CANARY-SUBJECT" not in (with_phi / "audit.csv").read_bytes()
    assert audit_export.verify_export(with_phi).ok
    assert run_standalone(with_phi).returncode == 0
    assert runtime.store is not None
    actions = [e.action for e in runtime.store.audit_entries()]
    assert actions[-3:] == ["audit_export", "audit_export_recipients", "audit_export"]


def test_every_single_byte_change_fails_both_verifiers(runtime: Runtime, tmp_path: Path) -> None:
    """Property: whatever byte of either file changes, to whatever value, neither verifier passes it."""
    _history(runtime)
    folder = _export(runtime, tmp_path / "out" / "export")
    module = _standalone()
    rng = random.Random(1806)
    for name in ("audit.csv", "manifest.json"):
        original = (folder / name).read_bytes()
        positions = rng.sample(range(len(original)), min(len(original), 250))
        for position in positions:
            changed = bytearray(original)
            changed[position] = (changed[position] + rng.randrange(1, 256)) % 256
            (folder / name).write_bytes(bytes(changed))
            both_fail(folder, module)
            count("audit export single-byte edits")
        (folder / name).write_bytes(original)
    assert audit_export.verify_export(folder).ok


def _rewrite_rows(folder: Path, change: str) -> None:
    lines = (folder / "audit.csv").read_bytes().split(b"\r\n")
    header, rows = lines[0], [line for line in lines[1:] if line]
    if change == "remove":
        del rows[3]
    elif change == "remove_last":
        rows.pop()
    elif change == "swap":
        rows[2], rows[3] = rows[3], rows[2]
    (folder / "audit.csv").write_bytes(b"\r\n".join([header, *rows]) + b"\r\n")


@pytest.mark.parametrize(("change", "named"), [("remove", "row 5"), ("swap", "row 4"), ("remove_last", "6 entries")])
def test_removing_or_reordering_a_row_names_the_first_broken_row(
    runtime: Runtime, tmp_path: Path, change: str, named: str
) -> None:
    _history(runtime)
    folder = _export(runtime, tmp_path / "out" / "export")
    _rewrite_rows(folder, change)
    in_app, standalone = both_fail(folder, _standalone()).split(" | ")
    assert named in in_app
    assert named in standalone
    result = run_standalone(folder)
    assert result.returncode == 1
    assert result.stdout.startswith("FAILED: ")


def test_an_interrupted_export_leaves_nothing_that_verifies(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _history(runtime)

    def fail(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(audit_export.os, "rename", fail)
    with pytest.raises(audit_export.ExportError, match="No space left on device"):
        _export(runtime, tmp_path / "out" / "export")
    assert list((tmp_path / "out").iterdir()) == []  # neither the final folder nor a half-built one
    monkeypatch.undo()
    folder = _export(runtime, tmp_path / "out" / "export")
    (folder / "manifest.json").unlink()  # what a crash before the manifest would leave
    assert "manifest.json cannot be read" in both_fail(folder, _standalone())


def test_an_export_refuses_a_folder_that_holds_something(runtime: Runtime, tmp_path: Path) -> None:
    (tmp_path / "out" / "used").mkdir(parents=True)
    (tmp_path / "out" / "used" / "notes.txt").write_text("keep me")
    with pytest.raises(audit_export.ExportError, match="already exists"):
        _export(runtime, tmp_path / "out" / "used")
    assert (tmp_path / "out" / "used" / "notes.txt").read_text() == "keep me"


def test_an_export_of_a_cut_trail_verifies_but_says_the_trail_was_cut(runtime: Runtime, tmp_path: Path) -> None:
    _history(runtime)
    assert runtime.store is not None
    runtime.store._db.execute("DROP TRIGGER audit_log_no_delete")  # an attacker holding the database key
    runtime.store._db.execute("DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)")
    result = audit_export.export_audit(runtime, ALL_TIME, tmp_path / "out" / "cut")
    assert result.chain_problem == 7
    words = audit_export.verify_export(tmp_path / "out" / "cut").words()
    assert words.splitlines() == [
        "OK: 6 entries, chain and files intact",
        "WARNING: the live trail was already changed or cut at entry 7 when this was exported",
    ]
    standalone = run_standalone(tmp_path / "out" / "cut")
    assert "WARNING: the live chain was already broken at entry 7" in standalone.stdout


def test_a_period_selects_its_entries_and_still_verifies(runtime: Runtime, tmp_path: Path) -> None:
    _history(runtime, 2)
    assert runtime.store is not None
    entries = runtime.store.audit_entries()
    middle = Period(entries[1].at, entries[1].at + 1e-6)
    audit_export.export_audit(runtime, middle, tmp_path / "out" / "one")
    manifest = json.loads((tmp_path / "out" / "one" / "manifest.json").read_text())
    assert manifest["count"] == 1
    assert manifest["first_entry"]["id"] == entries[1].id
    assert audit_export.verify_export(tmp_path / "out" / "one").ok
    assert run_standalone(tmp_path / "out" / "one").returncode == 0
    empty = parse_period("2001-01-01", "2001-01-31", now=time.time())
    audit_export.export_audit(runtime, empty, tmp_path / "out" / "none")
    assert audit_export.verify_export(tmp_path / "out" / "none").words() == "OK: 0 entries, chain and files intact"


def test_the_standalone_verifier_needs_nothing_but_the_standard_library() -> None:
    source = STANDALONE.read_text()
    assert "desktop_app" not in source.replace("Sealpost", "")
    imports = {line.split()[1].split(".")[0] for line in source.splitlines() if line.startswith(("import ", "from "))}
    assert imports <= {"__future__", "csv", "datetime", "hashlib", "io", "json", "os", "re", "stat", "sys", "pathlib"}
    assert os.access(STANDALONE, os.X_OK)
