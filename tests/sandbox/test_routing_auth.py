"""Base-URL generations, auth styles, the legacy username check and the gateway HTML 404."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from desktop_app.sandbox.server import SandboxConfig, SandboxServer

from .helpers import client_for, message, send


@pytest.mark.parametrize("base", ["legacy", "v1", "v1_email"])
@pytest.mark.parametrize("auth", ["token", "bearer"])
def test_every_generation_and_auth_style_sends_and_reads(
    sandbox: SandboxServer, control: httpx.Client, base: str, auth: str
) -> None:
    with client_for(sandbox, base, auth) as client:
        response = send(client, message())
        assert response.status_code == 200, response.text
        tracking_id = response.json()["sourceTrackingId"]
        assert client.get("message_receipt", params={"sourceTrackingId": tracking_id}).status_code == 200


def test_base_urls(sandbox: SandboxServer) -> None:
    root = f"http://127.0.0.1:{sandbox.port}"
    assert sandbox.root_url == root
    assert sandbox.base_urls == {"legacy": root + "/v1/sandbox", "v1": root + "/v1", "v1_email": root + "/v1/email"}
    assert sandbox.base_url == root + "/v1/email"


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Token token=wrong", "Bearer wrong", "Basic abc", "Token", "Bearer"],
)
def test_bad_or_missing_key_is_401(sandbox: SandboxServer, control: httpx.Client, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = httpx.post(sandbox.base_url + "/messages", json={"data": {"message": message()}}, headers=headers)
    assert response.status_code == 401
    assert response.json()["errors"][0] == {
        "code": 401,
        "status": "invalid_access_token",
        "title": "Invalid Access Token",
        "details": "Access token is missing or does not match endpoint username",
    }


def test_quoted_token_form_is_accepted(sandbox: SandboxServer, control: httpx.Client) -> None:
    headers = {"Authorization": f'Token token="{sandbox.api_key}"'}
    response = httpx.get(sandbox.base_url + "/dynamic_templates", headers=headers)
    assert response.status_code == 200


def test_legacy_username_mismatch_is_401(sandbox: SandboxServer, control: httpx.Client) -> None:
    headers = {"Authorization": f"Token token={sandbox.api_key}"}
    url = sandbox.root_url + "/v1/someone-else/messages"
    response = httpx.post(url, json={"data": {"message": message()}}, headers=headers)
    assert response.status_code == 401
    assert "does not match endpoint username" in response.json()["errors"][0]["details"]


@pytest.mark.parametrize("path", ["/", "/v2/messages", "/v1/email/nothing", "/v1/a/b/c/messages", "/v1//messages"])
def test_unrouted_path_is_gateway_html_404(sandbox: SandboxServer, control: httpx.Client, path: str) -> None:
    response = httpx.get(sandbox.root_url + path, headers={"Authorization": f"Bearer {sandbox.api_key}"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>404 Not Found</h1>" in response.text


def test_cli_credential_check_get_messages(sandbox: SandboxServer, control: httpx.Client) -> None:
    """paubox-cli: GET <base>/messages is 401 for a bad key and anything else for a good one."""
    good = httpx.get(sandbox.base_url + "/messages", headers={"Authorization": f"Token token={sandbox.api_key}"})
    bad = httpx.get(sandbox.base_url + "/messages", headers={"Authorization": "Token token=nope"})
    assert good.status_code == 405
    assert good.headers["Allow"] == "POST"
    assert bad.status_code == 401


def test_get_with_json_content_type_and_trailing_slash(api: httpx.Client) -> None:
    """The Python and C# SDKs send Content-Type: application/json even on GET."""
    response = api.get("dynamic_templates/", headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert response.json() == []


@pytest.fixture(scope="module")
def strict_sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(delivery_delay=0, strict_newest=True, api_username="acme")) as server:
        yield server


def test_strict_newest_routes_only_v1_email(strict_sandbox: SandboxServer) -> None:
    for base, expected in (("v1_email", 200), ("v1", 404), ("legacy", 404)):
        with client_for(strict_sandbox, base) as client:
            assert send(client, message()).status_code == expected


def test_generated_keys_differ_and_explicit_key_is_used() -> None:
    with SandboxServer() as first, SandboxServer(SandboxConfig(api_key="k-123")) as second:
        assert first.api_key != SandboxServer().api_key
        assert second.api_key == "k-123"
        assert first.port != second.port


def test_non_loopback_host_is_refused() -> None:
    with pytest.raises(ValueError, match="non-loopback"):
        SandboxConfig(host="0.0.0.0")
    assert SandboxConfig(host="0.0.0.0", allow_non_loopback=True).host == "0.0.0.0"


def test_stop_is_idempotent_and_start_twice_fails() -> None:
    server = SandboxServer(SandboxConfig(delivery_delay=0))
    server.stop()
    server.start()
    with pytest.raises(RuntimeError):
        server.start()
    server.stop()
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.root_url + "/_sandbox/stats")


def test_port_in_use_raises_on_start(sandbox: SandboxServer) -> None:
    with pytest.raises(OSError, match="address already in use"):
        SandboxServer(SandboxConfig(port=sandbox.port)).start()
