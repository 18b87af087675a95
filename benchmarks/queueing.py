"""Planning and queueing a mail merge, measured from the outside (docs/benchmarks.md, scenario 12's first part).

``python -m benchmarks.queueing ROWS [TREE ...]`` runs ``python -m desktop_app batch`` of the scenario-9
letter from each work tree in turn (default: this one; a tree is a checkout of another commit, so
before and after run in the same minutes), with a fresh profile, the sandbox at 20 ms and the client's
limiter out of the way, and stops it at the sandbox's first request: the wall time from spawn to that
request, and the command's CPU time (user + system, every thread) read then, the steadier figure on a
shared machine. Run it under ``scripts/with-test-keyring.sh`` (the command keeps its key in the keyring).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil  # type: ignore[import-untyped]

from benchmarks.common import sandbox_process
from benchmarks.common import temporary_directory as scratch
from benchmarks.mailmerge import ROOT, SENDER, _fast_profile, write_inputs


def to_first_request(tree: Path, rows: int) -> dict[str, float]:
    with sandbox_process("--latency-ms", "20", delivery_delay=1.0) as sandbox, scratch("queueing") as work:
        csv_file, letter = write_inputs(work, rows)
        profile = work / "profile"
        _fast_profile(profile)
        command = [sys.executable, "-m", "desktop_app", "batch", str(csv_file), "--body-file", str(letter),
                   "--from", SENDER, "--profile-dir", str(profile), "--api-base-url", sandbox.base_url]  # fmt: skip
        env = {**os.environ, "PAUBOX_API_KEY": sandbox.api_key}
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        watched = psutil.Process(process.pid)
        peak = cpu = 0.0
        try:
            while process.poll() is None:
                times = watched.cpu_times()
                cpu = times.user + times.system
                peak = max(peak, watched.memory_info().rss / 2**20)
                if int(sandbox.stats().get("total", 0)) > 0:
                    return {"rows": rows, "seconds": time.perf_counter() - started, "cpu": cpu, "peak_rss_mb": peak}
                time.sleep(0.02)
        except psutil.NoSuchProcess:
            pass
        finally:
            process.kill()
            process.wait()
        raise RuntimeError(
            f"sealpost batch ended before sending: {process.stderr.read()[-600:] if process.stderr else b''!r}"
        )


def main(argv: list[str]) -> int:
    rows = int(argv[0])
    for tree in [Path(t) for t in argv[1:]] or [ROOT]:
        figures = to_first_request(tree, rows)
        print(json.dumps({"tree": str(tree), **figures, "load": os.getloadavg()[0]}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
