"""Mail-merge: a CSV of recipients and variables becomes a batch of messages, queued all at once.

CSV rules (header row required): ``to`` is required; ``subject``, ``text`` and ``html`` are
optional; every other column is a variable for ``{{name}}`` fields in the subject and body, or,
with a Paubox dynamic template, a template value (``templated_messages`` renders it). The
batch id is a hash of the file's bytes, so running the same file again finds the batch already
stored and never queues a row twice. Every row is checked before anything is queued; a bad row
is reported with its line number and only skipped when the user says so.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from desktop_app.core.addresses import AddressError, parse_address_field
from desktop_app.core.message import MessageError, OutgoingMessage

_FIELD = re.compile(r"\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}")
STANDARD_COLUMNS = frozenset({"to", "subject", "text", "html"})
TEMPLATE = "template"
"""``OutgoingMessage.meta`` key: the Paubox dynamic template that is this message's body."""
TEMPLATE_VALUES = "template_values"


class MergeError(ValueError):
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
class BadRow:
    line: int
    reason: str


@dataclass(frozen=True)
class MergePlan:
    batch_id: str
    rows: list[tuple[int, OutgoingMessage]]  # (line number, message ready to queue)
    bad: list[BadRow]


def batch_id_for(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def render(template: str, variables: Mapping[str, str]) -> str:
    """Fill ``{{name}}`` fields; a field with no column is an error, not a silent blank."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise MessageError(f"the field {{{{{name}}}}} has no column in the file")
        return variables[name]

    return _FIELD.sub(value, template)


def plan_batch(
    content: bytes, *, sender: str, body: Body, prepare: Callable[[OutgoingMessage], OutgoingMessage]
) -> MergePlan:
    """Parse and check every row; ``prepare`` sanitises and validates like a single send would."""
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
            rows.append((line, prepare(_row_message(record, sender, body))))
        except (MessageError, AddressError) as error:
            bad.append(BadRow(line, str(error)))
    return MergePlan(batch_id_for(content), rows, bad)


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
