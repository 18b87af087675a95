"""``/webhook_endpoints`` CRUD, as the newest SDKs model it.

Unlike Paubox (HTTPS targets only), plain ``http://`` targets are accepted so tests can run a
receiver on loopback.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

from .bodies import read_json_object
from .delivery import WEBHOOK_EVENTS
from .dynamic_templates import API_CUSTOMER_ID, now_iso
from .responses import ApiError, bad_request, json_response
from .runtime import Runtime
from .state import WebhookEndpoint


def _find(rt: Runtime, raw_id: str) -> WebhookEndpoint:
    endpoint = rt.state.webhook_endpoints.get(int(raw_id)) if raw_id.isdigit() else None
    if endpoint is None:
        raise ApiError(404, "Not Found", f"Webhook endpoint {raw_id} was not found.")
    return endpoint


async def _fields(request: web.Request) -> dict[str, object]:
    body = await read_json_object(request)
    data = body.get("data")
    return data if isinstance(data, dict) else body


def _target_url(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise bad_request("target_url is required.", "Invalid target_url")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ApiError(422, "Invalid target_url", "target_url must be an absolute http(s) URL.")
    return value


def _events(value: object) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(e, str) for e in value):
        raise bad_request("events must be a non-empty array of event names.", "Invalid events")
    unknown = [e for e in value if e not in WEBHOOK_EVENTS]
    if unknown:
        raise ApiError(422, "Invalid events", f"Unknown events: {', '.join(unknown)}.")
    return list(dict.fromkeys(value))


def _optional_str(value: object, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise bad_request(f"{name} must be a string.", f"Invalid {name}")
    return value


def _active(value: object) -> bool:
    if not isinstance(value, bool):
        raise bad_request("active must be true or false.", "Invalid active")
    return value


async def list_endpoints(request: web.Request, rt: Runtime, params: dict[str, str]) -> web.StreamResponse:
    return json_response([e.to_json(API_CUSTOMER_ID) for e in rt.state.webhook_endpoints.values()])


async def create_endpoint(request: web.Request, rt: Runtime, params: dict[str, str]) -> web.StreamResponse:
    fields = await _fields(request)
    stamp = now_iso()
    endpoint = WebhookEndpoint(
        id=rt.state.next_id(),
        target_url=_target_url(fields.get("target_url")),
        events=_events(fields.get("events")),
        active=_active(fields.get("active", True)),
        signing_key=_optional_str(fields.get("signing_key"), "signing_key"),
        api_key=_optional_str(fields.get("api_key"), "api_key"),
        created_at=stamp,
        updated_at=stamp,
    )
    rt.state.webhook_endpoints[endpoint.id] = endpoint
    return json_response({"message": "Webhook created!", "data": endpoint.to_json(API_CUSTOMER_ID)})


async def get_endpoint(request: web.Request, rt: Runtime, params: dict[str, str]) -> web.StreamResponse:
    return json_response({"data": _find(rt, params["id"]).to_json(API_CUSTOMER_ID)})


async def update_endpoint(request: web.Request, rt: Runtime, params: dict[str, str]) -> web.StreamResponse:
    endpoint = _find(rt, params["id"])
    fields = await _fields(request)
    target_url = _target_url(fields["target_url"]) if "target_url" in fields else endpoint.target_url
    events = _events(fields["events"]) if "events" in fields else endpoint.events
    active = _active(fields["active"]) if "active" in fields else endpoint.active
    signing_key = _optional_str(fields.get("signing_key", endpoint.signing_key), "signing_key")
    api_key = _optional_str(fields.get("api_key", endpoint.api_key), "api_key")
    endpoint.target_url, endpoint.events, endpoint.active = target_url, events, active
    endpoint.signing_key, endpoint.api_key, endpoint.updated_at = signing_key, api_key, now_iso()
    return json_response({"message": "Webhook updated!", "data": endpoint.to_json(API_CUSTOMER_ID)})


async def delete_endpoint(request: web.Request, rt: Runtime, params: dict[str, str]) -> web.StreamResponse:
    endpoint = _find(rt, params["id"])
    del rt.state.webhook_endpoints[endpoint.id]
    return json_response({"message": "Webhook deleted!", "data": endpoint.to_json(API_CUSTOMER_ID)})
