"""What other processes changed, each change read once: the follower's incremental view of ``messages``.

A change is stamped (``updated_at``) when its transaction starts and may commit seconds later, so
the follower looks back ``CHANGE_SLACK_SECONDS`` at every check. During a 50,000-row batch that is
about 2,500 rows, four times a second, each turned into Python objects and compared with the ones
already heard. The stamps already heard are kept in a temporary table of this connection instead,
so SQLite leaves them out and a check reads only the rows it has not reported (a hundred or so).
"""

from __future__ import annotations

from desktop_app.store.store_base import StoreBase

_SEEN = "temp.follower_seen"
_UNSEEN = (
    "SELECT m.id, m.updated_at FROM messages AS m LEFT JOIN temp.follower_seen AS s ON s.id = m.id "
    "WHERE {where} AND s.at IS NOT m.updated_at"
)


class ChangeFeed(StoreBase):
    """Changes committed by any process, each ``(id, stamp)`` reported once (see module docstring)."""

    def unseen_changes(self, since: float, after_id: int) -> list[tuple[int, float]]:
        """``(id, updated_at)`` of the messages changed at or after ``since``, and of every message
        added after ``after_id`` however old its stamp, that an earlier call has not reported with
        that stamp. Stamps older than ``since`` are forgotten: a row changed again is reported again."""
        with self._lock:
            self._db.execute(f"CREATE TABLE IF NOT EXISTS {_SEEN} (id INTEGER PRIMARY KEY, at REAL NOT NULL)")
            rows = self._db.execute(
                f"{_UNSEEN.format(where='m.updated_at >= ?')} UNION {_UNSEEN.format(where='m.id > ?')} ORDER BY 2",
                (since, after_id),
            ).fetchall()
            self._db.executemany(f"INSERT OR REPLACE INTO {_SEEN} (id, at) VALUES (?, ?)", rows)
            self._db.execute(f"DELETE FROM {_SEEN} WHERE at < ?", (since,))
        return [(int(r[0]), float(r[1])) for r in rows]
