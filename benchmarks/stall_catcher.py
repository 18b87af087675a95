"""What the GUI thread was doing whenever it stayed away from the event loop: a benchmark-only watchdog.

With ``SEALPOST_STALL_FILE=PATH`` set, a GUI probe (scenarios 4 and 12) starts a :class:`StallCatcher`
next to its lag timer. A watchdog thread checks every 4 ms when the timer last fired; once that is more
than ``SEALPOST_STALL_MS`` (25) ago it samples, until the timer fires again, the Python stack of every
thread, the GUI thread's scheduler counters (``/proc/self/task/TID/schedstat``: time on a core, time
waiting for one) and its state, and notes the garbage collections that ran. Every stall longer than
``SEALPOST_STALL_KEEP_MS`` (30) is written to PATH as one JSON line; ``python -m benchmarks.stall_catcher
PATH`` sums them up by the GUI thread's innermost frame of the app.

The watchdog needs Python's lock to sample: a stall caused by a thread holding it shows up as samples
that arrive late, with the holder's stack in them.
"""

from __future__ import annotations

import collections
import contextlib
import gc
import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path
from types import FrameType
from typing import Any

TICK_S = 0.004
IDLE = {"wait", "_wait_for_tstate_lock", "readline", "get", "select", "sleep", "accept", "_watch", "poll"}
"""Functions a thread waits in (its innermost frame): such a thread is not what the GUI thread waits for."""


def _stack(frame: FrameType | None, depth: int = 14) -> list[str]:
    return [f"{Path(f.filename).name}:{f.lineno}:{f.name}" for f in traceback.extract_stack(frame)[-depth:]]


SYSCALLS = {"0": "read", "7": "poll", "202": "futex", "230": "nanosleep", "232": "epoll_wait", "271": "ppoll",
            "17": "pread", "18": "pwrite", "1": "write", "74": "fsync", "75": "fdatasync", "72": "fcntl"}  # fmt: skip


def _task_counters(tid: int) -> tuple[int, int, str]:
    """(ns on a core, ns waiting in the run queue, state) of one thread of this process: its state
    letter (R runs or waits for a core, S sleeps) and, asleep, in which system call (futex: a lock)."""
    try:
        on_cpu, waiting, _ = Path(f"/proc/self/task/{tid}/schedstat").read_text().split()
        state = Path(f"/proc/self/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state != "R":
            call = Path(f"/proc/self/task/{tid}/syscall").read_text().split()[0]
            state += ":" + SYSCALLS.get(call, call)
        return int(on_cpu), int(waiting), state
    except (OSError, ValueError, IndexError):
        return 0, 0, "?"


class StallCatcher:
    """Call :meth:`beat` from the GUI thread each time it returns to the event loop (the lag timer)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._after_s = float(os.environ.get("SEALPOST_STALL_MS", "25")) / 1000
        self._keep_s = float(os.environ.get("SEALPOST_STALL_KEEP_MS", "30")) / 1000
        self._gui = threading.get_ident()
        self._gui_tid = threading.get_native_id()
        self._last = time.perf_counter()
        self._stop = threading.Event()
        self._gcs: collections.deque[tuple[float, float, int, int]] = collections.deque(maxlen=200)
        self._gc_started: dict[int, float] = {}
        self._out = path.open("a", encoding="utf-8")
        self._thread = threading.Thread(target=self._watch, name="stall-catcher", daemon=True)

    def start(self) -> None:
        self._cpu_at_start = self._thread_cpu()
        gc.callbacks.append(self._on_gc)
        self._last = time.perf_counter()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        before = self._cpu_at_start
        used = {name: round(ms - before.get(name, 0.0)) for name, ms in self._thread_cpu().items()}
        self._out.write(json.dumps({"thread_cpu_ms": dict(sorted(used.items(), key=lambda kv: -kv[1]))}) + "\n")
        self._out.close()

    def _thread_cpu(self) -> dict[str, float]:
        """CPU time (ms) each thread of the process has used, by name (the GUI thread as "gui")."""
        names = {t.native_id: t.name for t in [*threading.enumerate(), self._thread]} | {self._gui_tid: "gui"}
        ticks = os.sysconf("SC_CLK_TCK")
        used: dict[str, float] = {}
        for task in Path("/proc/self/task").iterdir():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
                name = names.get(int(task.name)) or f"{(task / 'comm').read_text().strip()}#{task.name}"
                used[name] = (int(fields[11]) + int(fields[12])) * 1000 / ticks
        return used

    def beat(self) -> None:
        self._last = time.perf_counter()

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        ident = threading.get_ident()
        if phase == "start":
            self._gc_started[ident] = now
        elif ident in self._gc_started:
            started = self._gc_started.pop(ident)
            self._gcs.append((started, now - started, info.get("generation", -1), int(ident == self._gui)))

    def _sample(self, since: float) -> dict[str, Any]:
        frames = sys._current_frames()
        threads = {t.ident: t for t in threading.enumerate()}
        on_cpu, waiting, state = _task_counters(self._gui_tid)
        others: dict[str, Any] = {}
        for ident, frame in frames.items():
            thread = threads.get(ident)
            if ident in (self._gui, threading.get_ident()) or frame is None or frame.f_code.co_name in IDLE:
                continue
            # Qt's pool threads have no ``threading`` object, so no native id: their state is unknown.
            cpu, _, their_state = _task_counters(thread.native_id) if thread and thread.native_id else (0, 0, "?")
            if their_state[0] in "RD?":  # running or wanting a core (or the disk): it may hold Python's lock
                name = thread.name if thread else "pool"
                others[f"{name}#{ident}"] = [their_state, cpu, *_stack(frame, 8)]
        running = []
        for task in Path("/proc/self/task").iterdir():
            if int(task.name) not in (self._gui_tid, threading.get_native_id()):
                with contextlib.suppress(OSError, IndexError):
                    if (task / "stat").read_text().rsplit(")", 1)[1].split()[0] == "R":
                        running.append((task / "comm").read_text().strip())
        return {"t": round((time.perf_counter() - since) * 1000, 1), "cpu_ns": on_cpu, "wait_ns": waiting,
                "state": state, "gui": _stack(frames.get(self._gui)), "others": others, "running": running,
                "runnable": Path("/proc/loadavg").read_text().split()[3]}  # fmt: skip

    def _watch(self) -> None:
        while not self._stop.wait(TICK_S):
            last = self._last
            if time.perf_counter() - last < self._after_s:
                continue
            samples = [self._sample(last)]
            while self._last == last and not self._stop.wait(TICK_S):
                samples.append(self._sample(last))
            ended = self._last if self._last != last else time.perf_counter()
            length = ended - last
            if length < self._keep_s:
                continue
            gcs = [{"at_ms": round((s - last) * 1000, 1), "ms": round(d * 1000, 1), "gen": g, "gui": bool(gui)}
                   for s, d, g, gui in list(self._gcs) if s + d >= last and s <= ended]  # fmt: skip
            first, final = samples[0], samples[-1]
            record = {"at": round(last, 3), "ms": round(length * 1000, 1), "samples": samples, "gcs": gcs,
                      "gui_cpu_ms": round((final["cpu_ns"] - first["cpu_ns"]) / 1e6, 1),
                      "gui_runqueue_ms": round((final["wait_ns"] - first["wait_ns"]) / 1e6, 1),
                      "load": os.getloadavg()[0]}  # fmt: skip
            self._out.write(json.dumps(record) + "\n")
            self._out.flush()


def from_environment() -> StallCatcher | None:
    """A started catcher when ``SEALPOST_STALL_FILE`` names a file, else None (the benchmark as it is)."""
    path = os.environ.get("SEALPOST_STALL_FILE")
    if not path:
        return None
    catcher = StallCatcher(Path(path))
    catcher.start()
    return catcher


APP = "desktop_app"


def _where(sample: dict[str, Any]) -> str:
    """The GUI thread's innermost frames, or (in Qt's own code) its state: R on a core or waiting for
    one, S:futex waiting for a lock (Python's, mostly)."""
    stack = sample["gui"]
    if not stack or stack[-1].split(":")[2] in ("_wait", "main", "_exec"):
        return f"(in Qt, {sample['state']})"
    return f"[{sample['state']}] " + " < ".join(reversed(stack[-3:]))


def summarise(path: Path) -> str:
    """Stalls by cause: where the GUI thread's samples were, weighted by the stall's length."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    stalls = [r for r in records if "ms" in r]
    cpu = [r["thread_cpu_ms"] for r in records if "thread_cpu_ms" in r]
    if cpu:
        print("CPU ms by thread while the probe ran:", ", ".join(f"{k} {v}" for k, v in cpu[-1].items() if v))
    if not stalls:
        return "no stalls"
    places: collections.Counter[str] = collections.Counter()
    others: collections.Counter[str] = collections.Counter()
    worst, total = max(s["ms"] for s in stalls), sum(s["ms"] for s in stalls)
    lines = [f"{len(stalls)} stalls, {total:.0f} ms in all, longest {worst:.0f} ms"]
    for stall in sorted(stalls, key=lambda s: -s["ms"]):
        samples = stall["samples"]
        share = stall["ms"] / len(samples)
        for sample in samples:
            places[_where(sample)] += share
            for name, (state, _cpu, *stack) in sample["others"].items():
                others[f"{name.split('#')[0]} [{state}]: {' < '.join(reversed(stack[-3:]))}"] += share
        gcs = ", ".join(f"gen{g['gen']} {g['ms']} ms{' (gui)' if g['gui'] else ''}" for g in stall["gcs"])
        lines.append(f"- {stall['ms']:.0f} ms (load {stall['load']:.1f}): GUI on a core {stall['gui_cpu_ms']} ms, "
                     f"in the run queue {stall['gui_runqueue_ms']} ms; {len(samples)} samples; "
                     f"gc: {gcs or 'none'}; first: {_where(samples[0])}")  # fmt: skip
    time_in: collections.Counter[str] = collections.Counter()
    for stall in stalls:
        for before, after in zip(stall["samples"], stall["samples"][1:], strict=False):
            gap = after["t"] - before["t"]
            cpu, queue = (after["cpu_ns"] - before["cpu_ns"]) / 1e6, (after["wait_ns"] - before["wait_ns"]) / 1e6
            time_in["on a core"] += cpu
            time_in["waiting for a core"] += queue
            time_in[f"asleep ({after['state']})"] += max(0.0, gap - cpu - queue)
    lines.append(
        "other threads of the process on a core or waiting for one, samples: "
        + ", ".join(
            f"{k} {v:.0f}"
            for k, v in collections.Counter(
                name for stall in stalls for sample in stall["samples"] for name in sample.get("running", [])
            ).most_common()
        )
    )
    lines.append("GUI thread during stalls, ms: " + ", ".join(f"{k} {v:.0f}" for k, v in time_in.most_common()))
    lines.append("GUI thread, ms by place:")
    lines += [f"  {ms:7.0f}  {place}" for place, ms in places.most_common(25)]
    lines.append("other threads running meanwhile, ms:")
    lines += [f"  {ms:7.0f}  {place}" for place, ms in others.most_common(25)]
    return "\n".join(lines)


if __name__ == "__main__":
    print(summarise(Path(sys.argv[1])))
