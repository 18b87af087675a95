"""The message a user composes, independent of how it is stored or sent."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from desktop_app.core.addresses import (
    Address,
    AddressError,
    check_header_value,
    check_recipient_count,
    parse_address,
)

DEFAULT_ATTACHMENT_LIMIT_BYTES = 10 * 1024 * 1024
"""Encoded size budget: the stricter of Paubox's two published figures (10 MB and 50 MB)."""


class MessageError(ValueError):
    """A message that cannot be sent as it is; the text tells the user what to change."""


@dataclass(frozen=True)
class Attachment:
    """A file to send. ``content_b64`` is strict base64 (no line breaks), as Paubox expects."""

    file_name: str
    content_type: str
    content_b64: str

    @classmethod
    def from_bytes(cls, file_name: str, content_type: str, data: bytes) -> Attachment:
        return cls(file_name, content_type, base64.b64encode(data).decode("ascii"))

    @property
    def encoded_size(self) -> int:
        return len(self.content_b64)


@dataclass(frozen=True)
class OutgoingMessage:
    """Everything needed to send one message; validated by :meth:`validate`."""

    sender: str
    to: tuple[Address, ...]
    subject: str
    html: str = ""
    text: str = ""
    cc: tuple[Address, ...] = ()
    bcc: tuple[Address, ...] = ()
    reply_to: Address | None = None
    custom_headers: tuple[tuple[str, str], ...] = ()
    attachments: tuple[Attachment, ...] = ()
    force_secure_notification: bool = False
    allow_non_tls: bool = False
    open_tracking: bool = False
    link_tracking: bool = False
    tag: str = ""
    meta: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def all_recipients(self) -> tuple[Address, ...]:
        return self.to + self.cc + self.bcc

    def validate(self, attachment_limit: int = DEFAULT_ATTACHMENT_LIMIT_BYTES, *, require_body: bool = True) -> None:
        """Raise MessageError (or AddressError) with actionable words if Paubox would refuse it.

        ``require_body=False`` is for templated sends, where the template supplies the body.
        """
        check_recipient_count(len(self.all_recipients))
        check_header_value(self.sender, "The sender address")
        if not self.sender.strip():
            raise MessageError("Choose a sender address in Settings before sending.")
        if not self.subject.strip():
            raise MessageError("Add a subject: Paubox refuses messages without one.")
        check_header_value(self.subject, "The subject")
        if require_body and not self.html.strip() and not self.text.strip():
            raise MessageError("The message body is empty.")
        for address in self.all_recipients:
            check_header_value(address.formatted(), "An address")
            # Addresses built in code (CSV imports, resends) meet the same policy as typed ones.
            if parse_address(address.formatted()).email.lower() != address.email.lower():
                raise AddressError(f"“{address.email}” is not a valid address.")
        for name, value in self.custom_headers:
            if not name.lower().startswith("x-") or len(name) < 3:
                raise MessageError(f"Custom header “{name}” must start with X-.")
            check_header_value(name, "A custom header name")
            check_header_value(value, f"The value of {name}")
        for attachment in self.attachments:
            check_header_value(attachment.file_name, "An attachment name")
            try:
                base64.b64decode(attachment.content_b64, validate=True)
            except binascii.Error:
                raise MessageError(f"Attachment “{attachment.file_name}” is not valid base64.") from None
        total = sum(a.encoded_size for a in self.attachments)
        if total > attachment_limit:
            raise MessageError(
                f"Attachments are {_megabytes(total)} once encoded; the limit is "
                f"{_megabytes(attachment_limit)}. Remove a file or send it in a separate message."
            )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


__all__ = [
    "DEFAULT_ATTACHMENT_LIMIT_BYTES",
    "AddressError",
    "Attachment",
    "MessageError",
    "OutgoingMessage",
    "message_from_dict",
    "message_to_dict",
]


def message_to_dict(message: OutgoingMessage) -> dict[str, object]:
    """A JSON-safe form for the encrypted store; the inverse of :func:`message_from_dict`."""

    def addresses(items: tuple[Address, ...]) -> list[list[str]]:
        return [[a.email, a.display_name] for a in items]

    return {
        "sender": message.sender,
        "to": addresses(message.to),
        "cc": addresses(message.cc),
        "bcc": addresses(message.bcc),
        "reply_to": [message.reply_to.email, message.reply_to.display_name] if message.reply_to else None,
        "subject": message.subject,
        "html": message.html,
        "text": message.text,
        "custom_headers": [list(pair) for pair in message.custom_headers],
        "attachments": [[a.file_name, a.content_type, a.content_b64] for a in message.attachments],
        "force_secure_notification": message.force_secure_notification,
        "allow_non_tls": message.allow_non_tls,
        "open_tracking": message.open_tracking,
        "link_tracking": message.link_tracking,
        "tag": message.tag,
        "meta": dict(message.meta),
    }


def message_from_dict(data: dict[str, Any]) -> OutgoingMessage:
    def addresses(items: list[list[str]]) -> tuple[Address, ...]:
        return tuple(Address(email, name) for email, name in items)

    reply = data.get("reply_to")
    return OutgoingMessage(
        sender=data["sender"],
        to=addresses(data["to"]),
        cc=addresses(data.get("cc", [])),
        bcc=addresses(data.get("bcc", [])),
        reply_to=Address(reply[0], reply[1]) if reply else None,
        subject=data["subject"],
        html=data.get("html", ""),
        text=data.get("text", ""),
        custom_headers=tuple((str(k), str(v)) for k, v in data.get("custom_headers", [])),
        attachments=tuple(Attachment(*item) for item in data.get("attachments", [])),
        force_secure_notification=bool(data.get("force_secure_notification", False)),
        allow_non_tls=bool(data.get("allow_non_tls", False)),
        open_tracking=bool(data.get("open_tracking", False)),
        link_tracking=bool(data.get("link_tracking", False)),
        tag=str(data.get("tag", "")),
        meta={str(k): str(v) for k, v in data.get("meta", {}).items()},
    )
