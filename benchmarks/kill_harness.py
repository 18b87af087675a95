"""Scenario 8: the ambiguity blast radius, measured the way a clinic meets it.

A ``sealpost batch`` of 300 rows runs against the sandbox at 200 ms latency and is killed with
SIGKILL up to 15 times, each kill landing while the run is sending (after the sandbox accepted the
run's first new message, within the next 200 ms); every restart resumes the same batch. Then every
``outcome_unknown`` request group is resolved with ``sealpost outbox resolve GROUP --resend``, as a
person would. Everything runs as real processes with the real keyring; the sandbox's own record
is the ground truth.

Figures: how many messages ended ``outcome_unknown`` (median of the runs), how many of those the
sandbox really had, how many messages were in requests that had started at each kill, and the
safety counts that must be zero: lost, sent twice without a resend, accepted locally but unknown
to the sandbox, unknown although their request never started.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import SandboxProcess, ScenarioResult, median, runs_text, sandbox_process, temporary_directory
from desktop_app.services.profile import Profile
from desktop_app.store.unlock import open_profile_database

ROOT = Path(__file__).resolve().parents[1]
LATENCY_MS = 200
COMMAND_TIMEOUT = 180.0


@dataclass(frozen=True)
class KillRun:
    kills: int
    in_started_requests: list[int]  # per kill: messages whose request had started writing
    unknown: int
    unknown_at_sandbox: int
    lost: int
    doubled_without_resend: int
    accepted_not_at_sandbox: int
    unknown_never_started: int
    all_accepted_after_resolving: bool


def sealpost(sandbox: SandboxProcess, profile_dir: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "desktop_app", *args, "--profile-dir", str(profile_dir),
         "--api-base-url", sandbox.base_url],
        cwd=ROOT, env={**os.environ, "PAUBOX_API_KEY": sandbox.api_key}, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip


def finish(process: subprocess.Popen[str]) -> str:
    out, _ = process.communicate(timeout=COMMAND_TIMEOUT)
    return out


def accepted_total(sandbox: SandboxProcess) -> int:
    return int(sandbox.control("GET", "/messages?limit=1")["accepted_total"])


def started_at_kill(profile_dir: Path) -> int:
    """Messages the killed process left in ``sending`` with their request on the wire (before recovery)."""
    profile = Profile(profile_dir)
    connection = open_profile_database(profile.database_path, profile.settings.profile_id)
    try:
        row = connection.execute(
            "SELECT count(*) FROM messages WHERE state = 'sending' AND on_wire_at IS NOT NULL"
        ).fetchone()
        return int(row[0])
    finally:
        connection.close()


def kill_run(sandbox: SandboxProcess, workdir: Path, rows: int, kills: int, rng: random.Random) -> KillRun:
    sandbox.reset()
    sandbox.set_faults(latency_ms=LATENCY_MS)
    csv_file = workdir / "list.csv"
    csv_file.write_text("to,subject,text\n" + "".join(
        f"patient{n}@example.org,Reminder {n},Your flu shot is due ({n}).\n" for n in range(rows)
    ))  # fmt: skip
    profile_dir = workdir / "profile"
    started: list[int] = []
    for _ in range(kills):
        before = accepted_total(sandbox)
        process = sealpost(sandbox, profile_dir, "batch", str(csv_file))
        deadline = time.monotonic() + COMMAND_TIMEOUT
        while accepted_total(sandbox) == before and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        if process.poll() is not None:  # the run finished (or had nothing left to send) before it could be hit
            finish(process)
            break
        time.sleep(rng.uniform(0.0, 0.2))
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        finish(process)
        started.append(started_at_kill(profile_dir))
    sandbox.set_faults(latency_ms=0)
    finish(sealpost(sandbox, profile_dir, "batch", str(csv_file)))  # resumes; settles what the kills left
    outbox: list[dict[str, Any]] = json.loads(finish(sealpost(sandbox, profile_dir, "outbox", "--json")) or "[]")
    unknown = [r for r in outbox if r["state"] == "outcome_unknown"]
    record = sandbox.control("GET", "/messages?limit=100000")["messages"]
    at_sandbox = Counter(m["subject"] for m in record)
    for group in sorted({r["request_group"] for r in unknown}):
        finish(sealpost(sandbox, profile_dir, "outbox", "resolve", group, "--resend"))
    status: list[dict[str, Any]] = json.loads(finish(sealpost(sandbox, profile_dir, "status", "--json")) or "[]")
    final_record = sandbox.control("GET", "/messages?limit=100000")["messages"]
    final_copies = Counter(m["subject"] for m in final_record)
    sandbox_ids = {m["sourceTrackingId"] for m in final_record}
    resent = {r["subject"] for r in unknown}
    accepted = [r for r in status if r["state"] == "accepted"]
    return KillRun(
        kills=len(started),
        in_started_requests=started,
        unknown=len(unknown),
        unknown_at_sandbox=sum(1 for r in unknown if r["subject"] in at_sandbox),
        lost=rows - len(status),
        doubled_without_resend=sum(1 for s, n in final_copies.items() if n > 1 and s not in resent),
        accepted_not_at_sandbox=sum(1 for r in accepted if r["tracking_id"] not in sandbox_ids),
        unknown_never_started=sum(1 for r in unknown if not r["on_wire_at"]),
        all_accepted_after_resolving=len(accepted) == rows,
    )


def kill_harness(rows: int = 300, kills: int = 15, runs: int = 3) -> ScenarioResult:
    result = ScenarioResult(8, f"Kill harness: {rows} rows, up to {kills} SIGKILLs at {LATENCY_MS} ms latency")
    rng = random.Random(20261201)
    done: list[KillRun] = []
    with sandbox_process(delivery_delay=0.5) as sandbox:
        for run in range(runs):
            with temporary_directory(f"kills-{run}") as workdir:
                done.append(kill_run(sandbox, workdir, rows, kills, rng))
    unknown = [float(r.unknown) for r in done]
    result.add("Messages outcome_unknown (median)", median(unknown), "", note=runs_text(unknown, "messages"))
    result.add("… of those the sandbox had", median([float(r.unknown_at_sandbox) for r in done]), "",
               note="the rest were on the wire when the process died, and the sandbox dropped them")  # fmt: skip
    per_kill = [n for r in done for n in r.in_started_requests]
    result.add("Messages in started requests per kill (median)", median([float(n) for n in per_kill] or [0.0]), "",
               note=f"kills that landed while sending: {[r.kills for r in done]}; per kill: {per_kill}")  # fmt: skip
    for name, value in (
        ("Lost", sum(r.lost for r in done)),
        ("Sent twice without a user's resend", sum(r.doubled_without_resend for r in done)),
        ("Accepted locally, unknown to the sandbox", sum(r.accepted_not_at_sandbox for r in done)),
        ("Unknown although its request never started", sum(r.unknown_never_started for r in done)),
    ):
        result.add(name, float(value), "", "0", ok=value == 0)
    all_accepted = all(r.all_accepted_after_resolving for r in done)
    result.add("All accepted after resolving every group with --resend", float(all_accepted), "", "1", ok=all_accepted)
    return result
