"""History queries: the filtered, searchable list the Status and Outbox views page through, counts,
retention, activity."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from desktop_app.core.outbox_state import OutboxState
from desktop_app.core.records import ActivityEvent
from desktop_app.store.database import Connection, transaction
from desktop_app.store.store_base import StoreBase

ACTIVITY_CAP = 50_000
"""Activity rows kept; older ones are trimmed so the log cannot grow without bound."""


@dataclass(frozen=True)
class HistoryFilter:
    """What the history and outbox views ask for; every field narrows the result."""

    states: tuple[OutboxState, ...] = ()
    search: str = ""
    delivery_status: str = ""
    recipient: str = ""
    tag: str = ""
    since: float | None = None
    until: float | None = None


def fts_query(text: str) -> str:
    """Turn what a user typed into a safe FTS5 prefix query: every word must match, no operators."""
    words = [w.replace('"', '""') for w in text.split() if w.strip()]
    return " ".join(f'"{w}"*' for w in words)


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class HistoryQueries(StoreBase):
    """Reads for the history and outbox views; retention; activity and known domains."""

    def list_ids(self, flt: HistoryFilter, *, newest_first: bool = True) -> list[int]:
        """Ids only: views fetch rows lazily as they scroll (Anki's approach for large tables)."""
        where, params = self._where(flt)
        order = "DESC" if newest_first else "ASC"
        with self._lock:
            rows = self._db.execute(
                f"SELECT id FROM messages {where} ORDER BY created_at {order}, id {order}", params
            ).fetchall()
        return [r[0] for r in rows]

    def daily_counts(self, start: float, days: int) -> dict[str, list[int]]:
        """Sent, delivered, bounced and opened messages per day from ``start`` (one query, for the chart).

        Counting in SQL over the (state, created_at) index keeps the chart cheap however large the
        history is; it never holds the store for long while the user searches.
        """
        counts = {name: [0] * days for name in ("sent", "delivered", "bounced", "opened")}
        with self._lock:
            rows = self._db.execute(
                "SELECT CAST((COALESCE(accepted_at, created_at) - ?) / 86400 AS INTEGER) AS day, COUNT(*), "
                "SUM(delivery_summary = 'delivered'), SUM(delivery_summary LIKE '%bounced%'), "
                "SUM(id IN (SELECT message_id FROM recipient_status WHERE opened_status = 'opened')) "
                "FROM messages WHERE state = 'accepted' AND created_at >= ? GROUP BY day",
                (start, start),
            ).fetchall()
        for day, sent, delivered, bounced, opened in rows:
            slot = min(days - 1, max(0, int(day)))
            for name, value in zip(counts, (sent, delivered, bounced, opened), strict=True):
                counts[name][slot] += int(value or 0)
        return counts

    def _where(self, flt: HistoryFilter) -> tuple[str, tuple[Any, ...]]:
        clauses: list[str] = []
        params: list[Any] = []
        if flt.states:
            clauses.append(f"state IN ({','.join('?' * len(flt.states))})")
            params.extend(s.value for s in flt.states)
        if flt.search.strip():
            clauses.append("id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)")
            params.append(fts_query(flt.search))
        if flt.delivery_status:
            clauses.append("id IN (SELECT message_id FROM recipient_status WHERE delivery_status = ?)")
            params.append(flt.delivery_status)
        if flt.recipient.strip():
            clauses.append("recipients LIKE ? ESCAPE '\\'")
            params.append("%" + like_escape(flt.recipient.strip()) + "%")
        if flt.tag:
            clauses.append("tag = ?")
            params.append(flt.tag)
        if flt.since is not None:
            clauses.append("created_at >= ?")
            params.append(flt.since)
        if flt.until is not None:
            clauses.append("created_at < ?")
            params.append(flt.until)
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)

    def purge_older_than(self, cutoff: float) -> int:
        """Retention: delete final messages (and API activity) from before ``cutoff``; the audit log is kept."""
        with self._lock, transaction(self._db) as db:
            ids = [r[0] for r in db.execute(
                "SELECT id FROM messages WHERE created_at < ? AND state IN ('accepted','failed','cancelled')",
                (cutoff,),
            ).fetchall()]  # fmt: skip
            for message_id in ids:
                db.execute("DELETE FROM messages_fts WHERE rowid = ?", (message_id,))
                db.execute("DELETE FROM messages WHERE id = ?", (message_id,))
            db.execute("DELETE FROM activity WHERE at < ?", (cutoff,))
        return len(ids)

    def recipients_of(self, ids: Sequence[int]) -> list[str]:
        """Each message's recipients as stored (``Name <addr>, …``), in the order of ``ids``: who was
        written to, without reading (and decoding) the messages themselves."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        with self._lock:
            rows = dict(self._db.execute(f"SELECT id, recipients FROM messages WHERE id IN ({marks})", tuple(ids)))
        return [str(rows[i]) for i in ids if i in rows]

    def counts_by_state(self) -> dict[OutboxState, int]:
        with self._lock:
            rows = self._db.execute("SELECT state, COUNT(*) FROM messages GROUP BY state").fetchall()
        return {OutboxState(state): count for state, count in rows}

    def add_activity(self, events: Sequence[ActivityEvent]) -> None:
        with self._lock, transaction(self._db) as db:
            db.executemany(
                "INSERT INTO activity (at, method, endpoint, status, latency_ms, attempt, outcome, tracking_id, "
                "error) VALUES (?,?,?,?,?,?,?,?,?)",
                [(e.at, e.method, e.endpoint, e.status, e.latency_ms, e.attempt, e.outcome, e.tracking_id, e.error)
                 for e in events],
            )  # fmt: skip
            db.execute("DELETE FROM activity WHERE id <= (SELECT MAX(id) FROM activity) - ?", (ACTIVITY_CAP,))

    def recent_activity(self, limit: int = 1000) -> list[ActivityEvent]:
        with self._lock:
            rows = self._db.execute(
                "SELECT at, method, endpoint, status, latency_ms, attempt, outcome, tracking_id, error "
                "FROM activity ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [ActivityEvent(*row) for row in reversed(rows)]

    def unknown_domains(self, domains: Iterable[str]) -> list[str]:
        with self._lock:
            known = {r[0] for r in self._db.execute("SELECT domain FROM known_domains").fetchall()}
        return sorted({d for d in domains if d not in known})

    def remember_domains(self, domains: Iterable[str]) -> None:
        with self._lock, transaction(self._db) as db:
            self._remember_domains(db, self._clock(), domains)

    @staticmethod
    def _remember_domains(db: Connection, now: float, domains: Iterable[str]) -> None:
        db.executemany("INSERT OR IGNORE INTO known_domains (domain, first_sent_at) VALUES (?, ?)",
                       [(domain, now) for domain in set(domains)])  # fmt: skip
