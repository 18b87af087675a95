"""Sandbox configuration, shared by the embedded server and the command line."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from .faults import FaultConfig

MAX_BODY_BYTES = 60 * 1024 * 1024  # above Paubox's 50 MB message limit, so base64 overhead still fits
DEFAULT_ATTACHMENT_LIMIT_MB = 10.0
"""Attachments per message, counted encoded (base64), in MiB: the stricter of Paubox's two
published figures (10 MB on the limits page, 50 MB on the attachments page). The client's
``core.message.DEFAULT_ATTACHMENT_LIMIT_BYTES`` is the same number (a test keeps them equal)."""

KEY_GENERATIONS = ("legacy", "v1", "v1_email")


@dataclass
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0 = pick a free port
    api_key: str = ""  # "" = generate a random key
    api_username: str = "sandbox"
    delivery_delay: float = 2.0  # seconds from processing to the final status
    verified_domains: tuple[str, ...] = ()  # empty = every domain verified
    allow_non_loopback: bool = False
    faults: FaultConfig = field(default_factory=FaultConfig)
    strict_newest: bool = False  # route only /v1/email/…; /v1/… and /v1/<user>/… answer the HTML 404
    # Realistic mode (docs/sandbox.md): the key belongs to one generation (``key_generation``) and
    # works only there, with the auth styles that generation's sources document; a wrong generation is
    # answered the way Paubox answers it (the legacy 401, or the gateway's HTML 404).
    realistic: bool = False
    key_generation: str = "legacy"  # legacy | v1 | v1_email (only read in realistic mode)
    retention: int = 100_000  # newest messages (and schedules) kept; older ones are forgotten
    webhook_retries: int = 0  # Paubox never retries; >0 retries failed webhook POSTs (for tests)
    webhook_timeout: float = 5.0
    webhooks_key: str = ""  # the webhooks service's scoped key (all events); "" = generate one
    # Test switch: let the webhooks service register plain http:// loopback targets (Paubox: https only).
    webhook_http_loopback: bool = False
    webhook_ca_file: str | None = None  # extra CA trusted for https deliveries (a test receiver's)
    max_body_bytes: int = MAX_BODY_BYTES
    attachment_limit_mb: float = DEFAULT_ATTACHMENT_LIMIT_MB  # larger attachments: 400 "Failed to send"
    open_tracking: bool = True  # the account's default when a send has no override_open_tracking
    link_tracking: bool = True  # the account's default when a send has no override_link_tracking

    @property
    def attachment_limit_bytes(self) -> int:
        return int(self.attachment_limit_mb * 1024 * 1024)

    def __post_init__(self) -> None:
        if not self.allow_non_loopback and not is_loopback(self.host):
            raise ValueError(f"refusing non-loopback host {self.host!r} without allow_non_loopback")
        if self.delivery_delay < 0 or self.retention < 1 or self.webhook_retries < 0:
            raise ValueError("delivery_delay, retention and webhook_retries must be positive")
        if self.key_generation not in KEY_GENERATIONS:
            raise ValueError(f"key_generation must be one of {', '.join(KEY_GENERATIONS)}")
        if not self.attachment_limit_mb > 0:
            raise ValueError("attachment_limit_mb must be positive")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
