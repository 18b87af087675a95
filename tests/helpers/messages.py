"""The one way tests build an outgoing message: a plausible clinic message, any field changed."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from desktop_app.core.addresses import Address
from desktop_app.core.message import OutgoingMessage

SENDER = "staff@clinic.example"


def make_message(
    subject: str = "Lab results",
    to: str | Sequence[Address] = "pat@example.org",
    *,
    name: str = "Pat",
    text: str = "Hello",
    sender: str = SENDER,
    **changes: Any,
) -> OutgoingMessage:
    """A message from ``sender`` to ``to`` (one address, named ``name``, or the addresses given).

    Every other field of :class:`OutgoingMessage` can be set by keyword (``cc``, ``attachments``,
    ``custom_headers``...); the message validates as it would for a user.
    """
    recipients = (Address(to, name),) if isinstance(to, str) else tuple(to)
    return dataclasses.replace(OutgoingMessage(sender=sender, to=recipients, subject=subject, text=text), **changes)
