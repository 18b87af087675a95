"""Where and how the client talks to Paubox: base-URL presets, auth style, the key wrapper."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from desktop_app.api.errors import InvalidInput
from desktop_app.core.errors import KnownError
from desktop_app.core.limits import DEFAULT_ATTACHMENT_LIMIT_BYTES
from desktop_app.core.records import Secret as Secret  # where the client and its callers have always found it


class AuthStyle(StrEnum):
    TOKEN = "token"  # noqa: S105 (an auth style name, not a secret)
    # Authorization: Token token=KEY (accepted by every API generation)
    BEARER = "bearer"  # Authorization: Bearer KEY (preferred by the newest docs)


class BasePreset(StrEnum):
    LEGACY = "legacy"
    V1 = "v1"
    V1_EMAIL = "v1_email"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return {
            BasePreset.LEGACY: "Legacy (api.paubox.net/v1/<username>)",
            BasePreset.V1: "v1 (api.paubox.com/v1)",
            BasePreset.V1_EMAIL: "Current (api.paubox.com/v1/email)",
            BasePreset.CUSTOM: "Custom URL",
        }[self]


PRESET_URLS: dict[BasePreset, str] = {
    BasePreset.LEGACY: "https://api.paubox.net/v1/{username}",
    BasePreset.V1: "https://api.paubox.com/v1",
    BasePreset.V1_EMAIL: "https://api.paubox.com/v1/email",
}


_USERNAME = re.compile(r"[A-Za-z0-9._-]{1,64}")  # it becomes a URL path segment


def preset_url(preset: BasePreset, username: str = "") -> str:
    if preset is BasePreset.CUSTOM:
        raise ValueError("a custom preset has no fixed URL")
    if preset is BasePreset.LEGACY and not username:
        raise InsecureEndpointError("The legacy endpoint needs your API username from the Paubox dashboard.")
    if preset is BasePreset.LEGACY and not _USERNAME.fullmatch(username):
        raise InsecureEndpointError("The API username may hold only letters, digits, dots, dashes and underscores.")
    return PRESET_URLS[preset].format(username=username)


class InsecureEndpointError(KnownError, ValueError):
    """The base URL would send the key or PHI somewhere it must not go."""


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """Return the URL without a trailing slash, or refuse it: HTTPS only, http for loopback only."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if not host:
        raise InsecureEndpointError(f"“{url}” is not a complete URL.")
    if parts.scheme == "https":
        pass
    elif parts.scheme == "http":
        if not is_loopback_host(host):
            raise InsecureEndpointError("Plain http:// is only allowed for the local sandbox; use https:// for Paubox.")
    else:
        raise InsecureEndpointError(f"“{parts.scheme}” URLs are not supported; use https://.")
    if parts.username or parts.password:
        raise InsecureEndpointError("Put credentials in Settings, not in the URL.")
    return url.strip().rstrip("/")


_KEY = re.compile(r"[\x21-\x7e]*")  # printable ASCII, no spaces: anything else breaks (or smuggles) headers


@dataclass(frozen=True)
class ApiConfig:
    """Everything the client needs; the key is a :class:`Secret` so a stray print shows nothing."""

    base_url: str
    api_key: Secret
    auth_style: AuthStyle = AuthStyle.TOKEN
    requests_per_second: float = 10.0
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    # One overall limit per request over connect, TLS, sending, headers and body (the timeouts
    # above are per operation, so a trickling server never trips them); grown with the payload
    # size by the client the way the write timeout is. Past it a send is ambiguous, a read retryable.
    request_deadline: float = 60.0
    max_connections: int = 8
    attachment_limit_bytes: int = DEFAULT_ATTACHMENT_LIMIT_BYTES
    ca_bundle: str | None = None  # an extra trusted CA file (a corporate TLS proxy); certifi's stay trusted

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", check_base_url(self.base_url))

    def authorization(self) -> str:
        """The Authorization header value; a key that cannot travel in a header is refused, unquoted."""
        key = self.api_key.reveal()
        if not _KEY.fullmatch(key):
            raise InvalidInput("The API key contains spaces or characters a key never has; paste it again.")
        return f"Bearer {key}" if self.auth_style is AuthStyle.BEARER else f"Token token={key}"
