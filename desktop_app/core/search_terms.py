"""Where a history search matched, so the views can highlight it.

The store's full-text search (``store/history.py``, SQLite FTS5 with the unicode61 tokenizer) finds
messages in which every typed word starts a word of the subject, body or recipients, whatever the
case or accents. :func:`match_spans` applies the same rule to one text and says where.
"""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"\w+")


def fold(text: str) -> str:
    """Case and accents removed, as FTS5's unicode61 tokenizer compares words (one character per character)."""
    return "".join(unicodedata.normalize("NFD", c)[0] for c in text.casefold())


def query_terms(query: str) -> list[str]:
    """The words of a search as the store matches them (each a word prefix)."""
    return [t for t in (fold(m.group()) for m in _TOKEN.finditer(query)) if t]


def match_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """``(start, end)`` of each part of ``text`` a search for ``terms`` matched: the prefix of every word
    that starts with a term (the longest term that fits), in order, never overlapping."""
    if not terms or not text:
        return []
    spans = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        folded = fold(word)
        if len(folded) != len(word):  # "ß" folds to "ss": match, but highlight the whole word
            folded = folded[: len(word)] if any(folded.startswith(t) for t in terms) else ""
        fitting = [t for t in terms if folded.startswith(t)]
        if fitting:
            spans.append((match.start(), match.start() + min(len(word), max(len(t) for t in fitting))))
    return spans
