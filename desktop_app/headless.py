"""Headless commands: the same runtime as the GUI, driven from a terminal or a script."""

from __future__ import annotations

import argparse
import sys

from desktop_app.core.addresses import AddressError, parse_address
from desktop_app.core.message import MessageError, OutgoingMessage
from desktop_app.core.outbox_state import OutboxState
from desktop_app.services.runtime import Runtime

DONE = {OutboxState.ACCEPTED, OutboxState.FAILED, OutboxState.OUTCOME_UNKNOWN, OutboxState.CANCELLED}


def send_command(runtime: Runtime, args: argparse.Namespace) -> int:
    try:
        message = OutgoingMessage(
            sender=args.sender or runtime.profile.settings.sender,
            to=tuple(parse_address(a) for a in args.to),
            cc=tuple(parse_address(a) for a in args.cc),
            bcc=tuple(parse_address(a) for a in args.bcc),
            subject=args.subject,
            html=args.html,
            text=args.text,
        )
    except AddressError as error:
        print(f"sealpost: {error}", file=sys.stderr)
        return 2
    runtime.open()
    try:
        try:
            stored = runtime.queue(message)
        except (MessageError, AddressError) as error:
            print(f"sealpost: {error}", file=sys.stderr)
            return 2
        final = runtime.wait_until(stored.id, DONE, args.timeout)
        if final.state is OutboxState.ACCEPTED:
            print(f"accepted: message {final.id}, tracking id {final.tracking_id}")
            return 0
        reason = f": {final.last_error}" if final.last_error else ""
        print(f"{final.state.value}: message {final.id}{reason}", file=sys.stderr)
        return 1 if final.state in DONE else 4
    finally:
        runtime.close()
