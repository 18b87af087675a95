"""Fuzzing every parser of outside data: API replies, Retry-After, template values, and the sandbox's
own request and template parsers (the webhook/message payloads a client sends it).

The contract: a parser either returns its typed value or raises its documented error
(MalformedResponse, ApiError, TemplateSyntaxError, InvalidInput); nothing else, never a hang.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.api import models, schedule, templates, webhooks
from desktop_app.api.errors import InvalidInput, MalformedResponse
from desktop_app.core import templates as sandbox_templates
from desktop_app.core.retry import parse_retry_after
from desktop_app.sandbox import messages as sandbox_messages
from desktop_app.sandbox.responses import ApiError
from tests.security.tally import count, fuzz

_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
_keys = st.sampled_from(
    ["data", "message", "messages", "sourceTrackingId", "customHeaders", "message_deliveries", "status",
     "deliveryStatus", "recipient", "errors", "error", "id", "name", "body", "events", "target_url", "active",
     "templates", "scheduledAt", "state", "total_opens", "title", "details", "recipients", "headers", "content",
     "subject", "from", "text/html", "text/plain", "attachments", "fileName", "contentType", "cc", "bcc"]
) | st.text(max_size=8)  # fmt: skip
json_values: st.SearchStrategy[Any] = st.recursive(
    _scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=6), max_leaves=30
)
"""JSON-shaped values biased towards the field names the parsers look for, so they get past the first check."""

API_PARSERS: dict[str, Callable[[Any], Any]] = {
    "parse_send_result": models.parse_send_result,
    "parse_bulk_results": functools.partial(models.parse_bulk_results, expected=2),
    "parse_receipt": models.parse_receipt,
    "parse_template_list": templates.parse_template_list,
    "parse_template": templates.parse_template,
    "parse_template_change": templates.parse_template_change,
    "parse_endpoint": webhooks.parse_endpoint,
    "parse_endpoint_list": webhooks.parse_endpoint_list,
    "parse_endpoint_change": webhooks.parse_endpoint_change,
    "parse_scheduled": schedule.parse_scheduled,
}


@pytest.mark.parametrize("name", sorted(API_PARSERS))
@given(body=json_values)
@fuzz
def test_api_reply_parsers_return_or_raise_malformed(name: str, body: Any) -> None:
    count("API reply parser inputs")
    with contextlib.suppress(MalformedResponse):
        API_PARSERS[name](body)


@given(body=json_values, reason=st.text(max_size=10))
@fuzz
def test_error_summary_always_gives_words(body: Any, reason: str) -> None:
    count("API reply parser inputs")
    title, details = models.error_summary(body, reason or "HTTP 500")
    assert isinstance(title, str)
    assert isinstance(details, str)


@given(
    st.text(max_size=40)
    | st.sampled_from(
        [
            "120",
            "-1",
            "1e9",
            "99999999999999999999",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "Mon, 99 Foo 2020 99:99:99 GMT",
        ]
    )
)
@fuzz
def test_retry_after_is_seconds_or_none(value: str) -> None:
    count("Retry-After header inputs")
    seconds = parse_retry_after(value, datetime(2026, 1, 1, tzinfo=UTC))
    assert seconds is None or seconds >= 0


@given(st.dictionaries(st.text(max_size=10), json_values, max_size=5))
@fuzz
def test_template_values_serialise_or_are_refused(values: dict[str, Any]) -> None:
    count("template value inputs")
    try:
        encoded = templates.template_values_json(values)
    except InvalidInput:
        return
    assert isinstance(encoded, str)


_template_source = st.lists(
    st.sampled_from(["{{", "}}", "{{{", "}}}", "#if ", "#each ", "#unless ", "/if", "/each", "else", "this", "@index",
                     "a.b", "../x", "!", "--", " ", "x", "<script>", "{{a}}", "{{#each a}}{{this}}{{/each}}"]),
    max_size=12,
).map("".join)  # fmt: skip


@given(
    source=_template_source, values=st.dictionaries(st.sampled_from(["a", "b", "x", "this"]), json_values, max_size=3)
)
@fuzz
def test_sandbox_template_renderer_renders_or_refuses(source: str, values: dict[str, Any]) -> None:
    count("template render inputs")
    with contextlib.suppress(sandbox_templates.TemplateSyntaxError):
        sandbox_templates.render(source, values)


@given(json_values)
@fuzz
def test_sandbox_message_parser_accepts_or_answers_an_api_error(raw: Any) -> None:
    """The sandbox parses what clients send it (messages, webhook registrations go through the same envelope)."""
    count("sandbox request parser inputs")
    with contextlib.suppress(ApiError):
        sandbox_messages.parse_message(raw, verified_domains=frozenset())
