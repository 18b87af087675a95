"""The history one page at a time: a view lists the first rows of a filter and the rest as the user
scrolls (keyset paging on the views' order), and counts the matches apart, so a history of a million
messages opens as fast as one of a thousand (docs/benchmarks.md, scenario 11)."""

from __future__ import annotations

import re
from dataclasses import replace

from desktop_app.store.history import HistoryFilter, HistoryQueries

PageKey = tuple[float, int]
"""Where a page ends: the ``(created_at, id)`` of its last message; the next page starts after it."""

MAX_EXPANSIONS = 64
"""A typed word names at most this many indexed words for the streaming search; more, and the
search falls back to the full match (a one-letter word would name thousands)."""

_PLAIN_WORD = re.compile(r"[a-z0-9]+")


class HistoryPages(HistoryQueries):
    def page(
        self, flt: HistoryFilter, *, limit: int, after: PageKey | None = None, newest_first: bool = True
    ) -> tuple[list[int], PageKey | None]:
        """The ids of the next ``limit`` matches after ``after`` in the views' order (newest first by
        default), and the key to ask for the page after them (None when there are no more)."""
        if flt.search.strip() and newest_first:
            streamed = self._search_page(flt, limit, after)
            if streamed is not None:
                return streamed
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
        return [r[0] for r in rows], _next_key(rows, limit)

    def _search_page(
        self, flt: HistoryFilter, limit: int, after: PageKey | None
    ) -> tuple[list[int], PageKey | None] | None:
        """A search page read from the full-text index newest id first, stopping at ``limit`` matches.

        ``"word"*`` (what the user typed, as a prefix) makes FTS5 gather every match before the first
        one is returned (≈ 1 s at a million messages); the same words named exactly, as read from the
        index's vocabulary, stream in rowid order. Ids grow with ``created_at`` (both are taken when a
        message is written), so this is the views' order. None: not expressible so (punctuation,
        non-ASCII, a very short prefix); the caller runs the full match."""
        words = flt.search.lower().split()
        if not all(_PLAIN_WORD.fullmatch(w) for w in words):
            return None
        groups: list[str] = []
        with self._lock:
            self._db.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.messages_terms USING fts5vocab(main, messages_fts, row)"
            )
            for word in words:
                terms = [r[0] for r in self._db.execute(
                    "SELECT term FROM temp.messages_terms WHERE term >= ? AND term < ? LIMIT ?",
                    (word, word + "\uffff", MAX_EXPANSIONS + 1),
                ).fetchall()]  # fmt: skip
                if len(terms) > MAX_EXPANSIONS:
                    return None
                if not terms:
                    return [], None
                groups.append("(" + " OR ".join(f'"{t}"' for t in terms) + ")")
            where, params = self._where(replace(flt, search=""))
            before = "AND rowid < ?" if after is not None else ""
            rows = self._db.execute(
                f"SELECT id, created_at FROM (SELECT rowid AS hit FROM messages_fts WHERE messages_fts MATCH ? "
                f"{before}) JOIN messages ON messages.id = hit {where} ORDER BY hit DESC LIMIT ?",
                (" AND ".join(groups), *((after[1],) if after is not None else ()), *params, limit),
            ).fetchall()
        return [r[0] for r in rows], _next_key(rows, limit)

    def count_matching(self, flt: HistoryFilter) -> int:
        """How many messages match (for the view's "N messages"; asked apart from the first page)."""
        where, params = self._where(flt)
        with self._lock:
            return int(self._db.execute(f"SELECT COUNT(*) FROM messages {where}", params).fetchone()[0])


def _next_key(rows: list[tuple[int, float]], limit: int) -> PageKey | None:
    return (rows[-1][1], rows[-1][0]) if len(rows) == limit else None
