"""Hostile strings everywhere (issue 9): RTL marks, zalgo, emoji, SQL and script fragments, very long
text. Through compose → store → search → the wire: no crash, stored and returned unchanged, never
interpreted (no SQL, no markup, no format string).
"""

from __future__ import annotations

import logging
import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.core.addresses import Address
from desktop_app.core.message import Attachment, OutgoingMessage
from desktop_app.core.outbox_state import OutboxState
from desktop_app.sandbox.server import SandboxServer
from desktop_app.services.logging_setup import RedactingFilter
from desktop_app.services.runtime import Runtime
from desktop_app.store.messages import HistoryFilter, fts_query
from tests.security.faults import FINAL, record
from tests.security.tally import count, fuzz

HOSTILE = [
    "\u202eevil.exe\u202c txt",  # right-to-left override
    "\u200f\u05e9\u05dc\u05d5\u05dd\u200e hello",  # RTL/LTR marks around Hebrew
    "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349\u035a\u032f\u031e\u0320\u034dalgo",
    "\U0001f489\U0001f3e5 \U0001f468\u200d\u2695\ufe0f results \U0001f9ea",  # emoji with ZWJ sequences
    "'; DROP TABLE messages; --",
    '" OR 1=1 --',
    'NEAR(a b) OR c* AND "d',  # FTS5 operators
    "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "{0} %s %(x)s {{x}} ${x}",  # format strings and template syntax
    "\\x00 \\n ../../etc/passwd",
    "\u0000".join(["a", "b"]).replace("\u0000", ""),  # (NUL itself is refused by the header rules)
    "A" * 10_000,
]


def _display_name(text: str) -> str:
    """Names take any of these except bidi overrides and angle brackets, which the address policy refuses (§3)."""
    return re.sub("[\u202a-\u202e\u2066-\u2069<>]", "", text[:200])


def _file_name(text: str) -> str:
    """Attachment names take these minus what the field rules refuse (§3a): format and control
    characters, path separators, ``..``."""
    name = "".join(c for c in text[:40] if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"))
    return re.sub(r"\.\.+", ".", name.replace("/", "").replace("\\", "")) + ".txt"


def _message(text: str, n: int) -> OutgoingMessage:
    return OutgoingMessage(
        sender="staff@clinic.example",
        to=(Address(f"pat{n}@example.org", _display_name(text)),),
        subject=text,
        text=f"Body {text}",
        tag=text[:50],
        attachments=(Attachment.from_bytes(_file_name(text), "text/plain", b"x"),),
    )


def test_hostile_strings_are_stored_sent_and_found_unchanged(runtime: Runtime, sandbox: SandboxServer) -> None:
    assert runtime.store is not None
    ids = {}
    for n, text in enumerate(HOSTILE):
        count("hostile strings sent end to end")
        ids[text] = runtime.queue(_message(text, n)).id
    for n, (text, message_id) in enumerate(ids.items()):
        final = runtime.wait_until(message_id, FINAL, 20)
        assert final.state is OutboxState.ACCEPTED, final.last_error
        assert final.subject == text  # stored unchanged
        assert final.message == runtime.prepare(_message(text, n))  # the whole message reads back as queued
    sent = {m["subject"] for m in record(sandbox)["messages"]}
    assert sent == set(HOSTILE)  # and went out unchanged: nothing escaped, stripped or interpreted
    assert runtime.store.counts_by_state()[OutboxState.ACCEPTED] == len(HOSTILE)  # no DROP TABLE ran


@pytest.mark.parametrize("query", [*HOSTILE, '"', "*", "(", ")", "-", "^", ":", "AND", "'", "%", "_", "\\"])
def test_search_input_is_never_interpreted(runtime: Runtime, query: str) -> None:
    assert runtime.store is not None
    runtime.queue(_message("ordinary subject", 0))
    count("hostile search inputs")
    runtime.store.list_ids(HistoryFilter(search=query))  # no syntax error, whatever was typed
    runtime.store.list_ids(HistoryFilter(recipient=query))
    assert runtime.store.counts_by_state()  # the table is still there


@given(st.text(max_size=60))
@fuzz
def test_fts_query_quotes_every_word(typed: str) -> None:
    count("hostile search inputs")
    query = fts_query(typed)
    for word in query.split(" ") if query else []:
        assert word.startswith('"')
        assert word.endswith('"*')


@pytest.mark.parametrize("text", HOSTILE)
def test_log_lines_with_hostile_text_are_written_verbatim(text: str) -> None:
    record_ = logging.LogRecord("x", logging.INFO, __file__, 1, "subject was %s", (text,), None)
    RedactingFilter().filter(record_)
    assert text in record_.getMessage() or "[address]" in record_.getMessage()
