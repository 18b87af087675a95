"""Belt and braces for logs: scrub anything that looks like an address or a credential.

Log calls are written to carry only ids, endpoints, statuses and timings. This filter catches
the mistake nobody noticed (an exception text quoting an address, a header dump) before it is
written anywhere.

Every step runs in time linear in the text, whatever the text (it may come from a hostile
server): the credential patterns start with a literal word and use possessive quantifiers, so no
match attempt ever rescans what another attempt read; addresses are found from their ``@`` (a
regex that starts its local part at every character rescanned a long run of letters once per
character: quadratic, ~19 s for 100,000 of them).
"""

from __future__ import annotations

import re

_CREDENTIALS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)(authorization\s*+[:=]\s*+)(?:token\s++token=|bearer\s++)?\S++"), r"\1[redacted]"),
    # A key may hold any printable ASCII but a space (api.config), so everything up to whitespace goes.
    (re.compile(r"(?i)(token\s++token=|bearer\s++)(?!\[redacted\])\S++"), r"\1[redacted]"),
    (re.compile(r"(?i)(api[_-]?key\s*+[:=]\s*+)\S++"), r"\1[redacted]"),
)

_LOCAL_CHARS = "A-Za-z0-9.!#$%&'*+/=?^_`{|}~-"
_LOCAL_RUN = re.compile(f"[{_LOCAL_CHARS}]++")  # matched on the reversed text, leftwards from an "@"
_DOMAIN = re.compile(r"[A-Za-z0-9-]++(?:\.[A-Za-z0-9-]++)++")
_ADDRESS = "[address]"
# An "@" that can start an address: a local character before it, a dotted domain after it.
_CANDIDATE = re.compile(f"(?<=[{_LOCAL_CHARS}])@(?=[A-Za-z0-9-]++\\.[A-Za-z0-9-])")


def _redact_addresses(text: str) -> str:
    """Replace ``local@domain.tld`` (the local part as long as it runs, a dotted domain) by ``[address]``.

    The same matches, left to right, as ``[local]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+``, found in
    one pass: each ``@`` is looked at once, its local part read leftwards (never past the previous
    match or the previous ``@``, which is not a local character) and its domain rightwards (never
    past the next ``@``), so every character is read a bounded number of times.
    """
    parts: list[str] = []
    done = 0  # text[:done] is already in parts
    reversed_text = ""
    for candidate in _CANDIDATE.finditer(text):
        at = candidate.start()
        if at < done:
            continue
        reversed_text = reversed_text or text[::-1]
        size = len(text)
        local = _LOCAL_RUN.match(reversed_text, size - at, size - done)
        domain = _DOMAIN.match(text, at + 1)
        if local is not None and domain is not None:
            start = at - (local.end() - local.start())
            parts.append(text[done:start])
            parts.append(_ADDRESS)
            done = domain.end()
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


def redact(text: str) -> str:
    """``text`` with credentials and addresses replaced by placeholders (idempotent, linear time)."""
    for pattern, replacement in _CREDENTIALS:
        text = pattern.sub(replacement, text)
    return _redact_addresses(text)
