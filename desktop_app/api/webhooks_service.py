"""The separate Paubox webhooks service: ``https://api.paubox.com/v1/webhooks/endpoints``.

As the newest official SDKs call it (paubox-python3 ``paubox/webhooks.py``, paubox-node
``webhookService.js``, paubox-go ``webhooks_client.go``): a *scoped* key sent as ``Bearer``
(never ``Token token=``), UUID ids, ``page``/``items`` listing with ``page_info.count`` the total,
a ``signing_secret`` returned by create only, partial PATCH (``target_url``, ``status``,
``events``), DELETE answering 204, and errors as ``{"message": ...}``.

The older in-API ``webhook_endpoints`` (integer ids, ``webhooks.py``) stays available on
:class:`~desktop_app.api.client.PauboxClient`; this service is reached with
``PauboxClient.webhooks_service(key)``, which builds a second client (own connections, same
transport policy, deadline, size cap, redaction and activity events) on the service's base URL.

The scoped key and the signing secret are :class:`Secret` s: they never reach a ``repr``, a log
line, an activity event or an exception's text. Store the secret with
``desktop_app.store.webhook_secrets`` right after :meth:`WebhooksService.create`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from desktop_app.api.config import InsecureEndpointError, Secret, check_base_url
from desktop_app.api.errors import (
    Forbidden,
    InvalidInput,
    InvalidRequest,
    MalformedResponse,
    NotFound,
    NotServed,
    PauboxError,
    Unauthorized,
    UnverifiedSender,
)
from desktop_app.api.models import count_field, extra_fields, require_mapping, text_field

if TYPE_CHECKING:
    from types import TracebackType

    from desktop_app.api.client import PauboxClient

WEBHOOKS_SERVICE_URL = "https://api.paubox.com/v1/webhooks"
ENDPOINT_STATUSES = ("active", "disabled")
DEFAULT_PAGE_ITEMS = 50
MAX_PAGE_ITEMS = 100  # the Forms service's documented maximum; the webhooks service's is not published
_MAX_PAGES = 10_000  # a server that never says "last page" cannot keep an iterator going for ever
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_EVENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")
T = TypeVar("T")


def webhooks_service_url(root: str) -> str:
    """The service's base URL on another host (the sandbox's ``root_url``, a proxy)."""
    return check_base_url(root) + "/v1/webhooks"


def check_endpoint_uuid(value: str) -> str:
    """A webhook endpoint id of the service: a canonical UUID, or refused before it reaches a URL."""
    if not isinstance(value, str) or not _UUID.fullmatch(value):
        raise InvalidInput("That webhook endpoint id is not valid (it should look like 1b4e28ba-2fa1-11d2-883f-…).")
    return value.lower()


@dataclass(frozen=True)
class ServiceEndpoint:
    """An endpoint as get/list/update show it: never with its signing secret."""

    id: str
    target_url: str
    events: tuple[str, ...]
    status: str  # "active" or "disabled"; an unknown value passes through unchanged
    created_at: str = ""
    updated_at: str = ""
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True)
class CreatedEndpoint:
    """What create answers: the endpoint and its signing secret, which the service shows only this once."""

    endpoint: ServiceEndpoint
    signing_secret: Secret = field(repr=False)
    message: str = ""


@dataclass(frozen=True)
class EndpointPage:
    endpoints: tuple[ServiceEndpoint, ...]
    count: int | None  # total endpoints this key may see (page_info.count), if the service said
    page: int
    items: int

    @property
    def last(self) -> bool:
        """Whether no page follows this one."""
        if len(self.endpoints) < self.items:
            return True
        return self.count is not None and self.page * self.items >= self.count


_FIELDS = frozenset({"id", "target_url", "events", "status", "created_at", "updated_at", "signing_secret"})


def parse_service_endpoint(value: Any) -> ServiceEndpoint:
    mapping = require_mapping(value, "webhook endpoint")
    raw_id = mapping.get("id")
    if not isinstance(raw_id, str) or not _UUID.fullmatch(raw_id):
        raise MalformedResponse("Paubox sent a webhook endpoint without a usable id.")
    events = mapping.get("events")
    return ServiceEndpoint(
        id=raw_id.lower(),
        target_url=text_field(mapping.get("target_url")),
        events=tuple(e for e in events if isinstance(e, str)) if isinstance(events, list) else (),
        status=text_field(mapping.get("status")),
        created_at=text_field(mapping.get("created_at")),
        updated_at=text_field(mapping.get("updated_at")),
        extra=extra_fields(mapping, _FIELDS),
    )


def _data(body: Any, what: str) -> dict[str, Any]:
    data = require_mapping(body, what).get("data")
    return require_mapping(data, what)


def parse_single(body: Any) -> ServiceEndpoint:
    """``{"data": {endpoint}}`` (get, update)."""
    return parse_service_endpoint(_data(body, "webhook endpoint"))


def parse_created(body: Any) -> CreatedEndpoint:
    """``{"data": {endpoint, "signing_secret"}, "message"}``; a reply without the secret is malformed."""
    data = _data(body, "webhook endpoint")
    secret = data.get("signing_secret")
    if not isinstance(secret, str) or not secret:
        raise MalformedResponse(
            "Paubox created the webhook endpoint but sent no signing secret; delete it and create it again."
        )
    message = text_field(body.get("message")) if isinstance(body, dict) else ""
    return CreatedEndpoint(parse_service_endpoint(data), Secret(secret), message)


def parse_page(body: Any, page: int, items: int) -> EndpointPage:
    """``{"data": [...], "page_info": {"count": total, ...}}``."""
    mapping = require_mapping(body, "webhook endpoint list")
    rows = mapping.get("data")
    if not isinstance(rows, list):
        raise MalformedResponse("Paubox sent an unexpected webhook endpoint list.", detail=type(rows).__name__)
    info = mapping.get("page_info")
    count = count_field(info.get("count")) if isinstance(info, dict) else None
    return EndpointPage(tuple(parse_service_endpoint(row) for row in rows), count, page, items)


def _target(target_url: str) -> str:
    try:
        return check_base_url(target_url)
    except InsecureEndpointError as error:
        raise InvalidInput(f"Webhook target: {error}") from None


def _events(events: Sequence[str]) -> list[str]:
    """Checked for shape only: the catalog belongs to the service (an unknown name comes back 422)."""
    if isinstance(events, str) or not events:
        raise InvalidInput("Choose at least one webhook event.")
    if not all(isinstance(e, str) and _EVENT.fullmatch(e) for e in events):
        raise InvalidInput("A webhook event name may hold only letters, digits, dots, dashes and underscores.")
    return list(dict.fromkeys(events))


def _status(status: str) -> str:
    if status not in ENDPOINT_STATUSES:
        raise InvalidInput("A webhook endpoint's status is either active or disabled.")
    return status


def _page_number(value: int, name: str, limit: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
        raise InvalidInput(f"The webhook endpoint list's {name} must be a whole number from 1 to {limit}.")
    return value


class WebhooksService:
    """Typed calls to the webhooks service. Thread-safe like the client under it; close it when done."""

    def __init__(self, client: PauboxClient) -> None:
        self._client = client

    @property
    def base_url(self) -> str:
        return self._client.config.base_url

    def __repr__(self) -> str:
        return f"WebhooksService(base_url={self.base_url!r})"

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> WebhooksService:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def replace_key(self, key: Secret) -> None:
        self._client.replace_key(key)

    # ------------------------------------------------------------------------ calls

    def list_page(self, page: int = 1, items: int = DEFAULT_PAGE_ITEMS) -> EndpointPage:
        """One page (``GET endpoints?page=&items=``); endpoints with an event outside the key's scope
        are left out by the service."""
        page = _page_number(page, "page", _MAX_PAGES)
        items = _page_number(items, "page size", MAX_PAGE_ITEMS)
        params = {"page": str(page), "items": str(items)}
        return self._reworded(
            lambda: self._client._read(
                "webhooks/endpoints", "endpoints", lambda b: parse_page(b, page, items), params=params
            )
        )

    def iter_endpoints(self, items: int = DEFAULT_PAGE_ITEMS) -> Iterator[ServiceEndpoint]:
        """Every endpoint the key may see, fetching the next page only when the previous one is used up."""
        page = 1
        while True:
            current = self.list_page(page, items)
            yield from current.endpoints
            if current.last or page >= _MAX_PAGES:
                return
            page += 1

    def create(self, target_url: str, events: Sequence[str]) -> CreatedEndpoint:
        """Subscribe ``target_url`` (https) to ``events``; the result's ``signing_secret`` is shown only now."""
        body = {"target_url": _target(target_url), "events": _events(events)}
        return self._reworded(
            lambda: self._client._call("POST", "webhooks/endpoints", "endpoints", parse_created, json_body=body)
        )

    def get(self, endpoint_id: str) -> ServiceEndpoint:
        path = f"endpoints/{check_endpoint_uuid(endpoint_id)}"
        return self._reworded(lambda: self._client._read("webhooks/endpoints/{id}", path, parse_single))

    def update(
        self, endpoint_id: str, *, target_url: str | None = None, status: str | None = None,
        events: Sequence[str] | None = None,
    ) -> ServiceEndpoint:  # fmt: skip
        """Partial update: only the fields given are sent (the others stay as they are)."""
        path = f"endpoints/{check_endpoint_uuid(endpoint_id)}"
        body: dict[str, object] = {}
        if target_url is not None:
            body["target_url"] = _target(target_url)
        if status is not None:
            body["status"] = _status(status)
        if events is not None:
            body["events"] = _events(events)
        if not body:
            raise InvalidInput("Nothing to change on the webhook endpoint.")
        return self._reworded(
            lambda: self._client._call("PATCH", "webhooks/endpoints/{id}", path, parse_single, json_body=body)
        )

    def delete(self, endpoint_id: str) -> None:
        """Delete the endpoint (the service answers 204); its stored secret is then useless."""
        path = f"endpoints/{check_endpoint_uuid(endpoint_id)}"
        self._reworded(lambda: self._client._call("DELETE", "webhooks/endpoints/{id}", path, _no_body))

    # ------------------------------------------------------------------------ plumbing

    @staticmethod
    def _reworded(call: Callable[[], T]) -> T:
        """The client's words are about messages; the same error classes get webhook words here."""
        try:
            return call()
        except PauboxError as error:
            better = _reword(error)
            if better is None:
                raise
        raise better


def _no_body(body: Any) -> None:
    return None


def _reword(error: PauboxError) -> PauboxError | None:
    detail = error.detail
    suffix = f": {detail}" if detail else ""
    if isinstance(error, UnverifiedSender):  # 422 here is about the endpoint, never a sender
        return InvalidRequest(f"Paubox refused the webhook endpoint{suffix or ''}", status=error.status, detail=detail)
    if isinstance(error, Forbidden):
        return Forbidden(
            f"This webhooks key is not allowed to do that (often: it is not scoped for one of the events){suffix}",
            status=error.status, detail=detail,
        )  # fmt: skip
    if isinstance(error, Unauthorized):
        return Unauthorized(
            "The webhooks key was not accepted; the webhooks service needs a scoped API key from the Paubox "
            "dashboard (the Email API key does not work there)", status=error.status, detail=detail,
        )  # fmt: skip
    if isinstance(error, NotServed):
        return NotServed(
            "That address does not serve the Paubox webhooks service (the gateway answered 404); check its URL.",
            status=error.status, detail=detail,
        )  # fmt: skip
    if isinstance(error, NotFound):
        return NotFound("Paubox does not know that webhook endpoint (it may have been deleted).",
                        status=error.status, detail=detail)  # fmt: skip
    return None
