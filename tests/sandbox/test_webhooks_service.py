"""The separate webhooks service (``/v1/webhooks/endpoints``): keys, scopes, UUIDs, pages, errors, signed deliveries."""

from __future__ import annotations

import ssl
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme

from desktop_app.core.webhook_signature import SIGNATURE_HEADER, verify
from desktop_app.sandbox.server import SandboxConfig, SandboxServer

from .helpers import HookReceiver, client_for, message, mint_key, send, service_client

ALL_EVENTS = [
    "api_mail_log_delivered",
    "api_mail_log_temporary_failure",
    "api_mail_log_permanent_failure",
    "api_mail_log_opened",
]
TARGET = "https://hooks.example.org/paubox"


@pytest.fixture
def service(sandbox: SandboxServer, control: httpx.Client) -> Iterator[httpx.Client]:
    with service_client(sandbox) as client:
        yield client


@pytest.fixture(scope="module")
def http_sandbox() -> Iterator[SandboxServer]:
    """A sandbox started with the test switch that allows http:// loopback webhook targets."""
    with SandboxServer(SandboxConfig(delivery_delay=0, webhook_http_loopback=True)) as server:
        yield server


@pytest.fixture
def http_service(http_sandbox: SandboxServer) -> Iterator[httpx.Client]:
    httpx.post(http_sandbox.root_url + "/_sandbox/reset", timeout=5).raise_for_status()
    with service_client(http_sandbox) as client:
        yield client


@pytest.fixture
def receiver() -> Iterator[HookReceiver]:
    hook = HookReceiver()
    yield hook
    hook.close()


def create(client: httpx.Client, url: str = TARGET, events: list[str] | None = None) -> dict[str, Any]:
    response = client.post("endpoints", json={"target_url": url, "events": events or ALL_EVENTS})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_crud_with_uuid_ids_and_a_one_time_secret(service: httpx.Client) -> None:
    created = create(service, events=ALL_EVENTS[:2])
    data = created["data"]
    assert created["message"]
    assert str(uuid.UUID(data["id"])) == data["id"]
    secret = data["signing_secret"]
    assert secret.startswith("whsec_")
    assert len(secret) > 30
    assert data["status"] == "active"
    assert data["events"] == ALL_EVENTS[:2]
    assert data["target_url"] == TARGET

    got = service.get(f"endpoints/{data['id']}")
    assert got.status_code == 200
    assert "signing_secret" not in got.json()["data"]
    assert secret not in got.text
    listed = service.get("endpoints")
    assert secret not in listed.text
    assert [e["id"] for e in listed.json()["data"]] == [data["id"]]
    assert "signing_secret" not in listed.json()["data"][0]

    disabled = service.patch(f"endpoints/{data['id']}", json={"status": "disabled"})
    assert disabled.status_code == 200
    assert disabled.json()["data"]["status"] == "disabled"
    assert disabled.json()["data"]["target_url"] == TARGET  # partial: the rest stays
    assert disabled.json()["data"]["events"] == ALL_EVENTS[:2]
    moved = service.patch(f"endpoints/{data['id']}", json={"target_url": "https://other.example/h"}).json()["data"]
    assert (moved["target_url"], moved["status"]) == ("https://other.example/h", "disabled")
    assert "signing_secret" not in moved
    assert service.patch(f"endpoints/{data['id']}", json={"events": ["api_mail_log_opened"]}).json()["data"][
        "events"
    ] == ["api_mail_log_opened"]

    deleted = service.delete(f"endpoints/{data['id']}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    gone = service.get(f"endpoints/{data['id']}")
    assert gone.status_code == 404
    assert gone.json() == {"message": "Webhook endpoint not found"}
    assert service.delete(f"endpoints/{data['id']}").status_code == 404
    assert service.get("endpoints").json()["data"] == []


def test_malformed_and_unknown_ids_get_the_same_404(service: httpx.Client) -> None:
    unknown = service.get(f"endpoints/{uuid.uuid4()}")
    malformed = service.get("endpoints/42")
    assert unknown.status_code == malformed.status_code == 404
    assert unknown.json() == malformed.json() == {"message": "Webhook endpoint not found"}
    assert service.patch("endpoints/not-a-uuid", json={"status": "active"}).status_code == 404


def test_pagination(service: httpx.Client) -> None:
    ids = [create(service, f"https://hooks.example.org/{i}")["data"]["id"] for i in range(7)]
    seen: list[str] = []
    for page, size in ((1, 3), (2, 3), (3, 1)):
        body = service.get("endpoints", params={"page": page, "items": 3}).json()
        assert len(body["data"]) == size
        assert body["page_info"] == {"count": 7, "pages": 3, "page": page, "items": 3}
        seen += [e["id"] for e in body["data"]]
    assert seen == ids
    past = service.get("endpoints", params={"page": 4, "items": 3}).json()
    assert past["data"] == []
    assert past["page_info"]["count"] == 7
    default = service.get("endpoints").json()
    assert default["page_info"]["items"] == 50
    assert len(default["data"]) == 7
    assert service.get("endpoints", params={"items": 1000}).json()["page_info"]["items"] == 100
    for bad in ({"page": 0}, {"items": "x"}, {"page": "-1"}, {"page": "9" * 5000}, {"items": "\uff11"}):
        response = service.get("endpoints", params=bad)
        assert response.status_code == 422
        assert set(response.json()) == {"message"}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"target_url": TARGET, "events": ["api_mail_log_bogus"]}, "unknown event"),
        ({"target_url": TARGET, "events": []}, "events"),
        ({"target_url": TARGET}, "events"),
        ({"target_url": "http://hooks.example.org/h", "events": ALL_EVENTS}, "https"),
        ({"target_url": "http://127.0.0.1:9/h", "events": ALL_EVENTS}, "https"),  # no test switch on this one
        ({"target_url": "ftp://hooks.example.org/h", "events": ALL_EVENTS}, "https"),
        ({"target_url": "https://user:pw@hooks.example.org/h", "events": ALL_EVENTS}, "https"),
        ({"events": ALL_EVENTS}, "target_url"),
    ],
)
def test_create_validation_is_422_with_a_message(service: httpx.Client, body: dict[str, object], words: str) -> None:
    response = service.post("endpoints", json=body)
    assert response.status_code == 422
    assert set(response.json()) == {"message"}
    assert words in response.json()["message"]


def test_update_validation(service: httpx.Client) -> None:
    endpoint = create(service)["data"]["id"]
    for body in ({"status": "paused"}, {"target_url": "http://hooks.example.org"}, {"events": ["nope"]}, {}):
        response = service.patch(f"endpoints/{endpoint}", json=body)
        assert response.status_code == 422, body
        assert set(response.json()) == {"message"}
    assert service.post("endpoints", content=b"{oops", headers={"Content-Type": "application/json"}).status_code == 400
    assert service.post("endpoints", content=b"[" * 100_000).status_code == 400
    assert service.post("endpoints", json=["not", "an", "object"]).status_code == 400


def test_scoped_keys(sandbox: SandboxServer, service: httpx.Client) -> None:
    everything = create(service)["data"]["id"]
    narrow = mint_key(sandbox, ["api_mail_log_delivered"])
    with service_client(sandbox, narrow) as scoped:
        refused = scoped.post("endpoints", json={"target_url": TARGET, "events": ALL_EVENTS[:2]})
        assert refused.status_code == 403
        assert "api_mail_log_temporary_failure" in refused.json()["message"]
        mine = create(scoped, events=["api_mail_log_delivered"])["data"]["id"]
        # Endpoints carrying an event outside the key's scope are not this key's to see or touch.
        listed = scoped.get("endpoints").json()
        assert [e["id"] for e in listed["data"]] == [mine]
        assert listed["page_info"]["count"] == 1
        assert scoped.get(f"endpoints/{everything}").status_code == 404
        assert scoped.delete(f"endpoints/{everything}").status_code == 404
        assert scoped.patch(f"endpoints/{mine}", json={"events": ["api_mail_log_opened"]}).status_code == 403
    assert {e["id"] for e in service.get("endpoints").json()["data"]} == {everything, mine}


def test_keys_and_auth(sandbox: SandboxServer, service: httpx.Client) -> None:
    url = sandbox.webhooks_url + "/endpoints"
    for headers in (
        {},
        {"Authorization": f"Token token={sandbox.webhooks_key}"},  # the Email API's scheme is not accepted
        {"Authorization": f"Bearer {sandbox.api_key}"},  # nor the Email API key
        {"Authorization": "Bearer whk_made_up"},
    ):
        response = httpx.get(url, headers=headers)
        assert response.status_code == 401, headers
        assert set(response.json()) == {"message"}
    # The webhooks key does not open the Email API either.
    with httpx.Client(
        base_url=sandbox.base_url + "/", headers={"Authorization": f"Bearer {sandbox.webhooks_key}"}
    ) as c:
        assert c.get("dynamic_templates").status_code == 401
    wrong_method = service.put(f"endpoints/{uuid.uuid4()}", json={})
    assert wrong_method.status_code == 405
    assert "PATCH" in wrong_method.headers["Allow"]
    minted = mint_key(sandbox, ["api_mail_log_opened"])
    assert httpx.get(url, headers={"Authorization": f"Bearer {minted}"}).status_code == 200
    httpx.post(sandbox.root_url + "/_sandbox/reset").raise_for_status()
    assert httpx.get(url, headers={"Authorization": f"Bearer {minted}"}).status_code == 401  # minted keys reset
    assert service.get("endpoints").status_code == 200  # the configured key stays
    bad = httpx.post(sandbox.root_url + "/_sandbox/webhook_keys", json={"events": ["nope"]})
    assert bad.status_code == 400


def test_unrouted_service_paths_get_the_gateway_404(sandbox: SandboxServer) -> None:
    headers = {"Authorization": f"Bearer {sandbox.webhooks_key}"}
    for path in ("/v1/webhooks", "/v1/webhooks/", "/v1/webhooks/events", "/v1/webhooks/endpoints/a/b"):
        response = httpx.get(sandbox.root_url + path, headers=headers)
        assert response.status_code == 404, path
        assert response.headers["Content-Type"].startswith("text/html")


def test_faults_apply_with_the_services_error_shape(service: httpx.Client, control: httpx.Client) -> None:
    control.post("/faults", json={"rate_limit": 0.01, "retry_after": "5"}).raise_for_status()
    service.get("endpoints")
    limited = service.get("endpoints")
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "5"
    assert set(limited.json()) == {"message"}
    control.post("/faults", json={"rate_limit": 0, "fail_rate": 1.0, "seed": 2}).raise_for_status()
    statuses = {service.get("endpoints").status_code for _ in range(12)}
    assert statuses <= {500, 502, 503, 504}
    assert len(statuses) > 1
    stats = control.get("/stats").json()["by_endpoint"]
    assert "GET webhooks/endpoints" in stats


def _wait_for_log(client: httpx.Client, predicate: Any, seconds: float = 5.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + seconds
    while True:
        log: list[dict[str, Any]] = client.get("/webhooks").json()["deliveries"]
        if predicate(log) or time.monotonic() > deadline:
            return log
        time.sleep(0.02)


def test_signed_delivery_to_a_loopback_receiver(
    http_sandbox: SandboxServer, http_service: httpx.Client, receiver: HookReceiver
) -> None:
    created = create(http_service, receiver.url, ["api_mail_log_delivered", "api_mail_log_opened"])["data"]
    with client_for(http_sandbox) as api:
        tracking_id = send(api, message(recipients=["kim.opened@example.org"])).json()["sourceTrackingId"]
    got = sorted((receiver.next(), receiver.next()), key=lambda d: d.json()["event_name"])
    assert [d.json()["event_name"] for d in got] == ["api_mail_log_delivered", "api_mail_log_opened"]
    for delivery in got:
        header = delivery.headers[SIGNATURE_HEADER]
        assert verify(created["signing_secret"], delivery.body, header, now=time.time())
        assert delivery.headers["Paubox-Event-Id"].startswith("evt_")
        assert delivery.json()["payload"]["source_tracking_id"] == tracking_id
        assert created["signing_secret"] not in delivery.body.decode()
    with httpx.Client(base_url=http_sandbox.root_url + "/_sandbox") as control:
        log = control.get("/webhooks").json()["deliveries"]
    assert {(d["source"], d["signed"], d["endpoint_id"], d["status"]) for d in log} == {
        ("webhooks_service", True, created["id"], 204)
    }
    assert created["signing_secret"] not in str(log)


def test_disabled_and_unsubscribed_endpoints_get_nothing(
    http_sandbox: SandboxServer, http_service: httpx.Client, receiver: HookReceiver
) -> None:
    endpoint = create(http_service, receiver.url, ["api_mail_log_delivered"])["data"]["id"]
    create(http_service, receiver.url, ["api_mail_log_permanent_failure"])
    http_service.patch(f"endpoints/{endpoint}", json={"status": "disabled"}).raise_for_status()
    with client_for(http_sandbox) as api:
        send(api, message())
    assert receiver.nothing_more()
    http_service.patch(f"endpoints/{endpoint}", json={"status": "active"}).raise_for_status()
    with client_for(http_sandbox) as api:
        send(api, message())
    assert receiver.next().json()["event_name"] == "api_mail_log_delivered"
    assert receiver.nothing_more()


def test_older_endpoint_still_delivers_unsigned_beside_the_service(
    http_sandbox: SandboxServer, http_service: httpx.Client, receiver: HookReceiver
) -> None:
    create(http_service, receiver.url, ["api_mail_log_delivered"])
    with client_for(http_sandbox) as api:
        older = api.post("webhook_endpoints", json={"target_url": receiver.url, "events": ["api_mail_log_delivered"]})
        assert isinstance(older.json()["data"]["id"], int)
        send(api, message())
    got = [receiver.next(), receiver.next()]
    signed = [d for d in got if SIGNATURE_HEADER in d.headers]
    assert len(signed) == 1
    assert [d.json()["event_name"] for d in got] == ["api_mail_log_delivered"] * 2


def test_non_loopback_targets_are_never_contacted(sandbox: SandboxServer, service: httpx.Client) -> None:
    create(service, "https://hooks.example.org/p", ["api_mail_log_delivered"])
    with client_for(sandbox) as api:
        api.post("webhook_endpoints", json={"target_url": "http://10.1.2.3/h", "events": ["api_mail_log_delivered"]})
        send(api, message())
    with httpx.Client(base_url=sandbox.root_url + "/_sandbox") as control:
        log = _wait_for_log(control, lambda entries: len(entries) >= 2)
    assert sorted((d["source"], d["status"], d["error"]) for d in log) == [
        ("webhook_endpoints", None, "skipped: not a loopback target"),
        ("webhooks_service", None, "skipped: not a loopback target"),
    ]


def test_https_receiver_with_a_trusted_test_ca(tmp_path: Path) -> None:
    """Without the http switch: an https loopback receiver, its CA trusted through webhook_ca_file."""
    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    hook = HookReceiver(tls=context)
    try:
        with SandboxServer(SandboxConfig(delivery_delay=0, webhook_ca_file=str(ca_file))) as server:
            with service_client(server) as client:
                secret = create(client, hook.url, ["api_mail_log_delivered"])["data"]["signing_secret"]
            with client_for(server) as api:
                send(api, message())
            delivery = hook.next()
            assert verify(secret, delivery.body, delivery.headers[SIGNATURE_HEADER], now=time.time())
    finally:
        hook.close()
