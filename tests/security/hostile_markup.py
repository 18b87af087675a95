"""Hypothesis strategies that generate hostile HTML: the input half of the sanitiser property suite.

Markup is assembled from tokens that real bypasses use: mixed-case and foreign (SVG/MathML)
elements, raw-text containers, event handlers, URL schemes hidden behind entities, whitespace,
control characters and percent-encoding, nested and malformed comments, CSS loads and NUL bytes.
"""

from __future__ import annotations

from html import escape as html_escape

from hypothesis import strategies as st

TAGS = (
    "a", "img", "p", "div", "span", "table", "td", "b", "font", "ul", "li", "br", "style", "script",
    "svg", "math", "mtext", "mglyph", "malignmark", "foreignObject", "desc", "title", "textarea",
    "noscript", "noembed", "noframes", "xmp", "iframe", "template", "select", "option", "object",
    "embed", "form", "input", "button", "base", "meta", "link", "frameset", "plaintext", "annotation-xml",
    "image", "animate", "set", "use", "video", "audio", "source", "details", "marquee", "keygen", "isindex",
    "pre", "listing", "PRE", "code",
)  # fmt: skip

ATTRIBUTES = (
    "href", "src", "style", "title", "onerror", "onload", "onclick", "ONMOUSEOVER", "onfocus", "action",
    "formaction", "xlink:href", "xmlns", "srcdoc", "background", "dynsrc", "lowsrc", "data", "poster",
    "autofocus", "alt", "width", "name", "id", "class", "encoding", "attributeName", "values", "to",
)  # fmt: skip

SCHEMES = (
    "javascript:", "JaVaScRiPt:", "java\tscript:", "java&#x09;script:", "&#106;avascript:", "&#x6A;avascript:",
    "&#0000106&#0000097vascript:", "javascript&colon;", " \x01javascript:", "vbscript:", "data:text/html,",
    "data:image/svg+xml;base64,PHN2Zz4=", "livescript:", "feed:javascript:", "jar:", "%6Aavascript:",
    "java\x00script:", "java\u200bscript:", "\u2028javascript:", "https:", "http:", "mailto:", "//", "cid:",
    "file:", "ftp:", "#", "",
)  # fmt: skip

CSS = (
    "color: red", "width: expression(alert(1))", "background: url(https://evil.example/t)",
    "border: 1px url(javascript:alert(1)) solid", "color: \\75 rl(https://e)", "behavior: url(x.htc)",
    "-moz-binding: url(x.xml#y)", "font-family: 'x'; @import 'https://e/s.css'", "color: rgb(1,2,3)",
    "width: calc(1px + 2px)", "color: /* */ red", "co\\lor: red", "margin: 0 !important", "color: e\\78 pression(1)",
    "background-color: image-set(url(x) 1x)", "color: var(--x)", "}</style><img src=x onerror=1>",
)  # fmt: skip

JUNK = (
    "<!--", "-->", "--!>", "<!-->", "<!--->", "<![CDATA[", "]]>", "<!DOCTYPE html>", "<?xml ?>", "</", "<",
    ">", "\"", "'", "`", "=", "&", "&amp;", "&lt;script&gt;", "&#60;", "&#x3c;", "&#0;", "&#xD800;",
    "&#1114112;", "&#1;", "&#x7f;", "&#x0c;", "&#27;", "&quot;", "&#39;", "&#x27;", "&amp;amp;", "&amp;quot;",
    "&notin", "&not", "&ampx", "&#34",
    "\n\n", "\r\n", "\x00", "\r", "\n", "\t", "\x0c", "\x0b", "\u0085", "\u200e", "\u202e", "\ufeff", "\ufffd",
    "alert(1)", "x", " ", "/", "\\", "</script>", "</style>", "</textarea>", "</noscript>", "</title>",
)  # fmt: skip


def _case(text: str) -> st.SearchStrategy[str]:
    """The text as written, or with its letters in random case (HTML names are case-insensitive)."""
    return st.sampled_from([text, text.upper(), text.swapcase()]) | st.lists(
        st.booleans(), min_size=len(text), max_size=len(text)
    ).map(lambda flips: "".join(c.upper() if f else c.lower() for c, f in zip(text, flips, strict=True)))


_quote = st.sampled_from(['"', "'", ""])
_url = st.builds(lambda scheme, rest: scheme + rest, st.sampled_from(SCHEMES),
                 st.sampled_from(["alert(1)", "//evil.example/t.png", "x@y.example", "x"]))  # fmt: skip
_value = st.one_of(_url, st.sampled_from(CSS), st.sampled_from(JUNK), st.text(max_size=8))
_mixed_value = st.lists(st.one_of(st.sampled_from(JUNK), _url, st.text(max_size=3)), min_size=2, max_size=5).map(
    "".join
)
"""Several pieces in one value: quotes of both kinds next to ``&`` and entities (the double-escaping bug)."""


@st.composite
def _attribute(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(ATTRIBUTES).flatmap(_case))
    name = name if name != "style" else draw(st.sampled_from(["style", "STYLE"]))
    value = draw(st.sampled_from(CSS) | _mixed_value) if name.lower() == "style" else draw(_value | _mixed_value)
    quote = draw(_quote)
    separator = draw(st.sampled_from([" ", "/", "\n", "\x0c", " \x00", "  "]))
    return f"{separator}{name}={quote}{value}{quote}"


@st.composite
def _open_tag(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(TAGS).flatmap(_case))
    attributes = "".join(draw(st.lists(_attribute(), max_size=3)))
    end = draw(st.sampled_from([">", " />", "/>", ">", ""]))
    return f"<{name}{attributes}{end}"


_close_tag = st.sampled_from(TAGS).flatmap(_case).map(lambda name: f"</{name}>")
_comment = st.builds(lambda a, b: f"<!--{a}{b}-->", st.sampled_from(["", "<!--", "-", "--!>", "<img src=x onerror=1>"]),
                     st.text(max_size=5))  # fmt: skip
_newline_container = st.builds(
    lambda tag, lead, rest: f"<{tag}>{lead}{rest}", st.sampled_from(["pre", "listing", "textarea", "PRE"]),
    st.sampled_from(["\n", "\n\n", "\r\n", "\r", "\n\n\n", "&#10;", "<b>\n", "<x>\n", ""]),
    st.sampled_from(["x", "", "</pre>", "<b>y</b>\n", "\n"]),
)  # fmt: skip
_token = st.one_of(
    _open_tag(), _close_tag, _comment, _newline_container, st.sampled_from(JUNK), st.text(max_size=10),
    st.sampled_from(["<svg><p><style><img src=x onerror=alert(1)></style></p></svg>",
                     "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
                     "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
                     "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
                     "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">",
                     "<a href=\"javas&#99;ript:alert(1)\">x</a>", "<img src=\"x` `<script>alert(1)</script>\"` `>"]),
)  # fmt: skip

hostile_markup: st.SearchStrategy[str] = st.lists(_token, max_size=14).map("".join)
"""Concatenations of hostile tokens; shrinks towards the shortest markup that breaks a property."""

any_text: st.SearchStrategy[str] = st.text(
    alphabet=st.characters(codec="utf-8") | st.sampled_from("<>&\"'=/!-"), max_size=200
)
"""Arbitrary Unicode (no surrogates, which cannot be encoded), rich in markup punctuation."""


# CSS values built from the tokens where two CSS parsers disagree: numbers in every notation,
# escapes (also of controls), strings with escaped quotes, bare blocks, comments, !important,
# unicode ranges, CDO/CDC, entities (the value sits in an HTML attribute) and stray punctuation.
CSS_TOKENS = (
    "red", "RED", "#fff", "#12345678", "1px", "-1.5em", "+.5e-3px", "50%", "0", "1e3px", "1.", ".5", "1.0px",
    "!important", "! important", "!IMPORTANT", "!ie", ",", "/", " ", "  ", '"Arial"', "'Times New Roman'",
    "'a\\'b'", '"x\\"y"', "\\72 ed", "\\", "\\0", "\\1", "\\\n", "\\;", "rgb(1,2,3)", "rgba(1, 2, 3, .5)",
    "hsl(1 2% 3% / 50%)", "RGB(1,2,3)", "rgb([1])", "rgb(rgb(1,2,3),2,3)", "rgba(", "hsl(1,",
    "/* c */", "/**/", "\\ ", "\\20 ", "\\9 ", "a\\ ", "\\a0 ", "/*", "<!--", "-->", "u+0-7f", "10px/1.5",
    "inherit", "--x", "-moz-x", "é", "\uff26", "'", '"', "{", "}", "(", ")", "[", "]", "[1px]", "(1px)", ";", ":",
    "@x", "url(x)", "&amp;", "&quot;", "&lt;", "&#92;", "#", "\xa0", "\t", "\n",
)  # fmt: skip
_css_property = st.sampled_from(
    ["color", "COLOR", "Font-Size", "font-family", "width", "margin", "border", "background-color",
     "text-align", "white-space", "position", "x", "-moz-binding", "behavior"]
)  # fmt: skip
_css_declaration = st.builds(
    lambda name, colon, value: f"{name}{colon}{''.join(value)}",
    _css_property, st.sampled_from([":", ": ", " : ", ":\n"]), st.lists(st.sampled_from(CSS_TOKENS), max_size=6),
)  # fmt: skip
css_style: st.SearchStrategy[str] = st.lists(_css_declaration, min_size=1, max_size=4).map("; ".join)
"""A style attribute's value (raw CSS; quote it with :func:`html.escape` before putting it in markup)."""

URL_PIECES = (
    ("https:", "http:", "mailto:", "HTTPS:", "https://", "http://", "#", "https:\\\\", "https:/", "  https://",
     "https://\t", "java", "javascript:", "data:", ""),
    ("ok", "例え.jp", "[::1]", "[::1", "a b", "%zz", "a:b@c", "..", "%00", "ok:99999", "ok:80", "<>", '"', "'", "`",
     "\\", "\xa0", "\u2028", "%2F%2F", "?a=1&b=2", "#x#y", "", 'ok#"x"', "a@b.example?subject=x&body=y"),
    ("", "/", "/p?q=1", "#f", " ", "%", "\n", "&amp;", "&quot;", "&#0;", "é"),
)  # fmt: skip
url_value: st.SearchStrategy[str] = st.tuples(*(st.sampled_from(pieces) for pieces in URL_PIECES)).map("".join)
"""URLs where a browser's URL parser and a scheme check may disagree: odd hosts, ports, escapes, spaces."""


@st.composite
def _styled_or_linked(draw: st.DrawFn) -> str:
    tag = draw(st.sampled_from(["p", "span", "td", "a", "img", "pre", "font"]))
    style = html_escape(draw(css_style))
    url = html_escape(draw(url_value))
    link = f' href="{url}"' if tag == "a" else f' src="{url}"' if tag == "img" else ""
    return f'<{tag} style="{style}"{link} title="{html_escape(draw(st.text(max_size=5)))}">x</{tag}>'


styled_markup: st.SearchStrategy[str] = st.lists(_styled_or_linked(), min_size=1, max_size=3).map("".join)
"""Elements carrying generated styles and URLs: where the two sanitising engines' CSS and URL parsers meet."""
