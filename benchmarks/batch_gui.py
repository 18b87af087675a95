"""Scenario 12: a 50,000-row mail merge under the default rate limit, with the window open.

``sealpost batch`` of 50,000 rows runs as its own process against the sandbox process (20 ms latency,
no server-side limit) with the profile's default client limit (10 requests/s, shared by sends and
receipt polls): at 50 messages a request that alone takes 100 s, the bound the run is judged against.
Once the command owns the sending, the real main window opens on the same profile in another process
(``benchmarks.batch_gui_probe``) and follows the other process's commits while a precise 5 ms timer
records how late its event loop runs and the Outbox progress bar is read every 250 ms.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import subprocess
import sys
import time

from benchmarks.common import TIMES, ScenarioResult, median, percentile, sandbox_process, wait_for
from benchmarks.common import temporary_directory as scratch
from benchmarks.mailmerge import COMMAND_TIMEOUT, ROOT, SENDER, write_inputs
from desktop_app.api.client import BULK_CHUNK_SIZE
from desktop_app.services.ownership import SendingOwnership
from desktop_app.services.profile import Profile

LATENCY_MS = 20
TARGET_BOUND_RATIO = 1.3
TARGET_P99_MS = 16.0
TARGET_MAX_MS = 50.0


def batch_with_window(rows: int = 50_000) -> ScenarioResult:
    result = ScenarioResult(12, f"Mail merge of {rows:,} rows under the default rate limit, window open")
    with sandbox_process("--latency-ms", str(LATENCY_MS), delivery_delay=1.0) as sandbox, scratch("batch-gui") as work:
        csv_file, letter = write_inputs(work, rows)
        profile_dir = work / "profile"
        rate = Profile(profile_dir).settings.requests_per_second  # the default, left as it is
        env = {**os.environ, "PAUBOX_API_KEY": sandbox.api_key,
               "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}  # fmt: skip
        command = [sys.executable, "-m", "desktop_app", "batch", str(csv_file), "--body-file", str(letter),
                   "--from", SENDER, "--profile-dir", str(profile_dir), "--api-base-url", sandbox.base_url,
                   "--timeout", str(COMMAND_TIMEOUT)]  # fmt: skip
        started = time.perf_counter()
        batch = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ownership = SendingOwnership(profile_dir, role="benchmark")
        # The window opens once the command owns the sending and has queued its rows (its first request
        # has arrived): opened earlier, it would own the sending itself, or wait for the batch's write.
        sending = lambda: ownership.holder() is not None and int(sandbox.stats().get("total", 0)) > 0  # noqa: E731
        if not wait_for(lambda: sending() or batch.poll() is not None, COMMAND_TIMEOUT, 0.05):
            raise RuntimeError("sealpost batch never started sending")
        first_request = time.perf_counter() - started
        window = subprocess.Popen([sys.executable, "-m", "benchmarks.batch_gui_probe", str(profile_dir),
                                   sandbox.base_url], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        assert window.stdout is not None
        assert window.stdin is not None
        if window.stdout.readline().strip() != "ready":
            window.kill()
            raise RuntimeError(
                f"the window never became ready: {window.stderr.read()[-2000:] if window.stderr else ''}"
            )
        window_ready = time.perf_counter() - started
        out, err = batch.communicate(timeout=COMMAND_TIMEOUT)
        seconds = time.perf_counter() - started
        wal = profile_dir / "sealpost.db-wal"
        wal_mb = wal.stat().st_size / 2**20 if wal.exists() else 0.0
        window.stdin.write("stop\n")
        window.stdin.flush()
        lines = [line for line in window.stdout.read().splitlines() if line.startswith("{")]
        window.wait(60)
        if batch.returncode != 0:
            raise RuntimeError(f"sealpost batch exited {batch.returncode}: {err[-600:]}")
        if not lines:
            raise RuntimeError(
                f"the window probe printed nothing: {window.stderr.read()[-2000:] if window.stderr else ''}"
            )
        counts = json.loads(out.strip().splitlines()[-1])["counts"]
    probe = json.loads(lines[-1])
    lag: list[float] = probe["lag"]
    progress: list[list[float]] = probe["progress"]
    bound = math.ceil(rows / BULK_CHUNK_SIZE) / rate
    accepted = int(counts.get("accepted", 0))
    result.add("Rate-limit bound (requests / default limit)", bound, "s",
               note=f"{math.ceil(rows / BULK_CHUNK_SIZE):,} requests of {BULK_CHUNK_SIZE} at {rate:g}/s")  # fmt: skip
    result.add("`sealpost batch`, process start to exit", seconds, "s", note=f"{accepted:,} accepted")
    ratio = seconds / bound
    result.add("Ratio to the bound", ratio, TIMES, f"≤ {TARGET_BOUND_RATIO:g}{TIMES}",
               ok=ratio <= TARGET_BOUND_RATIO and accepted == rows)  # fmt: skip
    result.add("of which: planning and queueing the rows (start to the first request)", first_request, "s")
    result.add("Sending: first request to exit", seconds - first_request, "s",
               note=f"{(seconds - first_request) / bound:.2f}{TIMES} the bound")  # fmt: skip
    result.add("Window ready (opened at the first request)", window_ready - first_request, "s")
    result.add(
        "Write-ahead log left when the command exited", wal_mb, "MB", note="a reader that never lets go would grow it"
    )
    result.add("Window lag p50", median(lag), "ms", note=f"{len(lag):,} samples of a 5 ms timer")
    p99, worst = percentile(lag, 0.99), max(lag)
    result.add("Window lag p99", p99, "ms", f"≤ {TARGET_P99_MS:g} ms", ok=p99 <= TARGET_P99_MS)
    result.add("Window lag max", worst, "ms", f"≤ {TARGET_MAX_MS:g} ms", ok=worst <= TARGET_MAX_MS)
    values = [int(v) for _, v, _, shown in progress if shown]
    moves = sum(1 for a, b in itertools.pairwise(values) if b > a)
    last = values[-1] if values else "none"
    result.add("Progress bar: readings that moved forward", float(moves), "", "> 0", ok=moves > 0,
               note=f"{len(values)} readings while shown, every 250 ms; last {last}")  # fmt: skip
    return result
