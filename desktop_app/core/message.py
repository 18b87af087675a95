"""The message a user composes, independent of how it is stored or sent."""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from desktop_app.core.addresses import (
    Address,
    AddressError,
    check_header_value,
    check_recipient_count,
    parse_address,
)
from desktop_app.core.errors import KnownError
from desktop_app.core.limits import DEFAULT_ATTACHMENT_LIMIT_BYTES, over_limit_megabytes

TEMPLATE = "template"
"""``OutgoingMessage.meta`` key: the Paubox dynamic template that is this message's body."""
TEMPLATE_VALUES = "template_values"
"""``OutgoingMessage.meta`` key: that template's values (a JSON object)."""

MAX_FILE_NAME_BYTES = 255
"""Longest attachment name (UTF-8 bytes): what common file systems store, and mail clients show."""
MAX_CONTENT_TYPE_LENGTH = 255

LIST_UNSUBSCRIBE = "List-Unsubscribe"
LIST_UNSUBSCRIBE_POST = "List-Unsubscribe-Post"
ONE_CLICK = "List-Unsubscribe=One-Click"
"""The only value RFC 8058 allows for ``List-Unsubscribe-Post``."""
MAX_LIST_UNSUBSCRIBE_LENGTH = 998
"""Longest ``List-Unsubscribe`` value: RFC 5322's line limit, so it never needs folding into a
second line a receiving system might mis-join (and no megabyte header reaches Paubox)."""
MAX_LIST_UNSUBSCRIBE_URIS = 4
MAX_UNSUBSCRIBE_URL_LENGTH = 2000


class MessageError(KnownError, ValueError):
    """A message that cannot be sent as it is; the text tells the user what to change."""


# RFC 2045: token := 1*<any US-ASCII CHAR except SPACE, CTLs, or tspecials>, where tspecials are
# ()<>@,;:\"/[]?= ; a parameter value is a token or a quoted-string (here without controls).
_MIME_WORD = r"[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+"  # RFC 2045 calls it a token
_QUOTED_STRING = r'"(?:[ !#-\[\]-~]|\\[ -~])*"'
_PARAMETER = rf"[ \t]*;[ \t]*{_MIME_WORD}=(?:{_MIME_WORD}|{_QUOTED_STRING})"
_CONTENT_TYPE = re.compile(rf"{_MIME_WORD}/{_MIME_WORD}(?:{_PARAMETER})*[ \t]*")
# RFC 5322: field-name := 1*ftext, ftext := printable US-ASCII (33-126) except ":".
_FIELD_NAME = re.compile(r"[!-9;-~]+")
# One List-Unsubscribe entry: "<" URI ">" (RFC 2369); the URI itself has no spaces, no angle
# brackets and no quotes (RFC 3986 characters only, percent-escapes included).
_URI_ENTRY = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]*:[!#$%&'()*+,\-./0-9:;=?@A-Z\[\]_a-z~]+)>")
_HTTPS_HOST = re.compile(
    r"https://([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?(?:[/?#]|$)",
    re.IGNORECASE,
)
_MAILTO = re.compile(r"mailto:([^@?/\s]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})(?:\?.*)?", re.IGNORECASE | re.DOTALL)
# Unicode line and paragraph separators are line breaks to some mail software (see addresses).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def quote_value(text: str, limit: int = 60) -> str:
    """``text`` as an error may quote it: invisible, direction and line-break characters as �, short."""
    visible = "".join("\ufffd" if unicodedata.category(c) in _INVISIBLE_CATEGORIES else c for c in text)
    return f"“{visible if len(visible) <= limit else visible[: limit - 1] + '…'}”"


def check_file_name(name: str) -> None:
    """Refuse an attachment name that could hide what the file is or where it would be saved.

    Bidi overrides make ``lab-results\\u202Efdp.exe`` show as "lab-resultsexe.pdf"; other format
    characters (zero-width ones, Unicode category Cf) and controls hide text; path separators and
    ``..`` could steer where a recipient's client saves it.
    """
    if not name.strip():
        raise MessageError("An attachment has no file name; give the file a name before attaching it.")
    for char in name:
        category = unicodedata.category(char)
        if category == "Cf":
            raise MessageError(
                f"The attachment name {quote_value(name)} contains an invisible formatting or text-direction "
                f"character (U+{ord(char):04X}), which can disguise what the file is; rename the file and "
                "attach it again."
            )
        if category in _INVISIBLE_CATEGORIES:
            raise MessageError(
                f"The attachment name {quote_value(name)} contains a control character or line break "
                f"(U+{ord(char):04X}); rename the file and attach it again."
            )
    if "/" in name or "\\" in name:
        raise MessageError(
            f"The attachment name {quote_value(name)} contains “/” or “\\”; use the file's own name without a folder."
        )
    if not name.strip("."):
        raise MessageError(
            f"The attachment name {quote_value(name)} is only dots; rename the file and attach it again."
        )
    if ".." in name:
        raise MessageError(f"The attachment name {quote_value(name)} contains “..”; rename the file without it.")
    size = len(name.encode("utf-8"))
    if size > MAX_FILE_NAME_BYTES:
        raise MessageError(
            f"The attachment name {quote_value(name)} is {size} bytes long; the limit is {MAX_FILE_NAME_BYTES}. "
            "Rename the file with a shorter name."
        )


def check_content_type(content_type: str, file_name: str = "") -> None:
    """Refuse a content type that is not ``type/subtype`` with optional ``; name=value`` parameters."""
    of = f" of attachment {quote_value(file_name)}" if file_name else ""
    if any(unicodedata.category(c) in _INVISIBLE_CATEGORIES and c != "\t" for c in content_type):
        raise MessageError(
            f"The content type {quote_value(content_type)}{of} contains a line break or control character; "
            "use a plain type such as application/pdf."
        )
    if len(content_type) > MAX_CONTENT_TYPE_LENGTH or not _CONTENT_TYPE.fullmatch(content_type):
        raise MessageError(
            f"The content type {quote_value(content_type)}{of} is not valid: write it as type/subtype in plain "
            "letters, such as application/pdf or text/plain; charset=utf-8."
        )


def check_header_name(name: str) -> None:
    """A custom header name: ``X-`` then printable ASCII without spaces or ``:`` (RFC 5322)."""
    check_header_value(name, "A custom header name")
    if name.lower() in (LIST_UNSUBSCRIBE.lower(), LIST_UNSUBSCRIBE_POST.lower()):
        raise MessageError(
            f"{name} is not a custom header: give it as the message's unsubscribe option "
            "(the composer's Unsubscribe field, or --header with sealpost send)."
        )
    if not name.lower().startswith("x-") or len(name) < 3:
        raise MessageError(f"Custom header {quote_value(name)} must start with X-.")
    if not _FIELD_NAME.fullmatch(name):
        raise MessageError(
            f"Custom header name {quote_value(name)} may only use letters, digits and punctuation, without spaces "
            "or “:”; write it like X-Clinic-Ref."
        )


def _check_https(url: str, what: str) -> None:
    """An ``https://`` URL with a host name (no plain http, javascript:, data: or user:password@)."""
    if not url.lower().startswith("https://"):
        scheme = url.partition(":")[0] if ":" in url else url
        raise MessageError(
            f"{what} {quote_value(url)} must be an https:// address (not {quote_value(scheme + ':')}); "
            "plain http and other schemes are refused."
        )
    authority = url[8:].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if "@" in authority or not _HTTPS_HOST.match(url):
        raise MessageError(
            f"{what} {quote_value(url)} has no valid host name; write it like https://clinic.example/unsubscribe."
        )


def list_unsubscribe_uris(value: str) -> tuple[str, ...]:
    """The URIs of a ``List-Unsubscribe`` value, or MessageError saying what to change.

    RFC 2369 / RFC 8058: a comma-separated list of ``<mailto:…>`` and ``<https://…>`` entries.
    Plain http (a forged unsubscribe page could be served to anyone on the path), javascript:,
    data: and every other scheme are refused, as are line breaks and control characters (header
    injection), more than :data:`MAX_LIST_UNSUBSCRIBE_URIS` entries and more than
    :data:`MAX_LIST_UNSUBSCRIBE_LENGTH` characters.
    """
    check_header_value(value, "The List-Unsubscribe value")
    text = value.strip()
    if not text:
        raise MessageError("The List-Unsubscribe value is empty; give <mailto:…> or <https://…> addresses, or none.")
    if len(text) > MAX_LIST_UNSUBSCRIBE_LENGTH:
        raise MessageError(
            f"The List-Unsubscribe value is {len(text)} characters long; the limit is {MAX_LIST_UNSUBSCRIBE_LENGTH}."
        )
    uris: list[str] = []
    for part in text.split(","):
        entry = part.strip(" \t")
        match = _URI_ENTRY.fullmatch(entry)
        if not match:
            raise MessageError(
                f"The List-Unsubscribe entry {quote_value(entry)} is not valid: write each one in angle brackets, "
                "like <mailto:unsubscribe@clinic.example> or <https://clinic.example/unsubscribe>, separated by commas."
            )
        uri = match.group(1)
        scheme = uri.partition(":")[0].lower()
        if scheme == "https":
            _check_https(uri, "The List-Unsubscribe address")
        elif scheme == "mailto":
            if not _MAILTO.fullmatch(uri):
                raise MessageError(
                    f"The List-Unsubscribe address {quote_value(uri)} is not a valid mailto: address; write it like "
                    "mailto:unsubscribe@clinic.example?subject=unsubscribe."
                )
        else:
            raise MessageError(
                f"The List-Unsubscribe address {quote_value(uri)} uses {quote_value(scheme + ':')}; only mailto: and "
                "https:// are allowed."
            )
        uris.append(uri)
    if len(uris) > MAX_LIST_UNSUBSCRIBE_URIS:
        raise MessageError(
            f"The List-Unsubscribe value lists {len(uris)} addresses; give at most {MAX_LIST_UNSUBSCRIBE_URIS}."
        )
    return tuple(uris)


def check_list_unsubscribe_post(value: str, list_unsubscribe: str) -> None:
    """``List-Unsubscribe-Post`` is exactly ``List-Unsubscribe=One-Click``, next to an https address (RFC 8058)."""
    if value.strip() != ONE_CLICK:
        raise MessageError(f"List-Unsubscribe-Post must be exactly “{ONE_CLICK}” (RFC 8058), not {quote_value(value)}.")
    uris = list_unsubscribe_uris(list_unsubscribe) if list_unsubscribe.strip() else ()
    if not any(uri.lower().startswith("https://") for uri in uris):
        raise MessageError(
            "One-click unsubscribe (List-Unsubscribe-Post) needs an <https://…> List-Unsubscribe address."
        )


def check_unsubscribe_url(url: str) -> None:
    """Paubox's ``unsubscribe_url`` option: one https:// URL, no spaces or controls, bounded."""
    check_header_value(url, "The unsubscribe URL")
    if len(url) > MAX_UNSUBSCRIBE_URL_LENGTH:
        raise MessageError(
            f"The unsubscribe URL is {len(url)} characters long; the limit is {MAX_UNSUBSCRIBE_URL_LENGTH}."
        )
    if any(c.isspace() or c in '<>"' for c in url):
        raise MessageError(
            f"The unsubscribe URL {quote_value(url)} contains a space, quote or angle bracket; remove it."
        )
    _check_https(url, "The unsubscribe URL")


@dataclass(frozen=True)
class Attachment:
    """A file to send. ``content_b64`` is strict base64 (no line breaks), as Paubox expects."""

    file_name: str
    content_type: str
    content_b64: str

    @classmethod
    def from_bytes(cls, file_name: str, content_type: str, data: bytes) -> Attachment:
        """A new attachment; refuses (MessageError) a name or content type :meth:`check` would refuse.

        Messages read back from the store are built directly, so a stored message always loads;
        :meth:`OutgoingMessage.validate` checks every attachment again before anything is sent.
        """
        attachment = cls(file_name, content_type, base64.b64encode(data).decode("ascii"))
        attachment.check()
        return attachment

    def check(self) -> None:
        """Raise MessageError if the name or the content type would be refused."""
        check_file_name(self.file_name)
        check_content_type(self.content_type, self.file_name)

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
    open_tracking: bool | None = None
    """``None``: the Paubox account's default; True/False: ``override_open_tracking`` is sent."""
    link_tracking: bool | None = None
    list_unsubscribe: str = ""
    """The ``List-Unsubscribe`` header value (``<mailto:…>, <https://…>``), or "" for none."""
    list_unsubscribe_post: bool = False
    """Send ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (needs an https address above)."""
    unsubscribe_url: str = ""
    """Paubox's ``unsubscribe_url`` option (a sibling of ``message``, single sends only)."""
    tag: str = ""
    meta: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def all_recipients(self) -> tuple[Address, ...]:
        return self.to + self.cc + self.bcc

    @property
    def has_send_options(self) -> bool:
        """Whether it carries an option that is a sibling of ``message`` in ``POST messages``
        (a tracking choice, ``unsubscribe_url``): ``bulk_messages`` items have no place for one."""
        return self.open_tracking is not None or self.link_tracking is not None or bool(self.unsubscribe_url)

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
            check_header_name(name)
            check_header_value(value, f"The value of {name}")
        if self.list_unsubscribe:
            list_unsubscribe_uris(self.list_unsubscribe)
        if self.list_unsubscribe_post:
            check_list_unsubscribe_post(ONE_CLICK, self.list_unsubscribe)
        if self.unsubscribe_url:
            check_unsubscribe_url(self.unsubscribe_url)
        for attachment in self.attachments:
            attachment.check()
            try:
                base64.b64decode(attachment.content_b64, validate=True)
            except binascii.Error:
                raise MessageError(f"Attachment “{attachment.file_name}” is not valid base64.") from None
        total = sum(a.encoded_size for a in self.attachments)
        if total > attachment_limit:
            size_mb, limit_mb = over_limit_megabytes(total, attachment_limit)
            raise MessageError(
                f"Attachments are {size_mb:.1f} MB once encoded; the limit is "
                f"{limit_mb:.1f} MB. Remove a file or send it in a separate message."
            )


__all__ = [
    "DEFAULT_ATTACHMENT_LIMIT_BYTES",
    "LIST_UNSUBSCRIBE",
    "LIST_UNSUBSCRIBE_POST",
    "MAX_FILE_NAME_BYTES",
    "ONE_CLICK",
    "AddressError",
    "Attachment",
    "MessageError",
    "OutgoingMessage",
    "check_content_type",
    "check_file_name",
    "check_header_name",
    "check_list_unsubscribe_post",
    "check_unsubscribe_url",
    "list_unsubscribe_uris",
    "message_from_dict",
    "message_to_dict",
    "quote_value",
]


def message_to_dict(message: OutgoingMessage) -> dict[str, object]:
    """A JSON-safe form for the encrypted store; the inverse of :func:`message_from_dict`.

    Tracking is three-state but stored compatibly: ``open_tracking`` (as before) is true only when
    tracking was chosen on, and ``open_tracking_off`` is written only when it was chosen off. A
    message stored before tracking had three states holds ``open_tracking: false`` for "nothing
    chosen" (the old composer had no way to say "off"), so it loads as ``None`` (the account
    default). The unsubscribe fields are written only when set, so a message without them is
    stored exactly as before (mail-merge batches started earlier still match their rows).
    """

    def addresses(items: tuple[Address, ...]) -> list[list[str]]:
        return [[a.email, a.display_name] for a in items]

    data: dict[str, object] = {
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
        "open_tracking": message.open_tracking is True,
        "link_tracking": message.link_tracking is True,
        "tag": message.tag,
        "meta": dict(message.meta),
    }
    for name, choice in (("open_tracking", message.open_tracking), ("link_tracking", message.link_tracking)):
        if choice is False:
            data[f"{name}_off"] = True
    if message.list_unsubscribe:
        data["list_unsubscribe"] = message.list_unsubscribe
    if message.list_unsubscribe_post:
        data["list_unsubscribe_post"] = True
    if message.unsubscribe_url:
        data["unsubscribe_url"] = message.unsubscribe_url
    return data


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
        open_tracking=_tracking_choice(data, "open_tracking"),
        link_tracking=_tracking_choice(data, "link_tracking"),
        list_unsubscribe=str(data.get("list_unsubscribe", "")),
        list_unsubscribe_post=bool(data.get("list_unsubscribe_post", False)),
        unsubscribe_url=str(data.get("unsubscribe_url", "")),
        tag=str(data.get("tag", "")),
        meta={str(k): str(v) for k, v in data.get("meta", {}).items()},
    )


def _tracking_choice(data: dict[str, Any], name: str) -> bool | None:
    """True (chosen on), False (chosen off) or None (account default; also every old stored false)."""
    if data.get(f"{name}_off"):
        return False
    return True if data.get(name) else None
