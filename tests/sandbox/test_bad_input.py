"""Hostile or broken requests always get a Paubox-style error, never a 5xx, a crash or a hang."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.sandbox.server import SandboxConfig, SandboxServer

from .helpers import client_for, message


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"\xff\xfe\x00", "application/json"),
        (b"", "application/json"),
        (b"[]", "application/json"),
        (b'"data"', "application/json"),
        (b'{"data": []}', "application/json"),
        (b'{"data": {"message": []}}', "application/json"),
        (json.dumps({"data": {"message": message()}}).encode(), "text/plain"),
        (b"data=1", "application/x-www-form-urlencoded"),
    ],
)
def test_garbage_and_wrong_content_type_are_400(api: httpx.Client, content: bytes, content_type: str) -> None:
    response = api.post("messages", content=content, headers={"Content-Type": content_type})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == 400


def test_broken_multipart_is_400(api: httpx.Client) -> None:
    headers = {"Content-Type": "multipart/form-data; boundary=XYZ"}
    response = api.post("dynamic_templates", content=b"--XYZ\r\nContent-Dispo garbage", headers=headers)
    assert response.status_code == 400
    assert "error" in response.json()


def test_multipart_without_boundary_is_400(api: httpx.Client) -> None:
    response = api.post("dynamic_templates", content=b"x", headers={"Content-Type": "multipart/form-data"})
    assert response.status_code == 400


@pytest.fixture(scope="module")
def small_sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(delivery_delay=0, max_body_bytes=64 * 1024)) as server:
        yield server


def test_oversized_body_is_413(small_sandbox: SandboxServer) -> None:
    attachment = {"fileName": "big.bin", "contentType": "application/octet-stream", "content": "A" * 100_000}
    with client_for(small_sandbox) as client:
        big = client.post("messages", json={"data": {"message": message(attachments=[attachment])}})
        assert big.status_code == 413
        assert big.json()["errors"][0]["code"] == 413
        form = client.post("dynamic_templates", data={"data[name]": "x"}, files={"data[body]": ("b", b"x" * 100_000)})
        assert form.status_code == 413
        assert client.post("messages", json={"data": {"message": message()}}).status_code == 200


def test_default_body_limit_is_60_mb() -> None:
    assert SandboxConfig().max_body_bytes == 60 * 1024 * 1024


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
message_like = st.fixed_dictionaries(
    {},
    optional={
        "recipients": st.lists(st.sampled_from(["a@b.org", "x", "", "N <n@b.org>"]) | json_values, max_size=3)
        | json_values,
        "cc": json_values,
        "headers": st.fixed_dictionaries(
            {},
            optional={"subject": json_values, "from": st.sampled_from(["f@b.org", "bad"]) | json_values},
        )
        | json_values,
        "content": st.dictionaries(st.sampled_from(["text/plain", "text/html"]), json_values) | json_values,
        "attachments": json_values,
        "forceSecureNotification": json_values,
        "allowNonTLS": json_values,
    },
)
bodies = json_values | st.fixed_dictionaries({"data": st.fixed_dictionaries({"message": message_like}) | json_values})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_random_json_never_5xx(api: httpx.Client, body: object) -> None:
    response = api.post("messages", json=body)
    assert response.status_code in (200, 400, 422)
    response.json()
