"""Realistic mode: the key works only on its own base-URL generation, with its documented auth styles."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from desktop_app.sandbox.__main__ import config_from_args, parse_args
from desktop_app.sandbox.server import SandboxConfig, SandboxServer

from .helpers import message

LEGACY_401 = {
    "errors": [{
        "code": 401, "status": "invalid_access_token", "title": "Invalid Access Token",
        "details": "Access token is missing or does not match endpoint username",
    }]
}  # fmt: skip


@pytest.fixture(scope="module", params=["legacy", "v1", "v1_email"])
def realistic(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    config = SandboxConfig(delivery_delay=0, realistic=True, key_generation=request.param)
    with SandboxServer(config) as server:
        yield server


def post(server: SandboxServer, base: str, auth: str) -> httpx.Response:
    value = f"Token token={server.api_key}" if auth == "token" else f"Bearer {server.api_key}"
    return httpx.post(server.base_urls[base] + "/messages", json={"data": {"message": message()}},
                      headers={"Authorization": value}, timeout=5)  # fmt: skip


# What each key generation gets, per base-URL generation and auth style (docs/sandbox.md).
EXPECTED = {
    "legacy": {("legacy", "token"): 200, ("legacy", "bearer"): 401, ("v1", "token"): 401, ("v1", "bearer"): 401,
               ("v1_email", "token"): 401, ("v1_email", "bearer"): 401},
    "v1": {("legacy", "token"): 404, ("legacy", "bearer"): 404, ("v1", "token"): 200, ("v1", "bearer"): 401,
           ("v1_email", "token"): 404, ("v1_email", "bearer"): 404},
    "v1_email": {("legacy", "token"): 404, ("legacy", "bearer"): 404, ("v1", "token"): 404, ("v1", "bearer"): 404,
                 ("v1_email", "token"): 200, ("v1_email", "bearer"): 200},
}  # fmt: skip


@pytest.mark.parametrize("base", ["legacy", "v1", "v1_email"])
@pytest.mark.parametrize("auth", ["token", "bearer"])
def test_each_key_generation_works_only_where_its_sources_say(realistic: SandboxServer, base: str, auth: str) -> None:
    response = post(realistic, base, auth)
    assert response.status_code == EXPECTED[realistic._config.key_generation][base, auth], response.text
    if response.status_code == 401:
        assert response.json() == LEGACY_401
    if response.status_code == 404:  # the gateway's HTML page, not a JSON "not found"
        assert response.headers["Content-Type"].startswith("text/html")


def test_legacy_key_without_the_username_gets_the_documented_401() -> None:
    with SandboxServer(SandboxConfig(delivery_delay=0, realistic=True)) as server:
        for base in ("v1", "v1_email"):
            response = post(server, base, "token")
            assert response.status_code == 401
            assert response.json() == LEGACY_401
        wrong_user = server.root_url + "/v1/someone-else/messages"
        response = httpx.post(wrong_user, json={"data": {"message": message()}},
                              headers={"Authorization": f"Token token={server.api_key}"}, timeout=5)  # fmt: skip
        assert response.status_code == 401
        assert post(server, "legacy", "token").status_code == 200


def test_without_realistic_every_generation_still_works() -> None:
    with SandboxServer(SandboxConfig(delivery_delay=0, key_generation="legacy")) as server:
        assert all(post(server, base, "bearer").status_code == 200 for base in ("legacy", "v1", "v1_email"))


def test_command_line_flags() -> None:
    config = config_from_args(parse_args(["--realistic", "--key-generation", "v1"]))
    assert config.realistic
    assert config.key_generation == "v1"
    assert not config_from_args(parse_args([])).realistic
    with pytest.raises(ValueError, match="key_generation"):
        SandboxConfig(key_generation="v2")
