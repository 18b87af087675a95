"""The Paubox API front door: routing, authentication, fault injection and statistics.

Order per request, as a real gateway would apply it: injected latency, rate limit (429), key
check (401, including the legacy username mismatch and revoked keys), method check (405), then
random faults either before the handler acts (5xx) or after (accept-then-fail, malformed body).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import re

from aiohttp import web

from .dynamic_templates import create_template, delete_template, get_template, list_templates, update_template
from .faults import Verdict
from .responses import (
    GATEWAY_502_HTML,
    GATEWAY_504_HTML,
    ApiError,
    TemplateError,
    gateway_404,
    html_response,
    json_response,
    unauthorized,
)
from .routing import LEGACY, V1, V1_EMAIL, Resolved, Route, Router
from .runtime import RUNTIME, Runtime
from .scheduling import cancel_schedule, create_schedule, reschedule, schedule_status
from .sending import message_receipt, send_bulk, send_message, send_templated
from .webhook_endpoints import create_endpoint, delete_endpoint, get_endpoint, list_endpoints, update_endpoint
from .webhooks_service import SERVICE_PREFIX, handle_service

_TOKEN = re.compile(r'token="?([^",]*)"?', re.IGNORECASE)

ROUTER = Router(
    (
        Route("messages", {"POST": send_message}, sends=frozenset({"POST"})),
        Route("bulk_messages", {"POST": send_bulk}, sends=frozenset({"POST"})),
        Route("templated_messages", {"POST": send_templated}, sends=frozenset({"POST"})),
        Route("message_receipt", {"GET": message_receipt}),
        Route("dynamic_templates", {"GET": list_templates, "POST": create_template}),
        Route(
            "dynamic_templates/{id}",
            {"GET": get_template, "PATCH": update_template, "PUT": update_template, "DELETE": delete_template},
        ),
        Route("schedule", {"POST": create_schedule}, sends=frozenset({"POST"})),
        Route("schedule/{id}", {"GET": schedule_status, "PATCH": reschedule}),
        Route("schedule/{id}/cancel", {"POST": cancel_schedule}),
        Route("webhook_endpoints", {"GET": list_endpoints, "POST": create_endpoint}),
        Route(
            "webhook_endpoints/{id}",
            {"GET": get_endpoint, "PATCH": update_endpoint, "PUT": update_endpoint, "DELETE": delete_endpoint},
        ),
    )
)


def presented_key(authorization: str | None) -> str | None:
    """The key from ``Token token=KEY`` (quotes optional) or ``Bearer KEY``."""
    if not authorization:
        return None
    scheme, _, rest = authorization.strip().partition(" ")
    rest = rest.strip()
    if scheme.lower() == "bearer":
        return rest or None
    if scheme.lower() == "token":
        match = _TOKEN.match(rest)
        return (match.group(1) if match else rest) or None
    return None


def _authorised(rt: Runtime, key: str | None, resolved: Resolved) -> bool:
    if key is None or not hmac.compare_digest(key.encode(), rt.api_key.encode()):
        return False
    return resolved.generation != LEGACY or resolved.username == rt.config.api_username


# Realistic mode: the auth styles each generation's sources document (docs/sandbox.md says which
# are confirmed). Legacy and Aug-2026 /v1 sources only ever show ``Token token=``; the newest
# (/v1/email) docs prefer Bearer and still accept Token.
REALISTIC_AUTH_STYLES: dict[str, frozenset[str]] = {
    LEGACY: frozenset({"token"}),
    V1: frozenset({"token"}),
    V1_EMAIL: frozenset({"token", "bearer"}),
}


def _auth_scheme(authorization: str | None) -> str:
    return (authorization or "").strip().partition(" ")[0].lower()


def _realistic_refusal(rt: Runtime, request: web.Request, resolved: Resolved) -> web.StreamResponse | None:
    """In realistic mode, the answer Paubox gives a good key on the wrong generation (None: right one).

    A legacy key on a path without the username gets the legacy 401 ("does not match endpoint
    username"); a newer key on a generation its gateway does not route gets the HTML 404; a good
    key in an auth style the generation does not document gets the 401.
    """
    key_generation = rt.config.key_generation
    if resolved.generation != key_generation:
        if key_generation == LEGACY:
            return unauthorized().response()
        return gateway_404()
    if _auth_scheme(request.headers.get("Authorization")) not in REALISTIC_AUTH_STYLES[resolved.generation]:
        return unauthorized().response()
    return None


async def handle_api(request: web.Request) -> web.StreamResponse:
    rt = request.app[RUNTIME]
    if rt.faults.latency_seconds:
        await asyncio.sleep(rt.faults.latency_seconds)
    if request.path.startswith(SERVICE_PREFIX):  # the separate webhooks service (scoped Bearer keys)
        return await handle_service(request, rt)
    resolved = ROUTER.resolve(request.path, strict_newest=rt.config.strict_newest)
    if resolved is None:
        rt.count("unrouted", 404)
        return gateway_404()
    endpoint = f"{request.method} {resolved.route.name}"
    response = await _guarded(request, rt, resolved, endpoint)
    if response is None:  # the transport is already closed; aiohttp discards this response
        return web.Response(status=204)
    rt.count(endpoint, response.status)
    return response


async def _guarded(request: web.Request, rt: Runtime, resolved: Resolved, endpoint: str) -> web.StreamResponse | None:
    """The response to send, or None when the connection was deliberately dropped."""
    key = presented_key(request.headers.get("Authorization"))
    if not rt.faults.allow_rate(key or ""):
        retry_after = rt.faults.retry_after_header()
        headers = {"Retry-After": retry_after} if retry_after is not None else None
        return ApiError(429, "Too Many Requests", "Rate limit exceeded.", headers=headers).response()
    if not _authorised(rt, key, resolved) or rt.faults.key_revoked():
        return unauthorized().response()
    if rt.config.realistic and (refusal := _realistic_refusal(rt, request, resolved)) is not None:
        return refusal
    route = resolved.route
    handler = route.methods.get(request.method)
    if handler is None:
        allow = ", ".join(route.methods)
        error = ApiError(405, "Method Not Allowed", f"{request.method} is not supported here.")
        error.headers["Allow"] = allow
        return error.response()
    verdict = rt.faults.roll()
    if verdict.fail_status is not None:
        return _failure(verdict.fail_status)
    try:
        response = await handler(request, rt, resolved.params)
    except (ApiError, TemplateError) as error:
        return error.response()
    if not 200 <= response.status < 300:
        return response
    if verdict.accept_then_fail is not None and request.method in route.sends:
        return await _accept_then_fail(request, rt, verdict, endpoint)
    if verdict.malformed and isinstance(response, web.Response) and response.body is not None:
        body = bytes(response.body)  # type: ignore[arg-type]
        return web.Response(body=body[: len(body) // 2], content_type="application/json", charset="utf-8")
    return response


def _failure(status: int) -> web.Response:
    """A 5xx before acting: JSON from the app (500, 503) or an HTML page from the gateway (502, 504)."""
    if status == 502:
        return html_response(GATEWAY_502_HTML, 502)
    if status == 504:
        return html_response(GATEWAY_504_HTML, 504)
    title = "Internal Server Error" if status == 500 else "Service Unavailable"
    return json_response({"errors": [{"code": status, "title": title, "details": title}]}, status=status)


async def _accept_then_fail(
    request: web.Request, rt: Runtime, verdict: Verdict, endpoint: str
) -> web.StreamResponse | None:
    """The message is recorded; the client never learns it (the duplicate-making case)."""
    mode = verdict.accept_then_fail
    if mode == "502":
        return html_response(GATEWAY_502_HTML, 502)
    rt.count(endpoint, mode or "drop")
    if mode == "timeout":
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(rt.closing.wait(), rt.faults.config.hang_seconds)
    if request.transport is not None:
        request.transport.abort()
    return None
