"""The email-safe HTML allowlist, declared once (docs/security.md §2).

Two engines read it: bleach applies it first (with Sealpost's own URL and CSS rules), then nh3
(ammonia on html5ever, a browser-grade parser) re-parses the result and applies it again, and its
serialisation is what Sealpost stores, sends and shows. The policy is this module, not either
engine's defaults, so either engine can be replaced without changing what a body may contain.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

TAGS: frozenset[str] = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del",
        "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
        "ins", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
"""Elements kept. Any other element is unwrapped (its text stays, its tags go) unless it is in
:data:`DROPPED_WITH_CONTENT`."""

COMMON_ATTRIBUTES: frozenset[str] = frozenset({"style", "title", "dir", "lang", "align"})
"""Attributes allowed on every element of :data:`TAGS`."""

_EXTRA_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "name"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "td": frozenset({"colspan", "rowspan", "valign", "width"}),
    "th": frozenset({"colspan", "rowspan", "valign", "width", "scope"}),
    "table": frozenset({"border", "cellpadding", "cellspacing", "width"}),
    "col": frozenset({"span", "width"}),
    "colgroup": frozenset({"span", "width"}),
    "font": frozenset({"color", "face", "size"}),
    "ol": frozenset({"start", "type"}),
}

ATTRIBUTES: Mapping[str, frozenset[str]] = MappingProxyType(
    {"*": COMMON_ATTRIBUTES, **{tag: COMMON_ATTRIBUTES | extra for tag, extra in _EXTRA_ATTRIBUTES.items()}}
)
"""Attributes allowed per element (``"*"``: on any element); no ``on*`` attribute is in it."""

URL_SCHEMES: Mapping[str, frozenset[str]] = MappingProxyType(
    {"href": frozenset({"http", "https", "mailto"}), "src": frozenset({"http", "https"})}
)
"""URL attributes and the schemes each accepts. ``href`` may also be a same-document ``#fragment``;
every other relative or protocol-relative URL is removed (meaningless in an email, or a remote load
in disguise)."""

CSS_PROPERTIES: frozenset[str] = frozenset(
    {
        "background-color", "border", "border-bottom", "border-collapse", "border-color",
        "border-left", "border-right", "border-style", "border-top", "border-width", "color",
        "font-family", "font-size", "font-style", "font-weight", "height", "line-height", "margin",
        "margin-bottom", "margin-left", "margin-right", "margin-top", "padding", "padding-bottom",
        "padding-left", "padding-right", "padding-top", "text-align", "text-decoration",
        "text-indent", "vertical-align", "white-space", "width",
    }
)  # fmt: skip
"""Properties kept in ``style`` attributes (``<style>`` elements are removed with their content)."""

CSS_FUNCTIONS: frozenset[str] = frozenset({"rgb", "rgba", "hsl", "hsla"})
"""The only functions a kept CSS value may hold (no ``url()``, ``expression()``, ``var()``, ``calc()``)."""

DROPPED_WITH_CONTENT: frozenset[str] = frozenset(
    {
        "applet", "embed", "frameset", "head", "iframe", "noembed", "noframes", "noscript", "object",
        "script", "select", "style", "template", "textarea", "title", "xmp",
    }
)  # fmt: skip
"""Elements whose content is code, hidden or a raw-text trap: removed together with everything
inside them. (SVG and MathML elements are removed with their content too, by namespace.)"""

LINK_REL: str | None = None
"""No ``rel`` is written on links. The allowlist has no ``rel`` attribute, and Sealpost adds
nothing of its own to what staff send; a mail client opens a link outside the message anyway."""
