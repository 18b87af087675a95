"""Quick throughput check: single sends per second against an embedded sandbox.

``python -m desktop_app.sandbox.loadcheck [--seconds 3] [--connections 8]``. Uses aiohttp's
client with keep-alive connections (httpx's own overhead would be the bottleneck otherwise).
Prints the figure; it asserts nothing, since timings belong in benchmarks.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import aiohttp

from .config import SandboxConfig
from .server import SandboxServer

PAYLOAD = {
    "data": {
        "message": {
            "recipients": ["patient@example.org"],
            "headers": {"subject": "Load check", "from": "sender@clinic.example"},
            "content": {"text/plain": "Hello"},
        }
    }
}


async def _worker(session: aiohttp.ClientSession, url: str, deadline: float, counts: list[int]) -> None:
    while time.perf_counter() < deadline:
        async with session.post(url, json=PAYLOAD) as response:
            await response.read()
            counts[0 if response.status == 200 else 1] += 1


async def measure(server: SandboxServer, seconds: float, connections: int) -> tuple[int, int]:
    """Send for ``seconds`` over ``connections`` keep-alive connections; returns (ok, failed)."""
    counts = [0, 0]
    headers = {"Authorization": f"Token token={server.api_key}"}
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(headers=headers, connector=connector) as session:
        deadline = time.perf_counter() + seconds
        url = server.base_url + "/messages"
        await asyncio.gather(*(_worker(session, url, deadline, counts) for _ in range(connections)))
    return counts[0], counts[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    with SandboxServer(SandboxConfig(delivery_delay=0)) as server:
        started = time.perf_counter()
        ok, failed = asyncio.run(measure(server, args.seconds, args.connections))
        elapsed = time.perf_counter() - started
    print(f"{ok / elapsed:.0f} sends/s ({ok} accepted, {failed} failed in {elapsed:.1f} s)")


if __name__ == "__main__":
    main()
