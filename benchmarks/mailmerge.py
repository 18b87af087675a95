"""Scenario 9: a mail merge end to end, the way a clinic runs it: ``sealpost batch`` as a process.

The clock runs from spawning ``python -m desktop_app batch list.csv --body-file letter.html`` (a
fresh profile: process start-up, keyring, database key and all) to its exit, after it printed that
every row was accepted. The sandbox is a separate process at 20 ms latency with no rate limit.

Figures: 1,000 rows against the SDK-style loop (a new connection per message, the same count, in
the same run, interleaved), and 2,000 against 20,000 rows for how the cost grows, each with the
command's peak resident memory (sampled every 20 ms); then one run of 50,000 rows for memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil  # type: ignore[import-untyped]

from benchmarks.common import TIMES, UNLIMITED_RATE, SandboxProcess, ScenarioResult, median, runs_text, sandbox_process
from benchmarks.common import temporary_directory as scratch
from benchmarks.throughput import baseline_seconds

ROOT = Path(__file__).resolve().parents[1]
LATENCY_MS = 20
TARGET_RATIO = 25.0
TARGET_GROWTH = 11.0
TARGET_RSS_MB = 200.0
COMMAND_TIMEOUT = 900.0
SENDER = "staff@clinic.example"

LETTER = """<html><body>
<p style="font-family: Arial, sans-serif; color: #222">Dear {{name}},</p>
<p>This is a reminder of your appointment at the <b>{{clinic}}</b> clinic on <b>{{date}}</b>.
Please arrive ten minutes early and bring a list of the medicines you take.</p>
<table border="1" cellpadding="4" style="border-collapse: collapse">
<tr><th>Reference</th><td>{{ref}}</td></tr><tr><th>Clinic</th><td>{{clinic}}</td></tr>
<tr><th>Date</th><td>{{date}}</td></tr></table>
<p>To change the time, call us or use the
<a href="https://portal.clinic.example/appointments">patient portal</a>.</p>
<p style="color: #666; font-size: 12px">Kind regards,<br>The {{clinic}} team</p>
<script>track()</script><img src="https://tracker.example/pixel.gif" onerror="steal()" alt="">
</body></html>
"""


@dataclass(frozen=True)
class BatchRun:
    seconds: float
    accepted: int
    peak_rss_mb: float


def write_inputs(directory: Path, rows: int) -> tuple[Path, Path]:
    """A CSV of ``rows`` distinct recipients (every subject differs) and the HTML letter."""
    csv_file = directory / f"list-{rows}.csv"
    with csv_file.open("w", encoding="utf-8") as out:
        out.write("to,subject,name,clinic,date,ref\n")
        for n in range(rows):
            out.write(f'"Patient {n} <patient{n}@example.org>",Your appointment ({n}) on {{{{date}}}},'
                      f"Patient {n},North,2026-12-{1 + n % 28:02d},R-{n:06d}\n")  # fmt: skip
    letter = directory / "letter.html"
    letter.write_text(LETTER, encoding="utf-8")
    return csv_file, letter


def run_batch(sandbox: SandboxProcess, workdir: Path, rows: int) -> BatchRun:
    """``sealpost batch`` in a fresh profile, timed from spawn to exit, with its peak RSS."""
    csv_file, letter = write_inputs(workdir, rows)
    profile = workdir / f"profile-{rows}-{time.monotonic_ns()}"
    _fast_profile(profile)
    command = [sys.executable, "-m", "desktop_app", "batch", str(csv_file), "--body-file", str(letter),
               "--from", SENDER, "--profile-dir", str(profile), "--api-base-url", sandbox.base_url]  # fmt: skip
    env = {**os.environ, "PAUBOX_API_KEY": sandbox.api_key}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = _PeakRss(process.pid)
    try:
        out, err = process.communicate(timeout=COMMAND_TIMEOUT)
    finally:
        peak.stop()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"sealpost batch of {rows} rows exited {process.returncode}: {err[-600:]}")
    counts = json.loads(out.strip().splitlines()[-1])["counts"]
    return BatchRun(seconds, int(counts.get("accepted", 0)), peak.value)


def _fast_profile(directory: Path) -> None:
    """The client's own rate limiter out of the way ("no rate limit"), as in scenario 1."""
    from desktop_app.services.profile import Profile

    Profile(directory).update(requests_per_second=UNLIMITED_RATE, undo_seconds=0.0)
    if Profile(directory).settings.requests_per_second != UNLIMITED_RATE:  # refused as out of range?
        raise RuntimeError("the profile did not keep the benchmark's rate limit")


class _PeakRss:
    """Samples a process's resident set every 20 ms on a thread until stopped (or the process ends)."""

    def __init__(self, pid: int) -> None:
        self.value = 0.0
        self._stop = threading.Event()
        self._process = psutil.Process(pid)
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                self.value = max(self.value, self._process.memory_info().rss / 2**20)
            except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
                return
            self._stop.wait(0.02)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2.0)


def mail_merge(
    rows: int = 1000, small: int = 2000, large: int = 20_000, memory_rows: int = 50_000, runs: int = 3,
    growth_runs: int = 1,
) -> ScenarioResult:  # fmt: skip
    result = ScenarioResult(9, f"Mail merge end to end: `sealpost batch`, {LATENCY_MS} ms server latency")
    baseline: list[float] = []
    batch: list[BatchRun] = []
    smalls: list[BatchRun] = []
    larges: list[BatchRun] = []
    memory: BatchRun | None = None
    with sandbox_process("--latency-ms", str(LATENCY_MS), delivery_delay=1.0) as sandbox, scratch("merge") as work:
        for _ in range(runs):  # interleaved, so drifting machine load hits both sides alike
            sandbox.reset()
            baseline.append(baseline_seconds(sandbox, rows))
            sandbox.reset()
            batch.append(run_batch(sandbox, work, rows))
        for _ in range(growth_runs):
            sandbox.reset()
            smalls.append(run_batch(sandbox, work, small))
            sandbox.reset()
            larges.append(run_batch(sandbox, work, large))
        if memory_rows:
            sandbox.reset()
            memory = run_batch(sandbox, work, memory_rows)
    seconds = [r.seconds for r in batch]
    result.add("Baseline: one request per new connection", median(baseline), "s", note=runs_text(baseline))
    result.add(f"`sealpost batch`, {rows:,} rows, process start to exit", median(seconds), "s",
               note=runs_text(seconds))  # fmt: skip
    ratio = median([b / r.seconds for b, r in zip(baseline, batch, strict=True)])
    result.add("Speed-up, `sealpost batch` vs baseline", ratio, TIMES, f"≥ {TARGET_RATIO:g}{TIMES}",
               ok=ratio >= TARGET_RATIO, note="median of per-run ratios")  # fmt: skip
    not_accepted = sum(rows - r.accepted for r in batch)
    result.add(f"Rows not accepted ({rows:,}-row runs)", float(not_accepted), "", "0", ok=not_accepted == 0)
    small_s, large_s = [r.seconds for r in smalls], [r.seconds for r in larges]
    result.add(f"`sealpost batch`, {small:,} rows", median(small_s), "s", note=runs_text(small_s))
    result.add(f"`sealpost batch`, {large:,} rows", median(large_s), "s", note=runs_text(large_s))
    growth = median([b / a for a, b in zip(small_s, large_s, strict=True)])
    scale = large / small
    result.add(f"Growth, {large:,} rows / {small:,} rows", growth, TIMES, f"≤ {TARGET_GROWTH:g}{TIMES}",
               ok=growth <= TARGET_GROWTH, note=f"median of per-run ratios; {scale:g}{TIMES} the rows")  # fmt: skip
    lost = sum(small - r.accepted for r in smalls) + sum(large - r.accepted for r in larges)
    result.add("Rows not accepted (growth runs)", float(lost), "", "0", ok=lost == 0)
    result.add(f"Peak RSS, {small:,} rows", median([r.peak_rss_mb for r in smalls]), "MB")
    result.add(f"Peak RSS, {large:,} rows", median([r.peak_rss_mb for r in larges]), "MB")
    if memory is not None:
        result.add(f"`sealpost batch`, {memory_rows:,} rows", memory.seconds, "s",
                   note=f"{memory.accepted:,} accepted")  # fmt: skip
        result.add(f"Peak RSS, {memory_rows:,} rows", memory.peak_rss_mb, "MB", f"≤ {TARGET_RSS_MB:g} MB",
                   ok=memory.peak_rss_mb <= TARGET_RSS_MB and memory.accepted == memory_rows)  # fmt: skip
    result.notes.append(
        f"Each run is a fresh profile and a fresh process; the letter is {len(LETTER.encode()):,} bytes of HTML with "
        "five fields per row (sanitised once per batch). The client's own rate limiter is set out of the way."
    )
    return result
