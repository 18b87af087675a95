"""``sealpost batch``, ``outbox --json`` and ``status --json`` as real subprocesses (real keyring)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop_app.api.client import BULK_CHUNK_SIZE
from desktop_app.headless import BATCH_NICENESS, EXIT_ALREADY_SENT
from desktop_app.sandbox.server import SandboxServer
from desktop_app.services.mailmerge import Body, plan_batch
from desktop_app.services.outbox import BULK_CHUNKS_IN_FLIGHT
from desktop_app.services.runtime import Runtime
from desktop_app.services.runtime_actions import BatchOutcome
from tests.conftest import sandbox_control

pytestmark = pytest.mark.keyring
REPO = Path(__file__).resolve().parents[2]


def sealpost(sandbox: SandboxServer, profile_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args, "--profile-dir", str(profile_dir),
         "--api-base-url", sandbox.base_url],
        cwd=REPO, env={**os.environ, "PAUBOX_API_KEY": sandbox.api_key}, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip


def write_csv(path: Path, rows: int, bad_line: int | None = None) -> Path:
    lines = ["to,subject,text,name"]
    for n in range(rows):
        to = "not an address" if bad_line is not None and n + 2 == bad_line else f"p{n}@example.org"
        lines.append(f"{to},Results for {{{{name}}}},Dear {{{{name}}}} - body-{n},Patient {n}")
    path.write_text("\n".join(lines) + "\n")
    return path


def sandbox_subjects(sandbox: SandboxServer) -> list[str]:
    with sandbox_control(sandbox) as control:
        return [m["subject"] for m in control.get("/messages").json()["messages"]]


def test_batch_sends_every_row_once_and_rerunning_says_it_was_sent(sandbox: SandboxServer, tmp_path: Path) -> None:
    csv_file = write_csv(tmp_path / "list.csv", 60)
    first = sealpost(sandbox, tmp_path / "p", "batch", str(csv_file))
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["counts"] == {"accepted": 60}
    assert "60/60 done" in first.stderr
    again = sealpost(sandbox, tmp_path / "p", "batch", str(csv_file))
    assert again.returncode == EXIT_ALREADY_SENT, again.stderr
    assert "this batch was sent on " in again.stderr
    assert "60 accepted; nothing queued" in again.stderr
    assert "Traceback" not in again.stderr
    subjects = sandbox_subjects(sandbox)
    assert len(subjects) == 60
    assert "Results for Patient 7" in subjects
    with sandbox_control(sandbox) as control:
        assert sum(control.get("/stats").json()["by_endpoint"]["POST bulk_messages"].values()) == 2
    deliberate = sealpost(sandbox, tmp_path / "p", "batch", str(csv_file), "--again")
    assert deliberate.returncode == 0, deliberate.stderr
    assert len(sandbox_subjects(sandbox)) == 120  # one more run, asked for in so many words


def test_malformed_row_is_reported_by_line_and_nothing_is_queued(sandbox: SandboxServer, tmp_path: Path) -> None:
    csv_file = write_csv(tmp_path / "list.csv", 5, bad_line=4)
    result = sealpost(sandbox, tmp_path / "p", "batch", str(csv_file))
    assert result.returncode == 2
    assert "line 4:" in result.stderr
    outbox = sealpost(sandbox, tmp_path / "p", "outbox", "--json")
    assert json.loads(outbox.stdout) == []
    skipped = sealpost(sandbox, tmp_path / "p", "batch", str(csv_file), "--skip-bad-rows")
    assert skipped.returncode == 0, skipped.stderr
    assert len(sandbox_subjects(sandbox)) == 4


def test_refused_rows_are_said_first_whatever_the_keyring(sandbox: SandboxServer, tmp_path: Path) -> None:
    """The store opens while the rows are read: a refused list is still what the user hears, and
    a keyring that cannot be used is still said in words once the rows are good."""
    no_keyring = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}

    def run(csv_file: Path, profile: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "desktop_app", "batch", str(csv_file), "--profile-dir", str(profile),
             "--api-base-url", sandbox.base_url],
            cwd=REPO, env={**os.environ, "PAUBOX_API_KEY": sandbox.api_key, **no_keyring}, capture_output=True,
            text=True, timeout=60, check=False,
        )  # fmt: skip

    refused = run(write_csv(tmp_path / "bad.csv", 5, bad_line=3), tmp_path / "p")
    assert refused.returncode == 2
    assert "line 3:" in refused.stderr
    assert "keyring" not in refused.stderr.lower()
    assert "Traceback" not in refused.stderr
    good = run(write_csv(tmp_path / "good.csv", 5), tmp_path / "p")
    assert good.returncode != 0
    assert "No secure OS keyring is available" in good.stderr
    assert "Traceback" not in good.stderr
    assert sandbox_subjects(sandbox) == []


def test_body_file_and_preview(sandbox: SandboxServer, tmp_path: Path) -> None:
    csv_file = tmp_path / "list.csv"
    csv_file.write_text("to,subject,clinic\np1@example.org,Visit,North\n")
    body = tmp_path / "body.txt"
    body.write_text("See you at {{clinic}}.")
    preview = sealpost(sandbox, tmp_path / "p", "batch", str(csv_file), "--body-file", str(body), "--preview")
    assert preview.returncode == 0, preview.stderr
    assert "See you at North." in preview.stdout
    assert sandbox_subjects(sandbox) == []
    assert not (tmp_path / "p" / "sealpost.db").exists()  # a preview opens nothing


def test_status_json_lists_states_and_recipients_but_never_a_body(sandbox: SandboxServer, tmp_path: Path) -> None:
    csv_file = write_csv(tmp_path / "list.csv", 3)
    assert sealpost(sandbox, tmp_path / "p", "batch", str(csv_file)).returncode == 0
    status = sealpost(sandbox, tmp_path / "p", "status", "--json")
    assert status.returncode == 0, status.stderr
    rows = json.loads(status.stdout)
    assert [r["state"] for r in rows] == ["accepted"] * 3
    assert all(r["tracking_id"] for r in rows)
    assert "body-" not in status.stdout
    assert {"recipient_statuses", "delivery", "recipients"} <= set(rows[0])


def test_interrupted_batch_resumes_without_sending_a_row_twice(sandbox: SandboxServer, tmp_path: Path) -> None:
    rows = 400  # eight chunks: at most four are on the wire when the kill lands
    with sandbox_control(sandbox) as control:
        # Long enough that the kill lands while the chunks are on the wire, however loaded the machine
        # (at 300 ms a busy CI run could finish all 150 before the kill: then nothing is left to resume).
        control.post("/faults", json={"latency_ms": 3000}).raise_for_status()
    csv_file = write_csv(tmp_path / "list.csv", rows)
    command = [sys.executable, "-m", "desktop_app", "batch", str(csv_file), "--profile-dir", str(tmp_path / "p"),
               "--api-base-url", sandbox.base_url]  # fmt: skip
    env = {**os.environ, "PAUBOX_API_KEY": sandbox.api_key}
    with subprocess.Popen(
        command, cwd=REPO, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    ) as p:
        assert p.stderr is not None
        assert "batch " in p.stderr.readline()  # queued (durably) before this line is printed
        p.send_signal(signal.SIGKILL)
        p.wait()
        p.stderr.close()
    with sandbox_control(sandbox) as control:
        control.post("/faults", json={"latency_ms": 0}).raise_for_status()
    resumed = sealpost(sandbox, tmp_path / "p", "batch", str(csv_file))
    counts = json.loads(resumed.stdout)["counts"]
    assert sum(counts.values()) == rows
    assert set(counts) <= {"accepted", "outcome_unknown"}
    subjects = sandbox_subjects(sandbox)
    assert len(subjects) == len(set(subjects))
    assert len(subjects) >= counts["accepted"]
    assert counts["accepted"] >= rows - BULK_CHUNKS_IN_FLIGHT * BULK_CHUNK_SIZE  # those not on the wire at the kill


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the niceness from /proc")
def test_a_batch_gives_the_cpu_to_the_window_while_it_sends(sandbox: SandboxServer, tmp_path: Path) -> None:
    """A mail merge is a background job: its process runs at a lower CPU priority than the window's."""
    with sandbox_control(sandbox) as control:
        control.post("/faults", json={"latency_ms": 1500}).raise_for_status()
    command = [sys.executable, "-m", "desktop_app", "batch", str(write_csv(tmp_path / "list.csv", 3)),
               "--profile-dir", str(tmp_path / "p"), "--api-base-url", sandbox.base_url]  # fmt: skip
    try:
        with subprocess.Popen(command, cwd=REPO, env={**os.environ, "PAUBOX_API_KEY": sandbox.api_key},
                              stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True) as p:  # fmt: skip
            assert p.stderr is not None
            assert "batch " in p.stderr.readline()  # queued; its request is on the wire for 1.5 s
            niceness = int(Path(f"/proc/{p.pid}/stat").read_text().rsplit(")", 1)[1].split()[16])
            assert p.wait(30) == 0, p.stderr.read()
    finally:
        with sandbox_control(sandbox) as control:
            control.post("/faults", json={"latency_ms": 0}).raise_for_status()
    assert niceness == min(19, os.nice(0) + BATCH_NICENESS)


def test_a_batch_this_run_finished_while_its_rows_were_checked_is_resumed_not_already_sent(runtime: Runtime) -> None:
    """The engine resumes an interrupted batch as soon as the store opens. If it finishes it before the
    command asks (the rows are checked meanwhile), this run finished it: the command waits and says
    so, instead of "already sent; use --again", which would send every message a second time."""
    store = runtime.store
    assert store is not None
    content = b"to,subject,text\na@example.org,Hi,One\nb@example.org,Hi,Two\n"
    plan = plan_batch(content, sender="staff@clinic.example", body=Body(), validate=runtime.validate)
    started = time.time()
    first = runtime.start_batch(plan)
    assert first.outcome is BatchOutcome.QUEUED
    deadline = time.monotonic() + 10
    while not ((summary := store.batch_summary(first.batch_id)) and summary.settled):
        assert time.monotonic() < deadline, "the batch was never sent"
        time.sleep(0.02)
    resumed = runtime.start_batch(plan, opened_at=started)
    assert (resumed.outcome, resumed.message_ids) == (BatchOutcome.RESUMED, first.message_ids)
    assert runtime.start_batch(plan, opened_at=time.time() + 1).outcome is BatchOutcome.ALREADY_SENT


def test_batch_with_a_paubox_template(sandbox: SandboxServer, tmp_path: Path) -> None:
    from desktop_app.api.client import PauboxClient
    from desktop_app.api.config import ApiConfig, Secret

    with PauboxClient(ApiConfig(sandbox.base_url, Secret(sandbox.api_key))) as client:
        client.create_template("visit", "<p>See you at {{clinic}}, {{name}}.</p>")
    csv_file = tmp_path / "list.csv"
    csv_file.write_text("to,subject,clinic,name\np1@example.org,Visit,North,Ann\np2@example.org,Visit,South,Bo\n")
    result = sealpost(sandbox, tmp_path / "p", "batch", str(csv_file), "--template", "visit")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["counts"] == {"accepted": 2}
    with sandbox_control(sandbox) as control:
        kinds = {m["kind"] for m in control.get("/messages").json()["messages"]}
    assert kinds == {"templated_messages"}
