"""Headless commands: the same runtime as the GUI, driven from a terminal or a script."""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

from desktop_app.core.addresses import AddressError, parse_address
from desktop_app.core.message import MessageError, OutgoingMessage
from desktop_app.core.outbox_state import OutboxState
from desktop_app.services.mailmerge import Body, MergeError, plan_batch
from desktop_app.services.runtime import Runtime
from desktop_app.store.messages import HistoryFilter, StoredMessage

DONE = {OutboxState.ACCEPTED, OutboxState.FAILED, OutboxState.OUTCOME_UNKNOWN, OutboxState.CANCELLED}
OUTBOX_STATES = tuple(s for s in OutboxState if s not in (OutboxState.ACCEPTED, OutboxState.CANCELLED))
PREVIEW_ROWS = 3


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


def batch_command(runtime: Runtime, args: argparse.Namespace) -> int:
    """Queue every row of a CSV (all or nothing), send through bulk_messages, wait for outcomes."""
    try:
        plan = plan_batch(
            Path(args.file).read_bytes(), sender=args.sender or runtime.profile.settings.sender,
            body=Body(template=args.template) if args.template else _body_from_file(args.body_file),
            prepare=runtime.prepare,
        )  # fmt: skip
    except (OSError, MergeError) as error:
        print(f"sealpost: {error}", file=sys.stderr)
        return 2
    for bad in plan.bad:
        print(f"sealpost: line {bad.line}: {bad.reason}", file=sys.stderr)
    if plan.bad and not args.skip_bad_rows:
        print(f"sealpost: nothing was queued; fix the {len(plan.bad)} row(s) above or pass --skip-bad-rows",
              file=sys.stderr)  # fmt: skip
        return 2
    if args.preview:
        for line, message in plan.rows[:PREVIEW_ROWS]:
            print(f"--- line {line}: to {', '.join(a.formatted() for a in message.to)}\n"
                  f"Subject: {message.subject}\n\n{message.text}")  # fmt: skip
        return 0
    runtime.open()
    try:
        ids = runtime.queue_batch(plan.batch_id, plan.rows)
        print(f"batch {plan.batch_id[:12]}: {len(ids)} message(s)", file=sys.stderr, flush=True)
        states = _wait_for_batch(runtime, ids, args.timeout)
    finally:
        runtime.close()
    counts = {state: list(states.values()).count(state) for state in set(states.values())}
    print(json.dumps({"batch_id": plan.batch_id, "counts": {s.value: n for s, n in sorted(counts.items())}}))
    if not set(counts) <= DONE:
        return 4
    return 0 if set(counts) == {OutboxState.ACCEPTED} else 1


def _body_from_file(path: str | None) -> Body:
    if path is None:
        return Body()
    content = Path(path).read_text("utf-8")
    return Body(html=content) if path.lower().endswith((".html", ".htm")) else Body(text=content)


def _wait_for_batch(runtime: Runtime, ids: list[int], timeout: float) -> dict[int, OutboxState]:
    """Report progress on stderr whenever it changes, until every message is done or time is up."""
    assert runtime.store is not None
    store = runtime.store
    changed = threading.Event()
    store.on_change(lambda _message_id: changed.set())
    deadline = time.monotonic() + timeout
    last = ""
    while True:
        states = {m.id: m.state for m in store.get_many(ids)}
        done = sum(1 for s in states.values() if s in DONE)
        progress = f"{done}/{len(ids)} done ({sum(1 for s in states.values() if s is OutboxState.ACCEPTED)} accepted)"
        if progress != last:
            print(progress, file=sys.stderr, flush=True)
            last = progress
        if done == len(ids) or time.monotonic() >= deadline:
            return states
        changed.wait(0.5)
        changed.clear()


def list_command(runtime: Runtime, args: argparse.Namespace) -> int:
    """``outbox`` (messages not yet sent or settled) and ``status`` (every message): never a body."""
    runtime.open(start_engines=False)
    try:
        assert runtime.store is not None
        store = runtime.store
        states = OUTBOX_STATES if args.command == "outbox" else ()
        messages = store.get_many(store.list_ids(HistoryFilter(states=states), newest_first=False))
        rows = [_describe(m, runtime) for m in messages]
    finally:
        runtime.close()
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(f"{row['id']}\t{row['state']}\t{row['tracking_id'] or '-'}\t{row['subject']}")
    return 0


def _describe(message: StoredMessage, runtime: Runtime) -> dict[str, Any]:
    assert runtime.store is not None
    return {
        "id": message.id,
        "state": message.state.value,
        "subject": message.subject,
        "recipients": message.recipients,
        "tracking_id": message.tracking_id,
        "created_at": message.created_at,
        "attempts": message.attempts,
        "last_error": message.last_error,
        "batch_id": message.batch_id,
        "delivery": message.delivery_summary,
        "recipient_statuses": [
            {
                "recipient": d.recipient,
                "delivery_status": d.delivery_status,
                "delivery_time": d.delivery_time,
                "opened_status": d.opened_status,
            }
            for d in runtime.store.recipient_statuses(message.id)
        ],
    }
