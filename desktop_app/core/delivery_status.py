"""Paubox's delivery-status vocabulary (paubox-api.md §6), in one place.

Plain data with no imports, so the GUI can offer the statuses as filters before the API client
(httpx, TLS) is loaded.
"""

from __future__ import annotations

INTERNAL_ERROR = "Internal error. Please check back later."

DELIVERY_STATUSES: tuple[str, ...] = (
    "processing",
    "delivered",
    "delivered via secure portal",
    "TLS not offered, sending via Secure Portal",
    "soft bounced",
    "soft bounced - mailbox full",
    "hard bounced",
    INTERNAL_ERROR,
)
"""The eight documented strings, exactly as Paubox writes them; anything else is shown verbatim."""

FINAL_DELIVERED = frozenset({"delivered", "delivered via secure portal"})
FINAL_BOUNCED = frozenset({"hard bounced"})


def is_final_status(status: str) -> bool:
    """Delivered or hard-bounced messages will not change again; unknown strings keep polling."""
    return status in FINAL_DELIVERED or status in FINAL_BOUNCED
