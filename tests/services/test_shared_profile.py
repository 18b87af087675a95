"""Several ``sealpost`` processes on one profile at once, as a clinic's cron job and staff scripts meet.

Every test runs real processes against the real sandbox and checks the sandbox's own record:
each message accepted exactly once, nothing left ``outcome_unknown`` that never went out, and
no traceback on any process's stderr.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from desktop_app.headless import EXIT_ALREADY_SENT
from desktop_app.sandbox.server import SandboxServer
from tests.conftest import sandbox_control

pytestmark = pytest.mark.keyring
REPO = Path(__file__).resolve().parents[2]


def start(sandbox: SandboxServer, profile_dir: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "desktop_app", *args, "--profile-dir", str(profile_dir),
         "--api-base-url", sandbox.base_url],
        cwd=REPO, env={**os.environ, "PAUBOX_API_KEY": sandbox.api_key}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def finish(process: subprocess.Popen[str], timeout: float = 90) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    assert "Traceback" not in err, err
    assert "TransitionError" not in err, err
    return process.returncode, out, err


def run(sandbox: SandboxServer, profile_dir: Path, *args: str) -> tuple[int, str, str]:
    return finish(start(sandbox, profile_dir, *args))


def write_csv(path: Path, rows: int, tag: str) -> Path:
    lines = ["to,subject,text,name"] + [
        f"p{n}@example.org,{tag} {n} for {{{{name}}}},Dear {{{{name}}}},Patient {n}" for n in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def sandbox_record(sandbox: SandboxServer) -> list[dict[str, Any]]:
    with sandbox_control(sandbox) as control:
        return list(control.get("/messages?limit=100000").json()["messages"])


def latency(sandbox: SandboxServer, milliseconds: int) -> None:
    with sandbox_control(sandbox) as control:
        control.post("/faults", json={"latency_ms": milliseconds}).raise_for_status()


def local_states(sandbox: SandboxServer, profile_dir: Path) -> Counter[str]:
    code, out, _ = run(sandbox, profile_dir, "status", "--json")
    assert code == 0
    return Counter(row["state"] for row in json.loads(out))


def test_a_send_during_a_slow_batch_leaves_every_message_accepted_once(sandbox: SandboxServer, tmp_path: Path) -> None:
    latency(sandbox, 1500)
    profile = tmp_path / "p"
    batch = start(sandbox, profile, "batch", str(write_csv(tmp_path / "list.csv", 120, "Batch")))
    assert batch.stderr is not None
    assert "batch " in batch.stderr.readline()
    time.sleep(0.8)  # the batch's first bulk request is on the wire now
    code, out, _ = run(sandbox, profile, "send", "--to", "late@example.org", "--subject", "Single", "--text", "x")
    assert code == 0, out
    batch_code, batch_out, _ = finish(batch)
    assert batch_code == 0
    assert json.loads(batch_out)["counts"] == {"accepted": 120}
    subjects = Counter(m["subject"] for m in sandbox_record(sandbox))
    assert len(subjects) == 121
    assert set(subjects.values()) == {1}
    assert local_states(sandbox, profile) == {"accepted": 121}


def test_two_runs_of_the_same_batch_at_once_send_each_row_once(sandbox: SandboxServer, tmp_path: Path) -> None:
    latency(sandbox, 3000)  # both are running before the first one's requests are answered
    profile = tmp_path / "p"
    csv_file = write_csv(tmp_path / "list.csv", 80, "Twice")
    first, second = (start(sandbox, profile, "batch", str(csv_file)) for _ in range(2))
    results = [finish(first), finish(second)]
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    assert all(json.loads(out)["counts"] == {"accepted": 80} for _, out, _ in results)
    subjects = Counter(m["subject"] for m in sandbox_record(sandbox))
    assert len(subjects) == 80
    assert set(subjects.values()) == {1}


def test_a_reused_list_with_another_body_or_sender_is_a_new_mailing(sandbox: SandboxServer, tmp_path: Path) -> None:
    profile = tmp_path / "p"
    csv_file = tmp_path / "list.csv"
    csv_file.write_text("to,subject,name\na@example.org,News,Ann\nb@example.org,News,Bo\n")
    first_body, second_body = tmp_path / "first.html", tmp_path / "second.html"
    first_body.write_text("<p>Flu shots are here, {{name}}.</p>")
    second_body.write_text("<p>Your results are ready, {{name}}.</p>")
    subject = ["--from", "staff@clinic.example"]
    code, out, err = run(sandbox, profile, "batch", str(csv_file), "--body-file", str(first_body), *subject)
    assert code == 0, err
    code, out, _ = run(sandbox, profile, "batch", str(csv_file), "--body-file", str(second_body), *subject)
    assert code == 0
    assert json.loads(out)["counts"] == {"accepted": 2}
    code, _, _ = run(sandbox, profile, "batch", str(csv_file), "--body-file", str(second_body),
                     "--from", "other@clinic.example")  # fmt: skip
    assert code == 0
    code, _, err = run(sandbox, profile, "batch", str(csv_file), "--body-file", str(second_body), *subject)
    assert code == EXIT_ALREADY_SENT
    assert "nothing queued" in err
    record = sandbox_record(sandbox)
    assert len(record) == 6
    assert Counter(m["from"] for m in record) == {"staff@clinic.example": 4, "other@clinic.example": 2}


def test_killing_the_owner_while_a_client_waits(sandbox: SandboxServer, tmp_path: Path) -> None:
    """The waiting ``send`` takes over at once and settles the dead owner's requests; its own message
    went out in one of them, so it says "outcome unknown" in words. Every unknown carries a request
    group, and resolving each group with --resend ends with everything accepted."""
    latency(sandbox, 3000)
    profile = tmp_path / "p"
    batch = start(sandbox, profile, "batch", str(write_csv(tmp_path / "list.csv", 150, "Killed")))
    assert batch.stderr is not None
    assert "batch " in batch.stderr.readline()
    waiting = start(sandbox, profile, "send", "--to", "w@example.org", "--subject", "Waiting", "--text", "x")
    time.sleep(1.5)  # the batch's requests are on the wire, none answered yet
    batch.send_signal(signal.SIGKILL)
    batch.wait(10)
    batch.stdout.close()  # type: ignore[union-attr]
    batch.stderr.close()
    code, out, err = finish(waiting)
    assert code in (0, 1), err
    assert code == 0 or "outcome_unknown: message" in err
    latency(sandbox, 0)
    code, out, _ = run(sandbox, profile, "outbox", "--json")
    rows = json.loads(out)
    unknown = [r for r in rows if r["state"] == "outcome_unknown"]
    assert unknown
    assert all(r["request_group"] for r in unknown)
    assert all(r["on_wire_at"] for r in unknown), "unknown although its request never started"
    for group in sorted({r["request_group"] for r in unknown}):
        code, out, _ = run(sandbox, profile, "outbox", "resolve", group, "--resend")
        assert code == 0, out
    code, out, _ = run(sandbox, profile, "batch", str(tmp_path / "list.csv"))  # resumes what is still queued
    assert code in (0, EXIT_ALREADY_SENT), out
    assert local_states(sandbox, profile) == {"accepted": 151}
    resent = {r["subject"] for r in unknown}
    for subject, copies in Counter(m["subject"] for m in sandbox_record(sandbox)).items():
        assert copies == 1 or (subject in resent and copies == 2), f"{subject} sent {copies} times"


def test_marking_an_ambiguous_request_sent_from_the_command_line(sandbox: SandboxServer, tmp_path: Path) -> None:
    """``outbox resolve GROUP --mark-sent`` opens the store without a sender: it used to stop at "Sealpost is
    still starting" (exit 3) and settle nothing. Now every message of the request is accepted, audited, and
    nothing more goes to Paubox."""
    with sandbox_control(sandbox) as control:
        control.post("/faults", json={"accept_then_fail_rate": 1.0, "accept_then_fail_mode": "502"})
    profile = tmp_path / "p"
    code, out, _ = run(sandbox, profile, "batch", str(write_csv(tmp_path / "list.csv", 6, "Arrived")))
    assert code == 1
    assert json.loads(out)["counts"] == {"outcome_unknown": 6}
    with sandbox_control(sandbox) as control:
        control.post("/faults", json={"accept_then_fail_rate": 0.0})
    code, out, _ = run(sandbox, profile, "outbox", "--json")
    groups = {row["request_group"] for row in json.loads(out)}
    assert len(groups) == 1
    group = groups.pop()
    code, out, err = run(sandbox, profile, "outbox", "resolve", group, "--mark-sent")
    assert code == 0, err
    assert out.strip() == f"marked sent: 6 message(s) of request {group}"
    assert local_states(sandbox, profile) == {"accepted": 6}
    code, _, err = run(sandbox, profile, "outbox", "resolve", group, "--mark-sent")
    assert code == 2
    assert f"No message of request {group} is waiting for a decision." in err
    assert len(sandbox_record(sandbox)) == 6  # the one request the sandbox took in; nothing sent again
