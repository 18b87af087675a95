"""HTML sanitising for message bodies, and the plain-text part derived from them.

Bodies are sanitised before they are stored or sent, and again before they are shown, with one
allowlist of email-safe tags, attributes, URL schemes and CSS properties (docs/security.md).
Anything outside the allowlist is removed, never escaped into visible markup, so a hostile body
cannot smuggle script, event handlers, forms or remote-loading tricks into what staff send.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import bleach
from bleach.css_sanitizer import CSSSanitizer

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del",
        "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
        "ins", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip

_COMMON_ATTRIBUTES = ["style", "title", "dir", "lang", "align"]
ALLOWED_ATTRIBUTES: dict[str, list[str]] = {
    "*": _COMMON_ATTRIBUTES,
    "a": [*_COMMON_ATTRIBUTES, "href", "name"],
    "img": [*_COMMON_ATTRIBUTES, "src", "alt", "width", "height"],
    "td": [*_COMMON_ATTRIBUTES, "colspan", "rowspan", "valign", "width"],
    "th": [*_COMMON_ATTRIBUTES, "colspan", "rowspan", "valign", "width", "scope"],
    "table": [*_COMMON_ATTRIBUTES, "border", "cellpadding", "cellspacing", "width"],
    "col": [*_COMMON_ATTRIBUTES, "span", "width"],
    "colgroup": [*_COMMON_ATTRIBUTES, "span", "width"],
    "font": [*_COMMON_ATTRIBUTES, "color", "face", "size"],
    "ol": [*_COMMON_ATTRIBUTES, "start", "type"],
}

ALLOWED_PROTOCOLS: frozenset[str] = frozenset({"http", "https", "mailto"})

ALLOWED_CSS_PROPERTIES: frozenset[str] = frozenset(
    {
        "background-color", "border", "border-bottom", "border-collapse", "border-color",
        "border-left", "border-right", "border-style", "border-top", "border-width", "color",
        "font-family", "font-size", "font-style", "font-weight", "height", "line-height", "margin",
        "margin-bottom", "margin-left", "margin-right", "margin-top", "padding", "padding-bottom",
        "padding-left", "padding-right", "padding-top", "text-align", "text-decoration",
        "text-indent", "vertical-align", "white-space", "width",
    }
)  # fmt: skip

# Control characters other than tab/newline/carriage return never belong in a body; NUL in
# particular confuses downstream parsers differently, which is how filters get bypassed.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@lru_cache(maxsize=1)
def _cleaner() -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        css_sanitizer=CSSSanitizer(allowed_css_properties=ALLOWED_CSS_PROPERTIES),
    )


def sanitize_html(html_text: str) -> str:
    """Return ``html_text`` reduced to the email-safe allowlist.

    Idempotent: ``sanitize_html(sanitize_html(x)) == sanitize_html(x)``. Runs in tens of
    milliseconds for large bodies, so callers on the GUI thread must hand big bodies to a worker.
    """
    cleaned = _CONTROL_CHARS.sub("", html_text)
    # Bleach keeps the text of stripped elements; script/style text is code, never content.
    cleaned = _SCRIPT_LIKE.sub("", cleaned)
    result: str = _cleaner().clean(cleaned)
    # A second pass makes the output a fixed point: stripping a tag can join fragments into
    # markup that the first pass saw only as text.
    second: str = _cleaner().clean(result)
    return second


_SCRIPT_LIKE = re.compile(
    r"<(script|style|title|textarea|xmp|iframe|noembed|noframes|noscript|template|svg|math)\b"
    r"[^>]*>.*?</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)

_BLOCK_BREAK = re.compile(r"<\s*(br|/p|/div|/h[1-6]|/ul|/ol|/tr|/blockquote|/pre|hr)\b[^>]*>", re.IGNORECASE)
_LIST_ITEM = re.compile(r"<\s*li\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")
_BLANK_RUNS = re.compile(r"\n{3,}")


def html_to_text(html_text: str) -> str:
    """Derive the plain-text part of a message from its (already sanitised) HTML body.

    Recipients whose mail client refuses HTML still read the message, and Paubox's secure
    notification shows it; links keep their target in brackets so nothing is hidden.
    """
    text = re.sub(
        r"<a\b[^>]*href\s*=\s*\"([^\"]*)\"[^>]*>(.*?)</a\s*>",
        lambda m: m.group(2) if _ANY_TAG.sub("", m.group(2)).strip() == m.group(1) else f"{m.group(2)} [{m.group(1)}]",
        html_text,
        flags=re.IGNORECASE | re.DOTALL,
    )
    text = re.sub(r"<\s*(head|style)\b.*?</\1\s*>", "", text, flags=re.IGNORECASE | re.DOTALL)
    text = _LIST_ITEM.sub("\n- ", text)
    text = _BLOCK_BREAK.sub("\n", text)
    text = _ANY_TAG.sub("", text)
    text = html.unescape(text).replace("\xa0", " ")
    lines = [line.rstrip() for line in text.splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
