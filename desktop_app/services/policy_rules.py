"""What the policies mean for one outgoing message, for the GUI and the CLI alike.

:func:`govern` fills in what a message leaves open (tracking, from the effective setting) and
forces what a managed policy locks (ForceSecureNotification); :func:`check` refuses what no policy
allows (delivery without TLS, a sender outside AllowedSenders, a tracking choice against a managed
one), naming the policy. Runtime.prepare and the batch path call both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from desktop_app.core.addresses import AddressError, parse_address
from desktop_app.core.message import MessageError, OutgoingMessage
from desktop_app.services.policies import Origin, Source
from desktop_app.services.settings_schema import Settings

TRACKING = {"on": True, "off": False, "account": None}


def _managed(origins: Mapping[str, Origin], name: str) -> bool:
    origin = origins.get(name)
    return origin is not None and origin.source is Source.MANAGED and origin.locked


def govern(message: OutgoingMessage, settings: Settings, origins: Mapping[str, Origin]) -> OutgoingMessage:
    """The message with the effective defaults for what it leaves open and the locked values."""
    changes: dict[str, object] = {}
    if _managed(origins, "force_secure_notification"):
        changes["force_secure_notification"] = settings.force_secure_notification
    for name in ("open_tracking", "link_tracking"):
        if getattr(message, name) is None:
            changes[name] = TRACKING[getattr(settings, name)]
    # Only what differs: the account's default leaves a message as it is, and a mail merge governs
    # every row (dataclasses.replace costs ≈ 30 µs a message).
    changes = {name: value for name, value in changes.items() if getattr(message, name) != value}
    return replace(message, **changes) if changes else message  # type: ignore[arg-type]


def check(message: OutgoingMessage, settings: Settings, origins: Mapping[str, Origin]) -> None:
    """MessageError naming the policy if the organisation does not allow this message."""
    if message.allow_non_tls and not settings.allow_non_tls:
        raise MessageError(
            "Delivery without TLS is not allowed: no policy of your organisation allows it (AllowNonTLS)."
        )
    if settings.allowed_senders:
        try:
            sender = parse_address(message.sender).email.lower()
        except AddressError:
            sender = message.sender.strip().lower()
        allowed = {a.strip().lower() for a in settings.allowed_senders}
        if sender not in allowed:
            raise MessageError(
                f"The sender {message.sender} is not allowed by your organisation (AllowedSenders); "
                f"use {', '.join(sorted(allowed))}."
            )
    for name, policy in (("open_tracking", "OpenTracking"), ("link_tracking", "LinkTracking")):
        wanted, chosen = TRACKING[getattr(settings, name)], getattr(message, name)
        if _managed(origins, name) and chosen is not None and chosen != wanted:  # None: govern() fills it in
            what = name.replace("_", " ")
            raise MessageError(f"Your organisation sets {what} to {getattr(settings, name)} ({policy}).")


def content_export_refusal(settings: Settings, what: str) -> str:
    """Why exporting ``what`` (message content) is refused by NoContentExport, or ""."""
    return (
        f"Exporting {what} is not allowed by your organisation (NoContentExport)." if settings.no_content_export else ""
    )


ENDPOINT_SETTINGS = ("mode", "base_preset", "base_url")


def endpoint_override_refusal(origins: Mapping[str, Origin]) -> str:
    """Why ``--api-base-url`` is refused: a managed policy sets where messages go (Mode, EndpointPreset,
    BaseURL), and another endpoint must not be reachable around it; or ""."""
    locked = [origins[n].policy for n in ENDPOINT_SETTINGS if _managed(origins, n)]
    if not locked:
        return ""
    return f"--api-base-url is not allowed: your organisation sets the endpoint ({', '.join(locked)})."
