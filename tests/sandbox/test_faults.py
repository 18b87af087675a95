"""Fault injection: each fault, seeded repeatability, and the ``/_sandbox/faults`` control API."""

from __future__ import annotations

import json
import time
from email.utils import parsedate_to_datetime

import httpx
import pytest

from desktop_app.sandbox.server import SandboxServer

from .helpers import client_for, message, send


def set_faults(control: httpx.Client, **faults: object) -> dict[str, object]:
    response = control.post("/faults", json=faults)
    assert response.status_code == 200, response.text
    current: dict[str, object] = response.json()
    return current


def outcome(client: httpx.Client) -> int | str:
    try:
        return send(client, message()).status_code
    except httpx.TransportError as error:
        return type(error).__name__


def test_faults_get_and_partial_update(control: httpx.Client) -> None:
    assert control.get("/faults").json()["fail_rate"] == 0
    current = set_faults(control, fail_rate=0.25, retry_after=5)
    assert current["fail_rate"] == 0.25
    assert current["retry_after"] == "5"
    assert current["latency_ms"] == 0
    assert control.get("/faults").json() == current


@pytest.mark.parametrize(
    "body",
    [{"nope": 1}, {"fail_rate": 2}, {"fail_rate": "x"}, {"latency_ms": True}, {"retry_after": "later"}, [1]],
)
def test_bad_fault_settings_are_400(control: httpx.Client, body: object) -> None:
    response = control.post("/faults", json=body)
    assert response.status_code == 400
    assert "error" in response.json()


def test_fail_rate_answers_5xx_without_acting(api: httpx.Client, control: httpx.Client) -> None:
    set_faults(control, fail_rate=1.0, seed=1)
    statuses = {send(api, message()).status_code for _ in range(20)}
    assert statuses <= {500, 502, 503, 504}
    assert len(statuses) > 1
    assert control.get("/messages").json()["count"] == 0


def test_same_seed_same_faults(api: httpx.Client, control: httpx.Client) -> None:
    def run() -> list[int | str]:
        set_faults(control, fail_rate=0.3, malformed_rate=0.3, seed=42)
        return [send(api, message()).status_code for _ in range(30)]

    first, second = run(), run()
    assert first == second
    assert 200 in first
    assert any(s >= 500 for s in first)


def test_malformed_rate_returns_broken_json_but_records(api: httpx.Client, control: httpx.Client) -> None:
    set_faults(control, malformed_rate=1.0, seed=3)
    response = send(api, message())
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert control.get("/messages").json()["count"] == 1


@pytest.mark.parametrize(("mode", "expected"), [("502", 502), ("drop", "RemoteProtocolError")])
def test_accept_then_fail_records_the_message(
    api: httpx.Client, control: httpx.Client, mode: str, expected: int | str
) -> None:
    set_faults(control, accept_then_fail_rate=1.0, accept_then_fail_mode=mode)
    assert outcome(api) == expected
    set_faults(control, accept_then_fail_rate=0)
    assert outcome(api) == 200
    rows = control.get("/messages").json()["messages"]
    assert [r["duplicate_count"] for r in rows] == [2, 2]


def test_accept_then_fail_timeout_outlasts_the_client(sandbox: SandboxServer, control: httpx.Client) -> None:
    set_faults(control, accept_then_fail_rate=1.0, accept_then_fail_mode="timeout", hang_seconds=30)
    with client_for(sandbox) as client:
        client.timeout = httpx.Timeout(0.3)
        assert outcome(client) == "ReadTimeout"
    assert control.get("/messages").json()["count"] == 1
    assert control.get("/stats").json()["by_endpoint"]["POST messages"] == {"timeout": 1}


def test_accept_then_fail_does_not_touch_reads(api: httpx.Client, control: httpx.Client) -> None:
    set_faults(control, accept_then_fail_rate=1.0, accept_then_fail_mode="drop")
    assert api.get("dynamic_templates").status_code == 200


def test_mixed_mode_is_repeatable(api: httpx.Client, control: httpx.Client) -> None:
    def run() -> list[int | str]:
        set_faults(control, accept_then_fail_rate=1.0, accept_then_fail_mode="mixed", hang_seconds=0, seed=7)
        return [outcome(api) for _ in range(8)]

    first = run()
    assert first == run()
    assert set(first) == {502, "RemoteProtocolError"}  # hang_seconds=0: "timeout" drops at once


def test_rate_limit_429_with_retry_after_modes(api: httpx.Client, control: httpx.Client) -> None:
    for mode, check in (
        ("none", lambda v: v is None),
        ("3", lambda v: v == "3"),
        ("http-date", lambda v: parsedate_to_datetime(v).timestamp() > time.time()),
        ("garbage", lambda v: v is not None and not v.isdigit()),
    ):
        set_faults(control, rate_limit=3, retry_after=mode)
        statuses = [send(api, message()) for _ in range(5)]
        assert [r.status_code for r in statuses] == [200, 200, 200, 429, 429], mode
        limited = statuses[-1]
        assert limited.json()["errors"][0]["code"] == 429
        assert check(limited.headers.get("Retry-After")), mode


def test_rate_limit_is_per_key(sandbox: SandboxServer, api: httpx.Client, control: httpx.Client) -> None:
    set_faults(control, rate_limit=1)
    assert send(api, message()).status_code == 200
    assert send(api, message()).status_code == 429
    other = httpx.post(sandbox.base_url + "/messages", json={}, headers={"Authorization": "Bearer other"})
    assert other.status_code == 401


def test_revoke_key_after(api: httpx.Client, control: httpx.Client) -> None:
    set_faults(control, revoke_key_after=2)
    assert [send(api, message()).status_code for _ in range(4)] == [200, 200, 401, 401]
    assert api.get("dynamic_templates").status_code == 401
    set_faults(control, revoke_key_after=None)
    assert send(api, message()).status_code == 200


def test_latency_is_added(api: httpx.Client, control: httpx.Client) -> None:
    set_faults(control, latency_ms=150)
    started = time.perf_counter()
    send(api, message())
    assert time.perf_counter() - started >= 0.15


def test_control_routes_are_never_faulted(control: httpx.Client) -> None:
    set_faults(control, fail_rate=1.0, latency_ms=500, rate_limit=1, revoke_key_after=0)
    started = time.perf_counter()
    for _ in range(3):
        assert control.get("/stats").status_code == 200
    assert time.perf_counter() - started < 0.5
