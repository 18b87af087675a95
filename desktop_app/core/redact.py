"""Belt and braces for logs: scrub anything that looks like an address or a credential.

Log calls are written to carry only ids, endpoints, statuses and timings. This filter catches
the mistake nobody noticed (an exception text quoting an address, a header dump) before it is
written anywhere.
"""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)(authorization\s*[:=]\s*)(token\s+token=|bearer\s+)?\S+"), r"\1[redacted]"),
    # A key may hold any printable ASCII but a space (api.config), so everything up to whitespace goes.
    (re.compile(r"(?i)(token\s+token=|bearer\s+)(?!\[redacted\])\S+"), r"\1[redacted]"),
    (re.compile(r"(?i)(api[_-]?key\s*[:=]\s*)\S+"), r"\1[redacted]"),
    (re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"), "[address]"),
)


def redact(text: str) -> str:
    """``text`` with credentials and addresses replaced by placeholders (idempotent)."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
