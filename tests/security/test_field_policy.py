"""Strict fields (docs/security.md §3a): attachment names and content types, custom header names and values.

Each field reaches Paubox as part of a MIME header, so anything that could end a header line,
start another, or disguise a file (``lab-results\\u202Efdp.exe`` shows as "lab-resultsexe.pdf")
is refused in core, with words that say what to change, before a message can be queued.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.core.addresses import AddressError
from desktop_app.core.message import (
    MAX_FILE_NAME_BYTES,
    Attachment,
    MessageError,
    check_content_type,
    check_file_name,
    check_header_name,
)
from tests.helpers.messages import make_message
from tests.security.tally import count, fuzz

GOOD_FILE_NAMES = [
    "results.pdf",
    "Lab Results (2026-03).pdf",
    "Ärztebrief für Herrn Müller.docx",
    "שלום.txt",  # right-to-left script, no direction controls
    "検査結果.pdf",
    "Z\u0351\u036balgo.txt",  # combining marks are letters' accents, not format characters
    ".profile",  # a leading dot is a hidden file, not a path
    "report.final.v2.pdf",
    "a" * 251 + ".pdf",  # 255 bytes exactly
    "é" * 125 + ".pdf",  # 254 bytes of UTF-8
]

BAD_FILE_NAMES = [
    ("lab-results\u202efdp.exe", "text-direction character (U+202E)"),
    ("results\u2066.pdf", "U+2066"),
    ("re\u200bsults.pdf", "U+200B"),  # zero-width space
    ("\ufeffresults.pdf", "U+FEFF"),  # byte-order mark
    ("res\u00adults.pdf", "U+00AD"),  # soft hyphen
    ("results\r\n.pdf", "control character or line break"),
    ("results\x00.pdf", "control character"),
    ("results\t.pdf", "control character"),
    ("results\x7f.pdf", "control character"),
    ("results\u0085.pdf", "control character"),
    ("results\u2028.pdf", "line break"),
    ("../results.pdf", "“/” or “\\”"),
    ("folder/results.pdf", "“/” or “\\”"),
    ("C:\\Users\\x\\results.pdf", "“/” or “\\”"),
    ("..", "only dots"),
    (".", "only dots"),
    ("....", "only dots"),
    ("results..pdf", "contains “..”"),
    ("", "no file name"),
    ("   ", "no file name"),
    ("a" * 252 + ".pdf", f"the limit is {MAX_FILE_NAME_BYTES}"),
    ("é" * 126 + ".pdf", "256 bytes"),
]


@pytest.mark.parametrize("name", GOOD_FILE_NAMES)
def test_good_file_names_are_accepted(name: str) -> None:
    count("field policy cases")
    check_file_name(name)
    make_message(attachments=(Attachment.from_bytes(name, "application/pdf", b"%PDF"),)).validate()


@pytest.mark.parametrize(("name", "why"), BAD_FILE_NAMES)
def test_bad_file_names_are_refused_with_a_reason(name: str, why: str) -> None:
    count("field policy cases")
    with pytest.raises(MessageError) as refused:
        Attachment.from_bytes(name, "application/pdf", b"%PDF")
    assert why in str(refused.value)
    assert "rename" in str(refused.value).lower() or "name" in str(refused.value)
    # Built directly (as the store does when it loads a message), it still cannot be sent.
    with pytest.raises(MessageError):
        make_message(attachments=(Attachment(name, "application/pdf", "JVBERg=="),)).validate()


def test_a_refusal_never_echoes_the_hiding_character() -> None:
    with pytest.raises(MessageError) as refused:
        check_file_name("lab-results\u202efdp.exe")
    assert "\u202e" not in str(refused.value)
    assert "lab-results\ufffdfdp.exe" in str(refused.value)


GOOD_CONTENT_TYPES = [
    "application/pdf",
    "text/plain; charset=utf-8",
    'text/plain; charset="utf-8"',
    "text/plain;charset=UTF-8;format=flowed",
    "image/svg+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/x-ms-dos-executable",
    'multipart/mixed; boundary="a b\\"c"',
    "application/octet-stream",
]

BAD_CONTENT_TYPES = [
    ("application/pdf\r\nX-Injected: 1", "line break or control character"),
    ("application/pdf\n", "line break or control character"),
    ("application/pdf\x00", "line break or control character"),
    ("application/pdf\u2028", "line break or control character"),
    ("application/pdf\u202e", "line break or control character"),
    ("", "not valid"),
    ("pdf", "not valid"),
    ("application/", "not valid"),
    ("/pdf", "not valid"),
    ("application/pdf/x", "not valid"),
    ("application pdf", "not valid"),
    ("application/pdf;", "not valid"),
    ("application/pdf; charset", "not valid"),
    ("text/plain; charset=ü", "not valid"),
    ('text/plain; charset="utf-8', "not valid"),
    ("text/plain; charset=utf 8", "not valid"),
    ("application/(pdf)", "not valid"),
    ("applicatión/pdf", "not valid"),
    ("a/" + "b" * 300, "not valid"),
]


@pytest.mark.parametrize("content_type", GOOD_CONTENT_TYPES)
def test_good_content_types_are_accepted(content_type: str) -> None:
    count("field policy cases")
    make_message(attachments=(Attachment.from_bytes("a.bin", content_type, b"x"),)).validate()


@pytest.mark.parametrize(("content_type", "why"), BAD_CONTENT_TYPES)
def test_bad_content_types_are_refused_with_a_reason(content_type: str, why: str) -> None:
    count("field policy cases")
    with pytest.raises(MessageError) as refused:
        check_content_type(content_type, "scan.pdf")
    assert why in str(refused.value)
    assert "scan.pdf" in str(refused.value)
    assert "application/pdf" in str(refused.value)  # an example of what to write instead
    with pytest.raises(MessageError):
        make_message(attachments=(Attachment("scan.pdf", content_type, "eA=="),)).validate()


GOOD_HEADER_NAMES = ["X-Clinic-Ref", "X-A", "x-lower", "X-Ticket#1", "X-A.B_C~D!"]

BAD_HEADER_NAMES = [
    ("X-My Header", "without spaces"),
    ("X-Ref:extra", "or “:”"),
    ("X-Ref\t", "without spaces"),
    ("X-Réf", "letters, digits and punctuation"),
    ("X-Ref\u202e", "letters, digits and punctuation"),
    ("X-Ref\n", "line break"),
    ("X-Ref\r\nBcc: spy@evil.example", "line break"),
    ("X-Ref\x00", "line break or NUL"),
    ("X-", "must start with X-"),
    ("Bcc", "must start with X-"),
    ("Subject", "must start with X-"),
]


@pytest.mark.parametrize("name", GOOD_HEADER_NAMES)
def test_good_header_names_are_accepted(name: str) -> None:
    count("field policy cases")
    check_header_name(name)
    make_message(custom_headers=((name, "value"),)).validate()


@pytest.mark.parametrize(("name", "why"), BAD_HEADER_NAMES)
def test_bad_header_names_are_refused_with_a_reason(name: str, why: str) -> None:
    count("field policy cases")
    with pytest.raises((MessageError, AddressError)) as refused:
        make_message(custom_headers=((name, "value"),)).validate()
    assert why in str(refused.value)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("1\r\nBcc: spy@evil.example", "line break"),
        ("1\n", "line break"),
        ("1\r", "line break"),
        ("1\x00", "line break or NUL"),
        ("1\u2028", "line break"),
        ("1\x1b[2J", "control character"),
    ],
)
def test_header_values_refuse_line_breaks_nul_and_controls(value: str, why: str) -> None:
    count("field policy cases")
    with pytest.raises(AddressError) as refused:
        make_message(custom_headers=(("X-Ref", value),)).validate()
    assert why in str(refused.value)


def test_header_values_keep_ordinary_text() -> None:
    make_message(custom_headers=(("X-Ref", "Dr. Müller: room 4\tfloor 2 — 50%"),)).validate()


_invisible = st.characters(categories=("Cc", "Cf"))


@given(st.text(max_size=30), _invisible, st.text(max_size=30))
@fuzz
def test_no_file_name_with_a_format_or_control_character_is_ever_accepted(before: str, hidden: str, after: str) -> None:
    name = before + hidden + after
    count("file-name fuzz inputs")
    assert unicodedata.category(hidden) in ("Cc", "Cf")
    with pytest.raises(MessageError):
        check_file_name(name)
    with pytest.raises(MessageError):
        Attachment.from_bytes(name, "text/plain", b"x")


@given(st.text(max_size=80))
@fuzz
def test_any_file_name_is_either_plain_or_refused_with_words(name: str) -> None:
    count("file-name fuzz inputs")
    try:
        check_file_name(name)
    except MessageError as error:
        refusal = str(error)
        assert refusal.strip(), "a refusal must say why"
        return
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in name)
    assert "/" not in name
    assert "\\" not in name
    assert ".." not in name
    assert name.strip(".").strip()
    assert len(name.encode("utf-8")) <= MAX_FILE_NAME_BYTES
