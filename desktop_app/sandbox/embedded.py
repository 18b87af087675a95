"""The sandbox as the app embeds it: started by the composition root (the ``sealpost`` entry point)
and handed to the runtime, which only sees its base URL and key (``services.runtime.EmbeddedSandbox``)."""

from __future__ import annotations

from desktop_app.sandbox.config import DEFAULT_ATTACHMENT_LIMIT_MB
from desktop_app.sandbox.server import SandboxConfig, SandboxServer


def start_embedded_sandbox(
    delivery_delay: float, attachment_limit_mb: float = DEFAULT_ATTACHMENT_LIMIT_MB
) -> SandboxServer:
    """A started sandbox on loopback; its statuses become final ``delivery_delay`` seconds after a
    send, and it refuses attachments over the profile's limit as the client and composer do."""
    server = SandboxServer(SandboxConfig(delivery_delay=delivery_delay, attachment_limit_mb=attachment_limit_mb))
    server.start()
    return server
