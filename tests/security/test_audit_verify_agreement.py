"""Both verifiers agree on every damaged export, and neither prints a traceback: a manifest
re-sealed after a key was removed or given the wrong type (the seal is a plain hash: anyone can
recompute it), nested too deeply, or holding a number of thousands of digits."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from desktop_app.services import audit_export
from desktop_app.services.runtime import Runtime
from tests.security.test_audit_export import ALL_TIME, run_standalone

FIELDS = ("format", "period", "count", "first_entry", "last_entry", "chain_head", "chain_intact_at_export",
          "first_broken_entry", "includes_recipients", "files", "exported_by", "exported_at")  # fmt: skip
WRONG: dict[str, object] = {"period": None, "exported_by": "root", "exported_at": 5, "chain_intact_at_export": "yes",
                            "includes_recipients": "no", "first_broken_entry": "3", "count": True,
                            "chain_head": [], "first_entry": "x", "files": None}  # fmt: skip


def _resealed(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        change(manifest)
        manifest["seal"] = audit_export.seal_of(manifest)
        (folder / "manifest.json").write_bytes(audit_export.canonical(manifest))

    return edit


CASES: dict[str, Callable[[Path], None]] = {
    **{f"without-{key}": _resealed(lambda m, key=key: m.pop(key)) for key in FIELDS},
    **{
        f"wrong-{key}": _resealed(lambda m, key=key, value=value: m.update({key: value}))
        for key, value in WRONG.items()
    },
    "exported_by-without-profile": _resealed(lambda m: m["exported_by"].pop("profile")),
    "deeply-nested": lambda f: (f / "manifest.json").write_bytes(b"[" * 100_000 + b"]" * 100_000),
    "5000-digits": lambda f: (f / "manifest.json").write_bytes(b'{"count": 1' + b"0" * 5000 + b"}"),
    "manifest-fifo": lambda f: (
        (f / "manifest.json").unlink(),
        os.mkfifo(f / "manifest.json"),
    ),  # no writer: never ends
    "csv-fifo": lambda f: ((f / "audit.csv").unlink(), os.mkfifo(f / "audit.csv")),
    "manifest-device": lambda f: ((f / "manifest.json").unlink(), (f / "manifest.json").symlink_to("/dev/zero")),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_both_verifiers_refuse_it_in_words(runtime: Runtime, tmp_path: Path, case: str) -> None:
    assert runtime.store is not None
    runtime.store.audit("review", detail="checked")
    folder = tmp_path / "export"
    audit_export.export_audit(runtime, ALL_TIME, folder)
    CASES[case](folder)
    in_app = audit_export.verify_export(folder)
    standalone = run_standalone(folder)
    assert not in_app.ok, case
    assert standalone.returncode == 1, standalone.stdout + standalone.stderr
    assert standalone.stderr == ""
    assert standalone.stdout.strip() == f"FAILED: {in_app.problem}"
