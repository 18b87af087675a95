"""The Handlebars subset Paubox documents for dynamic templates (the product's renderer; the
sandbox renders templated sends with it too, so a preview and the sandbox never disagree).

Supported: ``{{path}}`` (HTML-escaped), ``{{{path}}}`` (raw), dotted paths, ``this``,
``@index``/``@first``/``@last``, ``{{#if}}``/``{{#unless}}``/``{{#each}}`` with ``{{else}}``, and
``{{! comments}}``. Enough to render what the dynamic-templates guide shows, and to reject
templates whose blocks do not balance (Paubox answers "Template body is invalid.").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_TAG = re.compile(r"\{\{!--.*?--\}\}|\{\{\{(.*?)\}\}\}|\{\{(.*?)\}\}", re.DOTALL)
_PATH = re.compile(r"^(?:@?[A-Za-z_$][\w$-]*|this|\.)(?:\.[A-Za-z_$][\w$-]*)*$")
_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;", "`": "&#x60;", "=": "&#x3D;"}
)
_BLOCKS = ("if", "unless", "each")


class TemplateSyntaxError(ValueError):
    """The template cannot be parsed (unbalanced or unknown block, bad expression)."""


@dataclass
class _Var:
    path: str
    escape: bool


@dataclass
class _Block:
    kind: str
    path: str
    body: list[_Node] = field(default_factory=list)
    otherwise: list[_Node] = field(default_factory=list)


_Node = str | _Var | _Block


@dataclass(frozen=True)
class _Frame:
    """A rendering context: the current value and the ``@`` data of the enclosing ``each``."""

    value: object
    data: Mapping[str, object]


def compile_template(source: str) -> list[_Node]:
    """Parse ``source`` into nodes; raises :class:`TemplateSyntaxError` when it is malformed."""
    root: list[_Node] = []
    stack: list[tuple[_Block, bool]] = []  # (block, in_else)

    def target() -> list[_Node]:
        if not stack:
            return root
        block, in_else = stack[-1]
        return block.otherwise if in_else else block.body

    position = 0
    for match in _TAG.finditer(source):
        if match.start() > position:
            target().append(source[position : match.start()])
        position = match.end()
        raw, expression = match.group(1), match.group(2)
        if raw is not None:
            target().append(_Var(_path(raw.strip()), escape=False))
            continue
        if expression is None or expression.startswith("!"):
            continue  # a comment
        expression = expression.strip()
        if expression.startswith("#"):
            kind, _, argument = expression[1:].partition(" ")
            if kind not in _BLOCKS:
                raise TemplateSyntaxError(f"unsupported block helper {kind!r}")
            block = _Block(kind, _path(argument.strip()))
            target().append(block)
            stack.append((block, False))
        elif expression == "else":
            if not stack or stack[-1][1]:
                raise TemplateSyntaxError("{{else}} outside a block")
            stack[-1] = (stack[-1][0], True)
        elif expression.startswith("/"):
            if not stack or stack[-1][0].kind != expression[1:].strip():
                raise TemplateSyntaxError(f"unexpected {{{{{expression}}}}}")
            stack.pop()
        else:
            target().append(_Var(_path(expression), escape=True))
    if stack:
        raise TemplateSyntaxError(f"unclosed {{{{#{stack[-1][0].kind}}}}}")
    if position < len(source):
        target().append(source[position:])
    return root


def render(source: str, values: Mapping[str, object], *, escape: bool = True) -> str:
    """Render ``source`` with ``values``; ``escape=False`` for plain-text fields such as the subject."""
    out: list[str] = []
    _render(compile_template(source), _Frame(values, {}), out, escape)
    return "".join(out)


def _path(expression: str) -> str:
    if not _PATH.match(expression):
        raise TemplateSyntaxError(f"unsupported expression {expression!r}")
    return expression


def _render(nodes: list[_Node], frame: _Frame, out: list[str], escape: bool) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, _Var):
            text = _stringify(_lookup(node.path, frame))
            out.append(text.translate(_ESCAPES) if escape and node.escape else text)
        elif node.kind == "each":
            items = _lookup(node.path, frame)
            pairs = _each_items(items)
            if not pairs:
                _render(node.otherwise, frame, out, escape)
            for index, (key, item) in enumerate(pairs):
                data = {"index": index, "key": key, "first": index == 0, "last": index == len(pairs) - 1}
                _render(node.body, _Frame(item, data), out, escape)
        else:
            truthy = _truthy(_lookup(node.path, frame))
            chosen = node.body if truthy == (node.kind == "if") else node.otherwise
            _render(chosen, frame, out, escape)


def _each_items(value: object) -> list[tuple[object, object]]:
    if isinstance(value, list):
        return list(enumerate(value))
    if isinstance(value, Mapping):
        return list(value.items())
    return []


def _lookup(path: str, frame: _Frame) -> object:
    if path.startswith("@"):
        return frame.data.get(path[1:])
    parts = path.split(".")
    if parts[0] in ("this", ""):
        parts = parts[1:]
    value = frame.value
    for part in parts:
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _truthy(value: object) -> bool:
    """Handlebars falsiness: missing, null, false, 0, "" and empty lists."""
    return value not in (None, False, 0, "") and value != []


def _stringify(value: object) -> str:
    """Render like JavaScript would: true/false, integral floats without ".0", null as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join(_stringify(v) for v in value)
    if isinstance(value, Mapping):
        return "[object Object]"
    return str(value)
