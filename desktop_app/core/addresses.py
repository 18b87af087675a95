"""Address and header rules shared by the composer, the CLI and the API client.

The acceptance policy (docs/security.md) in one place: addresses are checked syntactically with
email-validator (no DNS lookups: the app may be offline), display names are allowed, and any
CR, LF or NUL is refused outright because it would let a value inject extra mail headers.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.utils import getaddresses
from functools import lru_cache
from typing import TYPE_CHECKING

from desktop_app.core.errors import KnownError

if TYPE_CHECKING:
    from email_validator import ValidatedEmail

MAX_RECIPIENTS = 100
# parse_address is a pure function of its text, and a mail merge checks each address several
# times (the plan, then the API client's own re-check): remember that many recent outcomes.
PARSE_CACHE_SIZE = 4096
# ... and 50,000 distinct addresses of a mail merge sit at a handful of domains, whose check is most
# of email-validator's time: remember that many domains' outcomes (see _validator).
DOMAIN_CACHE_SIZE = 1024
# Everything Python (and some mail software) treats as a line break, plus NUL: each could end a
# header line early and start an injected one.
_LINE_BREAKS = re.compile(r"[\r\n\x00\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROL_CHARS = re.compile(r"[\x01-\x08\x0e-\x1b\x1f\x7f]")  # invisible; tab stays allowed
# Bidi embeddings, overrides and isolates reorder what the reader sees ("Jane\u202eelpmaxe.live").
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_FULL_WIDTH = re.compile(r"[\uff01-\uff5e]")  # full-width ASCII, typed with an East Asian IME on
_ENCODED_WORD = re.compile(r"=\?[^?]*\?[bq]\?[^?]*\?=", re.IGNORECASE)  # RFC 2047: decoded by the reader's client
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_SEPARATORS = re.compile(r"[,;\n]")  # where split_address_field may split
_NAME_SPECIALS = re.compile(r'[()<>\[\]:;@\\,."]')  # RFC 5322 specials: such a name must be quoted
# The everyday address (``jane.roe@clinic.example.org``, ``José Núñez <jose.nunez@clinic.example.org>``):
# a conservative subset that the full policy below accepts unchanged, checked without it (see _plain).
# The name is words of letters and digits in any script (``[^\W_]``: what str.isalnum accepts), joined
# inside a word by an apostrophe or a hyphen (O'Brien, the same with U+2019, Mary-Jane); the address itself is
# ASCII, spelt out as ranges because the pattern is compiled for Unicode.
_NAME_WORD = "[^\\W_]+(?:['\u2019-][^\\W_]+)*"
_PLAIN = re.compile(
    rf"(?:(?P<name>{_NAME_WORD}(?: {_NAME_WORD})*) <)?"
    r"(?P<local>[A-Za-z0-9](?:[A-Za-z0-9._+-]{0,62}[A-Za-z0-9_+-])?)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?(name)>)"
)
SPECIAL_USE_TOP_LABELS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})
"""email-validator's special-use domain names (RFC 6761 and others): it refuses them, so the
everyday path leaves them to it (tests/unit/test_addresses_plain.py compares with its list)."""
CASE_INSENSITIVE_MAILBOXES = frozenset({
    "info", "marketing", "sales", "support", "abuse", "noc", "security", "postmaster", "hostmaster", "usenet",
    "news", "webmaster", "www", "uucp", "ftp",
})  # fmt: skip
"""RFC 2142 mailbox names, which email-validator lower-cases (the same test compares with its list)."""


class AddressError(KnownError, ValueError):
    """An address or header value the user must correct; the message says how."""


@dataclass(frozen=True)
class Address:
    """One mailbox: the normalised address and an optional display name."""

    email: str
    display_name: str = ""

    def formatted(self) -> str:
        """The form Paubox accepts: ``Name <addr>`` or the bare address.

        Names stay readable Unicode (quoted when they hold specials such as a comma) rather than
        RFC 2047 encoded words: Paubox encodes headers itself, and the store's search index must
        find "Álvarez" as typed.
        """
        if not self.display_name:
            return self.email
        name = self.display_name
        if _NAME_SPECIALS.search(name):
            name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"{name} <{self.email}>"

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2].lower()


def check_header_value(value: str, what: str) -> None:
    """Refuse values that would break out of their header line or hide characters from the reader."""
    if _LINE_BREAKS.search(value):
        raise AddressError(f"{what} contains a line break or NUL character; remove it.")
    if _CONTROL_CHARS.search(value):
        raise AddressError(f"{what} contains an invisible control character; retype it.")


def parse_address(text: str) -> Address:
    """Parse one address, with or without a display name, or raise AddressError saying why.

    The acceptance policy is docs/security.md §3; every refusal names the problem and the fix.
    Outcomes are memoised (bounded, :data:`PARSE_CACHE_SIZE`): an :class:`Address` is frozen, so
    the same one can be handed out again; a refusal is remembered as its words only, and a fresh
    :class:`AddressError` is raised on every call.
    """
    outcome = _parse_outcome(text)
    if isinstance(outcome, str):
        raise AddressError(outcome) from None
    return outcome


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def _parse_outcome(text: str) -> Address | str:
    """:func:`_parse_uncached`'s address, or the words of its refusal."""
    try:
        return _parse_uncached(text)
    except AddressError as error:
        return str(error)


def _parse_uncached(text: str) -> Address:
    """The policy itself (see :func:`parse_address`), with no memo."""
    raw = text.strip()
    return _plain(raw) or parse_in_full(raw)


def parse_in_full(raw: str) -> Address:
    """The whole policy for a stripped ``raw``: the standard parser, then email-validator."""
    shown = f"“{_shorten(raw)}”"
    check_header_value(raw, shown)
    if not raw:
        raise AddressError("An address is empty.")
    if "＠" in raw:
        raise AddressError(f"{shown} uses a full-width ＠; type a plain @ instead.")
    if "@" not in raw:
        raise AddressError(
            f'{shown} is not a valid address: it has no @. A name with a comma must be in quotes, like "Doe, Jane" '
            "<jane@clinic.example>."
        )
    unquoted = _QUOTED.sub('""', raw)
    if unquoted.count('"') % 2:
        raise AddressError(f'{shown} has a quote (") that is never closed.')
    if "(" in unquoted or ")" in unquoted:
        raise AddressError(f"{shown} contains a comment in parentheses; write it as Name <address> instead.")
    parsed = getaddresses([raw])
    if len(parsed) != 1 or not parsed[0][1]:
        raise AddressError(f"{shown} is not a single email address.")
    name, addr = parsed[0]
    if "<" in unquoted and ">" not in unquoted:
        raise AddressError(f"{shown} has no closing “>”.")
    if "<" in unquoted and not raw.endswith(">"):
        raise AddressError(f"{shown} has text after the closing “>”.")
    name = _decoded_name(name.strip(), shown)
    if _FULL_WIDTH.search(addr):
        raise AddressError(f"{shown} contains full-width letters or signs; switch the keyboard to half-width input.")
    from email_validator import EmailNotValidError

    try:
        checked = _validator()(addr, check_deliverability=False, allow_quoted_local=True, strict=True)
    except EmailNotValidError as error:
        raise AddressError(f"“{_shorten(addr)}” is not a valid address: {error}") from None
    return Address(email=checked.normalized, display_name=name)


def _plain(raw: str) -> Address | None:
    """The everyday address, or None to leave ``raw`` to the full policy.

    A mail merge's addresses, and nearly everything typed, are ASCII dot-atoms at ordinary
    domains, optionally behind a name of plain words in any script. For those the full policy (the standard
    parser, then email-validator) can only say yes and hand back the address with its domain in
    lower case; this says the same without them, and a command that meets only such addresses
    never loads email-validator (its Unicode tables cost ≈ 30 ms to compile). The pattern is
    narrower than the policy: no quotes, comments, IDNA labels ("--"), special-use names or
    lengths near a limit. tests/unit/test_addresses_plain.py checks on generated text that
    whatever this accepts, the full policy accepts identically.
    """
    match = _PLAIN.fullmatch(raw)
    if match is None:
        return None
    local, domain = match["local"], match["domain"].lower()
    if ".." in local or "--" in domain or domain.rpartition(".")[2] in SPECIAL_USE_TOP_LABELS:
        return None
    if len(domain) > 253 or len(local) + 1 + len(domain) > 254:
        return None
    if local.lower() in CASE_INSENSITIVE_MAILBOXES:
        local = local.lower()
    return Address(email=f"{local}@{domain}", display_name=match["name"] or "")


@lru_cache(maxsize=1)
def _validator() -> Callable[..., ValidatedEmail]:
    """email-validator's ``validate_email``, with its check of the domain memoised.

    Loaded at the first address, not with this module: the settings load core (through the API
    config) before the window paints, and email-validator costs more to import than the paint.
    Its domain check (syntax, IDNA, ≈ 100 µs) is a pure function of the domain's text and its two
    switches, and was two thirds of checking one address of a mail merge. The outcome is remembered
    (:data:`DOMAIN_CACHE_SIZE`): a copy of the result on every call, a refusal raised afresh with its words.
    """
    from email_validator import EmailSyntaxError, validate_email

    module = importlib.import_module("email_validator.validate_email")  # the function shadows the module's name
    original = getattr(module, "validate_email_domain_name")  # noqa: B009  # set below: mypy sees no attribute
    if getattr(original, "memoised", False):
        return validate_email

    @lru_cache(maxsize=DOMAIN_CACHE_SIZE)
    def outcome(domain: str, test_environment: bool, globally_deliverable: bool) -> dict[str, str] | str:
        try:
            return dict(original(domain, test_environment=test_environment, globally_deliverable=globally_deliverable))
        except EmailSyntaxError as error:
            return str(error)

    def memoised(domain: str, test_environment: bool = False, globally_deliverable: bool = True) -> dict[str, str]:
        result = outcome(domain, test_environment, globally_deliverable)
        if isinstance(result, str):
            raise EmailSyntaxError(result)
        return dict(result)

    memoised.memoised = True  # type: ignore[attr-defined]
    memoised.cache_info = outcome.cache_info  # type: ignore[attr-defined]
    setattr(module, "validate_email_domain_name", memoised)  # noqa: B010
    return validate_email


def _decoded_name(name: str, shown: str) -> str:
    """The display name as the reader will see it, refused if that would disguise the address.

    RFC 2047 encoded words (``=?utf-8?b?…?=``, which :meth:`Address.formatted` itself produces for
    non-ASCII names) are decoded first, so nothing can hide inside them.
    """
    if _ENCODED_WORD.search(name):
        try:
            name = str(make_header(decode_header(name)))
        except (HeaderParseError, LookupError, UnicodeDecodeError, ValueError):
            raise AddressError(f"The name in {shown} contains encoded text (=?…?=) that cannot be read; "
                               "type the name itself.") from None  # fmt: skip
        check_header_value(name, f"The name in {shown}")
    if _BIDI_CONTROLS.search(name):
        raise AddressError(f"The name in {shown} contains invisible text-direction characters; retype it.")
    if "<" in name or ">" in name:
        raise AddressError(f"The name in {shown} contains “<” or “>”; remove them from the name.")
    return name


def split_address_field(text: str) -> list[str]:
    """Split what a user typed into one string per address.

    Commas and semicolons separate addresses, except inside a quoted display name
    (``"Doe, Jane" <jane@example.org>``) or inside angle brackets.
    """
    if not _SEPARATORS.search(text):  # one address (a mail merge's every row): nothing to split
        return [text.strip()] if text.strip() else []
    return _split_at_separators(text)


def _split_at_separators(text: str) -> list[str]:
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
    """The value as an error message may quote it: short, and unable to break or reorder the line."""
    visible = _BIDI_CONTROLS.sub("\ufffd", _CONTROL_CHARS.sub("\ufffd", _LINE_BREAKS.sub("\ufffd", text)))
    return visible if len(visible) <= limit else visible[: limit - 1] + "…"
