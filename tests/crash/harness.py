"""The crash harness: a pre-imported "zygote" process forks children that run the real runtime
(store, outbox engine, tracker, Paubox client) against the parent's sandbox; the parent kills
them with SIGKILL (at random moments, or they kill themselves at a named crash point) and then
checks the database and the sandbox's record like a start-up after a power cut would.

Forking from a warm zygote makes each child cost milliseconds instead of a full Python start,
so hundreds of kills fit in well under a minute. Each child also has a deadline and exits on
its own, and the zygote exits when its stdin closes, so nothing outlives the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.errors

from desktop_app.core.message import OutgoingMessage
from desktop_app.core.outbox_state import OutboxState, TransitionError
from desktop_app.services.ownership import SendingOwnership
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Overrides, Runtime
from desktop_app.store import crashpoint, keys
from desktop_app.store.messages import HistoryFilter, MessageStore
from desktop_app.store.unlock import open_profile_database
from tests.helpers.messages import make_message

REPO = Path(__file__).resolve().parents[2]


class FileKeyring(keyring.backend.KeyringBackend):
    """Test-only keyring shared by the harness processes: a JSON file, replaced atomically."""

    priority = 0.01  # type: ignore[assignment]

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def _read(self) -> dict[str, str]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def _write(self, values: dict[str, str]) -> None:
        handle, temp = tempfile.mkstemp(dir=self.path.parent)
        with os.fdopen(handle, "w") as stream:
            json.dump(values, stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, self.path)

    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        values = self._read()
        values[f"{service}/{username}"] = password
        self._write(values)

    def delete_password(self, service: str, username: str) -> None:
        values = self._read()
        if values.pop(f"{service}/{username}", None) is None:
            raise keyring.errors.PasswordDeleteError(username)
        self._write(values)


# ----------------------------------------------------------------------------------- child side


def message(subject: str, n: int) -> OutgoingMessage:
    return make_message(subject, f"patient{n}@example.org", name="Patient", text=f"Body of {subject}")


def run_child(config: dict[str, Any]) -> None:
    """One child's life: open the profile, do its mode's work until the deadline or the kill."""
    os.environ[crashpoint.ENV] = config.get("crash_point", "")
    crashpoint.arm_from_environment()
    workdir = Path(config["workdir"])
    keyring.set_keyring(FileKeyring(workdir / "keyring.json"))
    runtime = Runtime(Profile(workdir / "profile"), Overrides(api_base_url=config["base_url"], api_key=config["key"]))
    runtime.open()
    rng = random.Random(config["seed"])
    acks = os.open(workdir / "acks", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    deadline = time.monotonic() + config["seconds"]
    tag, mode = config["tag"], config["mode"]
    store = runtime.store
    assert store is not None
    if mode == "bulk":
        rows = [(n, message(f"{tag}-{n}", n)) for n in range(config.get("rows", 120))]
        runtime.queue_batch(tag, rows)
        os.write(acks, "".join(f"{tag}-{n}\n" for n, _ in rows).encode())
    n = 0
    while time.monotonic() < deadline:
        if mode == "rekey":
            runtime.rotate_database_key()
        if mode in ("single", "rekey"):
            subject = f"{tag}-{n}"
            runtime.queue(message(subject, n))
            os.write(acks, f"{subject}\n".encode())
            n += 1
        if config.get("resend") and rng.random() < 0.2:
            unknown = store.list_ids(HistoryFilter(states=(OutboxState.OUTCOME_UNKNOWN,)))
            if unknown:  # another process may resend it first, as two people at two windows could
                with contextlib.suppress(TransitionError):
                    runtime.resend(rng.choice(unknown))
        time.sleep(config.get("pace", 0.005))
    runtime.close()


def zygote_main() -> None:
    """Read commands from stdin: ``run JSON`` forks a child (answers ``pid N``), ``reap N`` waits for it."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "run":
            pid = os.fork()
            if pid == 0:
                os.dup2(devnull, 1)
                code = 1
                try:
                    run_child(json.loads(argument))
                    code = 0
                except BaseException:
                    import traceback

                    traceback.print_exc()
                finally:
                    os._exit(code)
            print(f"pid {pid}", flush=True)
        elif command == "reap":
            _, status = os.waitpid(int(argument), 0)
            print(f"status {status}", flush=True)


# ---------------------------------------------------------------------------------- parent side


class Zygote:
    def __init__(self, stderr_path: Path) -> None:
        self.stderr_path = stderr_path
        self._stderr = stderr_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from tests.crash.harness import zygote_main; zygote_main()"],
            cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, text=True, bufsize=1,
        )  # fmt: skip

    def _ask(self, line: str) -> str:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError(f"zygote died: {self.stderr_path.read_text()[-2000:]}")
        return answer.split()[1]

    def start(self, config: dict[str, Any]) -> int:
        return int(self._ask("run " + json.dumps(config)))

    def reap(self, pid: int) -> int:
        """Wait for the child; returns its raw wait status."""
        return int(self._ask(f"reap {pid}"))

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(10)
        assert self.process.stdout is not None
        self.process.stdout.close()
        self._stderr.close()


@dataclass
class Ledger:
    """What the parent knows across kills: acknowledged subjects and how many kills happened."""

    workdir: Path
    kills: Counter[str] = field(default_factory=Counter)

    def acked(self) -> list[str]:
        path = self.workdir / "acks"
        return path.read_text().split() if path.exists() else []


@dataclass(frozen=True)
class Snapshot:
    states: dict[str, OutboxState]  # subject → state, after start-up recovery
    last_errors: dict[str, str]


def verify(ledger: Ledger, sandbox_messages: list[dict[str, Any]], profile_id: str) -> Snapshot:
    """Reopen like a start-up would and check every guarantee; raise AssertionError on any breach."""
    ownership = SendingOwnership(ledger.workdir / "profile", role="verifier")
    assert ownership.try_acquire(), "the sending-owner lock outlived the processes that held it"
    connection = open_profile_database(ledger.workdir / "profile" / "sealpost.db", profile_id)  # integrity check
    store = MessageStore(connection)
    try:
        assert keys.load_pending_database_key(profile_id) is None, "an interrupted key rotation was not settled"
        store.recover_interrupted()
        rows = connection.execute("SELECT id, subject, state, tracking_id, last_error FROM messages").fetchall()
        unwired_unknown = connection.execute(
            "SELECT count(*) FROM messages WHERE state = 'outcome_unknown' AND on_wire_at IS NULL"
        ).fetchone()[0]
        fts = connection.execute("SELECT count(*) FROM messages_fts").fetchone()[0]
        resends = Counter(e.message_id for e in store.audit_entries() if e.action == "resend")
        chain_break = store.verify_audit_chain()
    finally:
        store.close()
        ownership.release()
    assert fts == len(rows), "search index and messages disagree"
    assert unwired_unknown == 0, f"{unwired_unknown} message(s) unknown although their request never started"
    assert chain_break is None, f"audit chain broken at entry {chain_break}"
    per_subject = Counter(r[1] for r in rows)
    doubled = [s for s, c in per_subject.items() if c > 1]
    assert not doubled, f"stored twice: {doubled[:5]}"
    missing = set(ledger.acked()) - set(per_subject)
    assert not missing, f"acknowledged but lost: {sorted(missing)[:5]}"
    by_subject = {r[1]: r for r in rows}
    accepted_by_sandbox = Counter(m["subject"] for m in sandbox_messages)
    sandbox_ids = {m["sourceTrackingId"] for m in sandbox_messages}
    for subject, copies in accepted_by_sandbox.items():
        assert subject in by_subject, f"Paubox has {subject} but the store does not"
        message_id, _, state, _, _ = by_subject[subject]
        if copies > 1:
            assert resends[message_id] >= copies - 1, f"{subject} accepted {copies} times without a user resend"
        if not resends[message_id]:
            assert state in ("accepted", "outcome_unknown"), (
                f"{subject} reached Paubox but is {state}: {by_subject[subject][4]}"
            )
    for _, subject, state, tracking_id, _ in rows:
        assert state != "sending", "sending survived recovery"
        if state == "accepted":
            assert tracking_id in sandbox_ids, f"{subject} accepted with a tracking id Paubox never issued"
    return Snapshot({r[1]: OutboxState(r[2]) for r in rows}, {r[1]: r[4] for r in rows})


def kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it finished (or crashed at its point) first
        os.kill(pid, signal.SIGKILL)
