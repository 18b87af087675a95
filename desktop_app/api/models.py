"""Typed request payloads and responses of the Paubox Email API (docs/paubox-api shapes).

Parsers are defensive: Paubox's own documents disagree in places, so unknown fields are kept in
``extra`` and unknown status strings pass through unchanged instead of crashing the app.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from desktop_app.api.errors import MalformedResponse
from desktop_app.core.delivery_status import is_final_status
from desktop_app.core.message import LIST_UNSUBSCRIBE, LIST_UNSUBSCRIBE_POST, ONE_CLICK, OutgoingMessage
from desktop_app.core.records import RecipientDelivery as RecipientDelivery  # part of a Receipt


def message_payload(message: OutgoingMessage) -> dict[str, Any]:
    """The ``message`` object of POST messages / bulk_messages (paubox-api §3.1)."""
    headers: dict[str, str] = {"subject": message.subject, "from": message.sender}
    if message.reply_to is not None:
        headers["reply-to"] = message.reply_to.formatted()
    headers.update(dict(message.custom_headers))
    if message.list_unsubscribe:
        headers[LIST_UNSUBSCRIBE] = message.list_unsubscribe.strip()
        if message.list_unsubscribe_post:
            headers[LIST_UNSUBSCRIBE_POST] = ONE_CLICK
    content: dict[str, str] = {}
    if message.text:
        content["text/plain"] = message.text
    if message.html:
        # Base64 like every official SDK: it survives any transport re-encoding intact.
        content["text/html"] = base64.b64encode(message.html.encode("utf-8")).decode("ascii")
    payload: dict[str, Any] = {
        "recipients": [a.formatted() for a in message.to],
        "headers": headers,
        "content": content,
        "allowNonTLS": message.allow_non_tls,
        "forceSecureNotification": message.force_secure_notification,
    }
    if message.cc:
        payload["cc"] = [a.formatted() for a in message.cc]
    if message.bcc:
        payload["bcc"] = [a.formatted() for a in message.bcc]
    if message.attachments:
        payload["attachments"] = [
            {"fileName": a.file_name, "contentType": a.content_type, "content": a.content_b64}
            for a in message.attachments
        ]
    return payload


def templated_payload(template_name: str, values_json: str, message: OutgoingMessage) -> dict[str, Any]:
    """``POST templated_messages``: no ``content`` (the template is the body), values as a JSON *string*."""
    payload = message_payload(message)
    del payload["content"]
    data = {"template_name": template_name, "template_values": values_json, "message": payload}
    # Paubox documents these siblings for POST messages only; templated_messages takes the same
    # ``data`` shape, so a choice the user made is sent rather than silently dropped [inferred].
    data.update(send_options(message))
    return {"data": data}


def send_options(message: OutgoingMessage) -> dict[str, Any]:
    """The siblings of ``message`` the user (or a policy) chose; nothing for the account defaults.

    ``override_open_tracking``/``override_link_tracking`` are documented as "set to true to
    enable"; an explicit ``false`` may switch off tracking the account has on, so they are sent
    only when chosen (the Go SDK omits them when false, too). ``unsubscribe_url`` only when set.
    """
    options: dict[str, Any] = {}
    if message.open_tracking is not None:
        options["override_open_tracking"] = message.open_tracking
    if message.link_tracking is not None:
        options["override_link_tracking"] = message.link_tracking
    if message.unsubscribe_url:
        options["unsubscribe_url"] = message.unsubscribe_url
    return options


def send_payload(message: OutgoingMessage) -> dict[str, Any]:
    return {"data": {"message": message_payload(message), **send_options(message)}}


@dataclass(frozen=True)
class SendResult:
    """Paubox accepted the message (or the scheduled/templated send) under ``tracking_id``."""

    tracking_id: str
    custom_headers: dict[str, str] = field(default_factory=dict)
    data: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Receipt:
    tracking_id: str
    message_id: str
    deliveries: tuple[RecipientDelivery, ...]
    total_opens: int | None = None
    distinct_opens: int | None = None
    total_click_count: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_final(self) -> bool:
        return bool(self.deliveries) and all(is_final_status(d.delivery_status) for d in self.deliveries)


def require_mapping(value: Any, what: str) -> dict[str, Any]:
    """The JSON object a parser expects, or MalformedResponse naming only the JSON type it got."""
    if not isinstance(value, dict):
        raise MalformedResponse(f"Paubox sent an unexpected {what}.", detail=type(value).__name__)
    return value


def text_field(value: Any) -> str:
    """A string field; absent, null or a non-string reads as "" (Paubox omits times when unknown)."""
    return value if isinstance(value, str) else ""


def optional_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def count_field(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def numeric_id(value: Any, what: str) -> int:
    """Template and webhook ids are numbers live; a digit string is tolerated, anything else is not."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    raise MalformedResponse(f"Paubox sent {what} without a usable id.")


def extra_fields(mapping: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    """Fields this version does not model, kept so an API change is visible rather than lost."""
    return {str(k): v for k, v in mapping.items() if k not in known}


TRACKING_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
"""What a tracking id may look like (Paubox's are UUIDs), both ways: one we place in a URL, and one a
server hands us, which is stored, shown and printed (a hostile one could hold megabytes, line breaks
or terminal escapes)."""


def tracking_id_field(value: Any) -> str | None:
    """The server's tracking id, stripped, if it has the shape of one; else None."""
    if not isinstance(value, str) or not TRACKING_ID.fullmatch(value.strip()):
        return None
    return value.strip()


def parse_send_result(body: Any) -> SendResult:
    mapping = require_mapping(body, "reply to a send")
    tracking_id = tracking_id_field(mapping.get("sourceTrackingId"))
    if tracking_id is None:
        raise MalformedResponse("Paubox's reply had no usable tracking id; the message may have been sent.")
    headers = mapping.get("customHeaders")
    clean_headers = (
        {str(k): str(v) for k, v in headers.items() if isinstance(v, str | int | float)}
        if isinstance(headers, dict) else {}
    )  # fmt: skip
    return SendResult(tracking_id, clean_headers, text_field(mapping.get("data")), extra_fields(mapping, _SEND_FIELDS))


_SEND_FIELDS = frozenset({"sourceTrackingId", "customHeaders", "data"})
_DELIVERY_FIELDS = frozenset({"recipient", "status"})
_RECEIPT_FIELDS = frozenset({"id", "message_deliveries", "total_opens", "distinct_opens", "total_click_count"})


def parse_bulk_results(body: Any, expected: int) -> list[SendResult]:
    mapping = require_mapping(body, "reply to a bulk send")
    items = mapping.get("messages")
    if not isinstance(items, list) or len(items) != expected:
        raise MalformedResponse("Paubox's bulk reply did not list one result per message.")
    return [parse_send_result(item) for item in items]


RECEIPT_TEXT_LIMIT = 320  # a receipt's words (an address, a status, a time) are stored per recipient and shown


def parse_receipt(body: Any) -> Receipt:
    mapping = require_mapping(body, "receipt")
    data = require_mapping(mapping.get("data"), "receipt body")
    message = require_mapping(data.get("message"), "receipt message")
    raw_deliveries = message.get("message_deliveries")
    if not isinstance(raw_deliveries, list):
        raise MalformedResponse("Paubox's receipt had no delivery list.")
    deliveries = []
    for item in raw_deliveries:
        entry = require_mapping(item, "delivery entry")
        status = entry.get("status") if isinstance(entry.get("status"), dict) else {}
        assert isinstance(status, dict)
        deliveries.append(
            RecipientDelivery(
                recipient=bounded_text(text_field(entry.get("recipient")), RECEIPT_TEXT_LIMIT),
                delivery_status=bounded_text(text_field(status.get("deliveryStatus")), RECEIPT_TEXT_LIMIT)
                or "processing",
                delivery_time=bounded_text(text_field(status.get("deliveryTime")), RECEIPT_TEXT_LIMIT),
                opened_status=bounded_text(text_field(status.get("openedStatus")), RECEIPT_TEXT_LIMIT),
                opened_time=bounded_text(text_field(status.get("openedTime")), RECEIPT_TEXT_LIMIT),
                extra=extra_fields(entry, _DELIVERY_FIELDS),
            )
        )
    return Receipt(
        tracking_id=text_field(mapping.get("sourceTrackingId")),
        message_id=text_field(message.get("id")),
        deliveries=tuple(deliveries),
        total_opens=count_field(message.get("total_opens")),
        distinct_opens=count_field(message.get("distinct_opens")),
        total_click_count=count_field(message.get("total_click_count")),
        extra=extra_fields(message, _RECEIPT_FIELDS),
    )


SERVER_TEXT_LIMIT = 2_000
"""The most characters of any text a server wrote (an error title or details, a reason phrase)
that Sealpost keeps. Cut here, before redaction, logging or display touches it: a 20 MB error
title must cost no more than a short one (redaction is linear, but a GUI label or a log line is
no place for megabytes, and nothing useful is said after the first few hundred characters)."""


_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})  # controls (ESC, CR, LF), format (bidi), surrogates, breaks


def bounded_text(text: str, limit: int = SERVER_TEXT_LIMIT) -> str:
    """``text`` cut to ``limit`` characters (with an ellipsis when something was cut), on one visible line.

    Server words end up in one-line messages, the log and a terminal: a line break would forge a
    second line, an escape sequence would drive the terminal, a bidi override would reorder what is
    shown. Those characters become a space (so nothing is hidden, and words stay apart).
    """
    cut = text if len(text) <= limit else text[: limit - 1] + "…"
    return "".join(" " if unicodedata.category(c) in _INVISIBLE else c for c in cut)


def error_summary(body: Any, reason: str) -> tuple[str, str]:
    """(title, details) from any Paubox error body: errors[] → error → message → HTTP reason.

    Both are cut to :data:`SERVER_TEXT_LIMIT` characters: they are the server's words.
    """
    title, details = _error_summary(body, reason)
    return bounded_text(title), bounded_text(details)


def _error_summary(body: Any, reason: str) -> tuple[str, str]:
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            first = errors[0]
            if isinstance(first, dict):
                return text_field(first.get("title")) or reason, text_field(first.get("details"))
            if isinstance(first, str):
                return first, ""
        if isinstance(errors, str) and errors:
            return errors, ""
        for key in ("error", "message"):
            if isinstance(body.get(key), str) and body[key]:
                return body[key], ""
    return reason, ""
