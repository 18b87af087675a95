"""Scenario 7: how many single sends per second the sandbox answers with no injected latency.

The sandbox runs in its own process; the client is the sandbox's own load check (aiohttp, eight
keep-alive connections), so the figure is the server's capacity rather than httpx's overhead.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import cast

from benchmarks.common import ScenarioResult, median, runs_text, sandbox_process
from desktop_app.sandbox.loadcheck import measure
from desktop_app.sandbox.server import SandboxServer

TARGET_PER_SECOND = 1000.0


@dataclass(frozen=True)
class _Endpoint:
    """The two attributes ``loadcheck.measure`` reads, pointing at the sandbox subprocess."""

    base_url: str
    api_key: str


def sandbox_capacity(seconds: float = 3.0, runs: int = 3, connections: int = 8) -> ScenarioResult:
    result = ScenarioResult(7, "Sandbox capacity: single sends per second, no injected latency")
    rates: list[float] = []
    failures = 0
    with sandbox_process(delivery_delay=2.0) as sandbox:
        endpoint = cast(SandboxServer, _Endpoint(sandbox.base_url, sandbox.api_key))
        for _ in range(runs):
            started = time.perf_counter()
            ok, failed = asyncio.run(measure(endpoint, seconds, connections))
            rates.append(ok / (time.perf_counter() - started))
            failures += failed
    value = median(rates)
    result.add("Single sends per second", value, "/s", f"≥ {TARGET_PER_SECOND:,.0f}/s", ok=value >= TARGET_PER_SECOND,
               note=f"{runs_text(rates, '/s')}; {connections} keep-alive connections, {seconds:g} s each")  # fmt: skip
    result.add("Failed requests", failures, "", "0", ok=failures == 0)
    return result
