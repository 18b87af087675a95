"""Audit entries as RFC 5424 syslog messages with RFC 6587 octet-counted framing (pure, no I/O).

Each message carries the entry's chain fields as structured data (``[sealpost@32473 …]``): the
profile, a sequence number (the entry id: the collector de-duplicates on profile + seq), the exact
timestamp, actor, action, message id and the previous and own hash, so the collector can check
that each entry follows the one before. The entry's ``detail`` travels too, and then the collector
can recompute the hash itself, unless it could hold PHI (free text such as a review note, or
anything that looks like an address or a credential, or control characters a collector would
rewrite): then only its SHA-256 travels (``detail-sha256``) and the chain is checked by its links.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from desktop_app.core.errors import KnownError
from desktop_app.core.redact import redact

SD_ID = "sealpost@32473"
"""Structured-data id: 32473 is the private enterprise number RFC 5612 reserves for examples."""
FACILITY_LOG_AUDIT = 13
SEVERITY_NOTICE = 5
PRIORITY = FACILITY_LOG_AUDIT * 8 + SEVERITY_NOTICE
FREE_TEXT_ACTIONS = frozenset({"review"})
"""Actions whose detail a person typed: never forwarded as text."""


class ForwardingTargetError(KnownError, ValueError):
    """The audit-forwarding setting is not ``tcp://host:port`` or ``tls://host:port``."""


@dataclass(frozen=True)
class Target:
    scheme: str  # "tcp" or "tls"
    host: str
    port: int

    @property
    def name(self) -> str:
        """The collector as the ledger keys it."""
        return f"{self.scheme}://{self.host}:{self.port}"


def parse_target(text: str) -> Target | None:
    """``tcp://host:port`` or ``tls://host:port``; "" is off.

    A TLS collector's certificate is checked against the system's trust store (an organisation's
    own CA is installed there, as for any other internal service; OpenSSL's ``SSL_CERT_FILE``
    also applies), and its host name must match.
    """
    if not text.strip():
        return None
    parts = urlsplit(text.strip())
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in ("tcp", "tls") or not parts.hostname or port is None or parts.path or parts.query:
        raise ForwardingTargetError(f"audit forwarding {text!r} is not tcp://host:port or tls://host:port")
    return Target(parts.scheme, parts.hostname, port)


class ChainFields(Protocol):
    """What one audit entry contributes to its syslog message (store.audit_log.AuditEntry has it)."""

    @property
    def id(self) -> int: ...
    @property
    def at(self) -> float: ...
    @property
    def actor(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def message_id(self) -> int | None: ...
    @property
    def detail(self) -> str: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...


def forwardable_detail(action: str, detail: str) -> bool:
    """Whether the detail may travel as text: not typed by a person, nothing address- or key-like."""
    printable = all(c.isprintable() for c in detail)
    return action not in FREE_TEXT_ACTIONS and printable and redact(detail) == detail


def _sd_value(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def _token(text: str, limit: int) -> str:
    """A header field: printable US-ASCII without spaces, at most ``limit`` characters, "-" if empty."""
    cleaned = "".join(c if 33 <= ord(c) <= 126 else "_" for c in text)[:limit]
    return cleaned or "-"


def format_entry(entry: ChainFields, *, profile_id: str, hostname: str, procid: str) -> bytes:
    """One RFC 5424 message (without framing)."""
    stamp = dt.datetime.fromtimestamp(entry.at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    params = [("profile", profile_id), ("seq", str(entry.id)), ("at", repr(entry.at)), ("actor", entry.actor),
              ("action", entry.action), ("message", "" if entry.message_id is None else str(entry.message_id)),
              ("prev", entry.prev_hash), ("hash", entry.hash)]  # fmt: skip
    if forwardable_detail(entry.action, entry.detail):
        params.append(("detail", entry.detail))
    else:
        params.append(("detail-sha256", hashlib.sha256(entry.detail.encode("utf-8")).hexdigest()))
    data = " ".join(f'{name}="{_sd_value(value)}"' for name, value in params)
    text = f"audit {entry.id}: {entry.actor} {entry.action}"
    header = f"<{PRIORITY}>1 {stamp} {_token(hostname, 255)} sealpost {_token(procid, 128)} {_token(entry.action, 32)}"
    return f"{header} [{SD_ID} {data}] {text}".encode()


def frame(message: bytes) -> bytes:
    """RFC 6587 octet counting: the length in decimal, a space, the message."""
    return str(len(message)).encode("ascii") + b" " + message
