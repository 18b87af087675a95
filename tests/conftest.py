"""Fixtures shared by every test: an isolated keyring, a real sandbox server, fresh profiles."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import keyring
import keyring.backend
import keyring.errors
import pytest

from desktop_app.sandbox.faults import FaultConfig
from desktop_app.sandbox.server import SandboxConfig, SandboxServer
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Overrides, Runtime
from tests.helpers.leaks import leaked_threads

# The backend the machine really has (the Secret Service under `make test`), captured before a
# test backend class exists: defining a KeyringBackend subclass makes keyring consider it.
REAL_KEYRING = keyring.get_keyring()
THREADS_BEFORE = pytest.StashKey[list[threading.Thread]]()


def _memory_keyring_class() -> type[keyring.backend.KeyringBackend]:
    class MemoryKeyring(keyring.backend.KeyringBackend):
        """A keyring that forgets everything at the end of the test."""

        priority = 0.1

        def __init__(self) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self.values: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.values.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.values[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            if self.values.pop((service, username), None) is None:
                raise keyring.errors.PasswordDeleteError(username)

    return MemoryKeyring


MemoryKeyring = _memory_keyring_class()


@pytest.fixture(autouse=True)
def isolated_keyring(request: pytest.FixtureRequest) -> Iterator[keyring.backend.KeyringBackend]:
    """Every test gets an empty in-memory keyring, except tests marked ``keyring`` (the real one)."""
    if request.node.get_closest_marker("keyring"):
        if "fail" in type(REAL_KEYRING).__module__:
            pytest.fail("no Secret Service: run the suite with `make test` (it starts a throwaway keyring)")
        keyring.set_keyring(REAL_KEYRING)
        yield REAL_KEYRING
        return
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(REAL_KEYRING)


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    """One real Paubox-compatible server for the session; statuses become final after 0.2 s."""
    with SandboxServer(SandboxConfig(delivery_delay=0.2)) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> SandboxServer:
    """The shared sandbox with faults cleared and its record emptied before the test."""
    with httpx.Client(base_url=sandbox_server.root_url + "/_sandbox", timeout=5) as control:
        control.post("/faults", json=FaultConfig().to_json()).raise_for_status()
        control.post("/reset").raise_for_status()
    return sandbox_server


def sandbox_control(server: SandboxServer) -> httpx.Client:
    return httpx.Client(base_url=server.root_url + "/_sandbox", timeout=5)


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    return Profile(tmp_path / "profile")


@pytest.fixture
def runtime(profile: Profile, sandbox: SandboxServer) -> Iterator[Runtime]:
    """The real engines (store, outbox, tracker) pointed at the shared sandbox."""
    rt = Runtime(profile, Overrides(api_base_url=sandbox.base_url, api_key=sandbox.api_key))
    rt.open()
    yield rt
    rt.close()


@pytest.fixture(autouse=True)
def _no_real_paubox_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own key in the environment must never leak into a test run."""
    monkeypatch.delenv("PAUBOX_API_KEY", raising=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    item.stash[THREADS_BEFORE] = threading.enumerate()
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """A test that leaves a thread running fails (after its fixtures have closed what they opened)."""
    yield
    before = item.stash.get(THREADS_BEFORE, None)
    if before is not None:
        leaked = leaked_threads(before)
        if leaked:
            pytest.fail(f"{item.nodeid} left threads running: {', '.join(leaked)}", pytrace=False)


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
