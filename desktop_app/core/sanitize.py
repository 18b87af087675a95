"""HTML sanitising for message bodies, and the plain-text part derived from them.

Bodies are sanitised before they are stored or sent, and again before they are shown, with one
allowlist of email-safe tags, attributes, URL schemes and CSS properties (``html_allowlist``,
docs/security.md §2). Anything outside the allowlist is removed, never escaped into visible markup,
so a hostile body cannot smuggle script, event handlers, forms or remote-loading tricks into what
staff send. Two engines apply it: bleach (with Sealpost's own URL and CSS rules) first, then nh3
(ammonia on html5ever, a maintained browser-grade parser), whose serialisation is the result.
"""

from __future__ import annotations

import html
import math
import re
import threading
from collections.abc import Generator, Iterator
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import bleach
import nh3
import tinycss2  # type: ignore[import-untyped]  # no stubs; parse_declaration_list, serialize, BAD_PAIRS used
from bleach._vendor.html5lib.constants import booleanAttributes as _BOOLEAN_ATTRIBUTES
from bleach._vendor.html5lib.constants import namespaces, voidElements
from bleach._vendor.html5lib.filters.base import Filter
from bleach._vendor.html5lib.treewalkers.base import TreeWalker
from bleach.css_sanitizer import CSSSanitizer
from bleach.html5lib_shim import (
    HTML_TAGS_BLOCK_LEVEL,
    BleachHTMLSerializer,
    HTMLParser,
    HTMLSerializer,
    convert_entities,
)
from tinycss2.serializer import BAD_PAIRS  # type: ignore[import-untyped]

from desktop_app.core import html_allowlist as allowlist
from desktop_app.core.message import MessageError

MAX_BODY_BYTES = 2 * 1024 * 1024
"""Largest HTML body accepted (UTF-8 bytes). Sanitising runs on every send, save and load and
costs about 2 s per MB on the build machine; real clinical mail is far smaller."""

# The allowlist lives in html_allowlist; these names are what the rest of the app and the tests read.
ALLOWED_TAGS = allowlist.TAGS
ALLOWED_ATTRIBUTES = allowlist.ATTRIBUTES
ALLOWED_PROTOCOLS: frozenset[str] = frozenset().union(*allowlist.URL_SCHEMES.values())
ALLOWED_CSS_PROPERTIES = allowlist.CSS_PROPERTIES
URL_SCHEMES = allowlist.URL_SCHEMES
CSS_FUNCTIONS = allowlist.CSS_FUNCTIONS
DROPPED_WITH_CONTENT = allowlist.DROPPED_WITH_CONTENT

# Control characters other than tab/newline/carriage return never belong in a body; NUL in
# particular confuses downstream parsers differently, which is how filters get bypassed.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")

# URL attributes accept the schemes allowlist.URL_SCHEMES names; anything else, including a relative
# or protocol-relative URL (meaningless in an email, or a remote load in disguise), is removed.
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


# Token pairs a CSS parser reads as one token when nothing separates them (tinycss2 writes ``/**/``
# between them). nh3 drops that comment and glues them (``a/**/.5`` came out as ``a0.5``), so a value
# holding such a pair, which no real style has, is dropped.
_GLUED_PAIRS: frozenset[tuple[str | None, str]] = frozenset(BAD_PAIRS)


def _ends_in_escaped_space(token: Any) -> bool:
    """A name ending in an escaped space (``a\\ `` or ``\\20``): nh3 writes it without a separator after it,
    so the next token joins the name (``\\  .5`` came out as ``\\ 0.5``, read as one name next pass)."""
    name = token.value if token.type in ("ident", "hash") else getattr(token, "unit", None)
    if token.type == "function":
        name = token.name
    return isinstance(name, str) and name[-1:].isspace()


def _css_value_safe(tokens: list[Any]) -> bool:
    """No url(), no at-rules, no parse errors, no function but the colour ones (no expression()), no bare block.

    No allowed property takes a bare ``()``, ``[]`` or ``{}`` block, and nh3 writes one back as its
    opening bracket alone (``width: [1px]; color: red`` came out as ``width:[;color:red``, whose ``[``
    then swallows every declaration after it): a parser differential, so such a value is dropped here.
    The same for a function inside a colour function (``rgb(rgb(1,2,3), 2, 3)`` came out as
    ``rgb(rgb(, 2, 3)``): colour functions take numbers, and a nested one is dropped too.
    So is a backslash that escapes nothing (``\\`` before a newline, a parse error): nh3 wrote it back
    without the newline, where it escapes the end of the value and reads as U+FFFD on the next pass.
    """
    previous = None
    for token in tokens:
        if token.type in ("url", "at-keyword", "error", "() block", "[] block", "{} block"):
            return False
        kind = token.value if token.type == "literal" else token.type
        if (previous, kind) in _GLUED_PAIRS or _ends_in_escaped_space(token):
            return False
        previous = kind
        if token.type == "literal" and token.value == "\\":  # a backslash that escapes nothing: a parse error
            return False
        if token.type == "function" and (
            token.lower_name not in CSS_FUNCTIONS
            or not _css_value_safe(token.arguments)
            or any(argument.type == "function" for argument in token.arguments)
        ):
            return False
    return True


class _EmailCSSSanitizer(CSSSanitizer):  # type: ignore[misc]  # bleach is untyped
    """Allowlisted properties whose values load nothing and run nothing."""

    def __init__(self) -> None:
        super().__init__(allowed_css_properties=ALLOWED_CSS_PROPERTIES)
        # Mail from templates repeats the same few styles on every paragraph and cell; each is
        # parsed once per body. Emptied after each body so no content outlives its sanitising.
        self.seen: dict[str, str] = {}

    def sanitize_css(self, style: str) -> str:
        """``style`` as bleach's tokenizer keeps it (entities not decoded), cleaned, in the same form.

        The CSS parser must see the text a browser's CSS parser would see, so entities are decoded
        first (``&quot;Arial&quot;`` is a quoted font name, not ``&`` ``quot`` ``;``), and the
        result is escaped again for the serialiser, which leaves entities as they are.
        """
        clean = self.seen.get(style)
        if clean is None:
            declarations = self._sanitize(convert_entities(style))
            clean = self.seen[style] = declarations.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
        return clean

    def _sanitize(self, style: str) -> str:
        kept = [
            node
            for node in tinycss2.parse_declaration_list(style, skip_comments=True, skip_whitespace=True)
            if node.type == "declaration"
            and node.lower_name in self.allowed_css_properties
            and _css_value_safe(node.value)
            # No value (``color: ;``, ``color: !important``, or only Unicode spaces such as U+00A0, which
            # CSS reads as a name and nh3 as blank) is no declaration; nh3 drops some of these and keeps
            # others, so they are dropped here and the engines agree.
            and tinycss2.serialize([token for token in node.value if token.type != "comment"]).strip()
            # A CSS escape can spell a control character (``\\1``) that rule 1 removed from the HTML;
            # nh3 writes it back as an escape that glues onto the next token (a parser differential).
            and not _CONTROL_CHARS.search(tinycss2.serialize(node.value))
        ]
        for node in kept:
            # Property names are case-insensitive, but nh3 compares them with its list as written:
            # ``COLOR: red`` (old Outlook and Word mail) would be dropped there. Written in lower case.
            node.name = node.lower_name
        return " ".join(tinycss2.serialize([node]).strip() for node in kept)


_CLARK_NAME = re.compile(r"{([^}]*)}(.*)")  # ElementTree names: "{namespace}local"


class _LinearTreeWalker(TreeWalker):  # type: ignore[misc]  # html5lib is untyped
    """The token stream of html5lib's etree walker, in time linear in the tree size.

    html5lib's walker finds each element's place among its parent's children with
    ``list.index``/``list.count`` when it climbs back up, so a body of many sibling elements
    (the usual shape of a long email) costs time quadratic in its length. This walker keeps
    an explicit stack instead; the tokens it yields are the same, so the output is too.
    """

    def __iter__(self) -> Iterator[dict[str, Any]]:
        root: ElementTree.Element = self.tree
        if root.text:
            yield from self.text(root.text)
        stack = [(root, iter(root))]
        while stack:
            element, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if stack:  # the root (the fragment itself) has no tag and no tail
                    yield from self._close(element)
            elif (yield from self._open(child)):
                stack.append((child, iter(child)))
            else:
                yield from self._close(child)

    def _open(self, node: ElementTree.Element) -> Generator[dict[str, Any], None, bool]:
        """Yield the node's opening tokens; return whether its text and children follow."""
        if not isinstance(node.tag, str):  # ElementTree.Comment: the parser makes no other kind
            yield self.comment(node.text)
            return False
        if node.tag == "<!DOCTYPE>":
            yield self.doctype(node.text, node.get("publicId"), node.get("systemId"))
            return False
        namespace, name = _split_name(node.tag)
        attributes = {_split_name(key): value for key, value in node.attrib.items()}
        has_children = bool(len(node) or node.text)
        if _is_void(namespace, name):
            yield from self.emptyTag(namespace, name, attributes, has_children)
            return False
        yield self.startTag(namespace, name, attributes)
        if has_children and node.text:
            yield from self.text(node.text)
        return has_children

    def _close(self, node: ElementTree.Element) -> Iterator[dict[str, Any]]:
        if isinstance(node.tag, str) and node.tag != "<!DOCTYPE>":
            namespace, name = _split_name(node.tag)
            if not _is_void(namespace, name):
                yield self.endTag(namespace, name)
        if node.tail:
            yield from self.text(node.tail)


def _split_name(name: str) -> tuple[str | None, str]:
    """``{namespace}local`` as ElementTree writes names, split as html5lib's walker does."""
    match = _CLARK_NAME.match(name)
    return (match.group(1), match.group(2)) if match else (None, name)


def _is_void(namespace: str | None, name: str) -> bool:
    return (not namespace or namespace == namespaces["html"]) and name in voidElements


# After these start tags an HTML5 parser drops one newline that comes first in the content, so a
# serialiser writes an extra one wherever the content starts with a newline (or the text shrinks
# by one newline per round trip). html5lib (both its copies here) forgets the rule inside table
# cells and captions, where it keeps the newline; there the extra one would be kept too and grow
# by one per pass, so it is written only where html5lib drops one. (Browsers drop it in cells as
# well, so such a newline was never visible and still is not.)
NEWLINE_DROPPING: frozenset[str] = frozenset({"pre", "listing", "textarea"})
KEEPS_NEWLINE_INSIDE: frozenset[str] = frozenset({"td", "th", "caption"})


def _doubles_newline(name: str, cells: int, text: str) -> bool:
    """Whether the serialiser writes an extra newline before ``text``, the content of ``<name>``."""
    return name in NEWLINE_DROPPING and not cells and text.startswith("\n")


class _KeepLeadingNewline(Filter):  # type: ignore[misc]  # html5lib is untyped
    """Bleach's output stage: a newline that starts a ``<pre>``'s content is written twice."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        opened = ""  # the newline-dropping element whose content starts with the next token
        cells = 0  # open td/th/caption elements
        for token in Filter.__iter__(self):
            kind = token["type"]
            if opened and kind in ("Characters", "SpaceCharacters"):
                if not token["data"]:
                    yield token
                    continue
                if _doubles_newline(opened, cells, token["data"]):
                    token = {**token, "data": "\n" + token["data"]}
            opened = token["name"] if kind == "StartTag" else ""
            if kind in ("StartTag", "EndTag") and token["name"] in KEEPS_NEWLINE_INSIDE:
                cells += 1 if kind == "StartTag" else -1
            yield token


class _Serializer(BleachHTMLSerializer):  # type: ignore[misc]  # bleach is untyped
    """Bleach's serialiser, whichever quote html5lib chose for an attribute value.

    Bleach leaves entities in attribute values as written and relies on its serialiser to undo
    html5lib's ``&`` → ``&amp;``, but only does so for values in double quotes. html5lib puts a
    value holding ``"`` (and no ``'``) in single quotes, so ``&amp;`` there became ``&amp;amp;``,
    one more ``amp;`` each pass. Here every quoted value is unescaped the same way.
    """

    def serialize(self, treewalker: Any, encoding: str | None = None) -> Iterator[str]:
        in_tag = False
        expect = ""  # inside a tag: "quote" after "=", "value" after the opening quote
        for stoken in HTMLSerializer.serialize(self, treewalker, encoding):
            if not in_tag:
                in_tag = stoken.startswith("<")
                yield stoken
            elif expect == "value":
                expect = ""
                yield from self.escape_base_amp(stoken)
            else:
                if stoken == ">":
                    in_tag = False
                expect = "value" if expect == "quote" and stoken in ('"', "'") else "quote" if stoken == "=" else ""
                yield stoken


_per_thread = threading.local()


def _cleaner() -> bleach.Cleaner:
    """This thread's cleaner: bleach's parser keeps state, so a cleaner is never shared."""
    cleaner: bleach.Cleaner | None = getattr(_per_thread, "cleaner", None)
    if cleaner is None:
        cleaner = bleach.Cleaner(
            tags=ALLOWED_TAGS,
            attributes=_allow_attribute,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            css_sanitizer=_EmailCSSSanitizer(),
            filters=[_KeepLeadingNewline],
        )
        cleaner.walker = _LinearTreeWalker
        cleaner.serializer = _Serializer(**{name: getattr(cleaner.serializer, name) for name in HTMLSerializer.options})
        _per_thread.cleaner = cleaner
    return cleaner


def _keep_fragment(url: str) -> str | None:
    """nh3's rule for relative URLs: only a same-document ``#fragment`` stays (and only ``href`` has one)."""
    return url if url.startswith("#") else None


def _url_rule(tag: str, attribute: str, value: str) -> str | None:
    """nh3's attribute filter: each URL attribute keeps only its own schemes (``src`` no ``mailto:``)."""
    return value if attribute not in URL_SCHEMES or url_allowed(attribute, value) else None


def _last_word() -> nh3.Cleaner:
    """This thread's nh3 cleaner, built from the same allowlist as bleach's."""
    cleaner: nh3.Cleaner | None = getattr(_per_thread, "nh3", None)
    if cleaner is None:
        cleaner = _per_thread.nh3 = nh3.Cleaner(
            tags=set(allowlist.TAGS),
            clean_content_tags=set(allowlist.DROPPED_WITH_CONTENT),
            attributes={tag: set(names) for tag, names in allowlist.ATTRIBUTES.items()},
            attribute_filter=_url_rule,
            strip_comments=True,
            link_rel=allowlist.LINK_REL,
            url_schemes=set(ALLOWED_PROTOCOLS),
            url_relative=_keep_fragment,
            filter_style_properties=set(allowlist.CSS_PROPERTIES),
        )
    return cleaner


# A start tag as html5ever writes it: lower-case name, every attribute ``name="value"`` with no ``"``
# inside the value. Text never holds a raw ``<`` (written ``&lt;``), so scanning tags from the left
# never starts inside an attribute value.
_WRITTEN_TAG = re.compile(r'<([a-z][a-z0-9]*)(?: [^\s"=>/]+="[^"]*")*>|<')


def _restore_leading_newlines(written: str) -> str:
    """html5ever's serialisation, with a newline that starts a ``<pre>``'s content written twice.

    Parsing drops one newline right after ``<pre>``, and html5ever's serialiser does not write one
    back (an older rule of the HTML standard did), so ``<pre>\n\nhi`` would lose a newline per pass.
    """
    if "<pre" not in written:
        return written
    out: list[str] = []
    start = 0
    for match in _WRITTEN_TAG.finditer(written):
        end = match.end()
        if match.group(1) in NEWLINE_DROPPING and written.startswith("\n", end):
            out.append(written[start:end])
            out.append("\n")
            start = end
    out.append(written[start:])
    return "".join(out)


def _drop_hidden_content(html_text: str) -> str:
    """Parse as a browser would, remove code/foreign subtrees and comments, serialise canonically.

    Bleach unwraps disallowed elements *before* the parser sees them, so script text would stay
    as visible text and SVG/MathML content would be read in the wrong parsing mode (the root of
    mutation XSS). A real HTML5 parse first settles what is inside what, exactly as a browser does.
    """
    fragment = HTMLParser(namespaceHTMLElements=False).parseFragment(html_text)
    _prune(fragment)
    return _serialize(fragment)


def _serialize(root: ElementTree.Element) -> str:
    """The pruned tree as html5lib's ``HTMLSerializer`` writes it, without its per-token cost.

    Same output as ``HTMLSerializer(quote_attr_values="always", escape_lt_in_attrs=True,
    omit_optional_tags=False)`` over the etree walker: text escaped, attributes always quoted
    (the quote their value lacks, else ``"``), boolean attributes minimised, void elements
    without end tag or content; and, unlike html5lib, a newline that starts the content of a
    ``<pre>``, ``<listing>`` or ``<textarea>`` is written twice where parsing drops one
    (:data:`NEWLINE_DROPPING`). Pruning left no comment, foreign or raw-text element (script,
    style, xmp, iframe, noembed, noframes, noscript), whose rules therefore are absent.
    """
    out: list[str] = []
    write = out.append
    if root.text:
        write(escape(root.text))
    stack = [(root, iter(root))]
    cells = 0  # open td/th/caption elements (see NEWLINE_DROPPING)
    while stack:
        element, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if stack:
                name = _split_name(element.tag)[1]
                cells -= name in KEEPS_NEWLINE_INSIDE
                write(f"</{name}>")
                if element.tail:
                    write(escape(element.tail))
            continue
        name = _split_name(child.tag)[1]
        write(f"<{name}")
        for key, value in child.attrib.items():
            attribute = _split_name(key)[1]
            if attribute in _BOOLEAN_ATTRIBUTES[""] or attribute in _BOOLEAN_ATTRIBUTES.get(name, ()):
                write(f" {attribute}")
                continue
            value = value.replace("&", "&amp;").replace("<", "&lt;")
            if '"' in value and "'" not in value:
                write(f" {attribute}='{value}'")
            else:
                write(f' {attribute}="{value.replace(chr(34), "&quot;")}"')
        write(">")
        if name in voidElements:
            if child.tail:
                write(escape(child.tail))
            continue
        cells += name in KEEPS_NEWLINE_INSIDE
        if child.text:
            write(("\n" if _doubles_newline(name, cells, child.text) else "") + escape(child.text))
        elif name == "pre" and not cells and len(child) and _newline_behind_stripped_tags(child):
            write("\n")
        stack.append((child, iter(child)))
    return "".join(out)


def _newline_behind_stripped_tags(pre: ElementTree.Element) -> bool:
    """Whether the content of ``pre`` (no text of its own) starts with a newline once bleach strips tags.

    Bleach's tokenizer removes disallowed tags before its parser runs, so in ``<pre><foo>\nx`` the
    parser meets ``<pre>\nx`` and drops a newline that was content; an extra one after ``<pre>``
    is then the one dropped. Not behind an allowed tag (the parser sees it) nor a block-level one
    (bleach writes a newline in its place, which is kept).
    """
    stack = [(pre, iter(pre))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if not stack:
                return False
            if node.tail:
                return node.tail.startswith("\n")
            continue
        name = _split_name(child.tag)[1].lower()
        if name in ALLOWED_TAGS or name in HTML_TAGS_BLOCK_LEVEL:
            return False
        if child.text:
            return child.text.startswith("\n")
        stack.append((child, iter(child)))
    return False


def _without_controls(text: str | None) -> str | None:
    return _CONTROL_CHARS.sub("", text) if text and _CONTROL_CHARS.search(text) else text


def _prune(root: ElementTree.Element) -> None:
    """Remove comments, foreign and code elements with their content, keeping their tails.

    Control characters that the parse decoded from character references (``title="&#1;"``) are
    removed as step 1 removes written ones; kept, the next pass would remove them and the result
    would not be a fixed point. Iterative, so that deeply nested markup cannot exhaust the
    interpreter's stack, and each parent's children are replaced at once (``Element.remove``
    searches, which is quadratic).
    """
    pending = [root]
    while pending:
        parent = pending.pop()
        parent.text = _without_controls(parent.text)
        for name, value in list(parent.attrib.items()):
            parent.attrib[name] = _without_controls(value) or ""
        kept: list[ElementTree.Element] = []
        for child in parent:
            tag = child.tag
            if not isinstance(tag, str) or tag.startswith("{") or tag.lower() in DROPPED_WITH_CONTENT:
                if child.tail:  # text after the removed element is not part of it: keep it
                    if kept:
                        kept[-1].tail = (kept[-1].tail or "") + child.tail
                    else:
                        parent.text = (parent.text or "") + child.tail
            else:
                kept.append(child)
        if len(kept) != len(parent):
            parent[:] = kept
        for child in kept:
            child.tail = _without_controls(child.tail)
        pending.extend(kept)


def sanitize_html(html_text: str) -> str:
    """Return ``html_text`` reduced to the email-safe allowlist (docs/security.md).

    Idempotent: ``sanitize_html(sanitize_html(x)) == sanitize_html(x)``. Time grows linearly with
    the body (≈ 15 ms per 10 KB), so callers on the GUI thread must hand big bodies to a worker;
    :func:`check_body_size` bounds the worst case. Safe to call from several threads at once.
    """
    # A control character written as a reference in text the walk does not visit (after a comment
    # the allowlist drops: "<!>&#x7f;") came out decoded, raw, and only a second pass removed it.
    # Removing them from the serialised result cannot make markup: "<", "&" and quotes are escaped.
    return _CONTROL_CHARS.sub("", _nh3_pass(_bleach_pass(html_text)))


def _bleach_pass(html_text: str) -> str:
    """Steps 1 to 3 of docs/security.md §2: controls removed, hidden content dropped, bleach's allowlist."""
    if _SURROGATE.search(html_text):
        # A lone UTF-16 surrogate (from a pasted or merged value) is no character: nh3 cannot take it
        # and no mail can carry it. Pairs become the character they encode, lone ones U+FFFD.
        html_text = html_text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    cleaner = _cleaner()
    try:
        result: str = cleaner.clean(_drop_hidden_content(_CONTROL_CHARS.sub("", html_text)))
    finally:
        cleaner.css_sanitizer.seen.clear()
    return result


def _nh3_pass(html_text: str) -> str:
    """Step 4 of docs/security.md §2 alone: nh3 with the same allowlist, then the ``<pre>`` newline.

    html5ever drops one byte order mark that starts its input (as a browser decoding a page does), so
    ``\ufeff\ufeff`` lost one BOM per pass; every leading one goes (invisible, never content).
    U+00A0 is written as itself where html5ever writes ``&nbsp;`` (the same character to any parser;
    every other ``&`` it writes is ``&amp;``, so each ``&nbsp;`` in its output is one), as bleach did and
    as mail merge writes values into a sanitised template.
    """
    written = _last_word().clean(html_text.lstrip("\ufeff")).replace("&nbsp;", "\xa0")
    return _restore_leading_newlines(written)


def check_body_size(html_text: str) -> None:
    """Raise MessageError if the HTML body is larger than :data:`MAX_BODY_BYTES`.

    Call it before sanitising (when a body is pasted, loaded or queued): the cost of
    sanitising grows with the size, and no real message needs more.
    """
    size = len(html_text.encode("utf-8", "surrogatepass"))
    if size > MAX_BODY_BYTES:
        raise MessageError(
            f"The message body is {math.ceil(size / 1024 / 1024 * 10) / 10:.1f} MB of HTML; the limit is "
            f"{MAX_BODY_BYTES // 1024 // 1024} MB. Remove pasted images or long quoted text, "
            "or send the content as an attachment."
        )
    if nesting_depth(html_text) > MAX_NESTING_DEPTH:
        raise MessageError(
            f"The message body nests its formatting more than {MAX_NESTING_DEPTH} levels deep, which no mail "
            "client shows; paste it as plain text or simplify its formatting."
        )


MAX_NESTING_DEPTH = 512
"""Browsers stop nesting at 512 levels too. HTML parsing time grows with the square of the depth,
so a small body of nested tags could otherwise keep a worker busy for minutes."""

_SOURCE_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)[^>]*?(/?)>")  # a tag as written in the HTML text
_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


def nesting_depth(html_text: str) -> int:
    """An upper estimate of element nesting from one linear scan of the tags (no parsing)."""
    depth = deepest = 0
    for match in _SOURCE_TAG.finditer(html_text):
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if closing:
            depth = max(0, depth - 1)
        elif not self_closing and name not in _VOID_TAGS:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


_BLOCK_BREAK = re.compile(r"<\s*(br|/p|/div|/h[1-6]|/ul|/ol|/tr|/blockquote|/pre|hr)\b[^>]*>", re.IGNORECASE)
_LIST_ITEM = re.compile(r"<\s*li\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")
_BLANK_RUNS = re.compile(r"\n{3,}")


# A link as the sanitiser writes it: the href in double quotes, or in single quotes when it holds a ".
_LINK = re.compile(r"""<a\b[^>]*?\shref\s*=\s*(?:"([^"]*)"|'([^']*)')[^>]*>(.*?)</a\s*>""", re.IGNORECASE | re.DOTALL)


def _link_as_text(match: re.Match[str]) -> str:
    href = match.group(1) if match.group(1) is not None else match.group(2)
    inner = match.group(3)
    shown = html.unescape(_ANY_TAG.sub("", inner)).strip()
    # Escaped again because the whole text is unescaped once at the end.
    return inner if shown == html.unescape(href) else f"{inner} [{html.escape(html.unescape(href), quote=False)}]"


def html_to_text(html_text: str) -> str:
    """Derive the plain-text part of a message from its (already sanitised) HTML body.

    Recipients whose mail client refuses HTML still read the message, and Paubox's secure
    notification shows it; links keep their target in brackets so nothing is hidden.
    """
    text = _LINK.sub(_link_as_text, html_text)
    text = re.sub(r"<\s*(head|style)\b.*?</\1\s*>", "", text, flags=re.IGNORECASE | re.DOTALL)
    text = _LIST_ITEM.sub("\n- ", text)
    text = _BLOCK_BREAK.sub("\n", text)
    text = _ANY_TAG.sub("", text)
    text = html.unescape(text).replace("\xa0", " ")
    lines = [line.rstrip() for line in text.splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
