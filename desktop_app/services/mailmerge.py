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
import io
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from desktop_app.core.addresses import AddressError, parse_address_field
from desktop_app.core.errors import KnownError
from desktop_app.core.message import MessageError, OutgoingMessage

_FIELD = re.compile(r"\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}")
STANDARD_COLUMNS = frozenset({"to", "subject", "text", "html", "list_unsubscribe", "unsubscribe_url"})
TEMPLATE = "template"
"""``OutgoingMessage.meta`` key: the Paubox dynamic template that is this message's body."""
TEMPLATE_VALUES = "template_values"


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
    rows: list[tuple[int, OutgoingMessage]]  # (line number, message ready to queue)
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
    """Fill ``{{name}}`` fields; a field with no column is an error, not a silent blank."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise MessageError(f"the field {{{{{name}}}}} has no column in the file")
        return variables[name]

    return _FIELD.sub(value, template)


def plan_batch(
    content: bytes, *, sender: str, body: Body, prepare: Callable[[OutgoingMessage], OutgoingMessage],
    switches: Switches | None = None,
) -> MergePlan:  # fmt: skip
    """Parse and check every row; ``prepare`` sanitises and validates like a single send would."""
    switches = switches or Switches()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MergeError("The file is not UTF-8 text; save it as CSV (UTF-8) and try again.") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if "to" not in columns:
        raise MergeError("The file needs a header row with a “to” column.")
    reader.fieldnames = columns
    rows: list[tuple[int, OutgoingMessage]] = []
    bad: list[BadRow] = []
    for record in reader:
        line = reader.line_num
        try:
            rows.append((line, prepare(_with_switches(_row_message(record, sender, body), record, switches))))
        except (MessageError, AddressError) as error:
            bad.append(BadRow(line, str(error)))
    batch_id = batch_identity(content, sender=sender, body=body, switches=switches.identity())
    return MergePlan(batch_id, rows, bad, legacy_batch_id=hashlib.sha256(content).hexdigest())


def _with_switches(message: OutgoingMessage, record: Mapping[str, str | None], switches: Switches) -> OutgoingMessage:
    """The ``--header`` values, and the row's ``list_unsubscribe``/``unsubscribe_url`` cells (which win)."""
    cell = {k: (v or "").strip() for k, v in record.items() if k in ("list_unsubscribe", "unsubscribe_url")}
    return dataclasses.replace(
        message,
        custom_headers=switches.custom_headers,
        list_unsubscribe=cell.get("list_unsubscribe") or switches.list_unsubscribe,
        list_unsubscribe_post=switches.list_unsubscribe_post,
        unsubscribe_url=cell.get("unsubscribe_url", ""),
    )


def _row_message(record: Mapping[str, str | None], sender: str, body: Body) -> OutgoingMessage:
    if None in record:
        raise MessageError("the row has more cells than the header")
    cells = {k: (v or "").strip() for k, v in record.items() if k is not None}
    variables = {k: v for k, v in cells.items() if k not in STANDARD_COLUMNS}
    parsed = parse_address_field(cells.get("to", ""))
    if parsed.errors:
        raise AddressError(parsed.errors[0])
    if body.template:
        return OutgoingMessage(
            sender=sender, to=parsed.addresses, subject=render(cells.get("subject") or body.subject, variables),
            meta={TEMPLATE: body.template, TEMPLATE_VALUES: json.dumps(variables)},
        )  # fmt: skip
    return OutgoingMessage(
        sender=sender,
        to=parsed.addresses,
        subject=render(cells.get("subject") or body.subject, variables),
        text=render(cells.get("text") or body.text, variables),
        html=render(cells.get("html") or body.html, variables),
    )
