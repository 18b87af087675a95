"""Dynamic-template CRUD with the shapes the live API returns (not the OpenAPI's).

List is a bare array, ids are numbers, create/update answer with a message and an echo of the
Rails params (create returns no id), errors are Rails-style ``{"error": "..."}``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from desktop_app.core.templates import TemplateSyntaxError, compile_template

from .bodies import read_form
from .responses import TemplateError, json_response
from .runtime import Runtime
from .state import DynamicTemplate

API_CUSTOMER_ID = 1
PARAM_MISSING = "param is missing or the value is empty: data"
INVALID_BODY = "Template body is invalid."


def now_iso() -> str:
    """Rails timestamps: ISO-8601 with milliseconds and an offset."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _summary(template: DynamicTemplate) -> dict[str, object]:
    return {"id": template.id, "name": template.name, "api_customer_id": API_CUSTOMER_ID}


def _find(rt: Runtime, raw_id: str) -> DynamicTemplate:
    template = rt.state.templates.get(int(raw_id)) if raw_id.isdigit() else None
    if template is None:
        raise TemplateError(
            404,
            f'Couldn\'t find DynamicTemplate with \'id\'={raw_id} [WHERE "dynamic_templates"."api_customer_id" = $1]',
        )
    return template


async def _read_upload(request: web.Request) -> tuple[str | None, str | None, object]:
    """The ``data[name]`` and ``data[body]`` parts, plus the Rails-style echo of the body part."""
    form = await read_form(request)
    name_part, body_part = form.get("data[name]"), form.get("data[body]")
    if name_part is not None and not isinstance(name_part, str):
        raise TemplateError(400, PARAM_MISSING)
    if body_part is None or isinstance(body_part, str):
        return name_part, body_part, body_part
    if not isinstance(body_part, web.FileField):
        raise TemplateError(400, PARAM_MISSING)
    try:
        body = body_part.file.read().decode("utf-8")
    except UnicodeDecodeError:
        raise TemplateError(422, INVALID_BODY) from None
    echo = {
        "tempfile": f"#<File:0x{id(body_part):016x}>",
        "original_filename": body_part.filename,
        "content_type": body_part.content_type,
        "headers": (
            f'Content-Disposition: form-data; name="data[body]"; filename="{body_part.filename}"\r\n'
            f"Content-Type: {body_part.content_type}\r\n"
        ),
    }
    return name_part, body, echo


def _check(rt: Runtime, name: str | None, body: str | None, exclude: int | None = None) -> None:
    if name is not None:
        clash = rt.state.template_named(name)
        if clash is not None and clash.id != exclude:
            raise TemplateError(422, "Validation failed: Name has already been taken")
    if body is not None:
        try:
            compile_template(body)
        except TemplateSyntaxError:
            raise TemplateError(422, INVALID_BODY) from None


async def list_templates(request: web.Request, rt: Runtime, params: dict[str, str]) -> web.StreamResponse:
    return json_response([_summary(t) for t in rt.state.templates.values()])


async def get_template(request: web.Request, rt: Runtime, params: dict[str, str]) -> web.StreamResponse:
    template = _find(rt, params["id"])
    return json_response(
        {
            **_summary(template),
            "body": template.body,
            "created_at": template.created_at,
            "updated_at": template.updated_at,
            "metadata": {},
        }
    )


async def create_template(request: web.Request, rt: Runtime, params: dict[str, str]) -> web.StreamResponse:
    name, body, echo = await _read_upload(request)
    if not name or not body:
        raise TemplateError(400, PARAM_MISSING)
    _check(rt, name, body)
    stamp = now_iso()
    template_id = rt.state.next_id()
    rt.state.templates[template_id] = DynamicTemplate(template_id, name, body, stamp, stamp)
    return json_response({"message": f"Template {name} created!", "params": {"name": name, "body": echo}})


async def update_template(request: web.Request, rt: Runtime, params: dict[str, str]) -> web.StreamResponse:
    """Either part or both; a body-only update answers ``Template  updated!`` (two spaces), as live."""
    template = _find(rt, params["id"])
    name, body, echo = await _read_upload(request)
    if not name and not body:
        raise TemplateError(400, PARAM_MISSING)
    _check(rt, name or None, body or None, exclude=template.id)
    sent: dict[str, object] = {}
    if name:
        template.name = sent["name"] = name
    if body:
        template.body = body
        sent["body"] = echo
    template.updated_at = now_iso()
    return json_response({"message": f"Template {name or ''} updated!", "params": sent})


async def delete_template(request: web.Request, rt: Runtime, params: dict[str, str]) -> web.StreamResponse:
    template = _find(rt, params["id"])
    del rt.state.templates[template.id]
    return json_response({"message": f"Template {template.name} deleted!"})
