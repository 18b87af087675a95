"""Scenario 6: sanitising HTML bodies of 10 KB, 100 KB and 1 MB with the app's bleach allowlist.

The bodies look like real clinical email: tables, styled paragraphs, links, and a sprinkling of
what the sanitiser exists to remove (scripts, event handlers, remote images).
"""

from __future__ import annotations

import time

from benchmarks.common import ScenarioResult, median, runs_text
from desktop_app.core.sanitize import html_to_text, sanitize_html

SIZES = ((10 * 1024, "10 KB"), (100 * 1024, "100 KB"), (1024 * 1024, "1 MB"))
GUI_FRAME_MS = 16.0

_BLOCK = (
    '<p style="font-family: Arial; color: #333; margin: 0 0 8px 0">Dear patient, your results from '
    '<b>{n}</b> are ready. <a href="https://portal.clinic.example/results/{n}" onclick="steal()">View them</a>.'
    '</p>\n<table border="1" cellpadding="4"><tr><th>Test</th><th>Value</th></tr>'
    '<tr><td>HbA1c</td><td style="text-align: right">6.{n}%</td></tr></table>\n'
    '<script>track({n})</script><img src="https://tracker.example/{n}.gif" alt="">\n'
)


def body(size: int) -> str:
    """An HTML body of ``size`` bytes (to within one block)."""
    parts: list[str] = []
    total = 0
    n = 0
    while total < size:
        block = _BLOCK.format(n=n)
        parts.append(block)
        total += len(block)
        n += 1
    return "<html><body>" + "".join(parts) + "</body></html>"


def sanitizing(runs: int = 5, sizes: tuple[tuple[int, str], ...] = SIZES) -> ScenarioResult:
    result = ScenarioResult(6, "Sanitising HTML bodies (bleach allowlist, then the plain-text part)")
    for size, label in sizes:
        html = body(size)
        sanitize_html(html[:2000])  # warm the cleaner's caches so the first run is not an outlier
        timings: list[float] = []
        text_timings: list[float] = []
        for _ in range(runs if size < 1024 * 1024 else max(3, runs // 2)):
            started = time.perf_counter()
            clean = sanitize_html(html)
            timings.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            html_to_text(clean)
            text_timings.append((time.perf_counter() - started) * 1000)
        value = median(timings)
        result.add(f"sanitize_html, {label}", value, "ms", note=f"{runs_text(timings, 'ms')}; "
                   f"{'must run off the GUI thread' if value > GUI_FRAME_MS else 'fits in a frame'}")  # fmt: skip
        result.add(f"html_to_text, {label}", median(text_timings), "ms")
    result.notes.append(
        f"Anything above one frame ({GUI_FRAME_MS:.0f} ms) must run off the GUI thread. The composer's preview "
        "and Runtime.queue sanitise on workers; Composer.load() sanitises a loaded draft on the GUI thread."
    )
    return result
