"""Paubox dynamic templates in the composer: which variables a template asks for, and a safe preview.

Rendering reuses the sandbox's Handlebars subset (the same one that plays Paubox in tests), then
sanitises the result like any body, so a template cannot put script or remote loads in a preview.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from desktop_app.core.sanitize import sanitize_html
from desktop_app.core.templates import TemplateSyntaxError, render

_TAG = re.compile(r"\{\{!--.*?--\}\}|\{\{\{\s*(.*?)\s*\}\}\}|\{\{\s*(.*?)\s*\}\}", re.DOTALL)
_NAME = re.compile(r"^[A-Za-z_][\w-]*$")
_BLOCK_HELPERS = ("#if ", "#unless ", "#each ", "#with ")


def template_variables(source: str) -> list[str]:
    """The top-level names a template reads, in order of first use (what the values form asks for).

    Names used only inside ``{{#each}}`` blocks belong to the list items, so they are not asked
    for separately; the list itself is.
    """
    names: list[str] = []
    depth_each = 0
    for match in _TAG.finditer(source):
        expression = (match.group(1) or match.group(2) or "").strip()
        if not expression or expression.startswith("!"):
            continue
        if expression.startswith("/each"):
            depth_each = max(0, depth_each - 1)
            continue
        helper = next((h for h in _BLOCK_HELPERS if expression.startswith(h)), None)
        if helper is not None:
            expression = expression[len(helper) :].strip()
        if depth_each == 0:
            head = expression.split(".")[0]
            if _NAME.match(head) and head not in ("else", "this") and head not in names:
                names.append(head)
        if helper == "#each ":
            depth_each += 1
    return names


def render_preview(source: str, values: Mapping[str, str]) -> str:
    """Render with ``values`` and sanitise; a malformed template becomes a readable message instead."""
    try:
        return sanitize_html(render(source, dict(values)))
    except TemplateSyntaxError as error:
        return f"<p><i>This template cannot be previewed: {sanitize_html(str(error))}</i></p>"
