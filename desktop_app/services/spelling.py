"""Spell checking for the composer: pyenchant over the system's hunspell dictionaries, all on this machine.

Nothing is ever sent anywhere: enchant's hunspell provider reads the dictionaries installed by the
system packages (``hunspell-en-us``, ``hunspell-es``). Words the user adds go to the encrypted store
(``store/dictionary.py``), never to enchant's own plain-text personal word list, so this module
never calls ``Dict.add``; "Ignore" lasts for the session. Enchant is not thread-safe (two
dictionaries opened at once on two threads crash the process) and a checker serves the GUI thread
and a worker (long bodies are checked off the GUI thread), so every call into it holds one lock,
and each language's dictionary is opened once per process.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

from desktop_app.core.errors import KnownError

APOSTROPHES = "'\u2019"
WORD = re.compile(rf"[^\W\d_]+(?:[{APOSTROPHES}][^\W\d_]+)*")
"""A word: letters (any script), with inner apostrophes (don't, l\u2019hopital); digits and codes are skipped."""
MAX_SUGGESTIONS = 6
_ENCHANT = threading.Lock()
_OPENED: dict[str, Any] = {}


class SpellingUnavailable(KnownError):
    """No dictionary for the language (the system package is missing); the text says which to install."""


def words(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, length, word)`` for each word of ``text``."""
    for match in WORD.finditer(text):
        yield match.start(), match.end() - match.start(), match.group()


class SpellChecker:
    """One language's dictionary plus the personal dictionary and the session's ignored words."""

    def __init__(self, language: str, personal: set[str] | None = None,
                 add_personal: Callable[[str], None] | None = None) -> None:  # fmt: skip
        """``personal``: the stored words; ``add_personal`` stores one more (it runs on the caller's thread)."""
        self.language = language
        self._dictionary = _open_dictionary(language)
        self._personal = set(personal or ())
        self._ignored: set[str] = set()
        self._add_personal = add_personal

    def check(self, word: str) -> bool:
        """Whether ``word`` is spelt right (or known to the user, or ignored)."""
        if word in self._personal or word in self._ignored or len(word) < 2 or word.isupper():
            return True  # short words and acronyms (MRI, ECG) are not flagged
        with _ENCHANT:
            return bool(self._dictionary.check(word.replace("\u2019", "'")))

    def misspelt(self, text: str) -> list[tuple[int, int]]:
        """``(start, length)`` of every misspelt word in ``text``."""
        return [(start, length) for start, length, word in words(text) if not self.check(word)]

    def suggest(self, word: str) -> list[str]:
        with _ENCHANT:
            found: list[str] = self._dictionary.suggest(word)
        return found[:MAX_SUGGESTIONS]

    def ignore(self, word: str) -> None:
        """Accept ``word`` until this checker is replaced (the session)."""
        self._ignored.add(word)

    def add(self, word: str) -> None:
        """Accept ``word`` from now on, and keep it in the personal dictionary (the encrypted store)."""
        self._personal.add(word)
        if self._add_personal is not None:
            self._add_personal(word)


def _open_dictionary(language: str) -> Any:
    with _ENCHANT:
        if language not in _OPENED:
            _OPENED[language] = _open(language)
        return _OPENED[language]


def _open(language: str) -> Any:
    try:
        import enchant
    except ImportError as error:  # the wheel is there, the system library is not
        raise SpellingUnavailable(
            "Spell checking needs the Enchant library (Debian: libenchant-2-2); install it and restart Sealpost."
        ) from error
    try:
        return enchant.Dict(language)
    except enchant.errors.DictNotFoundError:
        package = "hunspell-es" if language.startswith("es") else "hunspell-en-us"
        raise SpellingUnavailable(
            f"No spelling dictionary for {language} is installed (Debian: {package}); spell checking is off."
        ) from None
