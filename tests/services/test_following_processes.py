"""A runtime hears what another process commits to its profile, however long that transaction took."""

from __future__ import annotations

import time

import pytest

from desktop_app.sandbox.server import SandboxServer
from desktop_app.services.ownership import SendingOwnership
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Overrides, Runtime
from desktop_app.store.messages import MessageStore
from desktop_app.store.unlock import open_profile_database
from tests.helpers.messages import make_message


@pytest.mark.parametrize("stamped_seconds_before_commit", [1.0, 12.0])
def test_rows_another_process_adds_are_heard_however_late_their_commit(
    profile: Profile, sandbox: SandboxServer, stamped_seconds_before_commit: float
) -> None:
    """A 50,000-row batch is one transaction stamped when it starts and committed 20 s later; the
    follower looked back 5 s only, so a window on the profile (another process sending) heard those
    rows only as the owner claimed them, never while they waited (12 s: 0 of 3)."""
    owner = SendingOwnership(profile.directory, role="the batch's process")  # it sends; this runtime follows
    assert owner.try_acquire()
    runtime = Runtime(profile, Overrides(api_base_url=sandbox.base_url, api_key=sandbox.api_key))
    runtime.open()
    other: MessageStore | None = None
    try:
        assert not runtime.is_sending_owner
        assert runtime.store is not None
        heard: set[int] = set()
        runtime.store.on_change(heard.add)
        other = MessageStore(
            open_profile_database(profile.directory / "sealpost.db", profile.settings.profile_id),
            clock=lambda: time.time() - stamped_seconds_before_commit,  # the other process's transaction began then
        )
        ids = other.add_batch("queued-elsewhere", [(n, make_message(f"row {n}")) for n in range(3)])
        deadline = time.monotonic() + 10
        while not set(ids) <= heard and time.monotonic() < deadline:
            time.sleep(0.05)
        assert set(ids) <= heard
    finally:
        if other is not None:
            other.close()
        runtime.close()
        owner.release()
