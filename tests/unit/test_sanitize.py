"""The sanitiser's contract for the walking skeleton; the hostile-input property suite is separate."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from desktop_app.core.message import MessageError
from desktop_app.core.sanitize import MAX_BODY_BYTES, _cleaner, check_body_size, html_to_text, sanitize_html


@pytest.mark.parametrize(
    ("dirty", "forbidden"),
    [
        ("<img src=x onerror=alert(1)>", "onerror"),
        ("<script>alert(1)</script><p>hi</p>", "alert"),
        ('<a href="javascript:alert(1)">x</a>', "javascript"),
        ('<p style="background:url(https://evil.example/t.png)">x</p>', "url("),
        ("<iframe src='https://evil.example'></iframe>", "iframe"),
        ("<form action='https://evil.example'><input name=a></form>", "form"),
        ("<svg><script>alert(1)</script></svg>", "alert"),
        ("<sc\x00ript>alert(1)</script>", "script"),
    ],
)
def test_hostile_markup_is_removed(dirty: str, forbidden: str) -> None:
    assert forbidden not in sanitize_html(dirty).lower()


def test_email_formatting_survives() -> None:
    html = '<p><b>Dose</b>: <i>5 mg</i></p><ul><li>one</li></ul><a href="https://clinic.example/x">link</a>'
    clean = sanitize_html(html)
    for kept in ("<b>Dose</b>", "<i>5 mg</i>", "<li>one</li>", 'href="https://clinic.example/x"'):
        assert kept in clean


def test_sanitising_is_idempotent() -> None:
    once = sanitize_html("<p onclick=x>a<scr<script>ipt>b</p><!-- c -->")
    assert sanitize_html(once) == once


def test_plain_text_part_keeps_structure_and_link_targets() -> None:
    text = html_to_text(
        '<p>Hello&nbsp;Jane</p><ul><li>First</li><li>Second</li></ul><a href="https://x.example">portal</a>'
    )
    assert text == "Hello Jane\n\n- First\n- Second\nportal [https://x.example]"


def test_body_size_limit_counts_utf8_bytes() -> None:
    """The cap is on bytes, so a body of multi-byte characters reaches it with fewer characters."""
    check_body_size("a" * MAX_BODY_BYTES)
    check_body_size("é" * (MAX_BODY_BYTES // 2))
    with pytest.raises(MessageError, match=r"message body is 2\.1 MB of HTML; the limit is 2 MB\."):
        check_body_size("é" * (MAX_BODY_BYTES // 2 + 1))


def test_deeply_nested_markup_is_sanitised_not_crashed() -> None:
    """Pruning once recursed per level, so a few thousand nested elements raised RecursionError."""
    depth = 3000
    assert sanitize_html("<div>" * depth + "x<script>y</script>") == "<div>" * depth + "x" + "</div>" * depth


def test_concurrent_sanitising_keeps_each_body_to_itself() -> None:
    """Composer preview, autosave and sending sanitise on a pool of workers at the same time.

    One shared bleach cleaner (its parser keeps state) once mixed bodies: text of one message
    came out in another's, or the parse crashed. Each thread now has its own.
    """
    bodies = [
        f"<p>patient {i}</p>" + f"<b>{i}</b> note {i} <table><tr><td>{i}</td></tr></table>" * 200 for i in range(8)
    ]
    expected = [sanitize_html(body) for body in bodies]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(3):
            assert list(pool.map(sanitize_html, bodies)) == expected


def test_no_style_value_outlives_its_body() -> None:
    """Style values are remembered only while one body is sanitised (they may hold content)."""
    sanitize_html('<p style="font-family: Jane Doe Clinic">x</p>')
    assert not _cleaner().css_sanitizer.seen


def test_deeply_nested_bodies_are_refused_before_parsing() -> None:
    from desktop_app.core.message import MessageError
    from desktop_app.core.sanitize import MAX_NESTING_DEPTH, check_body_size, nesting_depth

    assert nesting_depth("<p>a<br>b<img src=x><b>c</b></p><hr/>") == 2
    check_body_size("<div>" * MAX_NESTING_DEPTH + "x" + "</div>" * MAX_NESTING_DEPTH)
    with pytest.raises(MessageError, match="levels deep"):
        check_body_size("<div>" * (MAX_NESTING_DEPTH + 1))


def test_the_runtime_refuses_an_oversized_body_with_plain_words(runtime: object) -> None:
    from desktop_app.core.addresses import Address
    from desktop_app.core.message import MessageError, OutgoingMessage
    from desktop_app.core.sanitize import MAX_BODY_BYTES
    from desktop_app.services.runtime import Runtime

    assert isinstance(runtime, Runtime)
    huge = OutgoingMessage(sender="staff@clinic.example", to=(Address("pat@example.org"),), subject="Scan",
                           html="<p>" + "x" * MAX_BODY_BYTES + "</p>")  # fmt: skip
    with pytest.raises(MessageError, match="the limit is 2 MB"):
        runtime.queue(huge)
    assert runtime.store is not None
    assert runtime.store.counts_by_state() == {}


def test_lone_surrogates_become_replacement_characters() -> None:
    """nh3 (Rust) cannot take a lone UTF-16 surrogate; pasted or merged text can hold one."""
    once = sanitize_html('a\ud800b<p title="\udfff">\ud83d\ude00</p>')
    assert once == 'a\ufffdb<p title="\ufffd">\U0001f600</p>'
    assert sanitize_html(once) == once
