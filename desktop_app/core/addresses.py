"""Address and header rules shared by the composer, the CLI and the API client.

The acceptance policy (docs/security.md) in one place: addresses are checked syntactically with
email-validator (no DNS lookups: the app may be offline), display names are allowed, and any
CR, LF or NUL is refused outright because it would let a value inject extra mail headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import formataddr, getaddresses

from email_validator import EmailNotValidError, validate_email

MAX_RECIPIENTS = 100
_FORBIDDEN_HEADER_CHARS = re.compile(r"[\r\n\x00]")


class AddressError(ValueError):
    """An address or header value the user must correct; the message says how."""


@dataclass(frozen=True)
class Address:
    """One mailbox: the normalised address and an optional display name."""

    email: str
    display_name: str = ""

    def formatted(self) -> str:
        """The form Paubox accepts: ``Name <addr>`` or the bare address."""
        return formataddr((self.display_name, self.email)) if self.display_name else self.email

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2].lower()


def check_header_value(value: str, what: str) -> None:
    """Refuse values that would break out of their header line."""
    if _FORBIDDEN_HEADER_CHARS.search(value):
        raise AddressError(f"{what} contains a line break or NUL character; remove it.")


def parse_address(text: str) -> Address:
    """Parse one address, with or without a display name, or raise AddressError saying why."""
    raw = text.strip()
    check_header_value(raw, f"“{_shorten(raw)}”")
    if not raw:
        raise AddressError("An address is empty.")
    if "＠" in raw:
        raise AddressError(f"“{_shorten(raw)}” uses a full-width ＠; type a plain @ instead.")
    parsed = getaddresses([raw])
    if len(parsed) != 1 or not parsed[0][1]:
        raise AddressError(f"“{_shorten(raw)}” is not a single email address.")
    name, addr = parsed[0]
    if "<" in raw and not raw.endswith(">"):
        raise AddressError(f"“{_shorten(raw)}” has text after the closing “>”.")
    try:
        checked = validate_email(addr, check_deliverability=False, allow_quoted_local=True)
    except EmailNotValidError as error:
        raise AddressError(f"“{_shorten(addr)}” is not a valid address: {error}") from None
    return Address(email=checked.normalized, display_name=name.strip())


def split_address_field(text: str) -> list[str]:
    """Split what a user typed into one string per address.

    Commas and semicolons separate addresses, except inside a quoted display name
    (``"Doe, Jane" <jane@example.org>``) or inside angle brackets.
    """
    parts: list[str] = []
    current: list[str] = []
    in_quotes = False
    depth = 0
    for char in text:
        if char == '"' and (not current or current[-1] != "\\"):
            in_quotes = not in_quotes
        elif not in_quotes and char == "<":
            depth += 1
        elif not in_quotes and char == ">":
            depth = max(0, depth - 1)
        if char in ",;\n" and not in_quotes and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


@dataclass(frozen=True)
class AddressFieldResult:
    """What a To/Cc/Bcc field holds: the good addresses and, for each bad one, why."""

    addresses: tuple[Address, ...]
    errors: tuple[str, ...]


def parse_address_field(text: str) -> AddressFieldResult:
    """Parse a whole To/Cc/Bcc field, collecting every problem instead of stopping at the first."""
    addresses: list[Address] = []
    errors: list[str] = []
    for part in split_address_field(text):
        try:
            addresses.append(parse_address(part))
        except AddressError as error:
            errors.append(str(error))
    return AddressFieldResult(tuple(addresses), tuple(errors))


def check_recipient_count(count: int) -> None:
    if count == 0:
        raise AddressError("Add at least one recipient.")
    if count > MAX_RECIPIENTS:
        raise AddressError(
            f"{count} recipients is more than Paubox accepts in one message ({MAX_RECIPIENTS}); "
            "split them or use a bulk send."
        )


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
