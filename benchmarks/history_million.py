"""Scenario 11: five years of a busy clinic's history (1,000,000 messages) in the encrypted store.

Scenario 5's builder goes through ``MessageStore.add_batch`` and would take a quarter of an hour for
a million rows, so this one writes the same tables with the store's own statements directly
(messages, search index, recipient statuses, timeline), slice by slice, a transaction per 50,000
rows, the rows already in their final, delivered state. The measuring is scenario 5's: a fresh child process
(``benchmarks.history_probe``) opens the database as the app does, attaches the real Status view and
times its first screen, a full-text search and a filter change, then reports its RSS.
"""

from __future__ import annotations

import itertools
import json
import random
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.common import SENDER, ScenarioResult, temporary_directory
from benchmarks.history import STATUSES, WORDS, probe_history
from desktop_app.core.addresses import parse_address
from desktop_app.core.message import OutgoingMessage, message_to_dict
from desktop_app.services.profile import Profile
from desktop_app.store.database import Connection, close_database, transaction
from desktop_app.store.unlock import open_profile_database

TARGETS_MS = {"first_screen": 200.0, "search": 100.0, "filter": 100.0}
TARGET_RSS_MB = 400.0
YEARS = 5
SLICE = 5_000
COMMIT_ROWS = 50_000


def _rows(count: int, seed: int) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...], float]]:
    """(messages row, search row, recipient status row, sent at) for each message, oldest first.

    The stored payload is what ``message_to_dict`` makes of each message; it is derived from one
    message per patient (parsing and validating a million addresses would be most of the build)."""
    rng = random.Random(seed)
    patients = [f"patient{n}@example.org" for n in range(5000)]
    base: dict[int, dict[str, Any]] = {}
    span = YEARS * 365 * 86400
    start = time.time() - span
    for n in range(count):
        words = rng.sample(WORDS, 3)
        text = (f"Dear patient, this is about your {words[0]} and {words[1]}. " * 8) + f"Reference {n}, {words[2]}."
        who = rng.randrange(len(patients))
        if who not in base:
            patient = parse_address(f"Patient {who} <{patients[who]}>")
            stored = message_to_dict(OutgoingMessage(sender=SENDER, to=(patient,), subject="x"))
            base[who] = {"recipients": patient.formatted(), "payload": stored}
        subject, tag = f"Your {words[0]} ({n})", rng.choice(("", "", "lab", "billing"))
        payload = json.dumps({**base[who]["payload"], "subject": subject, "text": text, "tag": tag})
        at = start + span * (n + rng.random()) / count
        status = rng.choice(STATUSES)
        summary = "bounced" if status == "hard bounced" else status.split(" via")[0]
        recipients = base[who]["recipients"]
        message_id = n + 1
        yield (
            (message_id, str(uuid.uuid4()), at, at + 3, "accepted", 1, f"trk-{message_id:09d}", at + 1,
             subject, recipients, payload, tag, summary, 1),
            (message_id, subject, text, recipients),
            (message_id, patients[who], status, at + 3),
            at,
        )  # fmt: skip


def _write(db: Connection, chunk: list[tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...], float]]) -> None:
    db.executemany(
        "INSERT INTO messages (id, uid, created_at, updated_at, state, attempts, tracking_id, accepted_at, "
        "subject, recipients, payload, tag, delivery_summary, final_delivery) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [c[0] for c in chunk],
    )
    db.executemany(
        "INSERT INTO messages_fts (rowid, subject, body, recipients) VALUES (?,?,?,?)", [c[1] for c in chunk]
    )
    db.executemany(
        "INSERT INTO recipient_status (message_id, recipient, delivery_status, updated_at) VALUES (?,?,?,?)",
        [c[2] for c in chunk],
    )
    db.executemany(
        "INSERT INTO status_events (message_id, at, kind, detail) VALUES (?,?,?,'')",
        [(c[0][0], c[3], kind) for c in chunk for kind in ("queued", "accepted")],
    )


def build_large_history(profile: Profile, count: int, seed: int = 10) -> float:
    """Write ``count`` delivered messages spread over five years; returns the seconds it took."""
    started = time.perf_counter()
    connection = open_profile_database(profile.database_path, profile.settings.profile_id)
    try:
        # Wiping every freed block (the app keeps it on) would double the build; the probe's process,
        # which measures, opens the database with the app's own settings. A transaction per
        # COMMIT_ROWS keeps the write-ahead log and the page cache to a few hundred megabytes.
        connection.execute("PRAGMA cache_size = -262144")
        connection.execute("PRAGMA cipher_memory_security = OFF")
        rows = _rows(count, seed)
        while True:
            with transaction(connection) as db:
                written = 0
                while written < COMMIT_ROWS and (chunk := list(itertools.islice(rows, SLICE))):
                    _write(db, chunk)
                    written += len(chunk)
            if written < COMMIT_ROWS:
                break
    finally:
        close_database(connection)  # a clean close: the probe's open skips the full integrity check
    return time.perf_counter() - started


def history_million(count: int = 1_000_000, runs: int = 3) -> ScenarioResult:
    result = ScenarioResult(11, f"History at clinic scale: {count:,} messages over {YEARS} years")
    with temporary_directory("history-million") as directory:
        profile = Profile(Path(directory) / "profile")
        build = build_large_history(profile, count)
        size = sum(p.stat().st_size for p in profile.directory.glob("sealpost.db*")) / 2**20
        result.add("Building the history (store statements, a transaction per 50,000)", build, "s")
        result.add("Database size on disk", size, "MB", note=f"{size * 2**20 / count / 1024:.2f} KB a message")
        probe_history(result, profile, runs, open_db="keyring + key", query_suffix=", first page",
                      targets_ms=TARGETS_MS, target_rss_mb=TARGET_RSS_MB)  # fmt: skip
    result.notes.append(
        "Same probe as scenario 5 (fresh process per run, warm page cache, the view's 250 ms typing debounce "
        "not counted)."
    )
    return result
