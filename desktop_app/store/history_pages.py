"""The history one page at a time: a view lists the first rows of a filter and the rest as the user
scrolls (keyset paging on the views' order), and counts the matches apart, so a history of a million
messages opens as fast as one of a thousand (docs/benchmarks.md, scenario 11)."""

from __future__ import annotations

from desktop_app.store.history import HistoryFilter, HistoryQueries

PageKey = tuple[float, int]
"""Where a page ends: the ``(created_at, id)`` of its last message; the next page starts after it."""


class HistoryPages(HistoryQueries):
    def page(
        self, flt: HistoryFilter, *, limit: int, after: PageKey | None = None, newest_first: bool = True
    ) -> tuple[list[int], PageKey | None]:
        """The ids of the next ``limit`` matches after ``after`` in the views' order (newest first by
        default), and the key to ask for the page after them (None when there are no more)."""
        where, params = self._where(flt)
        order, beyond = ("DESC", "<") if newest_first else ("ASC", ">")
        if after is not None:
            where = f"{where} AND " if where else "WHERE "
            where += f"(created_at, id) {beyond} (?, ?)"
            params = (*params, *after)
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, created_at FROM messages {where} ORDER BY created_at {order}, id {order} LIMIT ?",
                (*params, limit),
            ).fetchall()
        last = (rows[-1][1], rows[-1][0]) if len(rows) == limit else None
        return [r[0] for r in rows], last

    def count_matching(self, flt: HistoryFilter) -> int:
        """How many messages match (for the view's "N messages"; asked apart from the first page)."""
        where, params = self._where(flt)
        with self._lock:
            return int(self._db.execute(f"SELECT COUNT(*) FROM messages {where}", params).fetchone()[0])
