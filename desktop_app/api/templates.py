"""Dynamic templates (Handlebars) with the shapes the live API returns, not the OpenAPI's.

Live: the list is a bare array with numeric ids, create answers with a message and no id,
update/delete answer with a message, errors are Rails-style ``{"error": "..."}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop_app.api.errors import InvalidInput, MalformedResponse
from desktop_app.api.models import extra_fields, numeric_id, optional_text, require_mapping, text_field
from desktop_app.core.addresses import AddressError, check_header_value

TEMPLATE_CONTENT_TYPE = "text/x-handlebars-template"


@dataclass(frozen=True)
class TemplateSummary:
    """One row of ``GET dynamic_templates``."""

    id: int
    name: str
    api_customer_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DynamicTemplate:
    """``GET dynamic_templates/{id}``: the summary plus the Handlebars source and timestamps."""

    id: int
    name: str
    body: str
    created_at: str = ""
    updated_at: str = ""
    api_customer_id: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TemplateChange:
    """What create/update/delete answer: Paubox's sentence and the name it echoed (if any)."""

    message: str
    name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_SUMMARY_FIELDS = frozenset({"id", "name", "api_customer_id"})
_TEMPLATE_FIELDS = _SUMMARY_FIELDS | {"body", "created_at", "updated_at", "metadata"}


def _customer(mapping: dict[str, Any]) -> int | None:
    value = mapping.get("api_customer_id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_template_list(body: Any) -> list[TemplateSummary]:
    """A bare array live; the OpenAPI's ``{"templates": [...]}`` is tolerated too."""
    items = body.get("templates") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise MalformedResponse("Paubox sent an unexpected template list.", detail=type(items).__name__)
    summaries = []
    for item in items:
        entry = require_mapping(item, "template entry")
        summaries.append(
            TemplateSummary(
                id=numeric_id(entry.get("id"), "a template"),
                name=text_field(entry.get("name")),
                api_customer_id=_customer(entry),
                extra=extra_fields(entry, _SUMMARY_FIELDS),
            )
        )
    return summaries


def parse_template(body: Any) -> DynamicTemplate:
    mapping = require_mapping(body, "template")
    metadata = mapping.get("metadata")
    return DynamicTemplate(
        id=numeric_id(mapping.get("id"), "a template"),
        name=text_field(mapping.get("name")),
        body=text_field(mapping.get("body")),
        created_at=text_field(mapping.get("created_at")),
        updated_at=text_field(mapping.get("updated_at")),
        api_customer_id=_customer(mapping),
        metadata=metadata if isinstance(metadata, dict) else {},
        extra=extra_fields(mapping, _TEMPLATE_FIELDS),
    )


def parse_template_change(body: Any) -> TemplateChange:
    mapping = require_mapping(body, "template reply")
    params = mapping.get("params")
    name = optional_text(params.get("name")) if isinstance(params, dict) else None
    return TemplateChange(text_field(mapping.get("message")), name, extra_fields(mapping, frozenset({"message"})))


def check_template_name(name: str) -> str:
    """Names travel in a multipart field and as ``template_name`` in sends: one clean line."""
    if not name.strip():
        raise InvalidInput("Give the template a name.")
    try:
        check_header_value(name, "The template name")
    except AddressError as error:
        raise InvalidInput(str(error)) from None
    return name


def template_values_json(values: Mapping[str, Any]) -> str:
    """Paubox wants ``template_values`` as a JSON-encoded *string*, not an object (every SDK's gotcha)."""
    try:
        return json.dumps(dict(values), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        raise InvalidInput("Template values must be text, numbers, lists or true/false.") from None


def template_upload(name: str | None, body: str | None) -> tuple[dict[str, str], dict[str, tuple[str, bytes, str]]]:
    """Multipart parts ``data[name]`` (text) and ``data[body]`` (a .hbs file), only those given."""
    form: dict[str, str] = {}
    files: dict[str, tuple[str, bytes, str]] = {}
    if name is not None:
        form["data[name]"] = check_template_name(name)
    if body is not None:
        if not body.strip():
            raise InvalidInput("The template body is empty.")
        files["data[body]"] = ("template.hbs", body.encode("utf-8"), TEMPLATE_CONTENT_TYPE)
    if not form and not files:
        raise InvalidInput("Change the template's name, its body, or both.")
    return form, files
