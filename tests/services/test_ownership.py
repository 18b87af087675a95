"""One sending owner per profile: the lock, two runtimes on one profile, and processes that come and go."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop_app.core.outbox_state import OutboxState
from desktop_app.sandbox.server import SandboxServer
from desktop_app.services.outbox import Connectivity
from desktop_app.services.ownership import SendingOwnership
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Overrides, Runtime
from desktop_app.store.messages import Change
from tests.conftest import sandbox_control
from tests.services.test_outbox import DONE, make_message

REPO = Path(__file__).resolve().parents[2]


def on_sandbox(profile: Profile, sandbox: SandboxServer, role: str) -> Runtime:
    return Runtime(profile, Overrides(api_base_url=sandbox.base_url, api_key=sandbox.api_key), role=role)


def wait_for(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_only_one_holder_and_the_lock_frees_when_it_is_released(tmp_path: Path) -> None:
    first = SendingOwnership(tmp_path, role="first")
    second = SendingOwnership(tmp_path, role="second")
    assert first.try_acquire()
    assert not second.try_acquire()
    holder = second.holder()
    assert holder is not None
    assert (holder.pid, holder.role) == (os.getpid(), "first")
    first.release()
    assert second.try_acquire()
    assert oct((tmp_path / "sending-owner.lock").stat().st_mode & 0o777) == oct(0o600)


def test_the_kernel_frees_the_lock_when_its_holder_is_killed(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from desktop_app.services.ownership import SendingOwnership as S; "
         "assert S(Path(sys.argv[1]), role='doomed').try_acquire(); print('held', flush=True); time.sleep(60)",
         str(tmp_path)],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        waiting = SendingOwnership(tmp_path, role="successor")
        assert not waiting.try_acquire()
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
        assert waiting.try_acquire(), "a kill -9 must never leave the profile stuck"
    finally:
        holder.kill()
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()


def test_a_second_runtime_queues_and_the_owner_sends(profile: Profile, sandbox: SandboxServer) -> None:
    owner = on_sandbox(profile, sandbox, "sealpost batch")
    owner.open()
    other = on_sandbox(Profile(profile.directory), sandbox, "the Sealpost window")
    try:
        other.open()
        assert owner.is_sending_owner
        assert not other.is_sending_owner
        assert other.outbox is not None
        assert other.outbox.status.connectivity is Connectivity.DELEGATED
        assert "sealpost batch" in other.outbox.status.detail
        stored = other.queue(make_message("Queued by the window"))
        final = other.wait_until(stored.id, DONE, 20)
        assert final.state is OutboxState.ACCEPTED
        assert final.claimed_by == owner.ownership.owner_id
    finally:
        other.close()
        owner.close()


def test_the_waiting_runtime_takes_over_when_the_owner_closes(profile: Profile, sandbox: SandboxServer) -> None:
    owner = on_sandbox(profile, sandbox, "first")
    owner.open()
    other = on_sandbox(Profile(profile.directory), sandbox, "second")
    try:
        other.open()
        assert not other.is_sending_owner
        owner.close()
        wait_for(lambda: other.is_sending_owner)
        assert other.outbox is not None
        assert other.outbox.status.connectivity is Connectivity.ONLINE
        stored = other.queue(make_message("After the takeover"))
        assert other.wait_until(stored.id, DONE, 20).state is OutboxState.ACCEPTED
    finally:
        other.close()
        owner.close()


def test_a_process_that_is_not_the_owner_never_recovers_the_owners_sends(
    profile: Profile, sandbox: SandboxServer
) -> None:
    """The defect this design removes: a second start-up used to mark the first one's sends interrupted."""
    with sandbox_control(sandbox) as control:
        control.post("/faults", json={"latency_ms": 1500}).raise_for_status()
    owner = on_sandbox(profile, sandbox, "owner")
    owner.open()
    try:
        stored = owner.queue(make_message("Slow to answer"))
        assert owner.store is not None
        wait_for(lambda: owner.store is not None and owner.store.get(stored.id).on_wire_at is not None)
        late = on_sandbox(Profile(profile.directory), sandbox, "late")
        late.open()
        try:
            assert late.store is not None
            assert late.store.get(stored.id).state is OutboxState.SENDING  # not touched by the newcomer
            final = late.wait_until(stored.id, DONE, 20)
            assert final.state is OutboxState.ACCEPTED
        finally:
            late.close()
    finally:
        owner.close()


def test_an_acceptance_for_a_row_someone_else_moved_is_recorded_not_raised(runtime: Runtime) -> None:
    """Claims belong to someone: a late answer keeps its tracking id and never rolls back its group."""
    store = runtime.store
    assert store is not None
    assert runtime.outbox is not None
    runtime.outbox.hold(True)
    first, second = runtime.queue(make_message("One")), runtime.queue(make_message("Two"))
    claimed = store.claim_due(time.time() + 1, 2, owner="an-owner")
    assert [m.id for m in claimed] == [first.id, second.id]
    store.mark_on_wire("an-owner", [([first.id, second.id], "rtest", time.time())])
    store.recover_interrupted()  # as a successor would after proving the owner gone
    assert store.get(first.id).state is OutboxState.OUTCOME_UNKNOWN
    accept = {"tracking_id": "late-id", "accepted_at": time.time(), "last_error": ""}
    stale = store.settle("an-owner", [
        Change(first.id, OutboxState.ACCEPTED, (OutboxState.SENDING,), "", accept),
        Change(second.id, OutboxState.QUEUED, (OutboxState.SENDING,), "", {"last_error": "late failure"}),
    ])  # fmt: skip
    assert sorted(stale) == [first.id, second.id]
    late = store.get(first.id)
    assert (late.state, late.tracking_id) == (OutboxState.ACCEPTED, "late-id")
    assert store.get(second.id).state is OutboxState.OUTCOME_UNKNOWN  # a stale failure changes nothing
    assert any("answer came after" in e.detail for e in store.timeline(first.id))


def test_recovery_returns_messages_that_never_went_on_the_wire_to_the_queue(runtime: Runtime) -> None:
    store = runtime.store
    assert store is not None
    assert runtime.outbox is not None
    runtime.outbox.hold(True)
    wired, unwired = runtime.queue(make_message("Wired")), runtime.queue(make_message("Unwired"))
    store.claim_due(time.time() + 1, 2, owner="gone")
    store.mark_on_wire("gone", [([wired.id], "rwired", time.time())])
    recovery = store.recover_interrupted()
    assert (recovery.requeued, recovery.unknown) == ([unwired.id], [wired.id])
    back = store.get(unwired.id)
    assert (back.state, back.attempts) == (OutboxState.QUEUED, 0)
    unknown = store.get(wired.id)
    assert (unknown.state, unknown.request_group) == (OutboxState.OUTCOME_UNKNOWN, "rwired")


@pytest.mark.parametrize("resend", [True, False])
def test_a_request_group_is_resolved_in_one_audited_action(runtime: Runtime, resend: bool) -> None:
    store = runtime.store
    assert store is not None
    assert runtime.outbox is not None
    runtime.outbox.hold(True)
    ids = [runtime.queue(make_message(f"Group {n}")).id for n in range(3)]
    store.claim_due(time.time() + 1, 3, owner="gone")
    store.mark_on_wire("gone", [(ids[:2], "rpair", time.time()), (ids[2:], "rsolo", time.time())])
    store.recover_interrupted()
    groups = {g.name: g for g in store.unknown_groups()}
    assert set(groups) == {"rpair", "rsolo"}
    assert groups["rpair"].message_ids == tuple(ids[:2])
    assert runtime.resolve_group("rpair", resend=resend) == ids[:2]
    target = OutboxState.QUEUED if resend else OutboxState.ACCEPTED
    assert [store.get(i).state for i in ids] == [target, target, OutboxState.OUTCOME_UNKNOWN]
    audited = [(e.action, e.message_id, e.detail) for e in store.audit_entries() if e.detail == "request rpair"]
    assert audited == [("resend" if resend else "mark_sent", i, "request rpair") for i in ids[:2]]
    assert store.verify_audit_chain() is None
