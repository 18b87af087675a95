"""The embeddable sandbox server: aiohttp on its own thread and event loop.

The desktop app (and tests) call :meth:`SandboxServer.start` / :meth:`SandboxServer.stop` from any
thread; everything else happens on the server's loop, which alone owns the sandbox state.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from types import TracebackType

from aiohttp import web

from .api import handle_api
from .config import SandboxConfig
from .control import add_control_routes
from .faults import FaultConfig
from .runtime import RUNTIME, Runtime

__all__ = ["FaultConfig", "SandboxConfig", "SandboxServer", "build_app"]

_SHUTDOWN_GRACE_SECONDS = 1.0


def build_app(runtime: Runtime) -> web.Application:
    """The aiohttp application: control routes first, then the catch-all Paubox API."""
    app = web.Application(client_max_size=runtime.config.max_body_bytes)
    app[RUNTIME] = runtime
    add_control_routes(app)
    app.router.add_route("*", "/{tail:.*}", handle_api)
    return app


class SandboxServer:
    """A Paubox-compatible server on loopback; a context manager that starts and stops it."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self._config = config or SandboxConfig()
        self._api_key = self._config.api_key or secrets.token_urlsafe(32)
        self._webhooks_key = self._config.webhooks_key or "whk_" + secrets.token_urlsafe(32)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._port = 0

    @property
    def config(self) -> SandboxConfig:
        return self._config

    @property
    def api_key(self) -> str:
        return self._api_key

    @property
    def key_generated(self) -> bool:
        return not self._config.api_key

    @property
    def webhooks_key(self) -> str:
        """The webhooks service's scoped key (``Authorization: Bearer KEY``), scoped for every event."""
        return self._webhooks_key

    @property
    def webhooks_key_generated(self) -> bool:
        return not self._config.webhooks_key

    @property
    def webhooks_url(self) -> str:
        """Base URL of the separate webhooks service (resource ``/endpoints`` below it)."""
        return f"{self.root_url}/v1/webhooks"

    @property
    def port(self) -> int:
        return self._port

    @property
    def root_url(self) -> str:
        host = self._config.host
        return f"http://{f'[{host}]' if ':' in host else host}:{self._port}"

    @property
    def base_urls(self) -> dict[str, str]:
        root = self.root_url
        return {
            "legacy": f"{root}/v1/{self._config.api_username}",
            "v1": f"{root}/v1",
            "v1_email": f"{root}/v1/email",
        }

    @property
    def base_url(self) -> str:
        return self.base_urls["v1_email"]

    def start(self) -> None:
        """Start listening; returns once the port is bound (raises if it cannot be)."""
        with self._lock:
            if self._thread is not None:
                raise RuntimeError("sandbox server already started")
            ready = threading.Event()
            failure: list[BaseException] = []
            thread = threading.Thread(target=self._serve, args=(ready, failure), name="sealpost-sandbox", daemon=True)
            thread.start()
            ready.wait()
            if failure:
                thread.join()
                raise failure[0]
            self._thread = thread

    def stop(self) -> None:
        """Shut down cleanly and join the server thread; safe to call more than once."""
        with self._lock:
            thread, loop = self._thread, self._loop
            if thread is None or loop is None:
                return
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            self._thread = None

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _serve(self, ready: threading.Event, failure: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            runtime = Runtime(self._config, self._api_key, self._webhooks_key)
            runner = loop.run_until_complete(self._open(runtime))
        except BaseException as error:  # reported to the thread that called start()
            failure.append(error)
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._close(runtime, runner))
            loop.close()

    async def _open(self, runtime: Runtime) -> web.AppRunner:
        runner = web.AppRunner(
            build_app(runtime),
            access_log=None,  # request lines could carry tracking ids next to timing; keep quiet
            handler_cancellation=True,  # a client that gives up frees its hanging handler
            shutdown_timeout=_SHUTDOWN_GRACE_SECONDS,
        )
        await runner.setup()
        site = web.TCPSite(runner, self._config.host, self._config.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._port = runner.addresses[0][1]
        return runner

    async def _close(self, runtime: Runtime, runner: web.AppRunner) -> None:
        runtime.closing.set()
        runtime.state.clear()
        await runtime.webhooks.close()
        await runner.cleanup()
