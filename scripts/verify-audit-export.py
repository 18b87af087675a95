#!/usr/bin/env python3
"""Verify a Sealpost audit export without Sealpost: Python 3.11+ standard library only.

Usage: python3 verify-audit-export.py EXPORT_DIR

An auditor runs this on a folder written by ``sealpost audit export`` (audit.csv + manifest.json).
It checks that the manifest is exactly as written (canonical form and seal), that every row's hash
covers its fields and links to the row before, that the rows are exactly the range the manifest
names (count, first and last hash, consecutive entry ids), and that audit.csv has the SHA-256 the
manifest records. Exit 0: intact. Exit 1: the first problem is printed (the row is named). Exit 2:
usage. This file deliberately shares no code with Sealpost, so it is an independent check.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import os
import re
import stat
import sys
from pathlib import Path

FORMAT = "sealpost-audit-export/2"
FORMATS = ("sealpost-audit-export/1", FORMAT)
TEXT_COLUMNS = (3, 4, 6, 9)  # actor, action, detail, recipients
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
GENESIS = "0" * 64
COLUMNS = ["id", "time_utc", "at", "actor", "action", "message_id", "detail", "prev_hash", "hash"]
NUMBER = re.compile(r"0|[1-9][0-9]*")


class Broken(Exception):
    pass


def entry_hash(prev: str, at_text: str, actor: str, action: str, message_id: int | None, detail: str) -> str:
    """SHA-256 of the JSON array [prev_hash, repr(at), actor, action, message_id, detail] (UTF-8)."""
    record = json.dumps([prev, at_text, actor, action, message_id, detail], ensure_ascii=False)
    return hashlib.sha256(record.encode("utf-8")).hexdigest()


def read_regular(path: Path) -> bytes:
    """A file's bytes; OSError for a FIFO or a device (reading one would never end)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path.name} is not a regular file")
        return stream.read()


def read_manifest(folder: Path) -> dict:
    try:
        raw = read_regular(folder / "manifest.json")
        manifest = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise Broken("manifest.json cannot be read: it is nested too deeply") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise Broken(f"manifest.json cannot be read: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") not in FORMATS:
        raise Broken(f"manifest.json is not a {FORMAT} manifest")
    written = (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    body = {key: value for key, value in manifest.items() if key != "seal"}
    seal = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
    if written != raw or manifest.get("seal") != seal:
        raise Broken("manifest.json was edited after the export (its seal does not match)")
    if not complete(manifest):
        raise Broken("manifest.json does not have the fields an export has")
    return manifest


def fits(value: object, *kinds: type | None) -> bool:
    return any(value is None if k is None else isinstance(value, k) and not (k is int and isinstance(value, bool))
               for k in kinds)  # fmt: skip


SHAPE = {"format": (str,), "period": (dict,), "count": (int,), "first_entry": (dict, None),
         "last_entry": (dict, None), "chain_head": (dict, None), "chain_intact_at_export": (bool,),
         "first_broken_entry": (int, None), "includes_recipients": (bool,), "files": (dict,),
         "exported_by": (dict,), "exported_at": (str,), "seal": (str,)}  # fmt: skip


def complete(manifest: dict) -> bool:
    """Every field an export writes, of its type (the seal is a plain hash: anyone can re-seal)."""
    if not all(key in manifest and fits(manifest[key], *kinds) for key, kinds in SHAPE.items()):
        return False
    period, who = manifest["period"], manifest["exported_by"]
    return all(fits(period.get(k), str) for k in ("from", "to")) and all(
        fits(who.get(k), str) for k in ("os_user", "profile", "profile_id")
    )


def stored_text(cell: str) -> str:
    """Format /2: a text cell that starts with = + - @ tab CR or ' has one apostrophe put before it
    (a spreadsheet shows it as text); the stored value, which the hash covers, is the cell less it."""
    text = cell[1:] if cell.startswith("'") else cell
    if ("'" + text if text.startswith(FORMULA_START) else text) != cell:
        raise ValueError(cell)
    return text


def check_rows(rows: list[list[str]], manifest: dict) -> int:
    header = COLUMNS + (["recipients"] if manifest["includes_recipients"] else [])
    if not rows or rows[0] != header:
        raise Broken("audit.csv does not start with the expected header")
    first, last = manifest["first_entry"], manifest["last_entry"]
    prev = first["prev_hash"] if first else GENESIS
    want_id = first["id"] if first else 0
    for number, cells in enumerate(rows[1:], start=2):
        where = f"row {number} of audit.csv"
        if len(cells) != len(header):
            raise Broken(f"{where}: {len(cells)} fields instead of {len(header)}")
        if manifest["format"] == FORMAT:
            try:
                cells = [stored_text(c) if i in TEXT_COLUMNS else c for i, c in enumerate(cells)]
            except ValueError:
                raise Broken(f"{where}: a text field is malformed") from None
        ident, when, at_text, actor, action, message_text, detail, prev_hash, digest = cells[:9]
        if not NUMBER.fullmatch(ident) or not NUMBER.fullmatch(message_text or "0"):
            raise Broken(f"{where}: an id is malformed")
        try:
            at = float(at_text)
        except ValueError:
            raise Broken(f"{where}: the timestamp is malformed") from None
        if repr(at) != at_text:
            raise Broken(f"{where}: the timestamp is malformed")
        where += f" (entry {ident})"
        if int(ident) != want_id:
            raise Broken(f"{where}: expected entry {want_id} here (a row was removed, added or moved)")
        stamp = datetime.datetime.fromtimestamp(at, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        if when != stamp:
            raise Broken(f"{where}: its time does not match its timestamp")
        if prev_hash != prev:
            raise Broken(f"{where}: it does not follow the row before it (a row was removed or moved)")
        message_id = int(message_text) if message_text else None
        if digest != entry_hash(prev, at_text, actor, action, message_id, detail):
            raise Broken(f"{where}: its content was changed (the hash does not match)")
        prev, want_id = digest, int(ident) + 1
    count = len(rows) - 1
    if count != manifest["count"] or (last["hash"] if last else GENESIS) != (prev if count else GENESIS):
        raise Broken(f"audit.csv has {count} entries, not the range the manifest names")
    return count


def verify(folder: Path) -> int:
    manifest = read_manifest(folder)
    try:
        data = read_regular(folder / "audit.csv")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise Broken(f"audit.csv cannot be read: {error}") from None
    try:
        count = check_rows(rows, manifest)
        recorded = manifest["files"]["audit.csv"]["sha256"]
    except (KeyError, TypeError, AttributeError):
        raise Broken("manifest.json does not have the fields an export has") from None
    if hashlib.sha256(data).hexdigest() != recorded:
        raise Broken("audit.csv does not match the SHA-256 in the manifest")
    return count


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    folder = Path(argv[1])
    try:
        count = verify(folder)
    except Broken as problem:
        print(f"FAILED: {problem}")
        return 1
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    who = manifest["exported_by"]
    print(f"OK: {count} entries, chain and files intact")
    print(f"  period {manifest['period']['from']} to {manifest['period']['to']}")
    print(f"  exported {manifest['exported_at']} by {who['os_user']} (profile {who['profile']})")
    if not manifest["chain_intact_at_export"]:
        print(f"  WARNING: the live chain was already broken at entry {manifest['first_broken_entry']} when exported")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
