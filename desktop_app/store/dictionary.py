"""The personal dictionary: words the user added to the spell checker, kept in the encrypted store.

Words staff add are often patients' names, so they live with the other profile data (SQLCipher),
never in the spell-checking library's own plain-text word lists.
"""

from __future__ import annotations

from desktop_app.store.database import transaction
from desktop_app.store.store_base import StoreBase

MAX_WORD_LENGTH = 100


class DictionaryQueries(StoreBase):
    """The words of the personal dictionary (one list for every spelling language)."""

    def personal_words(self) -> set[str]:
        with self._lock:
            rows = self._db.execute("SELECT word FROM personal_words").fetchall()
        return {str(row[0]) for row in rows}

    def add_personal_word(self, word: str) -> None:
        """Add ``word`` (stripped; an empty or overlong one is ignored); adding it twice keeps one."""
        word = word.strip()
        if not word or len(word) > MAX_WORD_LENGTH:
            return
        with self._lock, transaction(self._db) as db:
            db.execute("INSERT OR IGNORE INTO personal_words (word, added_at) VALUES (?, ?)", (word, self._clock()))

    def remove_personal_word(self, word: str) -> None:
        with self._lock, transaction(self._db) as db:
            db.execute("DELETE FROM personal_words WHERE word = ?", (word,))
