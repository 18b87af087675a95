"""The HTML sanitising policy (docs/security.md §2) checked by properties, not by examples alone.

An independent checker (``html_policy_check``) parses the sanitiser's output with html5lib, as a
browser would, and lists violations. The negative controls prove the checker can fail.
"""

from __future__ import annotations

import pytest
from hypothesis import given

from desktop_app.core.sanitize import html_to_text, sanitize_html
from tests.security.hostile_markup import any_text, hostile_markup
from tests.security.html_policy_check import policy_violations
from tests.security.tally import count, fuzz

# Known bypasses from the XSS and mutation-XSS literature, plus the holes this suite found.
KNOWN_VECTORS = (
    "<img src=x onerror=alert(1)>",
    "<svg><p><style><img src=x onerror=alert(1)></style></p></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    "<!-- a --!><img src=x onerror=alert(1)>-->",
    '<a href="&#0000106&#0000097vascript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="//evil.example/x">protocol-relative</a>',
    '<p style="width: expression(alert(1))">x</p>',
    '<p style="border: 1px url(https://evil.example/t) solid">x</p>',
    '<p style="color: \\75 rl(https://evil.example/t)">x</p>',
    '<p title="&lt;style&gt;">x</p><p title="&lt;/style&gt;">y</p>',
    "<script>alert(1)",
    "<sc\x00ript>alert(1)</script>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:/">',
    "<template><img src=x onerror=alert(1)></template>",
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
)


def _checked(html: str) -> str:
    output = sanitize_html(html)
    count("sanitiser inputs checked")
    assert policy_violations(output) == [], (html, output)
    return output


@pytest.mark.parametrize(
    "unsafe",
    [
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="java&#x09;script:alert(1)">x</a>',
        "<svg><script>alert(1)</script></svg>",
        '<p style="background: url(https://evil.example/t)">x</p>',
        '<p style="color: \\75 rl(https://e)">x</p>',
        "<!-- hidden -->",
        '<img src="//evil.example/t.png">',
    ],
)
def test_negative_control_the_checker_rejects_unsafe_markup(unsafe: str) -> None:
    """If the checker passed these, every property below would prove nothing."""
    assert policy_violations(unsafe)


@pytest.mark.parametrize("vector", KNOWN_VECTORS)
def test_known_vectors_come_out_compliant_and_stable(vector: str) -> None:
    output = _checked(vector)
    assert "alert" not in output.lower() or "onerror" not in output.lower()
    assert sanitize_html(output) == output


@given(hostile_markup)
@fuzz
def test_hostile_markup_comes_out_compliant(html: str) -> None:
    _checked(html)


@given(hostile_markup)
@fuzz
def test_sanitising_is_idempotent(html: str) -> None:
    once = sanitize_html(html)
    count("idempotence inputs checked")
    assert sanitize_html(once) == once


@given(any_text)
@fuzz
def test_any_text_never_crashes_and_complies(text: str) -> None:
    output = _checked(text)
    assert isinstance(html_to_text(output), str)


def test_email_formatting_survives_the_policy() -> None:
    """Strictness must not eat what staff really send: tables, lists, colours, links."""
    html = (
        '<table border="1" cellpadding="2"><tr><td style="color: rgb(0, 0, 0); width: 40px">Dose</td>'
        '<td align="right">5 mg</td></tr></table><ol start="2"><li><b>Take</b> with food</li></ol>'
        '<p><a href="https://clinic.example/portal?id=1#top">Portal</a> · '
        '<a href="mailto:desk@clinic.example">desk</a> · <a href="#notes">notes</a></p>'
        '<img src="https://clinic.example/logo.png" alt="Clinic" width="80">'
    )
    output = _checked(html)
    for kept in ('border="1"', "color:rgb(0, 0, 0)", "width:40px", 'start="2"', "<b>Take</b>",
                 'href="https://clinic.example/portal?id=1#top"', 'href="mailto:desk@clinic.example"',
                 'href="#notes"', 'src="https://clinic.example/logo.png"', 'alt="Clinic"'):  # fmt: skip
        assert kept in output


def test_script_and_style_text_is_dropped_not_shown() -> None:
    """Code inside removed containers is not content: it must not turn into visible text either."""
    cases = {
        "<script>var phi = 1</script>ok": "phi",
        "<style>p{}</style>ok": "p{}",
        "<script>unclosed": "unclosed",
        "<svg><desc>x</desc></svg>ok": "desc",
    }
    for html, code in cases.items():
        assert code not in sanitize_html(html)
