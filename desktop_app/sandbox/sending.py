"""``POST messages``, ``POST bulk_messages``, ``POST templated_messages`` and ``GET message_receipt``."""

from __future__ import annotations

import dataclasses
import json
import time

from aiohttp import web

from desktop_app.core.templates import TemplateSyntaxError, render

from .bodies import read_data
from .delivery import delivery_row, engagement
from .messages import OutgoingMessage, parse_message, parse_send_options
from .responses import ApiError, bad_request, json_response
from .runtime import Runtime
from .state import StoredMessage

SERVICE_OK = "Service OK"


def sent_body(stored: StoredMessage) -> dict[str, object]:
    return {
        "sourceTrackingId": stored.tracking_id,
        "customHeaders": stored.message.custom_headers,
        "data": SERVICE_OK,
    }


async def send_message(request: web.Request, rt: Runtime, params: dict[str, str]) -> web.StreamResponse:
    data = await read_data(request)
    message = parse_message(
        data.get("message"), verified_domains=rt.verified_domains, attachment_limit=rt.attachment_limit
    )
    options = parse_send_options(data)
    return json_response(sent_body(rt.accept(message, "messages", options=options)))


async def send_bulk(request: web.Request, rt: Runtime, params: dict[str, str]) -> web.StreamResponse:
    """All or nothing: one invalid message rejects the batch (naming its index); order is kept."""
    data = await read_data(request)
    raw_messages = data.get("messages")
    if not isinstance(raw_messages, list) or not raw_messages:
        raise bad_request("data.messages must be a non-empty array of messages.", "Missing messages")
    parsed: list[OutgoingMessage] = []
    for index, raw in enumerate(raw_messages):
        try:
            parsed.append(
                parse_message(raw, verified_domains=rt.verified_domains, attachment_limit=rt.attachment_limit)
            )
        except ApiError as error:
            raise ApiError(error.status, error.title, f"messages[{index}]: {error.details}") from None
    stored = [rt.accept(message, "bulk_messages") for message in parsed]
    return json_response({"messages": [sent_body(s) for s in stored]})


async def send_templated(request: web.Request, rt: Runtime, params: dict[str, str]) -> web.StreamResponse:
    """The template supplies the body; ``template_values`` must be a JSON *string*, as the SDKs send."""
    data = await read_data(request)
    name = data.get("template_name")
    if not isinstance(name, str) or not name:
        raise bad_request("template_name is required.", "Missing template_name")
    values = _template_values(data.get("template_values"))
    message = parse_message(
        data.get("message"), verified_domains=rt.verified_domains, require_content=False,
        attachment_limit=rt.attachment_limit,
    )  # fmt: skip
    options = parse_send_options(data)  # documented for POST messages only; honoured here too
    template = rt.state.template_named(name)
    if template is None:
        raise bad_request("template not found", "Template not found")
    try:
        subject = render(message.subject, values, escape=False)
        html = render(template.body, values)
    except TemplateSyntaxError as error:
        raise bad_request(f"The template could not be rendered: {error}", "Invalid template") from None
    message = dataclasses.replace(message, subject=subject, text=None, html=html)
    return json_response(sent_body(rt.accept(message, "templated_messages", options=options)))


def _template_values(raw: object) -> dict[str, object]:
    if raw is None:
        return {}
    if not isinstance(raw, str):
        raise bad_request("template_values must be a JSON-encoded string.", "Invalid template_values")
    try:
        values = json.loads(raw)
    except ValueError:
        raise bad_request("template_values is not valid JSON.", "Invalid template_values") from None
    if not isinstance(values, dict):
        raise bad_request("template_values must encode a JSON object.", "Invalid template_values")
    return values


async def message_receipt(request: web.Request, rt: Runtime, params: dict[str, str]) -> web.StreamResponse:
    tracking_id = request.query.get("sourceTrackingId", "")
    stored = rt.state.messages.get(tracking_id)
    if stored is None:
        raise ApiError(
            404,
            "Message was not found",
            "Message with this tracking id was not found",
            slug="message_not_found",
            extra={"sourceTrackingId": tracking_id},
        )
    return json_response(receipt_body(stored, time.time()))


def receipt_body(stored: StoredMessage, now: float) -> dict[str, object]:
    """The receipt as it stands at ``now``; opens and clicks only for single-recipient messages."""
    single = stored.single
    message: dict[str, object] = {
        "id": stored.message_id,
        "message_deliveries": [
            delivery_row(address, outcome, stored.timeline, now, single)
            for address, outcome in zip(stored.envelope, stored.outcomes, strict=True)
        ],
    }
    if single:
        address = stored.envelope[0]
        message.update(
            engagement(
                stored.outcomes[0], stored.timeline, now, stored.links, unsubscribed=address in stored.unsubscribed
            )
        )
    return {"sourceTrackingId": stored.tracking_id, "data": {"message": message}}
