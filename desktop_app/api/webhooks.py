"""``/webhook_endpoints`` management as the newest SDKs model it (not in Paubox's OpenAPI).

Replies come wrapped (``{"data": {...}}``, ``{"message": ..., "data": {...}}``) or bare depending on
the source; both are read. Signing keys and API keys are kept out of ``repr`` so a log line never shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from desktop_app.api.config import InsecureEndpointError, check_base_url
from desktop_app.api.errors import InvalidInput, MalformedResponse
from desktop_app.api.models import extra_fields, numeric_id, optional_text, require_mapping, text_field

WEBHOOK_EVENTS = (
    "api_mail_log_delivered",
    "api_mail_log_temporary_failure",
    "api_mail_log_permanent_failure",
    "api_mail_log_opened",
)


@dataclass(frozen=True)
class WebhookEndpoint:
    id: int
    target_url: str
    events: tuple[str, ...]
    active: bool = True
    signing_key: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)
    created_at: str = ""
    updated_at: str = ""
    extra: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class WebhookChange:
    """Create/update/delete replies: Paubox's sentence and the endpoint as it now stands (if sent)."""

    message: str
    endpoint: WebhookEndpoint | None


_FIELDS = frozenset({"id", "target_url", "events", "active", "signing_key", "api_key", "created_at", "updated_at"})


def _unwrap(body: Any, what: str) -> dict[str, Any]:
    mapping = require_mapping(body, what)
    data = mapping.get("data")
    return data if isinstance(data, dict) else mapping


def parse_endpoint(body: Any) -> WebhookEndpoint:
    mapping = _unwrap(body, "webhook endpoint")
    events = mapping.get("events")
    active = mapping.get("active")
    return WebhookEndpoint(
        id=numeric_id(mapping.get("id"), "a webhook endpoint"),
        target_url=text_field(mapping.get("target_url")),
        events=tuple(e for e in events if isinstance(e, str)) if isinstance(events, list) else (),
        active=active if isinstance(active, bool) else True,
        signing_key=optional_text(mapping.get("signing_key")),
        api_key=optional_text(mapping.get("api_key")),
        created_at=text_field(mapping.get("created_at")),
        updated_at=text_field(mapping.get("updated_at")),
        extra=extra_fields(mapping, _FIELDS),
    )


def parse_endpoint_list(body: Any) -> list[WebhookEndpoint]:
    items = body.get("data") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise MalformedResponse("Paubox sent an unexpected webhook endpoint list.", detail=type(items).__name__)
    return [parse_endpoint(item) for item in items]


def parse_endpoint_change(body: Any) -> WebhookChange:
    if body is None:  # the newer service answers a delete with 204 and no body
        return WebhookChange("", None)
    mapping = require_mapping(body, "webhook reply")
    data = mapping.get("data")
    return WebhookChange(text_field(mapping.get("message")), parse_endpoint(data) if isinstance(data, dict) else None)


def endpoint_fields(
    *, target_url: str | None, events: tuple[str, ...] | list[str] | None, active: bool | None,
    signing_key: str | None,
) -> dict[str, object]:  # fmt: skip
    """The JSON body for create/update, only the fields given, each checked first."""
    fields: dict[str, object] = {}
    if target_url is not None:
        try:
            check_base_url(target_url)
        except InsecureEndpointError as error:
            raise InvalidInput(f"Webhook target: {error}") from None
        fields["target_url"] = target_url.strip()
    if events is not None:
        if not events or not all(isinstance(e, str) and e for e in events):
            raise InvalidInput("Choose at least one webhook event.")
        fields["events"] = list(dict.fromkeys(events))
    if active is not None:
        fields["active"] = active
    if signing_key is not None:
        fields["signing_key"] = signing_key
    if not fields:
        raise InvalidInput("Nothing to change on the webhook endpoint.")
    return fields
