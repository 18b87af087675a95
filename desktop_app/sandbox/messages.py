"""Validation of the Paubox ``message`` object, tolerant where the official SDKs are sloppy.

The SDKs send explicit ``null`` for absent fields, empty arrays, base64-encoded HTML and
``forceSecureNotification`` as the strings "true"/"false"; all of that must be accepted, while
the documented mistakes (no subject, no recipients, no body, bad base64, > 100 recipients,
unverified sender domain) get the documented errors.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from functools import lru_cache

from desktop_app.core.limits import over_limit_megabytes

from .responses import ApiError, bad_request

MAX_RECIPIENTS = 100
ONE_CLICK = "List-Unsubscribe=One-Click"
_ANGLE_URI = re.compile(r"<([^<>\s]+)>")
_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
_BASE64 = re.compile(r"^[A-Za-z0-9+/\r\n]+={0,2}\s*$")


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A validated message, body included (the sandbox drops the body once it is accepted)."""

    recipients: tuple[str, ...]
    cc: tuple[str, ...]
    bcc: tuple[str, ...]
    subject: str
    sender: str
    reply_to: str | None
    custom_headers: dict[str, str]
    text: str | None
    html: str | None
    attachment_count: int
    allow_non_tls: bool
    force_secure_notification: bool
    list_unsubscribe: str | None = None
    list_unsubscribe_post: str | None = None
    attachment_bytes: int = 0  # encoded (base64, whitespace removed), as the limit counts them

    @property
    def one_click_url(self) -> str | None:
        """The https URL a mail client would POST ``List-Unsubscribe=One-Click`` to (RFC 8058), if any."""
        if self.list_unsubscribe_post is None or self.list_unsubscribe_post.strip() != ONE_CLICK:
            return None
        uris = _ANGLE_URI.findall(self.list_unsubscribe or "")
        return next((u for u in uris if u.lower().startswith("https://")), None)

    @property
    def envelope(self) -> tuple[str, ...]:
        """Bare addresses of every recipient (to, cc, bcc): one delivery row each."""
        return tuple(bare_address(a) for a in (*self.recipients, *self.cc, *self.bcc))

    def digest(self) -> bytes:
        """Identity for duplicate counting: same recipients, subject and body = same message."""
        material = json.dumps([self.recipients, self.cc, self.bcc, self.subject, self.text, self.html])
        return hashlib.sha256(material.encode("utf-8", "surrogatepass")).digest()


def bare_address(address: str) -> str:
    return _parsed(address)[1] or address


# The everyday shapes, "Words Of A Name <local.part@domain.example>", "<…>" and a bare address, read
# without the standard parser (≈ 20 µs an address, most of the sandbox's work on a mail merge): name
# words of characters parseaddr keeps inside one atom, one space apart; a dot-atom address of
# letters, digits, "_", "+" and "-". Anything else goes to parseaddr. tests/sandbox/test_addresses.py
# compares the two on generated text.
_NAME_WORD = r"[^\s()<>@,:;.\\\"\[\]]+"  # no whitespace, none of parseaddr's specials
_DOT_ATOM_ADDRESS = r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_EVERYDAY = re.compile(
    rf"(?:(?P<name>{_NAME_WORD}(?: {_NAME_WORD})*) )?<(?P<angled>{_DOT_ATOM_ADDRESS})>|(?P<bare>{_DOT_ATOM_ADDRESS})"
)


@lru_cache(maxsize=4096)
def _parsed(address: str) -> tuple[str, str]:
    """``parseaddr``, remembered: each message's addresses are read four or five times (checks, the
    envelope, the sender's domain). A pure function of the text, so a repeat gives the same answer."""
    everyday = _EVERYDAY.fullmatch(address)
    if everyday is None:
        return parseaddr(address)
    return everyday["name"] or "", everyday["angled"] or everyday["bare"]


def domain_of(address: str) -> str:
    return bare_address(address).rpartition("@")[2].lower()


@dataclass(frozen=True, slots=True)
class SendOptions:
    """The siblings of ``message`` in ``POST messages``: ``None`` means "not sent" (account default)."""

    open_tracking: bool | None = None
    link_tracking: bool | None = None
    unsubscribe_url: str | None = None


def parse_send_options(data: Mapping[str, object]) -> SendOptions:
    """``override_open_tracking``, ``override_link_tracking`` (booleans or "true"/"false") and ``unsubscribe_url``."""
    url = data.get("unsubscribe_url")
    if url is not None and not isinstance(url, str):
        raise bad_request("unsubscribe_url must be a string.", "Invalid unsubscribe_url")
    if isinstance(url, str) and any(c in url for c in "\r\n\0"):
        raise bad_request("unsubscribe_url contains a line break.", "Invalid unsubscribe_url")
    return SendOptions(
        optional_flag(data.get("override_open_tracking"), "override_open_tracking"),
        optional_flag(data.get("override_link_tracking"), "override_link_tracking"),
        url or None,
    )


def parse_message(
    raw: object, *, verified_domains: frozenset[str], require_content: bool = True, attachment_limit: int | None = None
) -> OutgoingMessage:
    """Validate one ``message`` object; raise :class:`ApiError` with Paubox's status and wording.

    ``attachment_limit``: the most encoded attachment bytes accepted (``None``: no limit).
    """
    if not isinstance(raw, Mapping):
        raise bad_request("The message object is missing or is not an object.", "Invalid message")
    recipients = _addresses(raw.get("recipients"), "recipients")
    cc = _addresses(raw.get("cc"), "cc")
    bcc = _addresses(raw.get("bcc"), "bcc")
    if not recipients:
        raise bad_request("At least one recipient is required.", "Missing recipients")
    if len(recipients) + len(cc) + len(bcc) > MAX_RECIPIENTS:
        raise bad_request(f"A message may have at most {MAX_RECIPIENTS} recipients.", "Too many recipients")
    headers = raw.get("headers")
    if headers is None:
        headers = {}
    if not isinstance(headers, Mapping):
        raise bad_request("headers must be an object.", "Invalid headers")
    for name, value in headers.items():
        if value is not None and not isinstance(value, str):
            raise bad_request(f"Header {name} must be a string.", "Invalid headers")
        if isinstance(value, str) and any(c in value for c in "\r\n\0"):
            raise bad_request(f"Header {name} contains a line break.", "Invalid headers")
    subject = headers.get("subject")
    if not isinstance(subject, str) or not subject.strip():
        raise bad_request("The message subject (headers.subject) is missing.", "Missing subject")
    sender = headers.get("from")
    if not isinstance(sender, str) or not _valid_address(sender):
        raise bad_request("headers.from must be a valid email address.", "Invalid sender")
    reply_to = headers.get("reply-to")
    if reply_to is not None and not _valid_address(reply_to):
        raise bad_request("headers.reply-to must be a valid email address.", "Invalid reply-to")
    text, html = _content(raw.get("content"), required=require_content)
    attachment_count, attachment_bytes = _check_attachments(raw.get("attachments"))
    if attachment_limit is not None and attachment_bytes > attachment_limit:
        # Paubox's legacy docs: a larger message "fails with a 'Failed to send' error"; its status
        # table has no 413 for message content, so the sandbox answers 400 (inferred).
        size_mb, limit_mb = over_limit_megabytes(attachment_bytes, attachment_limit)
        raise bad_request(
            f"Attachments are {size_mb:.1f} MB once encoded; the limit is {limit_mb:.1f} MB.",
            "Failed to send",
        )
    allow_non_tls = _flag(raw.get("allowNonTLS"), "allowNonTLS")
    force_secure = _flag(raw.get("forceSecureNotification"), "forceSecureNotification")
    _check_verified(sender, reply_to, verified_domains)
    custom = {k: v for k, v in headers.items() if k.lower().startswith("x-") and isinstance(v, str)}
    by_name = {str(k).lower(): v for k, v in headers.items() if isinstance(v, str)}
    return OutgoingMessage(
        recipients=recipients,
        cc=cc,
        bcc=bcc,
        subject=subject,
        sender=sender,
        reply_to=reply_to,
        custom_headers=custom,
        text=text,
        html=html,
        attachment_count=attachment_count,
        allow_non_tls=allow_non_tls,
        force_secure_notification=force_secure,
        list_unsubscribe=by_name.get("list-unsubscribe"),
        list_unsubscribe_post=by_name.get("list-unsubscribe-post"),
        attachment_bytes=attachment_bytes,
    )


def optional_flag(value: object, name: str) -> bool | None:
    """``override_*_tracking`` style flags: absent/null, a boolean, or "true"/"false"."""
    return None if value is None else _flag(value, name)


def _valid_address(address: str) -> bool:
    if any(c in address for c in "\r\n\0"):
        return False
    name, addr = _parsed(address)
    return bool(_ADDRESS.match(addr)) and (bool(name) or address.strip() in (addr, f"<{addr}>"))


def _addresses(value: object, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]  # some clients send a single address as a string
    if not isinstance(value, list):
        raise bad_request(f"{field} must be an array of email addresses.", "Invalid recipients")
    for address in value:
        if not isinstance(address, str) or not _valid_address(address):
            raise bad_request(f"{field} contains an invalid email address.", "Invalid recipients")
    return tuple(a.strip() for a in value)


def _content(value: object, *, required: bool) -> tuple[str | None, str | None]:
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        raise bad_request("content must be an object.", "Invalid content")
    text, html = value.get("text/plain"), value.get("text/html")
    for part, name in ((text, "text/plain"), (html, "text/html")):
        if part is not None and not isinstance(part, str):
            raise bad_request(f"content.{name} must be a string.", "Invalid content")
    if required and not text and not html:
        raise bad_request("content needs a text/plain or text/html part.", "Missing content")
    return text or None, decode_html(html) if html else None


def decode_html(html: str) -> str:
    """The SDKs base64 the HTML part, other clients send it raw: accept both."""
    if not _BASE64.match(html):
        return html
    try:
        return base64.b64decode(html, validate=False).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return html


def _check_attachments(value: object) -> tuple[int, int]:
    """(how many, their encoded size without whitespace)."""
    if value is None:
        return 0, 0
    if not isinstance(value, list):
        raise bad_request("attachments must be an array.", "Invalid attachment")
    size = 0
    for attachment in value:
        if not isinstance(attachment, Mapping):
            raise bad_request("Each attachment must be an object.", "Invalid attachment")
        file_name, content = attachment.get("fileName"), attachment.get("content")
        content_type = attachment.get("contentType")
        if not isinstance(file_name, str) or not file_name or not isinstance(content_type, str):
            raise bad_request("Each attachment needs fileName and contentType.", "Invalid attachment")
        compact = "".join(content.split()) if isinstance(content, str) else ""
        if not compact or not _is_base64(compact):
            raise bad_request(f"Attachment {file_name} content is not valid base64.", "Invalid attachment")
        size += len(compact)
    return len(value), size


def _is_base64(compact: str) -> bool:
    try:
        base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _flag(value: object, name: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise bad_request(f"{name} must be true or false.", "Invalid flag")


def _check_verified(sender: str, reply_to: str | None, verified: frozenset[str]) -> None:
    """``verified`` holds lower-case domains; empty means every domain counts as verified."""
    if not verified:
        return
    for address in (sender, reply_to):
        if address is not None and domain_of(address) not in verified:
            raise ApiError(
                422,
                "Unverified sender domain",
                f"The domain {domain_of(address)} is not verified for this API key.",
            )
