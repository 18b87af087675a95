"""Mail-merge: a CSV of recipients and variables becomes a batch of messages, queued all at once.

CSV rules (header row required): ``to`` is required; ``subject``, ``text``, ``html``,
``list_unsubscribe`` (a ``List-Unsubscribe`` value for that row, e.g. a per-recipient
``<https://…>`` link) and ``unsubscribe_url`` (Paubox's option; such rows go as single sends)
are optional; every other column is a variable for ``{{name}}`` fields in the subject and body, or,
with a Paubox dynamic template, a template value (``templated_messages`` renders it). Every row
is checked before anything is queued; a bad row is reported with its line number and only
skipped when the user says so.

A batch is what it sends: its id is a hash of everything that decides what the recipients
receive (the file's rows, the body or template, the sender, the subject, the switches), so
running the same batch again finds it stored and never queues a row twice, while the same list
with another letter or sender is a new batch (see :func:`batch_identity`).
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import html
import io
import json
import re
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import overload

from desktop_app.core.addresses import Address, AddressError, parse_address_field
from desktop_app.core.errors import KnownError
from desktop_app.core.message import MessageError, OutgoingMessage
from desktop_app.core.sanitize import _LINK, MAX_BODY_BYTES, check_body_size, html_to_text, sanitize_html

_FIELD = re.compile(r"\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}")
STANDARD_COLUMNS = frozenset({"to", "subject", "text", "html", "list_unsubscribe", "unsubscribe_url"})
from desktop_app.core.message import TEMPLATE, TEMPLATE_VALUES  # noqa: E402  # where the engines find them


class MergeError(KnownError, ValueError):
    """The file as a whole cannot be used (no header, no ``to`` column, not UTF-8)."""


@dataclass(frozen=True)
class Body:
    """Where the body comes from when the CSV has no text/html columns (``--body-file``), or the
    name of a Paubox dynamic template that is the body (``--template``)."""

    subject: str = ""
    text: str = ""
    html: str = ""
    template: str = ""


@dataclass(frozen=True)
class Switches:
    """What ``sealpost batch --header`` adds to every row (a row's own column wins when not empty)."""

    custom_headers: tuple[tuple[str, str], ...] = ()
    list_unsubscribe: str = ""
    list_unsubscribe_post: bool = False

    def identity(self) -> dict[str, str]:
        """The :func:`batch_identity` switches: only those set, so a batch without any keeps its id."""
        switches: dict[str, str] = {}
        if self.custom_headers:
            switches["headers"] = json.dumps([list(pair) for pair in self.custom_headers], ensure_ascii=False)
        if self.list_unsubscribe:
            switches["list_unsubscribe"] = self.list_unsubscribe
        if self.list_unsubscribe_post:
            switches["list_unsubscribe_post"] = "one-click"
        return switches


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


@dataclass(frozen=True)
class MergePlan:
    batch_id: str
    rows: Sequence[tuple[int, OutgoingMessage]]  # (line number, prepared message), rendered when read
    bad: list[BadRow]
    legacy_batch_id: str = ""  # what Sealpost 0.1 called the same file (a hash of its bytes alone)
    extra: dict[str, str] = field(default_factory=dict)


BATCH_IDENTITY_VERSION = 2


def batch_identity(content: bytes, *, sender: str, body: Body, switches: Mapping[str, str] | None = None) -> str:
    """The id of a batch: a hash of every input that decides what its recipients receive.

    The rows (the file's bytes), the body or template and subject (``body``), the sender and any
    switches (tracking, headers: ``switches``) all go in, so two runs share an id exactly when
    they would send the same messages. Inputs, not rendered output, are hashed: a later version
    that sanitises a body slightly differently still resumes a batch an earlier one started.
    """
    record = {
        "version": BATCH_IDENTITY_VERSION,
        "rows": hashlib.sha256(content).hexdigest(),
        "sender": sender,
        "body": dataclasses.asdict(body),
        "switches": dict(sorted((switches or {}).items())),
    }
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def rerun_id(batch_id: str, run: int) -> str:
    """The id of the ``run``-th deliberate re-send (``--again``) of a batch; run 0 is the batch itself."""
    return batch_id if run == 0 else hashlib.sha256(f"{batch_id}:again:{run}".encode()).hexdigest()


def render(template: str, variables: Mapping[str, str]) -> str:
    """Fill ``{{name}}`` fields in plain text (the subject, a text part); a field with no column is an
    error, not a silent blank. Values go in as they are: plain text is plain text."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise _no_column(name)
        return variables[name]

    return _FIELD.sub(value, template)


def _no_column(name: str) -> MessageError:
    return MessageError(f"the field {{{{{name}}}}} has no column in the file")


PROBE_VALUES = ("<b>x</b> & <img src=x onerror=alert(1)> \"q\" 'a' &amp; \xa0 é 👍", " ", "\n", "")
"""Values the fast path must render exactly as sanitising the rendered body does (see HtmlTemplate):
markup and entities, and whitespace alone, which a parser places differently (in a table, a <pre>)."""

SAFE_TEXT_PARENTS = frozenset(
    {
        "", "a", "abbr", "b", "blockquote", "caption", "code", "dd", "del", "div", "dt", "em", "font", "h1",
        "h2", "h3", "h4", "h5", "h6", "i", "ins", "li", "p", "s", "small", "span", "strong", "sub", "sup",
        "td", "th", "u",
    }
)  # fmt: skip
"""Elements (``""``: none) whose text a value may fill on the fast path: text there is parsed back
exactly as written. Not tables' own content (a parser moves text out of a table), nor ``<pre>``'s
(a leading newline is special there)."""
_NEWLINE_SENSITIVE = frozenset({"pre", "listing", "textarea", "plaintext"})

# Values with characters the sanitiser rewrites (controls, CR, lone surrogates, noncharacters) are
# rendered the slow way, so the fast path never has to imitate those rewrites.
_PLAIN_VALUE = re.compile(
    r"[^\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffd\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]*"
)


# A value the derived plain text shows exactly as it is: no line break (text is split into lines there),
# no whitespace at either end (lines and the whole text are stripped) and not empty (a line of only
# a value could become blank and be merged with its neighbours).
_TEXT_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
TEXT_PROBE_VALUES = ("x", "<b>x</b> & <img src=x> \"q\" 'a' &amp; &#10; &lt; é 👍", "a\tb", "a\xa0b", "&", ";")
"""Values the plain-text fast path must derive exactly as :func:`html_to_text` does (see HtmlTemplate.text)."""


def _plain_in_text(value: str) -> bool:
    return bool(value) and value == value.strip() and _TEXT_BREAKS.isdisjoint(value)


def escape_text(value: str) -> str:
    """``value`` as HTML text: every character shown as itself, none read as markup."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class HtmlTemplate:
    """An HTML body with ``{{field}}`` markers, sanitised once for a whole batch.

    Every row's values go in as escaped text: ``<b>x</b>`` in a cell arrives as those eight visible
    characters, in the HTML and in the plain-text part derived from it, never as markup. The fast
    path substitutes the escaped values into the sanitised template. It is taken only where that
    gives exactly what sanitising the rendered body gives: every marker came through sanitising as
    ordinary text (not inside an attribute or a ``<pre>``), probe values (markup, whitespace alone, empty)
    render identically both ways, and the row's values hold no character the sanitiser rewrites.
    Otherwise the row is rendered with escaped values and sanitised (the same result, at the cost
    of sanitising each row). The plain-text part is derived the same way (:meth:`text`).
    """

    def __init__(self, source: str) -> None:
        check_body_size(source)
        self.source = source
        self.fields = tuple(dict.fromkeys(m.group(1) for m in _FIELD.finditer(source)))
        self._pieces = self._compile()
        self._text_pieces: list[str] | None = None
        self._text_compiled = False

    def text(self, variables: Mapping[str, str], filled: str | None = None) -> str:
        """The plain-text part of ``filled`` (this template's body for ``variables``, filled here if
        needed and not given): the text derived
        once from the template, with each value put where its marker came out, where that equals
        :func:`html_to_text` of the row (the values shown as they are; see :func:`_plain_in_text`)."""
        if not self._text_compiled:
            self._text_pieces, self._text_compiled = self._compile_text(), True
        pieces = self._text_pieces
        if pieces is None or not all(
            _PLAIN_VALUE.fullmatch(variables[name]) and _plain_in_text(variables[name]) for name in self.fields
        ):
            return html_to_text(self.fill(variables) if filled is None else filled)
        return _substitute_text(pieces, variables)

    def _compile_text(self) -> list[str] | None:
        """Text pieces and field names, alternating, of the template's plain text; None if unsafe: a
        marker lost or repeated by the conversion, or inside a link (whose text is compared with its
        target), or a probe value derived differently."""
        if self._pieces is None or not self.fields:
            return None
        nonce = secrets.token_hex(8)
        marks = {name: f"sealpost{nonce}t{index}e" for index, name in enumerate(self.fields)}
        marked = _substitute(self._pieces, marks)
        token = re.compile(rf"sealpost{nonce}t(\d+)e")
        if any(token.search(link.group(3)) for link in _LINK.finditer(marked)):
            return None
        derived = html_to_text(marked)
        if len(token.findall(derived)) != len(token.findall(marked)):
            return None
        parts = token.split(derived)
        pieces = [parts[0]]
        for index in range(1, len(parts), 2):
            pieces += [self.fields[int(parts[index])], parts[index + 1]]
        for value in TEXT_PROBE_VALUES:
            probe = dict.fromkeys(self.fields, value)
            if _substitute_text(pieces, probe) != html_to_text(_substitute(self._pieces, probe)):
                return None
        return pieces

    @property
    def fast(self) -> bool:
        """Whether rows are filled into the sanitised template (else each row is sanitised)."""
        return self._pieces is not None

    def fill(self, variables: Mapping[str, str]) -> str:
        """The sanitised HTML body for one row."""
        for name in self.fields:
            if name not in variables:
                raise _no_column(name)
        pieces = self._pieces
        if pieces is None or not all(_PLAIN_VALUE.fullmatch(variables[name]) for name in self.fields):
            return self.sanitised(variables)
        filled = _substitute(pieces, variables)
        if len(filled) * 4 > MAX_BODY_BYTES:
            check_body_size(filled)
        return filled

    def sanitised(self, variables: Mapping[str, str]) -> str:
        """The slow path, and the definition the fast one must meet: render escaped values, sanitise."""
        return render_sanitised(self.source, variables)

    def _compile(self) -> list[str] | None:
        """Literal pieces and field names, alternating, of the sanitised template; None if unsafe."""
        if not self.fields:
            return [sanitize_html(self.source)]
        nonce = secrets.token_hex(8)
        if nonce in self.source:  # cannot happen by chance; refuse to guess rather than mix them up
            return None
        names: list[str] = []

        def mark(match: re.Match[str]) -> str:
            names.append(match.group(1))
            return f"sealpost{nonce}n{len(names) - 1}e"

        clean = sanitize_html(_FIELD.sub(mark, self.source))
        token = re.compile(rf"sealpost{nonce}n(\d+)e")
        if not _marks_only_in_text(clean, token):
            return None
        parts = token.split(clean)
        pieces = [parts[0]]
        for index in range(1, len(parts), 2):
            pieces += [names[int(parts[index])], parts[index + 1]]
        for value in PROBE_VALUES:
            probe = dict.fromkeys(self.fields, value)
            if _substitute(pieces, probe) != self.sanitised(probe):
                return None
        return pieces


def render_sanitised(source: str, variables: Mapping[str, str]) -> str:
    """``source`` with every field filled with its escaped value, then sanitised (one row, the slow way)."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise _no_column(name)
        return html.escape(variables[name])

    rendered = _FIELD.sub(value, source)
    check_body_size(rendered)
    return sanitize_html(rendered)


def _substitute(pieces: list[str], variables: Mapping[str, str]) -> str:
    out = [pieces[0]]
    for index in range(1, len(pieces), 2):
        out.append(escape_text(variables[pieces[index]]))
        out.append(pieces[index + 1])
    return "".join(out)


def _substitute_text(pieces: list[str], variables: Mapping[str, str]) -> str:
    out = [pieces[0]]
    for index in range(1, len(pieces), 2):
        out.append(variables[pieces[index]].replace("\xa0", " "))  # as html_to_text shows a no-break space
        out.append(pieces[index + 1])
    return "".join(out)


class _TextPlaces(HTMLParser):
    """Counts the markers found in text whose element may hold a value (see SAFE_TEXT_PARENTS)."""

    def __init__(self, token: re.Pattern[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.token = token
        self.open: list[str] = []
        self.safe = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        found = len(self.token.findall(data))
        parent = self.open[-1] if self.open else ""
        if found and parent in SAFE_TEXT_PARENTS and not _NEWLINE_SENSITIVE.intersection(self.open):
            self.safe += found


_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


def _marks_only_in_text(clean: str, token: re.Pattern[str]) -> bool:
    places = _TextPlaces(token)
    places.feed(clean)
    places.close()
    return places.safe == len(token.findall(clean))


@dataclass(frozen=True)
class _Planned:
    """One checked row, as small as possible: a batch of 50,000 rows is held until it is queued."""

    line: int
    to: tuple[Address, ...]
    cells: tuple[str, ...]  # in the order of the file's columns


class MergedRows(Sequence[tuple[int, OutgoingMessage]]):
    """The checked rows of a plan, each rendered when it is read (so memory stays flat).

    The messages are prepared: sanitised, with their plain-text part, and validated; queueing them
    (``Runtime.start_batch``/``queue_batch``) does not prepare them again.
    """

    def __init__(self, merger: _Merger, planned: list[_Planned]) -> None:
        self._merger = merger
        self._planned = planned

    def __len__(self) -> int:
        return len(self._planned)

    @overload
    def __getitem__(self, index: int) -> tuple[int, OutgoingMessage]: ...
    @overload
    def __getitem__(self, index: slice) -> list[tuple[int, OutgoingMessage]]: ...
    def __getitem__(self, index: int | slice) -> tuple[int, OutgoingMessage] | list[tuple[int, OutgoingMessage]]:
        if isinstance(index, slice):
            return [self._merger.final(p) for p in self._planned[index]]
        return self._merger.final(self._planned[index])

    def __iter__(self) -> Iterator[tuple[int, OutgoingMessage]]:
        final = self._merger.final
        for planned in self._planned:
            yield final(planned)

    def heads(self, *, with_text: bool) -> Iterator[tuple[int, OutgoingMessage]]:
        """Each row's recipients and subject (and its plain text if ``with_text``) without its body:
        what the send guard reads, at a fraction of rendering every letter once more."""
        merger = self._merger
        for planned in self._planned:
            cells = dict(zip(merger.columns, planned.cells, strict=True))
            yield planned.line, merger.message(cells, planned.to, derive_text=with_text, with_body=with_text,
                                               text_only=True)  # fmt: skip

    def only(self, indexes: Sequence[int]) -> MergedRows:
        """The rows at ``indexes`` (in that order), still rendered when read."""
        return MergedRows(self._merger, [self._planned[i] for i in indexes])


TEMPLATE_CACHE = 32
"""Distinct per-row ``html`` cells compiled once each (a cell seen twice); others are sanitised per row."""


class _Merger:
    """Renders rows for one batch: the sender, the body, and the HTML templates compiled for it."""

    def __init__(self, columns: list[str], sender: str, body: Body, switches: Switches) -> None:
        self.columns = columns
        self.sender = sender
        self.body = body
        self.switches = switches
        self._templates: dict[str, HtmlTemplate] = {}
        self._seen: dict[str, int] = {}
        if body.html and not body.template:
            self._templates[body.html] = HtmlTemplate(body.html)

    def cells(self, record: Mapping[str | None, str | list[str] | None]) -> dict[str, str]:
        if None in record:
            raise MessageError("the row has more cells than the header")
        return {k: (v if isinstance(v, str) else "").strip() for k, v in record.items() if k is not None}

    def message(self, cells: Mapping[str, str], to: tuple[Address, ...], *, derive_text: bool,
                with_body: bool = True, text_only: bool = False) -> OutgoingMessage:  # fmt: skip
        """The row's message; without ``derive_text`` an HTML body gets no plain-text part (enough to
        check it); without ``with_body`` it has neither (what the guard needs of most rules); with
        ``text_only`` the plain text alone (what the guard's body rules read), often without filling
        the HTML."""
        body, switches = self.body, self.switches
        variables = {k: v for k, v in cells.items() if k not in STANDARD_COLUMNS}
        subject = render(cells.get("subject") or body.subject, variables)
        # The --header values, and the row's list_unsubscribe/unsubscribe_url cells (which win).
        unsubscribe = cells.get("list_unsubscribe") or switches.list_unsubscribe
        unsubscribe_url = cells.get("unsubscribe_url", "")
        if body.template:
            return OutgoingMessage(
                sender=self.sender, to=to, subject=subject,
                meta={TEMPLATE: body.template, TEMPLATE_VALUES: json.dumps(variables)},
                custom_headers=switches.custom_headers, list_unsubscribe=unsubscribe,
                list_unsubscribe_post=switches.list_unsubscribe_post, unsubscribe_url=unsubscribe_url,
            )  # fmt: skip
        source = (cells.get("html") or body.html) if with_body else ""
        text = render(cells.get("text") or body.text, variables) if with_body else ""
        template = self._templates.get(source) if source else None
        if text_only and derive_text and source and not text and template is not None:
            text, html_body = template.text(variables), ""
        else:
            html_body = self._html(source, variables) if source else ""
            if not text and html_body and derive_text:
                text = template.text(variables, html_body) if template is not None else html_to_text(html_body)
            if text_only:
                html_body = ""
        return OutgoingMessage(
            sender=self.sender, to=to, subject=subject, text=text, html=html_body,
            custom_headers=switches.custom_headers, list_unsubscribe=unsubscribe,
            list_unsubscribe_post=switches.list_unsubscribe_post, unsubscribe_url=unsubscribe_url,
        )  # fmt: skip

    def final(self, planned: _Planned) -> tuple[int, OutgoingMessage]:
        cells = dict(zip(self.columns, planned.cells, strict=True))
        return planned.line, self.message(cells, planned.to, derive_text=True)

    def _html(self, source: str, variables: Mapping[str, str]) -> str:
        template = self._templates.get(source)
        if template is None:
            seen = self._seen[source] = self._seen.get(source, 0) + 1
            if seen < 2 or len(self._templates) >= TEMPLATE_CACHE:
                return render_sanitised(source, variables)
            template = self._templates[source] = HtmlTemplate(source)
        return template.fill(variables)


def plan_batch(
    content: bytes, *, sender: str, body: Body, validate: Callable[[OutgoingMessage], object] | None = None,
    switches: Switches | None = None, prepare: Callable[[OutgoingMessage], object] | None = None,
) -> MergePlan:  # fmt: skip
    """Parse and check every row; ``validate`` checks a prepared message as a single send would
    (``Runtime.validate``; ``prepare``, its older name, is still taken and its result not used).

    Each row's addresses are parsed once and its message validated once; an HTML body is sanitised
    once per batch (see :class:`HtmlTemplate`). The plan keeps only what each row needs to be
    rendered again when it is queued (:class:`MergedRows`).
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MergeError("The file is not UTF-8 text; save it as CSV (UTF-8) and try again.") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if "to" not in columns:
        raise MergeError("The file needs a header row with a “to” column.")
    reader.fieldnames = columns
    check = validate or prepare
    if check is None:
        raise TypeError("plan_batch needs validate=")
    switches = switches or Switches()
    merger = _Merger(columns, sender, body, switches)
    planned: list[_Planned] = []
    bad: list[BadRow] = []
    for record in reader:
        line = reader.line_num
        try:
            cells = merger.cells(record)
            parsed = parse_address_field(cells.get("to", ""))
            if parsed.errors:
                raise AddressError(parsed.errors[0])
            check(merger.message(cells, parsed.addresses, derive_text=False))
        except (MessageError, AddressError) as error:
            bad.append(BadRow(line, str(error)))
            continue
        planned.append(_Planned(line, parsed.addresses, tuple(cells.get(c, "") for c in columns)))
    del text, reader
    batch_id = batch_identity(content, sender=sender, body=body, switches=switches.identity())
    return MergePlan(batch_id, MergedRows(merger, planned), bad, legacy_batch_id=hashlib.sha256(content).hexdigest())
