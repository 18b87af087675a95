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
from typing import Any
from xml.etree import ElementTree

import bleach
import tinycss2  # type: ignore[import-untyped]  # no stubs; only parse_declaration_list and serialize are used
from bleach.css_sanitizer import CSSSanitizer
from bleach.html5lib_shim import HTMLParser, HTMLSerializer, convert_entities, getTreeWalker

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

# Elements whose content is code, hidden or foreign-namespace: removed together with everything
# inside them. Other disallowed elements are unwrapped (their text stays, their tags go).
DROPPED_WITH_CONTENT: frozenset[str] = frozenset(
    {
        "applet", "embed", "frameset", "head", "iframe", "noembed", "noframes", "noscript", "object",
        "script", "select", "style", "template", "textarea", "title", "xmp",
    }
)  # fmt: skip

# URL attributes: which schemes each accepts. Anything else, including a relative or
# protocol-relative URL (meaningless in an email, or a remote load in disguise), is removed.
URL_SCHEMES: dict[str, frozenset[str]] = {"href": ALLOWED_PROTOCOLS, "src": frozenset({"http", "https"})}
CSS_FUNCTIONS: frozenset[str] = frozenset({"rgb", "rgba", "hsl", "hsla"})
_URL_IGNORED = re.compile(r"[\t\n\r]")  # browsers drop these anywhere in a URL
_URL_EDGES = "".join(map(chr, range(0x21)))  # and C0 controls and spaces at either end
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")


def url_allowed(attribute: str, value: str) -> bool:
    """Whether a browser would resolve ``value`` (entity-decoded) to an allowed absolute URL.

    ``href`` may also be a same-document ``#fragment``.
    """
    text = _URL_IGNORED.sub("", value).strip(_URL_EDGES)
    if attribute == "href" and text.startswith("#"):
        return True
    match = _SCHEME.match(text)
    return match is not None and match.group(1).lower() in URL_SCHEMES[attribute]


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    if name not in ALLOWED_ATTRIBUTES.get(tag, ALLOWED_ATTRIBUTES["*"]):
        return False
    return name not in URL_SCHEMES or url_allowed(name, convert_entities(value))


def _css_value_safe(tokens: list[Any]) -> bool:
    """No url(), no at-rules, no parse errors, and no function but the colour ones (no expression())."""
    for token in tokens:
        if token.type in ("url", "at-keyword", "error"):
            return False
        if token.type == "function" and (token.lower_name not in CSS_FUNCTIONS or not _css_value_safe(token.arguments)):
            return False
        if token.type in ("() block", "[] block", "{} block") and not _css_value_safe(token.content):
            return False
    return True


class _EmailCSSSanitizer(CSSSanitizer):  # type: ignore[misc]  # bleach is untyped
    """Allowlisted properties whose values load nothing and run nothing."""

    def sanitize_css(self, style: str) -> str:
        kept = [
            node
            for node in tinycss2.parse_declaration_list(style, skip_comments=True, skip_whitespace=True)
            if node.type == "declaration"
            and node.lower_name in self.allowed_css_properties
            and _css_value_safe(node.value)
        ]
        return " ".join(tinycss2.serialize([node]).strip() for node in kept)


@lru_cache(maxsize=1)
def _cleaner() -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=_allow_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        css_sanitizer=_EmailCSSSanitizer(allowed_css_properties=ALLOWED_CSS_PROPERTIES),
    )


def _drop_hidden_content(html_text: str) -> str:
    """Parse as a browser would, remove code/foreign subtrees and comments, serialise canonically.

    Bleach unwraps disallowed elements *before* the parser sees them, so script text would stay
    as visible text and SVG/MathML content would be read in the wrong parsing mode (the root of
    mutation XSS). A real HTML5 parse first settles what is inside what, exactly as a browser does.
    """
    fragment = HTMLParser(namespaceHTMLElements=False).parseFragment(html_text)
    _prune(fragment)
    serializer = HTMLSerializer(quote_attr_values="always", escape_lt_in_attrs=True, omit_optional_tags=False)
    return "".join(serializer.serialize(getTreeWalker("etree")(fragment)))


def _prune(parent: ElementTree.Element) -> None:
    previous: ElementTree.Element | None = None
    for child in list(parent):
        tag = child.tag
        if not isinstance(tag, str) or tag.startswith("{") or tag.lower() in DROPPED_WITH_CONTENT:
            if child.tail:  # text after the removed element is not part of it: keep it
                if previous is not None:
                    previous.tail = (previous.tail or "") + child.tail
                else:
                    parent.text = (parent.text or "") + child.tail
            parent.remove(child)
            continue
        _prune(child)
        previous = child


def sanitize_html(html_text: str) -> str:
    """Return ``html_text`` reduced to the email-safe allowlist (docs/security.md).

    Idempotent: ``sanitize_html(sanitize_html(x)) == sanitize_html(x)``. Runs in tens of
    milliseconds for large bodies, so callers on the GUI thread must hand big bodies to a worker.
    """
    result: str = _cleaner().clean(_drop_hidden_content(_CONTROL_CHARS.sub("", html_text)))
    return result


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
