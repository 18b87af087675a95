"""The separate webhooks service (``/v1/webhooks/endpoints``), as the newest official SDKs call it.

Confirmed by the SDKs (paubox-python3 ``paubox/webhooks.py``, paubox-node ``webhookService.js``,
paubox-go ``webhooks_client.go``): Bearer *scoped* key, UUID ids, ``page``/``items`` listing
answered ``{"data": [...], "page_info": {"count": total, ...}}``, create ``{target_url, events}``
answered with the endpoint plus a ``signing_secret`` shown only there, partial PATCH of
``target_url``/``status``/``events``, DELETE 204, errors ``{"message": "..."}``, 403 for an event
the key is not scoped for, 422 for an unknown event or a non-https target, one 404 for a malformed
and an unknown id alike, and a list that leaves out endpoints carrying an event outside the key's
scope. Everything else here (wording, ``page_info`` fields besides ``count``, defaults, the
timestamps) is the sandbox's own choice; see docs/sandbox.md.

Unlike Paubox, targets on loopback are accepted (deliveries only ever go to loopback, see
``webhooks.py``), and plain ``http://`` loopback targets only when the sandbox runs with
``webhook_http_loopback`` (a test switch).
"""

from __future__ import annotations

import hmac
import json
import math
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aiohttp import web

from .config import is_loopback
from .delivery import WEBHOOK_EVENTS
from .dynamic_templates import now_iso
from .responses import GATEWAY_502_HTML, GATEWAY_504_HTML, gateway_404, html_response, json_response

if TYPE_CHECKING:
    from .runtime import Runtime

SERVICE_PREFIX = "/v1/webhooks/"
STATUSES = ("active", "disabled")
DEFAULT_ITEMS = 50
MAX_ITEMS = 100
_SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_NOT_FOUND = "Webhook endpoint not found"


class ServiceError(Exception):
    """An error of the webhooks service, rendered as ``{"message": "..."}``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}

    def response(self) -> web.Response:
        return json_response({"message": self.message}, status=self.status, headers=self.headers)


@dataclass(slots=True)
class ServiceEndpoint:
    id: str
    target_url: str
    events: list[str]
    status: str
    signing_secret: str  # shown once, in the create reply; never by get or list
    created_at: str
    updated_at: str

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "target_url": self.target_url,
            "events": list(self.events),
            "status": self.status,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


def new_signing_secret() -> str:
    return _SECRET_PREFIX + secrets.token_urlsafe(32)


def key_scope(rt: Runtime, key: str | None) -> frozenset[str] | None:
    """The events a presented scoped key may use, or None when it is not a webhooks key."""
    if key is None:
        return None
    for known, scope in rt.webhook_keys.items():
        if hmac.compare_digest(known.encode(), key.encode()):
            return scope
    return None


def presented_bearer(authorization: str | None) -> str | None:
    """Only ``Authorization: Bearer KEY`` (the SDKs' scheme); ``Token token=`` is not accepted here."""
    if not authorization:
        return None
    scheme, _, rest = authorization.strip().partition(" ")
    return (rest.strip() or None) if scheme.lower() == "bearer" else None


def _target_url(rt: Runtime, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ServiceError(422, "target_url: is required")
    parts = urlsplit(value.strip())
    try:
        host = parts.hostname or ""
    except ValueError:
        host = ""
    if not host or parts.username or parts.password:
        raise ServiceError(422, "target_url: must be an https URL")
    if parts.scheme == "http" and rt.config.webhook_http_loopback and is_loopback(host.strip("[]")):
        return value.strip()
    if parts.scheme != "https":
        raise ServiceError(422, "target_url: must be an https URL")
    return value.strip()


def _events(value: object, scope: frozenset[str]) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(e, str) and e for e in value):
        raise ServiceError(422, "events: must be a non-empty list of event names")
    unknown = [e for e in value if e not in WEBHOOK_EVENTS]
    if unknown:
        raise ServiceError(422, f"events: unknown event {unknown[0][:100]}")
    unscoped = [e for e in value if e not in scope]
    if unscoped:
        raise ServiceError(403, f"events: this key is not scoped for {unscoped[0]}")
    return list(dict.fromkeys(value))


def _status(value: object) -> str:
    if value not in STATUSES:
        raise ServiceError(422, "status: must be active or disabled")
    assert isinstance(value, str)
    return value


async def _body(request: web.Request) -> dict[str, object]:
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise ServiceError(413, "The request body is too large") from None
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise ServiceError(400, "The request body must be JSON") from None
    if not isinstance(body, dict):
        raise ServiceError(400, "The request body must be a JSON object")
    return body


def _visible(endpoint: ServiceEndpoint, scope: frozenset[str]) -> bool:
    return all(e in scope for e in endpoint.events)


def _find(rt: Runtime, raw_id: str, scope: frozenset[str]) -> ServiceEndpoint:
    """One 404 for a malformed, an unknown and an out-of-scope id alike (no existence oracle)."""
    endpoint = rt.state.service_endpoints.get(raw_id.lower()) if _UUID.fullmatch(raw_id) else None
    if endpoint is None or not _visible(endpoint, scope):
        raise ServiceError(404, _NOT_FOUND)
    return endpoint


def _positive(raw: str | None, name: str, default: int) -> int:
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
        raise ServiceError(422, f"{name}: must be a positive integer")
    return int(raw)


async def list_endpoints(
    request: web.Request, rt: Runtime, scope: frozenset[str], params: dict[str, str]
) -> web.Response:
    page = _positive(request.query.get("page"), "page", 1)
    items = min(_positive(request.query.get("items"), "items", DEFAULT_ITEMS), MAX_ITEMS)
    visible = [e for e in rt.state.service_endpoints.values() if _visible(e, scope)]
    start = (page - 1) * items
    rows = [e.to_json() for e in visible[start : start + items]]
    pages = max(1, math.ceil(len(visible) / items))
    page_info = {"count": len(visible), "pages": pages, "page": page, "items": items}
    return json_response({"data": rows, "page_info": page_info})


async def create_endpoint(
    request: web.Request, rt: Runtime, scope: frozenset[str], params: dict[str, str]
) -> web.Response:
    body = await _body(request)
    target_url = _target_url(rt, body.get("target_url"))
    events = _events(body.get("events"), scope)
    stamp = now_iso()
    endpoint = ServiceEndpoint(str(uuid.uuid4()), target_url, events, "active", new_signing_secret(), stamp, stamp)
    rt.state.service_endpoints[endpoint.id] = endpoint
    data = {**endpoint.to_json(), "signing_secret": endpoint.signing_secret}
    return json_response({"data": data, "message": "Webhook endpoint created"}, status=201)


async def get_endpoint(
    request: web.Request, rt: Runtime, scope: frozenset[str], params: dict[str, str]
) -> web.Response:
    return json_response({"data": _find(rt, params["id"], scope).to_json()})


async def update_endpoint(
    request: web.Request, rt: Runtime, scope: frozenset[str], params: dict[str, str]
) -> web.Response:
    endpoint = _find(rt, params["id"], scope)
    body = await _body(request)
    if not any(name in body for name in ("target_url", "status", "events")):
        raise ServiceError(422, "provide at least one of target_url, status, events")
    target_url = _target_url(rt, body["target_url"]) if "target_url" in body else endpoint.target_url
    status = _status(body["status"]) if "status" in body else endpoint.status
    events = _events(body["events"], scope) if "events" in body else endpoint.events
    endpoint.target_url, endpoint.status, endpoint.events = target_url, status, events
    endpoint.updated_at = now_iso()
    return json_response({"data": endpoint.to_json()})


async def delete_endpoint(
    request: web.Request, rt: Runtime, scope: frozenset[str], params: dict[str, str]
) -> web.Response:
    endpoint = _find(rt, params["id"], scope)
    del rt.state.service_endpoints[endpoint.id]
    return web.Response(status=204)


ServiceHandler = Callable[[web.Request, "Runtime", frozenset[str], dict[str, str]], Awaitable[web.Response]]

ROUTES: dict[str, dict[str, ServiceHandler]] = {
    "endpoints": {"GET": list_endpoints, "POST": create_endpoint},
    "endpoints/{id}": {"GET": get_endpoint, "PATCH": update_endpoint, "DELETE": delete_endpoint},
}


def resolve(path: str) -> tuple[str, dict[str, str]] | None:
    """``/v1/webhooks/endpoints[/{id}]`` → (route name, params); the bare base is unrouted, as live."""
    if not path.startswith(SERVICE_PREFIX):
        return None
    parts = path[len(SERVICE_PREFIX) :].removesuffix("/").split("/")
    if parts == ["endpoints"]:
        return "endpoints", {}
    if len(parts) == 2 and parts[0] == "endpoints" and parts[1]:
        return "endpoints/{id}", {"id": parts[1]}
    return None


async def handle_service(request: web.Request, rt: Runtime) -> web.StreamResponse:
    """The service's front door, in the Email API's order: rate limit, key, method, faults, handler."""
    found = resolve(request.path)
    if found is None:
        rt.count("unrouted", 404)
        return gateway_404()
    name, params = found
    endpoint = f"{request.method} webhooks/{name}"
    response = await _guarded(request, rt, name, params)
    rt.count(endpoint, response.status)
    return response


async def _guarded(request: web.Request, rt: Runtime, name: str, params: dict[str, str]) -> web.Response:
    key = presented_bearer(request.headers.get("Authorization"))
    if not rt.faults.allow_rate(key or ""):
        retry_after = rt.faults.retry_after_header()
        headers = {"Retry-After": retry_after} if retry_after is not None else None
        return ServiceError(429, "Too many requests", headers).response()
    scope = key_scope(rt, key)
    if scope is None or rt.faults.key_revoked():
        return ServiceError(401, "Invalid or missing API key").response()
    methods = ROUTES[name]
    handler = methods.get(request.method)
    if handler is None:
        return ServiceError(405, "Method not allowed", {"Allow": ", ".join(methods)}).response()
    verdict = rt.faults.roll()
    if verdict.fail_status in (502, 504):
        return html_response(GATEWAY_502_HTML if verdict.fail_status == 502 else GATEWAY_504_HTML, verdict.fail_status)
    if verdict.fail_status is not None:
        return ServiceError(verdict.fail_status, "Internal server error").response()
    try:
        response = await handler(request, rt, scope, params)
    except ServiceError as error:
        return error.response()
    if verdict.malformed and 200 <= response.status < 300 and response.body:
        body = bytes(response.body)  # type: ignore[arg-type]
        return web.Response(body=body[: len(body) // 2], content_type="application/json", charset="utf-8")
    return response
