"""Run the sandbox on its own: ``python -m desktop_app.sandbox --port 8025``.

When listening it prints ``name=value`` lines (the three base URLs, the webhooks service's URL,
``api_key`` and ``webhooks_key`` if they were generated, then ``ready``),
flushes, and serves until SIGINT or SIGTERM, then exits 0. With ``--exit-with-stdin`` (the app's
embedded sandbox, ``sandbox/embedded.py``) it also exits when its standard input closes, which the
kernel does when the process that started it dies, even by SIGKILL, and it ignores SIGINT: Ctrl+C in
the app's terminal is for the app, which stops its sandbox itself.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING

from .config import DEFAULT_ATTACHMENT_LIMIT_MB, KEY_GENERATIONS, SandboxConfig
from .faults import ACCEPT_THEN_FAIL_MODES, FaultConfig

if TYPE_CHECKING:
    from .server import SandboxServer

API_KEY_ENV = "SEALPOST_SANDBOX_API_KEY"
WEBHOOKS_KEY_ENV = "SEALPOST_SANDBOX_WEBHOOKS_KEY"
_TRUST_STORE_ENV = ("SSL_CERT_FILE", "SSL_CERT_DIR")  # where OpenSSL looks for the system's CA certificates


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m desktop_app.sandbox", description=__doc__)
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to bind (loopback unless --allow-non-loopback)")
    add("--port", type=int, default=0, help="port to bind; 0 picks a free one")
    add("--api-key", default=os.environ.get(API_KEY_ENV, ""), help=f"accepted key (or ${API_KEY_ENV})")
    add("--api-username", default="sandbox", help="username segment of the legacy base URL")
    add("--delivery-delay", type=float, default=2.0, help="seconds from processing to the final status")
    add("--verified-domains", default="", help="comma-separated sender domains; empty = all verified")
    add("--allow-non-loopback", action="store_true", help="permit binding a non-loopback --host")
    add("--strict-newest", action="store_true", help="route only /v1/email/… (others get the HTML 404)")
    add("--realistic", action="store_true",
        help="the key works only on its own generation (--key-generation) with its documented auth styles")  # fmt: skip
    add("--key-generation", choices=KEY_GENERATIONS, default="legacy",
        help="realistic mode: the generation the key was issued for (legacy needs /v1/<username>)")  # fmt: skip
    add("--retention", type=int, default=100_000, help="newest messages kept for receipts/introspection")
    add("--webhook-retries", type=int, default=0, help="retry failed webhook POSTs (Paubox never does)")
    add("--webhooks-key", default=os.environ.get(WEBHOOKS_KEY_ENV, ""),
        help=f"scoped key of the webhooks service, all events (or ${WEBHOOKS_KEY_ENV})")  # fmt: skip
    add("--webhook-http-loopback", action="store_true",
        help="let the webhooks service register http:// loopback targets (tests; Paubox wants https)")  # fmt: skip
    add("--attachment-limit-mb", type=float, default=DEFAULT_ATTACHMENT_LIMIT_MB,
        help="attachments per message, encoded, in MiB; larger ones get 400 'Failed to send'")  # fmt: skip
    add("--open-tracking", choices=("on", "off"), default="on",
        help="the account's open tracking when a send has no override_open_tracking")  # fmt: skip
    add("--link-tracking", choices=("on", "off"), default="on",
        help="the account's link tracking when a send has no override_link_tracking")  # fmt: skip
    add("--exit-with-stdin", action="store_true",
        help="exit also when standard input closes; ignore SIGINT (the app's sandbox dies with the app)")  # fmt: skip
    faults = parser.add_argument_group("fault injection (seeded, repeatable)")
    add = faults.add_argument
    add("--latency-ms", type=int, default=0, help="delay added to every API response")
    add("--fail-rate", type=float, default=0.0, help="fraction answered 500/502/503/504 without acting")
    add("--accept-then-fail-rate", type=float, default=0.0, help="fraction recorded, then the answer is lost")
    add("--accept-then-fail-mode", choices=ACCEPT_THEN_FAIL_MODES, default="mixed")
    add("--hang-seconds", type=float, default=600.0, help="how long the 'timeout' mode holds the response")
    add("--rate-limit", type=float, default=0.0, help="requests per second per key before 429; 0 = off")
    add("--retry-after", default="none", help="429 Retry-After: SECONDS, none, http-date or garbage")
    add("--malformed-rate", type=float, default=0.0, help="fraction answered 200 with broken JSON")
    add("--revoke-key-after", type=int, default=None, help="answer 401 after N authorised requests")
    add("--seed", type=int, default=None, help="random seed for the fault decisions")
    return parser.parse_args(argv)


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    faults = FaultConfig(
        latency_ms=args.latency_ms,
        fail_rate=args.fail_rate,
        accept_then_fail_rate=args.accept_then_fail_rate,
        accept_then_fail_mode=args.accept_then_fail_mode,
        rate_limit=args.rate_limit,
        retry_after=args.retry_after,
        malformed_rate=args.malformed_rate,
        revoke_key_after=args.revoke_key_after,
        seed=args.seed,
        hang_seconds=args.hang_seconds,
    )
    return SandboxConfig(
        host=args.host,
        port=args.port,
        api_key=args.api_key,
        api_username=args.api_username,
        delivery_delay=args.delivery_delay,
        verified_domains=tuple(d.strip() for d in args.verified_domains.split(",") if d.strip()),
        allow_non_loopback=args.allow_non_loopback,
        faults=faults,
        strict_newest=args.strict_newest,
        realistic=args.realistic,
        key_generation=args.key_generation,
        retention=args.retention,
        webhook_retries=args.webhook_retries,
        webhooks_key=args.webhooks_key,
        webhook_http_loopback=args.webhook_http_loopback,
        attachment_limit_mb=args.attachment_limit_mb,
        open_tracking=args.open_tracking == "on",
        link_tracking=args.link_tracking == "on",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = config_from_args(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, signal.SIG_IGN if args.exit_with_stdin else request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    if args.exit_with_stdin:
        threading.Thread(target=_stop_at_end_of_input, args=(stop,), name="parent-watch", daemon=True).start()
    server = _server_class()(config)
    try:
        server.start()
    except OSError as error:
        print(f"error: cannot listen on {config.host}:{config.port}: {error.strerror}", file=sys.stderr)
        return 1
    try:
        lines = [f"{name}={url}" for name, url in server.base_urls.items()]
        lines.append(f"webhooks={server.webhooks_url}")
        if server.key_generated:
            lines.append(f"api_key={server.api_key}")
        if server.webhooks_key_generated:
            lines.append(f"webhooks_key={server.webhooks_key}")
        print("\n".join([*lines, "ready"]), flush=True)
        while not stop.wait(1.0):
            pass
    finally:
        server.stop()
    return 0


def _server_class() -> type[SandboxServer]:
    """The server, imported with an empty trust store.

    aiohttp builds two client TLS contexts as it is imported, each loading the system's CA
    certificates: ~60 ms of the embedded sandbox's start, on the core the window's start-up shares.
    This process serves plain http and is no aiohttp client (its webhooks go through httpx, which
    loads its own certificates at the first delivery), so those contexts trust nothing and could only
    refuse; the environment is as it was before anything else runs."""
    saved = {name: os.environ.get(name) for name in _TRUST_STORE_ENV}
    os.environ.update(dict.fromkeys(_TRUST_STORE_ENV, os.devnull))
    try:
        from .server import SandboxServer
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return SandboxServer


def _stop_at_end_of_input(stop: threading.Event) -> None:
    """Nothing is ever written to our input: it ends when the parent closes it or dies."""
    with contextlib.suppress(OSError, ValueError):
        while sys.stdin.buffer.read(4096):
            pass
    stop.set()


if __name__ == "__main__":
    sys.exit(main())
