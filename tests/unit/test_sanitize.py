"""The sanitiser's contract for the walking skeleton; the hostile-input property suite is separate."""

from __future__ import annotations

import pytest

from desktop_app.core.sanitize import html_to_text, sanitize_html


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
