"""An independent checker of sanitiser output, written from the policy in docs/security.md.

It parses the output with html5lib exactly as a browser would (HTML5 algorithm, entities decoded)
and reports every violation it sees. It deliberately shares no code with the sanitiser: a bug
copied into both would otherwise pass unnoticed.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import html5lib  # type: ignore[import-untyped]
import tinycss2  # type: ignore[import-untyped]

from desktop_app.core.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_CSS_PROPERTIES, ALLOWED_TAGS

URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "background", "poster", "cite", "longdesc", "lowsrc",
     "dynsrc", "data", "codebase", "srcset", "xlink:href", "manifest", "icon", "ping", "usemap"}
)  # fmt: skip
HREF_SCHEMES = frozenset({"http", "https", "mailto"})
SRC_SCHEMES = frozenset({"http", "https"})
CSS_FUNCTIONS = frozenset({"rgb", "rgba", "hsl", "hsla"})
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
# What browsers ignore in a URL before deciding its scheme: ASCII tab/newline anywhere,
# C0 controls and spaces at either end.
_URL_IGNORED = re.compile(r"[\t\n\r]")


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see in an attribute value (already entity-decoded by the parser)."""
    text = _URL_IGNORED.sub("", value).strip(
        "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
        "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "
    )
    match = _SCHEME.match(text)
    return match.group(1).lower() if match else None


def css_violations(style: str) -> list[str]:
    """Declarations outside the property allowlist, url() loads and functions other than colours."""
    problems: list[str] = []
    for node in tinycss2.parse_declaration_list(style, skip_comments=True, skip_whitespace=True):
        if node.type != "declaration":
            problems.append(f"style: non-declaration {node.type}")
            continue
        if node.lower_name not in ALLOWED_CSS_PROPERTIES:
            problems.append(f"style: property {node.lower_name!r}")
        problems.extend(_css_value_problems(node.value))
    return problems


def _css_value_problems(tokens: list[tinycss2.ast.Node]) -> list[str]:
    problems: list[str] = []
    for token in tokens:
        if token.type == "url":
            problems.append("style: url()")
        elif token.type == "function":
            if token.lower_name not in CSS_FUNCTIONS:
                problems.append(f"style: function {token.lower_name}()")
            problems.extend(_css_value_problems(token.arguments))
        elif token.type in ("() block", "[] block", "{} block"):
            problems.extend(_css_value_problems(token.content))
        elif token.type == "at-keyword":
            problems.append(f"style: @{token.lower_value}")
    return problems


def policy_violations(output: str) -> list[str]:
    """Everything in ``output`` that the written policy forbids; an empty list means compliant."""
    fragment = html5lib.parseFragment(output, treebuilder="etree", namespaceHTMLElements=True)
    problems: list[str] = []
    for element in fragment.iter():
        tag = element.tag
        if not isinstance(tag, str):  # comments and processing instructions
            problems.append("comment")
            continue
        namespace, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        if element is fragment:
            continue
        if namespace != "http://www.w3.org/1999/xhtml":
            problems.append(f"foreign element {local} in {namespace}")
        if local not in ALLOWED_TAGS:
            problems.append(f"element {local}")
        allowed = set(ALLOWED_ATTRIBUTES.get("*", [])) | set(ALLOWED_ATTRIBUTES.get(local, []))
        for raw_name, value in element.attrib.items():
            name = raw_name.rpartition("}")[2].lower() if raw_name.startswith("{") else raw_name.lower()
            if name.startswith("on"):
                problems.append(f"event handler {name} on {local}")
            if name not in allowed:
                problems.append(f"attribute {name} on {local}")
            if name in URL_ATTRIBUTES:
                scheme = url_scheme(value)
                schemes = HREF_SCHEMES if name == "href" else SRC_SCHEMES
                decoded = url_scheme(unquote(value))
                if scheme not in schemes and not (name == "href" and value.startswith("#")):
                    problems.append(f"{name} scheme {scheme!r} on {local}")
                elif decoded is not None and decoded not in schemes:
                    problems.append(f"{name} percent-decoded scheme {decoded!r} on {local}")
            if name == "style":
                problems.extend(css_violations(value))
    return problems


# What can run or load in a mail client or browser, whatever the allowlist says. Narrower and blunter
# than policy_violations on purpose: a second, simpler opinion on the held-out hostile corpus.
EXECUTABLE_ELEMENTS = frozenset(
    {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta", "link", "form",
     "style", "svg", "math", "template", "noscript", "xmp", "plaintext", "textarea", "portal", "audio",
     "video", "source", "track", "image", "animate", "set", "use", "foreignobject", "isindex", "input", "button"}
)  # fmt: skip
LOADING_ATTRIBUTES = frozenset(
    {"srcset", "srcdoc", "formaction", "action", "xlink:href", "background", "poster", "lowsrc", "dynsrc",
     "data", "codebase", "ping", "attributename", "values", "to", "from", "by", "is", "http-equiv"}
)  # fmt: skip
_RUNNABLE_SCHEME = re.compile(r"^(?:javascript|vbscript|livescript|data|jar|feed):", re.IGNORECASE)
_CSS_RUNS_OR_LOADS = re.compile(
    r"(?:expression|url|image|image-set|cross-fade|element|paint|env|attr)\s*\(|javascript:|behavior\s*:|binding\s*:|@import",
    re.IGNORECASE,
)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", re.DOTALL)


def _css_unescape(style: str) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(1):
            code = int(match.group(1), 16)
            return chr(code) if 0 < code < 0x110000 and not 0xD800 <= code < 0xE000 else "\ufffd"
        return match.group(2)

    return _CSS_ESCAPE.sub(one, re.sub(r"/\*.*?(\*/|$)", "", style, flags=re.DOTALL))


def executable_parts(output: str) -> list[str]:
    """Everything in ``output`` that could run script or load something: elements, handlers, URLs, CSS."""
    fragment = html5lib.parseFragment(output, treebuilder="etree", namespaceHTMLElements=False)
    found: list[str] = []
    for element in fragment.iter():
        if element is fragment:
            continue
        if not isinstance(element.tag, str):
            found.append("comment")
            continue
        tag = element.tag.rpartition("}")[2].lower()
        if tag in EXECUTABLE_ELEMENTS or element.tag.startswith("{"):
            found.append(f"element {tag}")
        for raw_name, value in element.attrib.items():
            name = raw_name.rpartition("}")[2].lower() if raw_name.startswith("{") else raw_name.lower()
            if name.startswith("on"):
                found.append(f"handler {name} on {tag}")
            if name in LOADING_ATTRIBUTES:
                found.append(f"attribute {name} on {tag}")
            for candidate in (value, unquote(value)):
                bare = re.sub(r"[\x00-\x20\x7f]", "", candidate)
                if _RUNNABLE_SCHEME.match(bare):
                    found.append(f"{name}={bare[:20]!r} on {tag}")
                    break
            if name == "style" and _CSS_RUNS_OR_LOADS.search(_css_unescape(value)):
                found.append(f"style {value[:40]!r} on {tag}")
    return found
