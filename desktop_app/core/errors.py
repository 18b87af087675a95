"""The one root of *known* errors: the world failed, and the user can be told what to do.

Offline, Paubox refused a message, the keyring is locked, the disk is full, a file is damaged, an
address or a CSV row is wrong: each such error derives from :class:`KnownError`, and its text is
plain words for the user (never a key, never PHI). Anything else that escapes is a bug: it is
logged in full and shown in the crash dialog, not dressed up as advice.
"""

from __future__ import annotations


class KnownError(Exception):
    """The world failed (not Sealpost): ``str(error)`` says what happened and what to do."""


def is_known(error: BaseException) -> bool:
    """Whether ``error`` is shown where the user works (True) or reported as a bug (False)."""
    return isinstance(error, KnownError)
