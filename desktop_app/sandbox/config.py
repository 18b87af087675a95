"""Sandbox configuration, shared by the embedded server and the command line."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from .faults import FaultConfig

MAX_BODY_BYTES = 60 * 1024 * 1024  # above Paubox's 50 MB message limit, so base64 overhead still fits


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
    retention: int = 100_000  # newest messages (and schedules) kept; older ones are forgotten
    webhook_retries: int = 0  # Paubox never retries; >0 retries failed webhook POSTs (for tests)
    webhook_timeout: float = 5.0
    webhooks_key: str = ""  # the webhooks service's scoped key (all events); "" = generate one
    # Test switch: let the webhooks service register plain http:// loopback targets (Paubox: https only).
    webhook_http_loopback: bool = False
    webhook_ca_file: str | None = None  # extra CA trusted for https deliveries (a test receiver's)
    max_body_bytes: int = MAX_BODY_BYTES

    def __post_init__(self) -> None:
        if not self.allow_non_loopback and not is_loopback(self.host):
            raise ValueError(f"refusing non-loopback host {self.host!r} without allow_non_loopback")
        if self.delivery_delay < 0 or self.retention < 1 or self.webhook_retries < 0:
            raise ValueError("delivery_delay, retention and webhook_retries must be positive")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
