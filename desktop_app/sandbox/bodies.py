"""Reading request bodies defensively: wrong content types, garbage and oversized bodies are errors."""

from __future__ import annotations

import json

from aiohttp import web
from multidict import MultiDictProxy

from .responses import ApiError, TemplateError


def _too_large() -> ApiError:
    return ApiError(413, "Payload Too Large", "The request body is larger than the API accepts.")


async def read_json(request: web.Request) -> object:
    """Parse a JSON body; anything that is not JSON is a 400 in Paubox's envelope."""
    declared = request.headers.get("Content-Type")
    if declared is not None and not (
        request.content_type == "application/json" or request.content_type.endswith("+json")
    ):
        raise ApiError(400, "Bad Request", "Content-Type must be application/json.")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise _too_large() from None
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "Bad Request", "The request body is not valid JSON.") from None


async def read_json_object(request: web.Request) -> dict[str, object]:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise ApiError(400, "Bad Request", "The request body must be a JSON object.")
    return body


async def read_data(request: web.Request) -> dict[str, object]:
    """The top-level ``data`` object every message endpoint wraps its request in."""
    data = (await read_json_object(request)).get("data")
    if not isinstance(data, dict):
        raise ApiError(400, "Bad Request", "The request body must contain a data object.")
    return data


async def read_form(request: web.Request) -> MultiDictProxy[str | bytes | bytearray | web.FileField]:
    """Multipart (or urlencoded) form for template uploads; failures use the Rails ``error`` shape."""
    if request.content_type not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raise TemplateError(400, "param is missing or the value is empty: data")
    try:
        return await request.post()
    except web.HTTPRequestEntityTooLarge:
        raise TemplateError(413, "Request Entity Too Large") from None
    except Exception:  # the multipart parser raises assorted types on broken input
        raise TemplateError(400, "Invalid multipart request body") from None
