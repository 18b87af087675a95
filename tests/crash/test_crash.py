"""Crash safety: SIGKILL the real outbox at named points and at random moments, then check that
the database is intact, every acknowledged message is stored exactly once, Paubox never got a
message twice without a recorded user resend, and anything that may have reached Paubox is
``outcome_unknown`` (see harness.py for how the processes are arranged).
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest

from desktop_app.core.outbox_state import OutboxState
from desktop_app.sandbox.server import SandboxServer
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Overrides, Runtime
from tests.conftest import sandbox_control
from tests.crash.harness import FileKeyring, Ledger, Snapshot, Zygote, kill, verify

SEED = int(os.environ.get("SEALPOST_CRASH_SEED", "20261128"))
RANDOM_KILLS = 170
NAMED_KILLS_EACH = 10
NAMED_KILL_ROUNDS_SETTLE = 4
TWO_PROCESS_ROUNDS = 25

FAULTS: dict[str, Any] = {
    "fail_rate": 0.05, "accept_then_fail_rate": 0.1, "accept_then_fail_mode": "mixed", "hang_seconds": 0.05,
    "seed": SEED,
}  # fmt: skip
NO_FAULTS: dict[str, Any] = {"fail_rate": 0.0, "accept_then_fail_rate": 0.0}


class Harness:
    def __init__(self, workdir: Path, sandbox: SandboxServer, zygote: Zygote) -> None:
        self.ledger = Ledger(workdir)
        self.sandbox = sandbox
        self.zygote = zygote
        self.workdir = workdir
        profile = Profile(workdir / "profile")
        profile.update(requests_per_second=1000.0, undo_seconds=0.0)
        self.profile_id = profile.settings.profile_id
        # Opened once, as after a first start: the random kills land while sending. Without it, a
        # machine slow enough to need more than the longest random wait to create the database
        # killed every child while creating it, and nothing was ever queued (a CI run: 170 of 170).
        first = Runtime(profile, Overrides(api_base_url=sandbox.base_url, api_key=sandbox.api_key))
        first.open(start_engines=False)
        first.close()
        self.rng = random.Random(SEED)
        self.runs = 0
        self.reach = 0.15  # the longest random wait before a kill; see calibrate()

    def calibrate(self) -> None:
        """Random kills must land while children send, whatever the machine's load: time a child from
        its start to Paubox's first answer, and let the random waits reach past it. A fixed 0.15 s
        killed every child of a CI run under load before its first request (nothing was accepted)."""
        before = len(self._record())
        started = time.monotonic()
        pid = self.zygote.start(self.config("single"))
        deadline = started + 60
        while len(self._record()) == before and time.monotonic() < deadline:
            time.sleep(0.01)
        first_answer = time.monotonic() - started
        kill(pid)
        self.zygote.reap(pid)
        self.check()  # a kill like any other: the guarantees hold after it
        self.reach = max(0.15, 1.5 * first_answer)

    def _record(self) -> list[Any]:
        with sandbox_control(self.sandbox) as control:
            messages: list[Any] = control.get("/messages").json()["messages"]
            return messages

    def config(self, mode: str, **extra: Any) -> dict[str, Any]:
        self.runs += 1
        return {
            "workdir": str(self.workdir), "base_url": self.sandbox.base_url, "key": self.sandbox.api_key,
            "seed": self.rng.randrange(1 << 30), "tag": f"r{self.runs}", "mode": mode, "seconds": 5.0, **extra,
        }  # fmt: skip

    def faults(self, values: dict[str, Any]) -> None:
        with sandbox_control(self.sandbox) as control:
            control.post("/faults", json=values).raise_for_status()

    def check(self) -> Snapshot:
        return verify(self.ledger, self._record(), self.profile_id)

    def crash_at(self, point: str, mode: str, hit: int, **extra: Any) -> tuple[str, Snapshot]:
        """Run a child armed at ``point@hit`` and wait for it to kill itself there."""
        config = self.config(mode, crash_point=f"{point}@{hit}", **extra)
        status = self.zygote.reap(self.zygote.start(config))
        assert os.WIFSIGNALED(status), f"{point}@{hit} was never reached (status {status})"
        self.ledger.kills[point] += 1
        return config["tag"], self.check()

    def resume_batch(self, tag: str) -> None:
        """Run the batch ``tag`` again (same id) to its end, unkilled: it must exit cleanly."""
        status = self.zygote.reap(self.zygote.start({**self.config("bulk", seconds=0.6), "tag": tag}))
        assert os.WIFEXITED(status), self.zygote.stderr_path.read_text()[-3000:]
        assert os.WEXITSTATUS(status) == 0, self.zygote.stderr_path.read_text()[-3000:]

    def kill_two_randomly(self) -> Snapshot:
        """Two processes on one profile (a batch and single sends): kill one, let the other take over, kill it."""
        pids = [self.zygote.start(self.config("bulk" if self.rng.random() < 0.3 else "single", resend=True))
                for _ in range(2)]  # fmt: skip
        self.rng.shuffle(pids)
        for pid in pids:
            time.sleep(self.rng.uniform(0.02, 0.2) * self.reach / 0.15)
            kill(pid)
            status = self.zygote.reap(pid)
            assert not os.WIFEXITED(status) or os.WEXITSTATUS(status) == 0, self.zygote.stderr_path.read_text()[-3000:]
            self.ledger.kills["two"] += 1
        return self.check()

    def kill_randomly(self, mode: str, **extra: Any) -> Snapshot:
        pid = self.zygote.start(self.config(mode, **extra))
        time.sleep(self.rng.uniform(0.01, self.reach))
        kill(pid)
        status = self.zygote.reap(pid)
        assert not os.WIFEXITED(status) or os.WEXITSTATUS(status) == 0, self.zygote.stderr_path.read_text()[-3000:]
        self.ledger.kills["random"] += 1
        return self.check()


@pytest.fixture
def harness(tmp_path: Path, sandbox: SandboxServer) -> Iterator[Harness]:
    keyring.set_keyring(FileKeyring(tmp_path / "keyring.json"))
    zygote = Zygote(tmp_path / "zygote-stderr.txt")
    try:
        yield Harness(tmp_path, sandbox, zygote)
    finally:
        zygote.close()


def test_kill_after_insert_before_commit_leaves_no_trace(harness: Harness) -> None:
    harness.faults(NO_FAULTS)
    for _ in range(NAMED_KILLS_EACH):
        hit = harness.rng.randint(1, 8)
        tag, snapshot = harness.crash_at("after_insert_before_commit", "single", hit)
        assert sorted(s for s in snapshot.states if s.startswith(f"{tag}-")) == sorted(
            f"{tag}-{n}" for n in range(hit - 1)
        )


def test_kill_after_http_200_before_store_is_outcome_unknown(harness: Harness) -> None:
    harness.faults(NO_FAULTS)
    unknown_before = 0
    for _ in range(NAMED_KILLS_EACH):
        # The child may be finishing an earlier child's queue, so count across all messages.
        _, snapshot = harness.crash_at("after_http_200_before_store", "single", harness.rng.randint(1, 5))
        unknown = sum(1 for state in snapshot.states.values() if state is OutboxState.OUTCOME_UNKNOWN)
        assert unknown > unknown_before, "the message Paubox accepted must be outcome_unknown after the crash"
        unknown_before = unknown


def test_kill_during_bulk_chunk_then_resume_the_batch(harness: Harness) -> None:
    harness.faults(NO_FAULTS)
    for _ in range(NAMED_KILLS_EACH):
        tag, snapshot = harness.crash_at("during_bulk_chunk", "bulk", 1)
        mine = {s: state for s, state in snapshot.states.items() if s.startswith(f"{tag}-")}
        assert len(mine) == 120
        assert OutboxState.OUTCOME_UNKNOWN in mine.values()
        # Re-running the same batch (same id) must queue nothing new; the rest goes out.
        harness.resume_batch(tag)
        after = harness.check().states
        assert len([s for s in after if s.startswith(f"{tag}-")]) == 120


def test_kill_while_a_chunks_outcomes_are_written_leaves_the_whole_chunk_unsettled(harness: Harness) -> None:
    """A chunk's outcomes are one transaction: a kill inside it leaves no row of it accepted, none lost."""
    harness.faults(NO_FAULTS)
    for _ in range(NAMED_KILL_ROUNDS_SETTLE):
        tag, snapshot = harness.crash_at("during_settle", "bulk", 1)
        mine = {s: state for s, state in snapshot.states.items() if s.startswith(f"{tag}-")}
        assert len(mine) == 120
        assert set(mine.values()) <= {OutboxState.QUEUED, OutboxState.OUTCOME_UNKNOWN}, Counter(mine.values())
        assert OutboxState.OUTCOME_UNKNOWN in mine.values()  # the chunk Paubox accepted, awaiting a decision
        harness.resume_batch(tag)
        after = {s: state for s, state in harness.check().states.items() if s.startswith(f"{tag}-")}
        assert {s for s, state in mine.items() if state is OutboxState.OUTCOME_UNKNOWN} == {
            s for s, state in after.items() if state is OutboxState.OUTCOME_UNKNOWN
        }  # never sent again without a person's decision
        assert set(after.values()) <= {OutboxState.ACCEPTED, OutboxState.OUTCOME_UNKNOWN}


def test_kill_during_rekey_keeps_the_database_readable(harness: Harness) -> None:
    harness.faults(NO_FAULTS)
    for _ in range(NAMED_KILLS_EACH):
        harness.crash_at("during_rekey", "rekey", harness.rng.randint(1, 6))
    for _ in range(NAMED_KILLS_EACH):
        harness.kill_randomly("rekey")


def test_random_kills_of_two_processes_sharing_a_profile(harness: Harness) -> None:
    """The seam between processes: the survivor takes over only after the lock proves the other gone."""
    harness.faults(FAULTS)
    for n in range(TWO_PROCESS_ROUNDS):
        if n % 10 == 0:
            harness.calibrate()  # again as the machine's load changes
        snapshot = harness.kill_two_randomly()
    assert harness.ledger.kills["two"] == 2 * TWO_PROCESS_ROUNDS
    assert OutboxState.ACCEPTED in set(snapshot.states.values())
    stderr = harness.zygote.stderr_path.read_text()
    assert "Traceback" not in stderr, stderr[-3000:]


def test_random_kills_with_faults_and_user_resends(harness: Harness) -> None:
    harness.faults(FAULTS)
    for n in range(RANDOM_KILLS):
        if n % 20 == 0:
            harness.calibrate()  # again as the machine's load changes
        snapshot = harness.kill_randomly("bulk" if n % 10 == 0 else "single", resend=True)
    assert harness.ledger.kills["random"] == RANDOM_KILLS
    states = set(snapshot.states.values())
    assert OutboxState.ACCEPTED in states
    assert OutboxState.OUTCOME_UNKNOWN in states
