"""The Paubox Email API client: one pooled HTTPS connection set, one rate limiter, typed results.

Sends are attempted exactly once per call: whether to try again is the outbox's decision, made
from the error class (see ``errors``) and persisted, so a crash never loses that knowledge.
Idempotent reads (GETs) retry here, with backoff, because repeating them is harmless.
Every request produces exactly one :class:`ActivityEvent`, whatever its fate.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from desktop_app.api.calls import ApiCalls, OnWire, _accept_any
from desktop_app.api.config import AuthStyle, Secret
from desktop_app.api.connection import PROBE_TRACKING_ID, ConnectionReport, ProbeOutcome, ProbeResult, candidates
from desktop_app.api.errors import (
    AmbiguousOutcome,
    CertificateUnverified,
    Forbidden,
    InvalidInput,
    InvalidRequest,
    NotFound,
    NotSent,
    NotServed,
    PauboxError,
    Rejected,
    Unauthorized,
)
from desktop_app.api.models import (
    TRACKING_ID,
    Receipt,
    SendResult,
    message_payload,
    parse_bulk_results,
    parse_receipt,
    parse_send_result,
    send_payload,
    templated_payload,
)
from desktop_app.api.schedule import ScheduledSend, parse_scheduled, scheduled_at_text
from desktop_app.api.templates import (
    DynamicTemplate,
    TemplateChange,
    TemplateSummary,
    check_template_name,
    parse_template,
    parse_template_change,
    parse_template_list,
    template_upload,
    template_values_json,
)
from desktop_app.api.webhooks import (
    WebhookChange,
    WebhookEndpoint,
    endpoint_fields,
    parse_endpoint,
    parse_endpoint_change,
    parse_endpoint_list,
)
from desktop_app.core.addresses import AddressError, parse_address
from desktop_app.core.message import MessageError, OutgoingMessage

if TYPE_CHECKING:  # the separate webhooks service loads when asked for, not with every client
    from desktop_app.api.webhooks_service import WebhooksService

BULK_CHUNK_SIZE = 50
_NUMERIC_ID = re.compile(r"[0-9]{1,18}")
_BULK_INDEX = re.compile(r"messages\[(\d+)\]")


class PauboxClient(ApiCalls):
    """Thread-safe: one instance serves the outbox and the status tracker together."""

    # ----------------------------------------------------------------------------- sending

    def send(self, message: OutgoingMessage, *, attempt: int = 1, on_wire: OnWire | None = None) -> SendResult:
        """POST messages once. Raises NotSent, AmbiguousOutcome or Rejected (InvalidInput: never sent).

        ``on_wire()`` is called once, on this thread, just before the request's first byte is
        written; if it was not called, the message provably never left this machine.
        """
        self._check_message(message)
        return self._call(
            "POST", "messages", "messages", parse_send_result, json_body=send_payload(message), attempt=attempt,
            on_wire=on_wire,
        )  # fmt: skip

    def send_templated(
        self, template_name: str, values: Mapping[str, Any], message: OutgoingMessage, *, attempt: int = 1,
        on_wire: OnWire | None = None,
    ) -> SendResult:  # fmt: skip
        """POST templated_messages once: the named template is the body, ``values`` fill it in."""
        self._check_message(message, require_body=False)
        body = templated_payload(check_template_name(template_name), template_values_json(values), message)
        return self._call("POST", "templated_messages", "templated_messages", parse_send_result,
                          json_body=body, attempt=attempt, on_wire=on_wire)  # fmt: skip

    def send_many(
        self, messages: Sequence[OutgoingMessage], *, on_wire: Callable[[Sequence[int]], None] | None = None
    ) -> list[SendResult | PauboxError]:
        """Send through bulk_messages in chunks of 50; one outcome per message, in order.

        A message that fails validation gets its own InvalidInput and never leaves; a chunk that
        fails as a whole gives each of its messages that error, so the caller applies the same
        ambiguity rules per message as for single sends. ``on_wire(indexes)`` is called just
        before a chunk's request starts writing, with the indexes of the messages it carries.
        """
        outcomes: dict[int, SendResult | PauboxError] = {}
        ready: list[int] = []
        for index, message in enumerate(messages):
            try:
                self._check_message(message)
                if message.has_send_options:
                    # bulk_messages items have no place for a tracking choice or unsubscribe_url:
                    # refuse rather than send it without what the user chose (the outbox sends it singly).
                    raise InvalidInput("This message has a tracking or unsubscribe-URL choice; send it on its own.")
                ready.append(index)
            except InvalidInput as error:
                outcomes[index] = error
        for start in range(0, len(ready), BULK_CHUNK_SIZE):
            chunk = ready[start : start + BULK_CHUNK_SIZE]
            body = {"data": {"messages": [message_payload(messages[i]) for i in chunk]}}
            try:
                parse = functools.partial(parse_bulk_results, expected=len(chunk))
                results: Sequence[SendResult | PauboxError] = self._call(
                    "POST", "bulk_messages", "bulk_messages", parse, json_body=body,
                    on_wire=functools.partial(on_wire, chunk) if on_wire is not None else None,
                )  # fmt: skip
            except PauboxError as error:
                results = _chunk_failure(error, len(chunk))
            for index, outcome in zip(chunk, results, strict=True):
                outcomes[index] = outcome
        return [outcomes[index] for index in range(len(messages))]

    def schedule(self, message: OutgoingMessage, at: datetime, *, attempt: int = 1) -> ScheduledSend:
        """POST schedule once (a send: same ambiguity rules); ``at`` within the next 30 days."""
        self._check_message(message)
        when = scheduled_at_text(at, self._now())
        body = {"data": {"message": message_payload(message), "scheduled_at": when}}
        return self._call("POST", "schedule", "schedule", parse_scheduled, json_body=body, attempt=attempt)

    def schedule_status(self, tracking_id: str) -> ScheduledSend:
        path = f"schedule/{check_path_id(tracking_id)}"
        return self._read("schedule/{id}", path, parse_scheduled, tracking_id=tracking_id)

    def reschedule(self, tracking_id: str, at: datetime) -> ScheduledSend:
        path = f"schedule/{check_path_id(tracking_id)}"
        body = {"scheduled_at": scheduled_at_text(at, self._now())}
        return self._call("PATCH", "schedule/{id}", path, parse_scheduled, json_body=body, tracking_id=tracking_id)

    def cancel_schedule(self, tracking_id: str) -> ScheduledSend:
        path = f"schedule/{check_path_id(tracking_id)}/cancel"
        return self._call("POST", "schedule/{id}/cancel", path, parse_scheduled, json_body={},
                          tracking_id=tracking_id)  # fmt: skip

    # ----------------------------------------------------------------------------- status

    def receipt(self, tracking_id: str) -> Receipt:
        """GET message_receipt, retried with backoff on anything but a client error."""
        check_path_id(tracking_id)
        return self._read("message_receipt", "message_receipt", parse_receipt,
                          params={"sourceTrackingId": tracking_id}, tracking_id=tracking_id)  # fmt: skip

    # ----------------------------------------------------------------------------- templates

    def list_templates(self) -> list[TemplateSummary]:
        return self._read("dynamic_templates", "dynamic_templates", parse_template_list)

    def get_template(self, template_id: int | str) -> DynamicTemplate:
        path = f"dynamic_templates/{check_numeric_id(template_id)}"
        return self._read("dynamic_templates/{id}", path, parse_template)

    def find_template(self, name: str) -> TemplateSummary | None:
        """Create returns no id (live behaviour): this is how to learn it afterwards."""
        return next((t for t in self.list_templates() if t.name == name), None)

    def create_template(self, name: str, body: str) -> TemplateChange:
        form, files = template_upload(name, body)
        return self._call("POST", "dynamic_templates", "dynamic_templates", parse_template_change,
                          form=form, files=files)  # fmt: skip

    def update_template(
        self, template_id: int | str, *, name: str | None = None, body: str | None = None
    ) -> TemplateChange:
        path = f"dynamic_templates/{check_numeric_id(template_id)}"
        form, files = template_upload(name, body)
        return self._call("PATCH", "dynamic_templates/{id}", path, parse_template_change, form=form, files=files)

    def delete_template(self, template_id: int | str) -> TemplateChange:
        path = f"dynamic_templates/{check_numeric_id(template_id)}"
        return self._call("DELETE", "dynamic_templates/{id}", path, parse_template_change)

    # ----------------------------------------------------------------------------- webhook endpoints

    def list_webhook_endpoints(self) -> list[WebhookEndpoint]:
        return self._read("webhook_endpoints", "webhook_endpoints", parse_endpoint_list)

    def get_webhook_endpoint(self, endpoint_id: int | str) -> WebhookEndpoint:
        path = f"webhook_endpoints/{check_numeric_id(endpoint_id)}"
        return self._read("webhook_endpoints/{id}", path, parse_endpoint)

    def create_webhook_endpoint(
        self, target_url: str, events: Sequence[str], *, active: bool = True, signing_key: str | None = None
    ) -> WebhookChange:
        body = endpoint_fields(target_url=target_url, events=list(events), active=active, signing_key=signing_key)
        return self._call("POST", "webhook_endpoints", "webhook_endpoints", parse_endpoint_change, json_body=body)

    def update_webhook_endpoint(
        self, endpoint_id: int | str, *, target_url: str | None = None, events: Sequence[str] | None = None,
        active: bool | None = None, signing_key: str | None = None,
    ) -> WebhookChange:  # fmt: skip
        path = f"webhook_endpoints/{check_numeric_id(endpoint_id)}"
        body = endpoint_fields(target_url=target_url, events=None if events is None else list(events),
                               active=active, signing_key=signing_key)  # fmt: skip
        return self._call("PATCH", "webhook_endpoints/{id}", path, parse_endpoint_change, json_body=body)

    def delete_webhook_endpoint(self, endpoint_id: int | str) -> WebhookChange:
        path = f"webhook_endpoints/{check_numeric_id(endpoint_id)}"
        return self._call("DELETE", "webhook_endpoints/{id}", path, parse_endpoint_change)

    def webhooks_service(self, key: Secret, *, base_url: str | None = None) -> WebhooksService:
        """The separate webhooks service (UUID ids, scoped ``Bearer`` key), beside the endpoints above.

        A second client on ``base_url`` (default: Paubox's) with ``key``, this client's timeouts, TLS
        policy and activity listener, and its own connections and rate limiter (another service,
        another key). Close it when done. ``webhooks_service_url(root)`` gives the sandbox's URL.
        """
        from desktop_app.api.webhooks_service import WEBHOOKS_SERVICE_URL, WebhooksService

        base_url = WEBHOOKS_SERVICE_URL if base_url is None else base_url
        config = dataclasses.replace(self.config, base_url=base_url, api_key=key, auth_style=AuthStyle.BEARER)
        return WebhooksService(PauboxClient(config, on_activity=self._on_activity, backoff=self._backoff,
                                            read_attempts=self._read_attempts, clock=self._clock, sleep=self._sleep,
                                            transport=self._transport))  # fmt: skip

    # ----------------------------------------------------------------------------- connection

    def check_credentials(self) -> None:
        """Raise Unauthorized for a bad key, NotSent when Paubox cannot be reached; otherwise return.

        Any other answer (even an error) proves the network and the key work, which is all the
        connectivity watch asks. ``test_connection`` tells the finer cases (wrong preset) apart.
        """
        try:
            self._probe_request()
        except Unauthorized:
            raise
        except (Rejected, AmbiguousOutcome):
            return

    def _probe_request(self) -> None:
        """Ask for the receipt of a tracking id no message has: it sends nothing and costs nothing,
        and a served endpoint with a good key answers "not found" in JSON."""
        try:
            self._call("GET", "message_receipt", "message_receipt", _accept_any,
                       params={"sourceTrackingId": PROBE_TRACKING_ID})  # fmt: skip
        except NotServed:
            raise
        except NotFound:
            return

    def test_connection(
        self, *, username: str = "", custom_url: str = "", root: str | None = None, budget: float | None = None
    ) -> ConnectionReport:
        """Probe every base-URL preset and auth style with this client's key; report in words which work.

        ``root`` stands in for Paubox's hosts (the sandbox serves every generation on one host).
        Read-only and one request per candidate, through this client's rate limiter. ``budget``
        bounds all the probes together (each probe's deadline is what is left of it): an endpoint
        that trickles or says nothing would otherwise cost a full deadline per candidate.
        """
        ends = None if budget is None else time.monotonic() + budget
        results = []
        for candidate in candidates(username, custom_url, root=root):
            left = None if ends is None else ends - time.monotonic()
            if left is not None and left <= 0:
                results.append(ProbeResult(candidate, ProbeOutcome.UNREACHABLE, "not tried: no time was left."))
                continue
            deadline = self.config.request_deadline if left is None else min(self.config.request_deadline, left)
            config = dataclasses.replace(
                self.config, base_url=candidate.base_url, auth_style=candidate.auth_style, request_deadline=deadline
            )
            probe = PauboxClient(config, limiter=self.limiter, on_activity=self._on_activity, read_attempts=1,
                                 clock=self._clock, sleep=self._sleep, transport=self._transport)  # fmt: skip
            try:
                outcome, words = probe._probe()
            finally:
                if self._transport is None:  # an injected transport belongs to the caller: leave it open
                    probe.close()
            results.append(ProbeResult(candidate, outcome, words))
        return ConnectionReport(tuple(results))

    def _probe(self) -> tuple[ProbeOutcome, str]:
        try:
            self._probe_request()
        except Unauthorized:
            return ProbeOutcome.KEY_REFUSED, "reached, but the key was refused."
        except Forbidden:
            return ProbeOutcome.NOT_PERMITTED, "reached; the key is valid but not allowed to use the Email API."
        except NotServed:
            return ProbeOutcome.NOT_SERVED, "that address does not serve the Paubox API."
        except CertificateUnverified as error:
            return ProbeOutcome.UNTRUSTED, f"reached, but not trusted: {error.user_message}"
        except NotSent as error:
            return ProbeOutcome.UNREACHABLE, f"not reachable: {error.user_message}"
        except PauboxError as error:
            return ProbeOutcome.UNEXPECTED, f"answered unexpectedly: {error.user_message}"
        return ProbeOutcome.WORKS, "works."

    # ----------------------------------------------------------------------------- plumbing

    def _check_message(self, message: OutgoingMessage, *, require_body: bool = True) -> None:
        """Refuse here what Paubox would refuse, so a bad message never costs a request or a retry."""
        try:
            message.validate(self.config.attachment_limit_bytes, require_body=require_body)  # parses each recipient
            parse_address(message.sender)
            if message.reply_to is not None:
                parse_address(message.reply_to.formatted())
        except (MessageError, AddressError) as error:
            raise InvalidInput(str(error)) from None


def _chunk_failure(error: PauboxError, size: int) -> list[PauboxError]:
    """Per-message outcomes of a bulk chunk that failed as a whole.

    A 400 naming ``messages[i]`` refused the whole batch because of message *i*: that one is
    Rejected, the others were not sent (the batch is all or nothing) and may go again.
    """
    match = _BULK_INDEX.search(error.detail) if isinstance(error, InvalidRequest) else None
    if match is None or int(match.group(1)) >= size:
        return [error] * size
    culprit = int(match.group(1))
    innocent = NotSent("Another message in the same batch was refused, so this one was not sent; it will go again.",
                       status=error.status)  # fmt: skip
    return [error if i == culprit else innocent for i in range(size)]


# OpenSSL's X509 verify codes worth naming in words; anything else is summarised by OpenSSL's own text.


def check_path_id(value: str) -> str:
    """Refuse ids that could change the URL they are placed in (path traversal, query smuggling)."""
    if not isinstance(value, str) or not TRACKING_ID.fullmatch(value):
        raise InvalidInput("That tracking id is not valid.")
    return value


def check_numeric_id(value: int | str) -> str:
    """Template and webhook-endpoint ids are numbers; anything else never reaches a URL path."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not _NUMERIC_ID.fullmatch(text):
        raise InvalidInput("That id is not valid.")
    return text
