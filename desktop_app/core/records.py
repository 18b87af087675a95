"""Plain value types that several layers pass around: no I/O, no Qt, nothing that loads a library.

They live in ``core`` so the store can keep what the API client reports (an activity event, a
recipient's delivery) without importing the client, and the layers only ever point downwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ActivityEvent:
    """One HTTP request, as the log viewer shows it: only what is safe to show anyone."""

    at: float  # epoch seconds
    method: str
    endpoint: str  # e.g. "messages", "message_receipt", "dynamic_templates/{id}"
    status: int | None  # None when no response arrived
    latency_ms: float
    attempt: int
    outcome: str  # "ok", "not_sent", "ambiguous", "rejected", "malformed"
    tracking_id: str = ""
    error: str = ""  # an error class name or Paubox's error title; never content


ActivityListener = Callable[[ActivityEvent], None]


@dataclass(frozen=True)
class RecipientDelivery:
    """One recipient's delivery and open status, as Paubox's receipt reports it."""

    recipient: str
    delivery_status: str
    delivery_time: str = ""
    opened_status: str = ""
    opened_time: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


class Secret:
    """A key that never shows itself: ``repr``/``str`` are masked so logs and tracebacks stay clean."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)
