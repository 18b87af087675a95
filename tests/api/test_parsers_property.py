"""Random and hostile JSON into every response parser, and random replies through the whole client.

The only acceptable outcomes are a typed result or a PauboxError: never a KeyError, a TypeError
or a RecursionError escaping into the outbox thread.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.api import models, schedule, templates, webhooks
from desktop_app.api.client import PauboxClient
from desktop_app.api.config import ApiConfig, Secret
from desktop_app.api.errors import MalformedResponse, PauboxError
from desktop_app.api.rate_limit import RateLimiter
from desktop_app.core.retry import BackoffPolicy

from .helpers import message

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=25,
)


def _near(template: Any) -> st.SearchStrategy[Any]:
    """A documented shape with any part swapped for random JSON or dropped: the hostile middle ground."""
    if isinstance(template, dict):
        return st.fixed_dictionaries(
            {},
            optional={key: _near(value) | json_values for key, value in template.items()},
        ).flatmap(lambda d: st.just(d) | st.builds(lambda extra: {**d, **extra}, st.dictionaries(st.text(), scalars)))
    if isinstance(template, list):
        return st.lists(_near(template[0]) | json_values, max_size=4) if template else st.just([])
    return st.just(template) | json_values


RECEIPT = {
    "sourceTrackingId": "t",
    "data": {
        "message": {
            "id": "<x@y>",
            "message_deliveries": [
                {
                    "recipient": "a@b.c",
                    "status": {"deliveryStatus": "delivered", "deliveryTime": "", "openedStatus": ""},
                }
            ],
            "total_opens": 1,
            "distinct_opens": 1,
            "total_click_count": 2,
        }
    },
}
SEND = {"sourceTrackingId": "t", "customHeaders": {"X-A": "b"}, "data": "Service OK"}
TEMPLATE = {"id": 1, "name": "t", "api_customer_id": 1, "body": "b", "created_at": "", "metadata": {}}
ENDPOINT = {"id": 1, "target_url": "https://x", "events": ["api_mail_log_opened"], "active": True}
SCHEDULED = {"sourceTrackingId": "t", "state": "pending", "scheduledAt": "2026-01-01T00:00:00Z"}

PARSERS: list[tuple[Callable[[Any], object], Any]] = [
    (models.parse_send_result, SEND),
    (lambda body: models.parse_bulk_results(body, 2), {"messages": [SEND, SEND]}),
    (models.parse_receipt, RECEIPT),
    (templates.parse_template_list, [TEMPLATE]),
    (templates.parse_template, TEMPLATE),
    (templates.parse_template_change, {"message": "Template t created!", "params": {"name": "t"}}),
    (schedule.parse_scheduled, SCHEDULED),
    (webhooks.parse_endpoint, {"data": ENDPOINT}),
    (webhooks.parse_endpoint_list, [ENDPOINT]),
    (webhooks.parse_endpoint_change, {"message": "Webhook created!", "data": ENDPOINT}),
]
IDS = [
    "send",
    "bulk",
    "receipt",
    "template_list",
    "template",
    "template_change",
    "scheduled",
    "endpoint",
    "endpoint_list",
    "endpoint_change",
]


@pytest.mark.parametrize(("parse", "shape"), PARSERS, ids=IDS)
def test_documented_shapes_parse(parse: Callable[[Any], object], shape: Any) -> None:
    parse(shape)


@pytest.mark.parametrize(("parse", "shape"), PARSERS, ids=IDS)
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_parsers_return_typed_results_or_malformed(
    parse: Callable[[Any], object], shape: Any, data: st.DataObject
) -> None:
    body = data.draw(_near(shape) | json_values)
    with contextlib.suppress(MalformedResponse):
        parse(body)


def test_unknown_fields_and_statuses_are_kept() -> None:
    receipt = models.parse_receipt(
        {
            "sourceTrackingId": "t",
            "data": {
                "message": {
                    "id": "<m>",
                    "message_deliveries": [
                        {"recipient": "a@b.c", "status": {"deliveryStatus": "quarantined"}, "mx": "mx1"}
                    ],
                    "unsubscribed": False,
                    "clicks_per_link": [],
                }
            },
        }
    )
    assert receipt.deliveries[0].delivery_status == "quarantined"
    assert receipt.deliveries[0].extra == {"mx": "mx1"}
    assert receipt.extra == {"unsubscribed": False, "clicks_per_link": []}
    assert models.parse_send_result({**SEND, "message_id": "m1"}).extra == {"message_id": "m1"}
    assert templates.parse_template({**TEMPLATE, "engine": "hbs"}).extra == {"engine": "hbs"}
    assert schedule.parse_scheduled({**SCHEDULED, "state": "held", "queue": 3}).state == "held"
    assert webhooks.parse_endpoint({**ENDPOINT, "secret_hint": "…"}).extra == {"secret_hint": "…"}
    assert templates.parse_template_list({"templates": [TEMPLATE]})[0].id == 1  # the OpenAPI's shape


@given(body=json_values, reason=st.text(max_size=10))
def test_error_summary_always_gives_two_strings(body: Any, reason: str) -> None:
    title, details = models.error_summary(body, reason)
    assert isinstance(title, str)
    assert isinstance(details, str)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"errors": [{"code": 400, "title": "Bad", "details": "why"}]}, ("Bad", "why")),
        ({"errors": "Sender domain not verified"}, ("Sender domain not verified", "")),
        ({"errors": ["plain"]}, ("plain", "")),
        ({"error": "param is missing"}, ("param is missing", "")),
        ({"message": "Forbidden scope"}, ("Forbidden scope", "")),
        ({"errors": [], "error": "", "message": ""}, ("Reason", "")),
        (None, ("Reason", "")),
    ],
)
def test_error_body_order(body: Any, expected: tuple[str, str]) -> None:
    assert models.error_summary(body, "Reason") == expected


HOSTILE_BODIES = [
    b"",
    b"<html><body>502 Bad Gateway</body></html>",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b"\xff\xfe\x00garbage",
    b'{"sourceTrackingId": "t", "data": ',
    b"null",
    b'"Service OK"',
    b"NaN",
]
reply_bodies = (
    st.sampled_from(HOSTILE_BODIES)
    | st.binary(max_size=200)
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.sampled_from([SEND, RECEIPT, [TEMPLATE], SCHEDULED, {"data": ENDPOINT}])
    .flatmap(_near)
    .map(lambda v: json.dumps(v).encode())
)
statuses = st.sampled_from([200, 201, 204, 301, 400, 401, 403, 404, 405, 408, 413, 422, 429, 500, 502, 503, 504])
header_values = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=30).map(
    lambda text: text.strip().encode("latin-1")
)
headers = st.dictionaries(st.sampled_from(["Retry-After", "Content-Type"]), header_values | st.just(b"120"))

FUTURE = datetime.now(UTC) + timedelta(days=1)
CALLS: list[Callable[[PauboxClient], object]] = [
    lambda c: c.send(message()),
    lambda c: c.send_many([message(), message("Two")]),
    lambda c: c.send_templated("t", {"a": 1}, message(text="")),
    lambda c: c.receipt("abc-123"),
    lambda c: c.list_templates(),
    lambda c: c.get_template(5),
    lambda c: c.create_template("t", "b"),
    lambda c: c.update_template(5, name="n"),
    lambda c: c.delete_template(5),
    lambda c: c.schedule(message(), FUTURE),
    lambda c: c.schedule_status("abc"),
    lambda c: c.reschedule("abc", FUTURE),
    lambda c: c.cancel_schedule("abc"),
    lambda c: c.list_webhook_endpoints(),
    lambda c: c.get_webhook_endpoint(1),
    lambda c: c.create_webhook_endpoint("https://hooks.example.com/x", ["api_mail_log_opened"]),
    lambda c: c.update_webhook_endpoint(1, active=False),
    lambda c: c.delete_webhook_endpoint(1),
    lambda c: c.check_credentials(),
]


class ScriptedReplies:
    """One client for every example (building a TLS context per example is slow); replies are swapped in."""

    def __init__(self) -> None:
        self.status = 200
        self.body = b""
        self.headers: dict[str, bytes] = {}
        self.error: type[httpx.TransportError] | None = None
        self.events: list[object] = []
        self.client = PauboxClient(
            ApiConfig("https://api.paubox.com/v1/email", Secret("k")),
            limiter=RateLimiter(1e9, sleep=lambda _s: None),
            on_activity=self.events.append,
            backoff=BackoffPolicy(rng=lambda: 0.0),
            sleep=lambda _s: None,
            transport=httpx.MockTransport(self.reply),
        )

    def reply(self, request: httpx.Request) -> httpx.Response:
        if self.error is not None:
            raise self.error("boom", request=request)
        return httpx.Response(
            self.status, content=self.body, headers=[(k.encode(), v) for k, v in self.headers.items()]
        )


@pytest.fixture(scope="module")
def scripted() -> Iterator[ScriptedReplies]:
    replies = ScriptedReplies()
    yield replies
    replies.client.close()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    call=st.sampled_from(CALLS),
    status=statuses,
    body=reply_bodies,
    reply_headers=headers,
    transport_error=st.sampled_from(
        [None, None, None, httpx.ReadTimeout, httpx.ConnectError, httpx.RemoteProtocolError]
    ),
)
def test_any_reply_gives_a_result_or_a_pauboxerror(
    scripted: ScriptedReplies,
    call: Callable[[PauboxClient], object],
    status: int,
    body: bytes,
    reply_headers: dict[str, bytes],
    transport_error: type[httpx.TransportError] | None,
) -> None:
    scripted.status, scripted.body, scripted.headers, scripted.error = status, body, reply_headers, transport_error
    scripted.events.clear()
    with contextlib.suppress(PauboxError):
        call(scripted.client)
    assert scripted.events  # every request, whatever its fate, produced an activity event
