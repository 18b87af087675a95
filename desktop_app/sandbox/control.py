"""Introspection and control under ``/_sandbox/``: no auth, loopback clients only, never faulted."""

from __future__ import annotations

import ipaddress
import itertools

from aiohttp import web

from .delivery import WEBHOOK_EVENTS
from .messages import ONE_CLICK
from .responses import json_response
from .runtime import RUNTIME


def _loopback_only(request: web.Request) -> None:
    remote = request.remote or ""
    try:
        allowed = ipaddress.ip_address(remote.split("%")[0]).is_loopback
    except ValueError:
        allowed = False
    if not allowed:
        raise web.HTTPForbidden(text="the sandbox control API is only available from loopback")


async def list_messages(request: web.Request) -> web.StreamResponse:
    """Retained messages, oldest first; ``?limit=N`` returns only the newest N."""
    _loopback_only(request)
    state = request.app[RUNTIME].state
    raw_limit = request.query.get("limit", "")
    limit = int(raw_limit) if raw_limit.isdigit() else len(state.messages)
    newest = itertools.islice(reversed(state.messages.values()), limit)
    rows = [
        {
            "sourceTrackingId": stored.tracking_id,
            "kind": stored.kind,
            "recipients": list(stored.message.recipients),
            "cc": list(stored.message.cc),
            "bcc": list(stored.message.bcc),
            "from": stored.message.sender,
            "subject": stored.message.subject,
            "accepted_at": stored.timeline.accepted_at,
            "duplicate_count": state.duplicates[stored.digest],
            # What the request carried (null: absent, the account default applies) and what applied.
            "override_open_tracking": stored.options.open_tracking,
            "override_link_tracking": stored.options.link_tracking,
            "open_tracking": stored.open_tracking,
            "link_tracking": stored.link_tracking,
            "list_unsubscribe": stored.message.list_unsubscribe,
            "list_unsubscribe_post": stored.message.list_unsubscribe_post,
            "unsubscribe_url": stored.options.unsubscribe_url,
            "unsubscribed": sorted(stored.unsubscribed),
        }
        for stored in reversed(list(newest))
    ]
    return json_response({"count": len(rows), "accepted_total": state.accepted_total, "messages": rows})


async def one_click(request: web.Request) -> web.StreamResponse:
    """A recipient's mail client uses the one-click unsubscribe (RFC 8058) of an accepted message.

    Body ``{"sourceTrackingId": …, "recipient"?: …}`` (recipient optional for a single-recipient
    message). The message must carry ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` and an
    https ``List-Unsubscribe`` address; the sandbox does not call that address (it is the sender's,
    and the sandbox stays on loopback): it answers with the POST a mail client would make and
    reports ``unsubscribed: true`` in that recipient's receipt from then on.
    """
    _loopback_only(request)
    state = request.app[RUNTIME].state
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("sourceTrackingId"), str):
        return json_response({"error": 'expected {"sourceTrackingId": …, "recipient"?: …}'}, status=400)
    stored = state.messages.get(body["sourceTrackingId"])
    if stored is None:
        return json_response({"error": "no retained message has that sourceTrackingId"}, status=404)
    url = stored.message.one_click_url
    if url is None:
        missing = "the message has no one-click unsubscribe (List-Unsubscribe-Post with an https List-Unsubscribe)"
        return json_response({"error": missing}, status=409)
    recipient = body.get("recipient")
    if recipient is None and stored.single:
        recipient = stored.envelope[0]
    matches = [a for a in stored.envelope if isinstance(recipient, str) and a.lower() == recipient.lower()]
    if not matches:
        return json_response({"error": "recipient is not one of the message's recipients"}, status=400)
    stored.unsubscribed.add(matches[0])
    return json_response(
        {"unsubscribed": True, "recipient": matches[0], "url": url, "method": "POST", "body": ONE_CLICK}
    )


async def stats(request: web.Request) -> web.StreamResponse:
    _loopback_only(request)
    state = request.app[RUNTIME].state
    by_endpoint: dict[str, dict[str, int]] = {}
    for (endpoint, status), count in sorted(state.stats.items()):
        by_endpoint.setdefault(endpoint, {})[status] = count
    return json_response({"total": sum(state.stats.values()), "by_endpoint": by_endpoint})


async def reset(request: web.Request) -> web.StreamResponse:
    _loopback_only(request)
    request.app[RUNTIME].reset()
    return json_response({"reset": True})


async def get_faults(request: web.Request) -> web.StreamResponse:
    _loopback_only(request)
    return json_response(request.app[RUNTIME].faults.config.to_json())


async def set_faults(request: web.Request) -> web.StreamResponse:
    """Partial update with the CLI flag names; installing faults reseeds and restarts counters."""
    _loopback_only(request)
    injector = request.app[RUNTIME].faults
    try:
        changes = await request.json()
        if not isinstance(changes, dict):
            raise ValueError("expected a JSON object of fault names to values")
        injector.configure(injector.config.updated(changes))
    except ValueError as error:
        return json_response({"error": str(error)}, status=400)
    return json_response(injector.config.to_json())


async def webhook_log(request: web.Request) -> web.StreamResponse:
    _loopback_only(request)
    return json_response({"deliveries": list(request.app[RUNTIME].webhooks.log)})


async def mint_webhooks_key(request: web.Request) -> web.StreamResponse:
    """A new scoped key for the webhooks service, allowed only ``events`` (forgotten on reset)."""
    _loopback_only(request)
    runtime = request.app[RUNTIME]
    try:
        body = await request.json()
    except ValueError:
        body = None
    events = body.get("events") if isinstance(body, dict) else None
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        return json_response({"error": 'expected {"events": [event names]}'}, status=400)
    unknown = sorted(set(events) - set(WEBHOOK_EVENTS))
    if unknown:
        return json_response({"error": f"unknown events: {', '.join(unknown)}"}, status=400)
    key = runtime.mint_webhooks_key(frozenset(events))
    return json_response({"key": key, "events": sorted(set(events))})


def add_control_routes(app: web.Application) -> None:
    app.router.add_get("/_sandbox/messages", list_messages)
    app.router.add_get("/_sandbox/stats", stats)
    app.router.add_post("/_sandbox/reset", reset)
    app.router.add_get("/_sandbox/faults", get_faults)
    app.router.add_post("/_sandbox/faults", set_faults)
    app.router.add_get("/_sandbox/webhooks", webhook_log)
    app.router.add_post("/_sandbox/webhook_keys", mint_webhooks_key)
    app.router.add_post("/_sandbox/one-click", one_click)
