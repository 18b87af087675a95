"""Audit export anyone can verify: the entries of a period as CSV plus a sealed manifest.

The CSV carries every field the chain hash covers, so an auditor recomputes each entry's hash and
its link to the one before without Sealpost (``scripts/verify-audit-export.py``, standard library
only). The manifest names the range (count, first and last hash, the live chain head), the
SHA-256 of each file, who exported and when, and a seal over all of it; it is written in one
canonical form, so any byte changed anywhere fails verification. The export is built in a hidden
sibling folder and renamed into place whole: a folder with the final name is always complete.
Recipient addresses (PHI) are left out unless asked for, and asking is itself audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.core.errors import KnownError
from desktop_app.core.period import Period, iso_utc
from desktop_app.services.disclosures import os_user
from desktop_app.services.runtime import Runtime
from desktop_app.store.audit_log import GENESIS_HASH, AuditEntry, audit_hash
from desktop_app.store.identity import fsync_directory

FORMAT = "sealpost-audit-export/2"
FORMATS = ("sealpost-audit-export/1", FORMAT)
"""Verified: /1 wrote text cells as stored; /2 neutralises formulas (:func:`text_cell`)."""
TEXT_COLUMNS = (3, 4, 6, 9)
"""actor, action, detail, recipients: the cells whose text anyone could have chosen."""
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
CSV_NAME = "audit.csv"
MANIFEST_NAME = "manifest.json"
COLUMNS = ("id", "time_utc", "at", "actor", "action", "message_id", "detail", "prev_hash", "hash")
RECIPIENTS_COLUMN = "recipients"
EXPORT_ACTION = "audit_export"
_NUMBER = re.compile(r"0|[1-9][0-9]*")
PHI_EXPORT_ACTION = "audit_export_recipients"


NO_CONTENT_EXPORT = "your organisation's policy (NoContentExport) does not allow exporting {what}"


class ExportError(KnownError, OSError):
    """The export could not be written (the folder exists, the disk is full...)."""


@dataclass(frozen=True)
class ExportResult:
    directory: Path
    count: int
    seal: str
    chain_problem: int | None  # the first entry of the live chain that was changed or removed


@dataclass(frozen=True)
class Verdict:
    ok: bool
    count: int
    problem: str  # empty when ok; otherwise the first thing that does not fit, in words
    warning: str = ""  # the export is intact, but the manifest says the live trail was not when exported

    def words(self) -> str:
        if not self.ok:
            return f"FAILED: {self.problem}"
        return f"OK: {self.count} entries, chain and files intact" + (
            f"\nWARNING: {self.warning}" if self.warning else ""
        )


def entry_time(at: float) -> str:
    """The human-readable time column; derived from ``at`` (verifiers recompute it)."""
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def seal_of(manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != "seal"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def select(entries: Sequence[AuditEntry], period: Period) -> list[AuditEntry]:
    """The contiguous run of entries from the first to the last one inside ``period``.

    Contiguous even if the clock once went backwards: a gap would break the chain in the export.
    """
    inside = [i for i, e in enumerate(entries) if period.contains(e.at)]
    return list(entries[inside[0] : inside[-1] + 1]) if inside else []


def export_audit(runtime: Runtime, period: Period, out: Path, *, include_recipients: bool = False) -> ExportResult:
    """Write the export to ``out`` (which must not exist, or be an empty folder) and audit it."""
    store = runtime.store
    assert store is not None
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"{out} already exists and is not an empty folder; choose a new one")
    if include_recipients and runtime.profile.settings.no_content_export:
        raise ExportError(NO_CONTENT_EXPORT.format(what="recipient addresses"))
    if include_recipients:  # recorded before anything with PHI is written
        store.audit(PHI_EXPORT_ACTION, detail=f"recipient addresses included, {period.describe()}")
    entries = store.audit_entries()
    chain_problem = runtime.verify_audit()
    chosen = select(entries, period)
    recipients = _recipients(runtime, chosen) if include_recipients else None
    table = _csv_bytes(chosen, recipients)
    head = entries[-1] if entries else None
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "period": {"from": iso_utc(period.start), "to": iso_utc(period.end)},
        "count": len(chosen),
        "first_entry": _ref(chosen[0], prev=True) if chosen else None,
        "last_entry": _ref(chosen[-1]) if chosen else None,
        "chain_head": _ref(head) if head else None,
        "chain_intact_at_export": chain_problem is None,
        "first_broken_entry": chain_problem,
        "includes_recipients": include_recipients,
        "files": {CSV_NAME: {"sha256": hashlib.sha256(table).hexdigest(), "bytes": len(table)}},
        "exported_by": {
            "os_user": os_user(),
            "profile": runtime.profile.settings.name,
            "profile_id": runtime.profile.settings.profile_id,
        },
        "exported_at": iso_utc(time.time()),
    }
    manifest["seal"] = seal_of(manifest)
    _write_whole(out, {CSV_NAME: table, MANIFEST_NAME: canonical(manifest)})
    store.audit(EXPORT_ACTION, detail=f"{len(chosen)} entries, {period.describe()}, seal {manifest['seal']}")
    return ExportResult(out, len(chosen), manifest["seal"], chain_problem)


def _ref(entry: AuditEntry, *, prev: bool = False) -> dict[str, Any]:
    ref: dict[str, Any] = {"id": entry.id, "hash": entry.hash}
    if prev:
        ref["prev_hash"] = entry.prev_hash
    return ref


def _recipients(runtime: Runtime, entries: Sequence[AuditEntry]) -> dict[int, str]:
    assert runtime.store is not None
    ids = sorted({e.message_id for e in entries if e.message_id is not None})
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        found.update((m.id, m.recipients) for m in runtime.store.get_many(ids[start : start + 500]))
    return found


def text_cell(text: str) -> str:
    """The cell for stored text: behind an apostrophe if a spreadsheet would read it as a formula.

    Excel and LibreOffice show a leading apostrophe as "this is text" and hide it; text that
    already starts with one gets another, so the stored value (what the hash covers) is always
    the cell less one leading apostrophe, and each text has exactly one cell form.
    """
    return "'" + text if text.startswith(FORMULA_START) else text


def stored_text(cell: str) -> str | None:
    """The stored text a /2 cell holds, or None if the cell is not in the one form export writes."""
    text = cell[1:] if cell.startswith("'") else cell
    return text if text_cell(text) == cell else None


def row_cells(entry: AuditEntry) -> list[str]:
    message_id = "" if entry.message_id is None else str(entry.message_id)
    return [str(entry.id), entry_time(entry.at), repr(entry.at), text_cell(entry.actor), text_cell(entry.action),
            message_id, text_cell(entry.detail), entry.prev_hash, entry.hash]  # fmt: skip


def _csv_bytes(entries: Sequence[AuditEntry], recipients: dict[int, str] | None) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(COLUMNS + ((RECIPIENTS_COLUMN,) if recipients is not None else ()))
    for entry in entries:
        extra = [text_cell(recipients.get(entry.message_id or -1, ""))] if recipients is not None else []
        writer.writerow(row_cells(entry) + extra)
    return text.getvalue().encode("utf-8")


def _write_whole(out: Path, files: dict[str, bytes]) -> None:
    """Build the folder beside ``out`` under a hidden name, sync it, then rename it into place."""
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=parent))
    except OSError as error:
        raise ExportError(f"cannot write into {parent}: {error.strerror or error}") from None
    try:
        for name, data in files.items():  # the manifest last: without it nothing verifies
            with open(building / name, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        fsync_directory(building)
        if out.is_dir():
            out.rmdir()  # only an empty folder gets here
        os.rename(building, out)
        fsync_directory(parent)
    except OSError as error:
        shutil.rmtree(building, ignore_errors=True)
        raise ExportError(f"the export could not be written to {out}: {error.strerror or error}") from None


# ---------------------------------------------------------------------------------- verification


def verify_export(directory: Path) -> Verdict:
    """Check an export the way an auditor's standalone verifier does: the first problem, in words."""
    try:
        raw = read_regular(directory / MANIFEST_NAME)
        manifest = json.loads(raw.decode("utf-8"))
    except RecursionError:
        return Verdict(False, 0, f"{MANIFEST_NAME} cannot be read: it is nested too deeply")
    except (OSError, UnicodeDecodeError, ValueError) as error:
        return Verdict(False, 0, f"{MANIFEST_NAME} cannot be read: {error}")
    if not isinstance(manifest, dict) or manifest.get("format") not in FORMATS:
        return Verdict(False, 0, f"{MANIFEST_NAME} is not a {FORMAT} manifest")
    if canonical(manifest) != raw or manifest.get("seal") != seal_of(manifest):
        return Verdict(False, 0, f"{MANIFEST_NAME} was edited after the export (its seal does not match)")
    if not manifest_complete(manifest):
        return Verdict(False, 0, f"{MANIFEST_NAME} does not have the fields an export has")
    try:
        data = read_regular(directory / CSV_NAME)
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        return Verdict(False, 0, f"{CSV_NAME} cannot be read: {error}")
    try:
        problem = _check_rows(rows, manifest)
        if not problem and hashlib.sha256(data).hexdigest() != manifest["files"][CSV_NAME]["sha256"]:
            problem = f"{CSV_NAME} does not match the SHA-256 in the manifest"
    except (KeyError, TypeError, AttributeError):
        problem = f"{MANIFEST_NAME} does not have the fields an export has"
    broken = None if problem else manifest.get("first_broken_entry")
    warning = f"the live trail was already changed or cut at entry {broken} when this was exported" if broken else ""
    return Verdict(not problem, max(0, len(rows) - 1), problem, warning)


def _check_rows(rows: list[list[str]], manifest: dict[str, Any]) -> str:
    recipients = bool(manifest.get("includes_recipients"))
    header = list(COLUMNS) + ([RECIPIENTS_COLUMN] if recipients else [])
    if not rows or rows[0] != header:
        return f"{CSV_NAME} does not start with the expected header"
    first, last = manifest.get("first_entry"), manifest.get("last_entry")
    prev = first["prev_hash"] if first else GENESIS_HASH
    expected_id = first["id"] if first else 0
    for number, cells in enumerate(rows[1:], start=2):
        where = f"row {number} of {CSV_NAME}"
        if len(cells) != len(header):
            return f"{where}: {len(cells)} fields instead of {len(header)}"
        entry = _entry(cells, neutralised=manifest.get("format") == FORMAT)
        if entry is None:
            return f"{where}: a field is malformed"
        where += f" (entry {entry.id})"
        if entry.id != expected_id:
            return f"{where}: expected entry {expected_id} here (a row was removed, added or moved)"
        if cells[1] != entry_time(entry.at):
            return f"{where}: its time does not match its timestamp"
        if entry.prev_hash != prev:
            return f"{where}: it does not follow the row before it (a row was removed or moved)"
        if entry.hash != audit_hash(prev, entry.at, entry.actor, entry.action, entry.message_id, entry.detail):
            return f"{where}: its content was changed (the hash does not match)"
        prev, expected_id = entry.hash, entry.id + 1
    count = len(rows) - 1
    if count != manifest.get("count") or (last["hash"] if last else GENESIS_HASH) != (prev if count else GENESIS_HASH):
        return f"{CSV_NAME} has {count} entries ending at {prev[:12]}…, not those the manifest names"
    return ""


def _entry(cells: list[str], *, neutralised: bool) -> AuditEntry | None:
    """One row as an entry, or None if a field is not in the one form the export writes."""
    if neutralised:
        texts = [stored_text(cells[i]) for i in TEXT_COLUMNS if i < len(cells)]
        if None in texts:
            return None
        cells = list(cells)
        for i in TEXT_COLUMNS:
            if i < len(cells):
                cells[i] = stored_text(cells[i]) or ""
    ident, _, at_text, actor, action, message_text, detail, prev_hash, digest = cells[:9]
    try:
        at = float(at_text)
    except ValueError:
        return None
    if not _NUMBER.fullmatch(ident) or not _NUMBER.fullmatch(message_text or "0") or repr(at) != at_text:
        return None
    message_id = int(message_text) if message_text else None
    return AuditEntry(int(ident), at, actor, action, message_id, detail, prev_hash, digest)


def manifest_complete(manifest: dict[str, Any]) -> bool:
    """Every field an export writes, of its type: a re-sealed manifest (the seal is a plain hash)
    without one, or with a string where a folder of fields belongs, is refused in words."""

    def fits(value: object, *kinds: type | None) -> bool:
        return any(value is None if k is None else isinstance(value, k) and not (k is int and isinstance(value, bool))
                   for k in kinds)  # fmt: skip

    shape: dict[str, tuple[type | None, ...]] = {
        "format": (str,), "period": (dict,), "count": (int,), "first_entry": (dict, None), "last_entry": (dict, None),
        "chain_head": (dict, None), "chain_intact_at_export": (bool,), "first_broken_entry": (int, None),
        "includes_recipients": (bool,), "files": (dict,), "exported_by": (dict,), "exported_at": (str,),
        "seal": (str,),
    }  # fmt: skip
    if not all(key in manifest and fits(manifest[key], *kinds) for key, kinds in shape.items()):
        return False
    period, who = manifest["period"], manifest["exported_by"]
    return all(fits(period.get(k), str) for k in ("from", "to")) and all(
        fits(who.get(k), str) for k in ("os_user", "profile", "profile_id")
    )


def read_regular(path: Path) -> bytes:
    """A file's bytes; OSError for what is not a regular file (a FIFO would wait for a writer
    forever, a device never end): an export folder may come from anyone."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path.name} is not a regular file")
        return stream.read()
