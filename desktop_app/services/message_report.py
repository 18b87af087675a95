"""A sent message as a printable record for the patient's chart: the same HTML for the printer and PDF.

What a chart needs to show the message went out and reached whom: the recipients, the subject, the
body (sanitised again, and shown by a document that loads nothing), the attachments with their sizes,
each recipient's final status, the full timeline, Paubox's tracking id and when the record was made.
Qt turns it into pages (``ui/message_print.py``); this module has no Qt so it can be tested plainly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from html import escape

from desktop_app.core.addresses import Address
from desktop_app.core.times import api_time
from desktop_app.services.drafts import SentMessage, attachment_size, is_bounced, size_text, timeline_words

RECORD_STYLE = (
    "h1 { font-size: 15pt; } h2 { font-size: 12pt; margin-top: 14px; }"
    "td, th { padding: 2px 8px 2px 0; vertical-align: top; } th { text-align: left; }"
    ".meta { color: #444; }"
)


@dataclass(frozen=True)
class Record:
    """The printable record of one message and the moment it was produced."""

    html: str
    title: str
    produced_at: float


def _stamp(moment: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(moment))


def _paubox_time(text: str) -> str:
    """A receipt's time (RFC 2822, UTC) in the record's format; as Paubox wrote it if unreadable."""
    moment = api_time(text)
    return _stamp(moment) if moment is not None else text


def _addresses(items: tuple[Address, ...]) -> str:
    return escape(", ".join(a.formatted() for a in items))


def build_record(sent: SentMessage, produced_at: float | None = None) -> Record:
    """The record's HTML (every value escaped; the body sanitised) and its title."""
    from desktop_app.core.sanitize import sanitize_html

    produced = time.time() if produced_at is None else produced_at
    stored, message = sent.stored, sent.message
    rows = [("From", escape(message.sender)), ("To", _addresses(message.to))]
    rows += [(name, _addresses(items)) for name, items in (("Cc", message.cc), ("Bcc", message.bcc)) if items]
    rows += [
        ("Subject", escape(message.subject)),
        ("State", escape(stored.state.label)),
        ("Tracking id", escape(stored.tracking_id or "none (not accepted by Paubox)")),
        ("Accepted", escape(_stamp(stored.accepted_at)) if stored.accepted_at else "not yet"),
    ]
    parts = [f"<html><head><style>{RECORD_STYLE}</style></head><body>",
             f"<h1>{escape(message.subject)}</h1><table>"]  # fmt: skip
    parts += [f"<tr><th>{name}</th><td>{value}</td></tr>" for name, value in rows]
    parts.append("</table><h2>Delivery by recipient</h2><table><tr><th>Recipient</th><th>Final status</th>"
                 "<th>Delivered</th><th>Opened</th></tr>")  # fmt: skip
    for s in sent.statuses:
        opened = " ".join(p for p in (s.opened_status, s.opened_time) if p)
        delivered = "" if is_bounced(s.delivery_status) else _paubox_time(s.delivery_time)  # a bounce: none
        parts.append(f"<tr><td nowrap>{escape(s.recipient)}</td><td nowrap><b>{escape(s.delivery_status)}</b></td>"
                     f"<td>{escape(delivered)}</td><td>{escape(opened)}</td></tr>")  # fmt: skip
    if not sent.statuses:
        parts.append("<tr><td colspan='4'><i>No delivery report from Paubox yet.</i></td></tr>")
    parts.append("</table><h2>Timeline</h2><table>")
    for event in sent.events:  # in the words the sent-message view uses
        what = timeline_words(event.kind, event.detail)
        parts.append(f"<tr><td>{escape(_stamp(event.at))}</td><td>{escape(what)}</td></tr>")
    parts.append("</table><h2>Attachments</h2>")
    if message.attachments:
        parts.append("<table>")
        for attachment in message.attachments:
            size = size_text(attachment_size(attachment))
            parts.append(f"<tr><td>{escape(attachment.file_name)}</td><td>{escape(attachment.content_type)}</td>"
                         f"<td>{size}</td></tr>")  # fmt: skip
        parts.append("</table>")
    else:
        parts.append("<p>None.</p>")
    body = sanitize_html(message.html) if message.html else f"<pre>{escape(message.text)}</pre>"
    parts.append(f"<h2>Message</h2><div>{body}</div>")
    tracking = escape(stored.tracking_id or "none")
    parts.append(f"<p class='meta'>Record produced by Sealpost on {escape(_stamp(produced))} "
                 f"for message {stored.id}, tracking id {tracking}.</p></body></html>")  # fmt: skip
    return Record("".join(parts), message.subject, produced)
