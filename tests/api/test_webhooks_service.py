"""The client's WebhooksService against the real sandbox: typed CRUD with UUIDs, lazy pages, errors
in the client's hierarchy, the one-time secret into the keyring, a verified signed delivery, and
neither the scoped key nor the secret in any log line, repr, error or activity event."""

from __future__ import annotations

import contextlib
import logging
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.api.config import Secret
from desktop_app.api.errors import (
    Forbidden,
    InvalidInput,
    InvalidRequest,
    MalformedResponse,
    NotFound,
    NotServed,
    PauboxError,
    Unauthorized,
)
from desktop_app.api.webhooks_service import (
    CreatedEndpoint,
    WebhooksService,
    check_endpoint_uuid,
    parse_created,
    parse_page,
    parse_single,
    webhooks_service_url,
)
from desktop_app.core.webhook_signature import SIGNATURE_HEADER, SignatureError, verify
from desktop_app.sandbox.server import SandboxConfig, SandboxServer
from desktop_app.store import webhook_secrets
from tests.sandbox.helpers import HookReceiver, mint_key

from .helpers import Recorder, make_client, message, set_faults

EVENTS = ("api_mail_log_delivered", "api_mail_log_permanent_failure")
TARGET = "https://hooks.example.org/paubox"
PROFILE = "0f3c2a1b4d5e6f708192a3b4c5d6e7f8"


def service_for(
    server: SandboxServer, recorder: Recorder | None = None, *, key: str | None = None, read_attempts: int = 3
) -> WebhooksService:
    client = make_client(server, recorder, read_attempts=read_attempts)
    service = client.webhooks_service(
        Secret(server.webhooks_key if key is None else key), base_url=webhooks_service_url(server.root_url)
    )
    client.close()  # the service has its own client; the Email API one is not needed here
    return service


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def service(sandbox: SandboxServer, recorder: Recorder) -> Iterator[WebhooksService]:
    with service_for(sandbox, recorder) as webhooks:
        yield webhooks


def requests_made(recorder: Recorder) -> list[tuple[str, str]]:
    return [(e.method, e.endpoint) for e in recorder.events]


def test_crud_with_uuids_and_a_secret_shown_once(service: WebhooksService, recorder: Recorder) -> None:
    created = service.create(TARGET, EVENTS)
    assert isinstance(created, CreatedEndpoint)
    endpoint = created.endpoint
    assert uuid.UUID(endpoint.id)
    assert (endpoint.target_url, endpoint.events, endpoint.status, endpoint.active) == (TARGET, EVENTS, "active", True)
    secret = created.signing_secret.reveal()
    assert secret.startswith("whsec_")
    assert secret not in repr(created)

    got = service.get(endpoint.id)
    assert got == endpoint
    assert "signing_secret" not in got.extra
    assert [e.id for e in service.iter_endpoints()] == [endpoint.id]

    disabled = service.update(endpoint.id, status="disabled")
    assert (disabled.status, disabled.active, disabled.target_url, disabled.events) == (
        "disabled",
        False,
        TARGET,
        EVENTS,
    )
    moved = service.update(endpoint.id.upper(), target_url="https://other.example/h", events=["api_mail_log_opened"])
    assert (moved.target_url, moved.events, moved.status) == (
        "https://other.example/h",
        ("api_mail_log_opened",),
        "disabled",
    )

    assert service.delete(endpoint.id) is None
    with pytest.raises(NotFound) as caught:
        service.get(endpoint.id)
    assert not isinstance(caught.value, NotServed)
    assert "webhook endpoint" in caught.value.user_message
    assert list(service.iter_endpoints()) == []
    assert ("DELETE", "webhooks/endpoints/{id}") in requests_made(recorder)
    assert all(endpoint.id not in e.endpoint for e in recorder.events)  # ids never in the log's endpoint names


def test_pages_are_fetched_only_as_they_are_consumed(service: WebhooksService, recorder: Recorder) -> None:
    ids = [service.create(f"https://hooks.example.org/{i}", EVENTS[:1]).endpoint.id for i in range(5)]
    recorder.events.clear()
    endpoints = service.iter_endpoints(items=2)
    assert recorder.events == []  # nothing fetched before the first item is asked for
    first = [next(endpoints), next(endpoints)]
    assert len(recorder.events) == 1
    third = next(endpoints)
    assert len(recorder.events) == 2
    rest = list(endpoints)
    assert [e.id for e in [*first, third, *rest]] == ids
    assert len(recorder.events) == 3  # 2 + 2 + 1: the short page ends it, no fourth request
    page = service.list_page(2, 2)
    assert (page.count, page.page, page.items, page.last) == (5, 2, 2, False)
    assert service.list_page(3, 2).last
    with pytest.raises(InvalidInput):
        service.list_page(0)
    with pytest.raises(InvalidInput):
        service.list_page(1, 101)


def test_an_exact_multiple_of_the_page_size_ends_by_count(service: WebhooksService, recorder: Recorder) -> None:
    for i in range(4):
        service.create(f"https://hooks.example.org/{i}", EVENTS[:1])
    recorder.events.clear()
    assert len(list(service.iter_endpoints(items=2))) == 4
    assert len(recorder.events) == 2  # page_info.count says page 2 is the last


def test_unscoped_event_is_forbidden(sandbox: SandboxServer) -> None:
    with service_for(sandbox, key=mint_key(sandbox, ["api_mail_log_delivered"])) as narrow:
        with pytest.raises(Forbidden) as caught:
            narrow.create(TARGET, ["api_mail_log_delivered", "api_mail_log_opened"])
        assert caught.value.status == 403
        assert "scoped" in caught.value.user_message
        assert "api_mail_log_opened" in caught.value.detail
        assert narrow.create(TARGET, ["api_mail_log_delivered"]).endpoint.events == ("api_mail_log_delivered",)


@pytest.mark.parametrize(
    ("target", "events", "words"),
    [
        (TARGET, ["api_mail_log_unknown"], "unknown event"),
        ("http://127.0.0.1:9/hook", ["api_mail_log_delivered"], "https"),  # the service wants https
    ],
)
def test_unknown_event_and_non_https_target_are_422(
    service: WebhooksService, target: str, events: list[str], words: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        service.create(target, events)
    assert caught.value.status == 422
    assert words in caught.value.detail
    assert caught.value.user_message.startswith("Paubox refused the webhook endpoint")
    assert "sender" not in caught.value.user_message


@pytest.mark.parametrize(
    "bad_id",
    ["42", "../endpoints", "1b4e28ba-2fa1-11d2-883f-0016d3cca427/../x", "1b4e28ba-2fa1-11d2-883f-0016d3cca427?x=1",
     "", " 1b4e28ba-2fa1-11d2-883f-0016d3cca427", "1b4e28ba2fa111d2883f0016d3cca427"],
)  # fmt: skip
def test_ids_are_checked_before_any_request(service: WebhooksService, recorder: Recorder, bad_id: str) -> None:
    for call in (service.get, service.delete, lambda i: service.update(i, status="active")):
        with pytest.raises(InvalidInput):
            call(bad_id)
    assert recorder.events == []


def test_uuid_check_normalises_case() -> None:
    value = "1B4E28BA-2FA1-11D2-883F-0016D3CCA427"
    assert check_endpoint_uuid(value) == value.lower()


def test_local_checks(service: WebhooksService, recorder: Recorder) -> None:
    with pytest.raises(InvalidInput, match="https"):
        service.create("http://hooks.example.org/h", EVENTS)
    with pytest.raises(InvalidInput):
        service.create(TARGET, [])
    with pytest.raises(InvalidInput):
        service.create(TARGET, "api_mail_log_delivered")
    with pytest.raises(InvalidInput):
        service.create(TARGET, ["bad event\r\n"])
    endpoint_id = str(uuid.uuid4())
    with pytest.raises(InvalidInput):
        service.update(endpoint_id)
    with pytest.raises(InvalidInput):
        service.update(endpoint_id, status="paused")
    assert recorder.events == []


def test_wrong_keys_are_unauthorized_in_words(sandbox: SandboxServer) -> None:
    for key in ("whk_not_a_key", sandbox.api_key):
        with service_for(sandbox, key=key) as webhooks, pytest.raises(Unauthorized) as caught:
            webhooks.list_page()
        assert "scoped API key" in caught.value.user_message


def test_unrouted_base_is_not_served(sandbox: SandboxServer) -> None:
    client = make_client(sandbox)
    wrong = client.webhooks_service(Secret(sandbox.webhooks_key), base_url=sandbox.root_url + "/v1/hooks")
    client.close()
    with wrong, pytest.raises(NotServed):
        wrong.list_page()


def test_the_older_endpoint_is_still_there(sandbox: SandboxServer) -> None:
    with make_client(sandbox) as client:
        change = client.create_webhook_endpoint(TARGET, EVENTS)
        assert change.endpoint is not None
        assert isinstance(change.endpoint.id, int)
        assert [e.id for e in client.list_webhook_endpoints()] == [change.endpoint.id]
        client.delete_webhook_endpoint(change.endpoint.id)
        assert client.list_webhook_endpoints() == []


# ------------------------------------------------------------------------------ the secret in the keyring


def test_secret_and_key_round_trip_through_the_keyring(isolated_keyring: Any) -> None:
    endpoint_id = str(uuid.uuid4())
    assert webhook_secrets.load_signing_secret(PROFILE, endpoint_id) is None
    webhook_secrets.store_signing_secret(PROFILE, endpoint_id, Secret("whsec_abc"))
    loaded = webhook_secrets.load_signing_secret(PROFILE, endpoint_id.upper())
    assert loaded is not None
    assert loaded.reveal() == "whsec_abc"
    assert repr(loaded) == "Secret('***')"
    assert isolated_keyring.values[("Sealpost", f"webhook-signing-secret:{PROFILE}:{endpoint_id}")] == "whsec_abc"
    webhook_secrets.delete_signing_secret(PROFILE, endpoint_id)
    webhook_secrets.delete_signing_secret(PROFILE, endpoint_id)  # twice is fine
    assert webhook_secrets.load_signing_secret(PROFILE, endpoint_id) is None
    webhook_secrets.store_webhooks_key(PROFILE, Secret("whk_1"))
    key = webhook_secrets.load_webhooks_key(PROFILE)
    assert key is not None
    assert key.reveal() == "whk_1"
    webhook_secrets.delete_webhooks_key(PROFILE)
    assert webhook_secrets.load_webhooks_key(PROFILE) is None
    with pytest.raises(ValueError, match="UUID"):
        webhook_secrets.store_signing_secret(PROFILE, "../x", Secret("s"))


@pytest.mark.keyring
def test_secret_in_the_real_secret_service() -> None:
    endpoint_id = str(uuid.uuid4())
    webhook_secrets.store_signing_secret(PROFILE, endpoint_id, Secret("whsec_real"))
    try:
        loaded = webhook_secrets.load_signing_secret(PROFILE, endpoint_id)
        assert loaded is not None
        assert loaded.reveal() == "whsec_real"
    finally:
        webhook_secrets.delete_signing_secret(PROFILE, endpoint_id)


# ------------------------------------------------------------------------------ a signed delivery

CANARY_KEY = "whk_CANARY_scoped_4b7e9d"


@pytest.fixture(scope="module")
def hook_sandbox() -> Iterator[SandboxServer]:
    """http:// loopback targets allowed (the test switch); a canary scoped key."""
    config = SandboxConfig(delivery_delay=0, webhook_http_loopback=True, webhooks_key=CANARY_KEY)
    with SandboxServer(config) as server:
        yield server


@pytest.fixture
def clean_hook_sandbox(hook_sandbox: SandboxServer) -> SandboxServer:
    set_faults(hook_sandbox)
    httpx.post(hook_sandbox.root_url + "/_sandbox/reset", timeout=5).raise_for_status()
    return hook_sandbox


def test_signed_delivery_verified_with_the_stored_secret(clean_hook_sandbox: SandboxServer) -> None:
    server = clean_hook_sandbox
    hook = HookReceiver()
    try:
        with service_for(server) as webhooks:
            created = webhooks.create(hook.url, ["api_mail_log_delivered"])
        webhook_secrets.store_signing_secret(PROFILE, created.endpoint.id, created.signing_secret)
        with make_client(server) as client:
            sent = client.send(message())
        delivery = hook.next()
        stored = webhook_secrets.load_signing_secret(PROFILE, created.endpoint.id)
        assert stored is not None
        header = delivery.headers[SIGNATURE_HEADER]
        assert verify(stored.reveal(), delivery.body, header, now=time.time()) > 0
        assert delivery.json()["payload"]["source_tracking_id"] == sent.tracking_id
        with pytest.raises(SignatureError):
            verify(stored.reveal(), delivery.body + b" ", header, now=time.time())
        with pytest.raises(SignatureError):
            verify("whsec_someone_else", delivery.body, header, now=time.time())
    finally:
        hook.close()


def test_neither_the_scoped_key_nor_the_secret_reaches_logs_errors_reprs_or_events(
    clean_hook_sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    server = clean_hook_sandbox
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    texts: list[str] = []
    recorder = Recorder()
    secrets_seen: list[str] = []

    def attempt(call: Callable[[], object]) -> object:
        try:
            result = call()
        except PauboxError as error:
            texts.extend([str(error), repr(error), repr(error.args), error.user_message, error.detail])
            texts.append("".join(traceback.format_exception(error)))
            return None
        texts.append(repr(result))
        return result

    with service_for(server, recorder, read_attempts=1) as webhooks:
        texts.append(repr(webhooks))
        created = attempt(lambda: webhooks.create("http://127.0.0.1:9/h", ["api_mail_log_delivered"]))
        assert isinstance(created, CreatedEndpoint)
        secrets_seen.append(created.signing_secret.reveal())
        texts.extend([str(created.signing_secret), repr(created.endpoint)])
        webhook_secrets.store_signing_secret(PROFILE, created.endpoint.id, created.signing_secret)
        texts.append(repr(webhook_secrets.load_signing_secret(PROFILE, created.endpoint.id)))
        endpoint_id = created.endpoint.id
        attempt(lambda: webhooks.get(endpoint_id))
        attempt(lambda: list(webhooks.iter_endpoints()))
        attempt(lambda: webhooks.update(endpoint_id, status="disabled"))
        attempt(lambda: webhooks.create("https://hooks.example.org/h", ["api_mail_log_nope"]))
        attempt(lambda: webhooks.get(str(uuid.uuid4())))
        for faults in (
            {"fail_rate": 1.0, "seed": 1},
            {"malformed_rate": 1.0},
            {"rate_limit": 0.01, "retry_after": "http-date"},
            {"revoke_key_after": 0},
        ):
            set_faults(server, **faults)
            secret_reply = attempt(lambda: webhooks.create("http://127.0.0.1:9/h", ["api_mail_log_delivered"]))
            if isinstance(secret_reply, CreatedEndpoint):
                secrets_seen.append(secret_reply.signing_secret.reveal())
            attempt(lambda: webhooks.list_page())
        set_faults(server)
        attempt(lambda: webhooks.delete(endpoint_id))
    with service_for(server, recorder, key=CANARY_KEY + "-wrong") as wrong:
        attempt(lambda: wrong.list_page())
    texts.extend(repr(event) for event in recorder.events)
    texts.extend(record.getMessage() for record in caplog.records)
    texts.extend(caplog.text.splitlines())
    assert len(recorder.events) > 10
    assert caplog.records
    for needle in (CANARY_KEY, *secrets_seen):
        assert [text for text in texts if needle in text] == []


# ------------------------------------------------------------------------------ parsers on hostile replies

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
_endpointish = st.fixed_dictionaries(
    {"id": st.one_of(st.just(str(uuid.uuid4())), _json), "target_url": _json, "events": _json, "status": _json},
    optional={"signing_secret": _json, "created_at": _json},
)


@given(
    body=st.one_of(_json, st.fixed_dictionaries({"data": st.one_of(_endpointish, _json)}, optional={"message": _json}))
)
def test_single_and_created_parsers_only_ever_raise_malformed(body: object) -> None:
    for parse in (parse_single, parse_created):
        with contextlib.suppress(MalformedResponse):
            parse(body)


@given(
    body=st.one_of(
        _json,
        st.fixed_dictionaries(
            {"data": st.one_of(st.lists(_endpointish, max_size=3), _json)}, optional={"page_info": _json}
        ),
    )
)
def test_page_parser_only_ever_raises_malformed(body: object) -> None:
    try:
        page = parse_page(body, 1, 2)
    except MalformedResponse:
        return
    assert all(uuid.UUID(e.id) for e in page.endpoints)
