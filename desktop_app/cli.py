"""Command line: the GUI (default), ``--self-test``, and headless subcommands.

Headless commands share the GUI's services: the same profile, keyring, encrypted store and
outbox, so a message sent from a script is tracked in the app like any other. Each path imports
only what it uses: the GUI's window paints before the engines load (docs/gui.md, start-up).
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from desktop_app import APP_NAME, __version__
from desktop_app.services import policies
from desktop_app.services.logging_setup import configure_logging
from desktop_app.services.profile import Profile, default_profile_dir

if TYPE_CHECKING:
    from desktop_app.services.runtime import EmbeddedSandbox
    from desktop_app.ui.main_window import RuntimeFactory

WINDOW_SANDBOX_DELAY = 2.0  # seconds from a send to the embedded sandbox's final delivery status, in the window


def _common_options(*, on_subcommand: bool) -> argparse.ArgumentParser:
    """Options every command takes, before or after the subcommand's name.

    On a subcommand they default to "not given" (``SUPPRESS``), so ``sealpost --policy-dir D send …``
    keeps D instead of the subcommand's default silently replacing it.
    """
    unset: str | None = argparse.SUPPRESS if on_subcommand else None
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--profile-dir", type=Path, help="keep all data, settings and logs under DIR", default=unset)
    common.add_argument(
        "--api-base-url",
        help="talk to this Paubox-compatible endpoint (key from the PAUBOX_API_KEY environment variable); "
        "a root URL without /v1… (e.g. http://127.0.0.1:8025) detects the generation and auth style first",
        default=unset,
    )
    common.add_argument("-v", "--verbose", action="store_true", help="log debug details (never keys or content)",
                        default=argparse.SUPPRESS if on_subcommand else False)  # fmt: skip
    common.add_argument("--policy-dir", type=Path, metavar="DIR",
                        help="read policies from DIR/managed and DIR/recommended instead of the system's place "
                        "(also $SEALPOST_POLICY_DIR)", default=unset)  # fmt: skip
    return common


COMMAND_GC_THRESHOLD = 20_000
"""Allocations between young-generation collections in a command (Python's default is 700). A mail
merge allocates millions of short-lived objects that reference counting frees; at 700 a 1,000-row
batch ran some 130 collections (≈ 45 ms, its imports included) to find next to no cycles. A command's life is short."""

_VALUED_OPTIONS = ("--profile-dir", "--api-base-url", "--policy-dir")


def _names_no_command(argv: list[str]) -> bool:
    """Whether ``argv`` can only mean the window (no subcommand, no help): then the parser needs none of
    the ~25 subcommands' parsers, which cost the first paint ~9 ms (argparse looks up translations of
    its own words for each). Anything else, an unknown word or an abbreviated option included, gets the
    whole parser and its messages."""
    values = iter(argv)
    for arg in values:
        if arg in _VALUED_OPTIONS:
            next(values, None)
        elif not arg.startswith("-") or arg in ("-h", "--help"):
            return False
    return True


def build_parser(*, subcommands: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sealpost", description=f"{APP_NAME}: secure email through the Paubox Email API.",
        parents=[_common_options(on_subcommand=False)],
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="start with the embedded sandbox, send one message, wait for delivery, exit")  # fmt: skip
    if not subcommands:
        parser.set_defaults(command=None)
        return parser
    from desktop_app.headless_audit import add_audit_parser  # the subcommands' modules: not the window's
    from desktop_app.headless_contacts import add_contacts_parser, add_guard_switches
    from desktop_app.headless_export import add_export_parser

    common = _common_options(on_subcommand=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    send = commands.add_parser("send", parents=[common], help="send one message and wait until Paubox accepts it")
    send.add_argument("--to", action="append", required=True, help="recipient (repeat for several)")
    send.add_argument("--cc", action="append", default=[])
    send.add_argument("--bcc", action="append", default=[])
    send.add_argument("--subject", required=True)
    send.add_argument("--text", default="", help="plain-text body")
    send.add_argument("--html", default="", help="HTML body (sanitised before sending)")
    send.add_argument("--html-file", metavar="FILE", help="HTML body read from FILE (UTF-8, sanitised before sending)")
    # --attach and --content-type share one list, in the order given: a type belongs to the file before it.
    send.add_argument("--attach", dest="attach_items", action="append", default=[], metavar="FILE",
                      type=lambda path: ("file", path), help="attach FILE (repeat for several)")  # fmt: skip
    send.add_argument("--content-type", dest="attach_items", action="append", metavar="TYPE",
                      type=lambda value: ("type", value),
                      help="content type of the --attach given just before it (default: guessed from the "
                      "file name, else application/octet-stream)")  # fmt: skip
    send.add_argument("--header", action="append", default=[], metavar='"X-NAME: value"',
                      help='custom X- header (repeat for several); also "List-Unsubscribe: <mailto:…>, <https://…>" '
                      'and "List-Unsubscribe-Post: List-Unsubscribe=One-Click"')  # fmt: skip
    send.add_argument("--unsubscribe-url", metavar="URL", help="Paubox's unsubscribe_url option (https only)")
    for kind in ("open", "link"):
        send.add_argument(f"--{kind}-tracking", choices=("on", "off"),
                          help=f"override the Paubox account's {kind} tracking for this message "
                          "(default: the account's setting; nothing is sent)")  # fmt: skip
    send.add_argument("--from", dest="sender", help="sender address (default: the profile's)")
    send.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for acceptance")
    send.add_argument("--wait-delivery", action="store_true",
                      help="after acceptance, keep tracking until every recipient's delivery is final")  # fmt: skip
    send.add_argument("--allow-non-tls", action="store_true",
                      help="allow delivery without TLS (refused unless a policy allows it: AllowNonTLS)")  # fmt: skip
    add_guard_switches(send)

    batch = commands.add_parser(
        "batch", parents=[common],
        help="mail-merge a CSV (header row; 'to' required; subject/text/html/list_unsubscribe/unsubscribe_url "
        "optional; other columns are {{variables}}): queue every row, send in bulk, wait; re-running the same "
        "file resumes it",
    )  # fmt: skip
    batch.add_argument("file", help="the CSV file")
    body = batch.add_mutually_exclusive_group()
    body.add_argument("--body-file", help="body with {{variables}} (.html for HTML, otherwise plain text)")
    body.add_argument("--template", help="a Paubox dynamic template as the body; the extra columns fill it in")
    batch.add_argument("--from", dest="sender", help="sender address (default: the profile's)")
    batch.add_argument("--header", action="append", default=[], metavar='"NAME: value"',
                       help="header for every row: X- headers, List-Unsubscribe (a list_unsubscribe column wins "
                       "for its row), List-Unsubscribe-Post: List-Unsubscribe=One-Click")  # fmt: skip
    batch.add_argument("--skip-bad-rows", action="store_true", help="queue the good rows even if some are bad")
    batch.add_argument("--preview", action="store_true", help="show the first rendered messages; queue nothing")
    batch.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for every outcome")
    batch.add_argument("--again", action="store_true",
                       help="send a batch that was already sent completely once more (a new, audited run)")  # fmt: skip
    add_guard_switches(batch)
    add_contacts_parser(commands, common)
    listings = {}
    for name, what in (("outbox", "messages not yet sent (or needing a decision)"), ("status", "every message")):
        listing = commands.add_parser(name, parents=[common], help=f"list {what} with per-recipient statuses")
        listing.add_argument("--json", action="store_true", help="print JSON (never a message body)")
        listings[name] = listing
    actions = listings["outbox"].add_subparsers(dest="outbox_action", metavar="ACTION")
    resolve = actions.add_parser(
        "resolve", parents=[common],
        help="decide for every outcome-unknown message of one request (its request_group) at once",
    )  # fmt: skip
    resolve.add_argument("group", help="the request group, as `sealpost outbox` shows it")
    decision = resolve.add_mutually_exclusive_group(required=True)
    decision.add_argument("--resend", action="store_true", help="queue them again and wait (may deliver twice)")
    decision.add_argument("--mark-sent", action="store_true", help="mark them sent (you know they arrived)")
    resolve.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for acceptance")
    add_audit_parser(commands, common)
    add_export_parser(commands, common)
    policy = commands.add_parser("policy", parents=[common], help="every effective setting and policy, and its source")
    policy.add_argument("--json", action="store_true", help="print JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    args = build_parser(subcommands=not _names_no_command(words)).parse_args(words)
    if args.command is not None:
        gc.set_threshold(COMMAND_GC_THRESHOLD, *gc.get_threshold()[1:])
    policies.install(policies.load(args.policy_dir))  # before any profile is opened (a switch gets them too)
    if args.api_base_url and args.command is not None and (refused := _refused_url(args.api_base_url)):
        print(f"sealpost: {refused}", file=sys.stderr)  # said before the profile folder is created or logged to
        return 3
    profile = Profile(args.profile_dir or default_profile_dir())
    configure_logging(profile.log_dir, verbose=args.verbose, console=args.command is not None or args.self_test)
    if args.self_test:
        from desktop_app.ui.app import run_self_test

        if profile.settings.mode.value != "sandbox":
            print("self-test: the profile is not in sandbox mode; use a fresh --profile-dir", file=sys.stderr)
            return 2
        make_runtime, prestart = _window_runtime(profile, None, sandbox_delivery_delay=0.5)
        prestart()
        return run_self_test(profile, make_runtime)
    if args.command == "policy":
        from desktop_app.headless_policy import policy_command

        return policy_command(profile, args)
    if args.api_base_url:
        from desktop_app.services.policy_rules import endpoint_override_refusal  # loads the message model

        if refusal := endpoint_override_refusal(profile.origins):
            print(f"sealpost: {refusal}", file=sys.stderr)
            return 2
    if args.command is not None:
        return headless(args, profile)
    from desktop_app.ui.app import run_gui

    make_runtime, prestart = _window_runtime(profile, args.api_base_url)
    return run_gui(profile, make_runtime, after_paint=prestart)


def _refused_url(url: str) -> str:
    from desktop_app.api.config import check_base_url

    try:
        check_base_url(url)
    except ValueError as error:
        return str(error)
    return ""


def _start_sandbox(delivery_delay: float, attachment_limit_mb: float) -> EmbeddedSandbox:
    """The composition root's one job the services must not do: start the embedded sandbox, a child
    process (lazily: a window or command that talks to Paubox never starts it)."""
    from desktop_app.sandbox.embedded import SandboxProcess

    return SandboxProcess(delivery_delay, attachment_limit_mb)


def _window_runtime(
    profile: Profile, api_base_url: str | None, *, sandbox_delivery_delay: float = WINDOW_SANDBOX_DELAY
) -> tuple[RuntimeFactory, Callable[[], None]]:
    """How a window builds its runtime, and what starts its sandbox's process ahead (nothing on a
    profile without one). The window calls it once it has painted: the child is ready (~0.2 s) on
    the other core while the views are built and the engines load, well before the runtime asks for
    it, and it no longer takes a core from the first paint itself. A window never painted still
    gets its sandbox: the runtime starts it when it asks."""
    from desktop_app.sandbox.embedded import SandboxStarter
    from desktop_app.ui.app import deferred_runtime

    starter = SandboxStarter()
    settings = profile.settings

    def prestart() -> None:
        if api_base_url is None and settings.mode.value == "sandbox":
            starter.prestart(sandbox_delivery_delay, settings.attachment_limit_mb)

    make_runtime = deferred_runtime(api_base_url=api_base_url, sandbox_delivery_delay=sandbox_delivery_delay,
                                    start_sandbox=starter)  # fmt: skip
    return make_runtime, prestart


def headless(args: argparse.Namespace, profile: Profile) -> int:
    from desktop_app.headless import batch_command, list_command, send_command
    from desktop_app.headless_audit import audit_command
    from desktop_app.headless_contacts import contacts_command
    from desktop_app.headless_export import export_command
    from desktop_app.services.runtime import Overrides, Runtime, SetupError

    gc.freeze()  # the modules just loaded live until exit: no collection need walk them again

    commands = {
        "send": send_command,
        "batch": batch_command,
        "outbox": list_command,
        "status": list_command,
        "audit": audit_command,
        "export": export_command,
        "contacts": contacts_command,
    }
    try:
        overrides = Overrides(api_base_url=args.api_base_url, start_sandbox=_start_sandbox)
        runtime = Runtime(profile, overrides, role=f"sealpost {args.command}")
        return commands[args.command](runtime, args)
    except SetupError as error:
        print(f"sealpost: {error}", file=sys.stderr)
        return 3


def run() -> None:
    try:
        _exit_uncollected(main())
    except KeyboardInterrupt:
        logging.getLogger(__name__).info("interrupted")
        sys.exit(130)
    except BrokenPipeError:  # the reader went away (``sealpost outbox --json | head``): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second complaint at exit
        sys.exit(141)


def _exit_uncollected(code: int) -> NoReturn:
    """Exit with ``code``, sparing the collector: Python's finalisation walks every live object in
    full collections, several times, ≈ 0.1 s for a command that has loaded the whole app (a tenth
    of a 1,000-row mail merge, docs/benchmarks.md). Nothing is lost by it: stores, logs and
    connections are closed explicitly before this, and ``atexit`` handlers still run."""
    gc.freeze()
    sys.exit(code)
