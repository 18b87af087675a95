"""``test_connection()`` and ``check_credentials()`` against the sandbox's three URL generations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop_app.api.config import AuthStyle, BasePreset
from desktop_app.api.connection import ProbeOutcome, candidates
from desktop_app.api.errors import NotServed, Unauthorized
from desktop_app.sandbox.server import SandboxConfig, SandboxServer

from .helpers import Recorder, closed_port, make_client, recorded


@pytest.fixture(scope="module")
def strict_sandbox() -> Iterator[SandboxServer]:
    """Serves only ``/v1/email``, like the newest gateway: the older paths answer an HTML 404."""
    with SandboxServer(SandboxConfig(strict_newest=True, delivery_delay=0)) as server:
        yield server


def outcomes(report: object) -> dict[tuple[BasePreset, AuthStyle], ProbeOutcome]:
    return {(r.candidate.preset, r.candidate.auth_style): r.outcome for r in report.results}  # type: ignore[attr-defined]


def test_every_preset_and_auth_style_works_on_the_sandbox(sandbox: SandboxServer) -> None:
    recorder = Recorder()
    with make_client(sandbox, recorder) as client:
        report = client.test_connection(username=sandbox.config.api_username, root=sandbox.root_url)
    assert set(outcomes(report).values()) == {ProbeOutcome.WORKS}
    assert len(report.results) == 6
    assert report.summary == (
        "Your key works with Current (api.paubox.com/v1/email) with Token authorisation. Choose that in Settings."
    )
    assert len(recorder.events) == 6  # one read-only probe per candidate
    assert recorded(sandbox)["count"] == 0  # nothing was sent


def test_a_wrong_username_fails_only_the_legacy_preset(sandbox: SandboxServer) -> None:
    with make_client(sandbox) as client:
        report = client.test_connection(username="someone-else", root=sandbox.root_url)
    by = outcomes(report)
    assert by[(BasePreset.LEGACY, AuthStyle.TOKEN)] is ProbeOutcome.KEY_REFUSED
    assert by[(BasePreset.V1, AuthStyle.BEARER)] is ProbeOutcome.WORKS
    assert any("key was refused" in line for line in report.details)


def test_a_wrong_key_is_refused_everywhere_and_said_so(sandbox: SandboxServer) -> None:
    with make_client(sandbox, key="not-the-key") as client:
        report = client.test_connection(username="sandbox", root=sandbox.root_url)
    assert set(outcomes(report).values()) == {ProbeOutcome.KEY_REFUSED}
    assert not report.ok
    assert "refused the key" in report.summary


def test_only_the_newest_generation_on_a_strict_gateway(strict_sandbox: SandboxServer) -> None:
    with make_client(strict_sandbox, generation="v1") as client:
        with pytest.raises(NotServed, match="base URL preset"):
            client.list_templates()
        client.check_credentials()  # reachable and not a key problem: all the connectivity watch asks
        report = client.test_connection(username="sandbox", root=strict_sandbox.root_url)
    by = outcomes(report)
    assert by[(BasePreset.V1_EMAIL, AuthStyle.TOKEN)] is ProbeOutcome.WORKS
    assert by[(BasePreset.V1_EMAIL, AuthStyle.BEARER)] is ProbeOutcome.WORKS
    assert by[(BasePreset.V1, AuthStyle.TOKEN)] is ProbeOutcome.NOT_SERVED
    assert by[(BasePreset.LEGACY, AuthStyle.BEARER)] is ProbeOutcome.NOT_SERVED


def test_nothing_reachable_is_said_plainly(sandbox: SandboxServer) -> None:
    with make_client(sandbox) as client:
        report = client.test_connection(root=f"http://127.0.0.1:{closed_port()}")
    assert set(outcomes(report).values()) == {ProbeOutcome.UNREACHABLE}
    assert "could not be reached" in report.summary


def test_check_credentials(sandbox: SandboxServer) -> None:
    with make_client(sandbox) as client:
        client.check_credentials()
    with make_client(sandbox, key="wrong") as client, pytest.raises(Unauthorized):
        client.check_credentials()


def test_candidates_order_and_custom_url() -> None:
    found = candidates("acme", "https://proxy.example.com/paubox/")
    assert [(c.preset, c.auth_style) for c in found][:3] == [
        (BasePreset.CUSTOM, AuthStyle.TOKEN),
        (BasePreset.CUSTOM, AuthStyle.BEARER),
        (BasePreset.V1_EMAIL, AuthStyle.TOKEN),
    ]
    assert found[0].base_url == "https://proxy.example.com/paubox"
    assert found[-1].base_url == "https://api.paubox.net/v1/acme"
    assert [c.preset for c in candidates()].count(BasePreset.LEGACY) == 0  # no username, no legacy
