"""Headless commands: the same runtime as the GUI, driven from a terminal or a script."""

from __future__ import annotations

import argparse
import json
import mimetypes
import sys
import threading
import time
from pathlib import Path
from typing import Any

from desktop_app.core.addresses import AddressError, check_header_value, parse_address
from desktop_app.core.message import Attachment, MessageError, OutgoingMessage, check_header_name, quote_value
from desktop_app.core.outbox_state import OutboxState
from desktop_app.services.mailmerge import Body, MergeError, plan_batch
from desktop_app.services.runtime import Runtime
from desktop_app.store.messages import HistoryFilter, StoredMessage

DONE = {OutboxState.ACCEPTED, OutboxState.FAILED, OutboxState.OUTCOME_UNKNOWN, OutboxState.CANCELLED}
OUTBOX_STATES = tuple(s for s in OutboxState if s not in (OutboxState.ACCEPTED, OutboxState.CANCELLED))
PREVIEW_ROWS = 3


def send_command(runtime: Runtime, args: argparse.Namespace) -> int:
    """Build the message as the composer does, check all of it before opening anything, then send.

    A bad value or an unreadable file exits 2 with one ``sealpost: <reason>`` line, nothing queued.
    """
    try:
        limit = int(runtime.profile.settings.attachment_limit_mb * 1024 * 1024)
        message = OutgoingMessage(
            sender=args.sender or runtime.profile.settings.sender,
            to=tuple(parse_address(a) for a in args.to),
            cc=tuple(parse_address(a) for a in args.cc),
            bcc=tuple(parse_address(a) for a in args.bcc),
            subject=args.subject,
            html=_html_body(args.html, args.html_file),
            text=args.text,
            custom_headers=tuple(_custom_header(h) for h in args.header),
            attachments=_attachments(args.attach_items, limit),
        )
        runtime.prepare(message)  # sanitises and validates exactly as queueing will
    except (AddressError, MessageError) as error:
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


def _html_body(html: str, path: str | None) -> str:
    if path is None:
        return html
    if html:
        raise MessageError("give the HTML body either with --html or with --html-file, not both")
    try:
        return Path(path).read_bytes().decode("utf-8")
    except OSError as error:
        raise MessageError(f"cannot read the HTML file {quote_value(path, 400)}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise MessageError(f"the HTML file {quote_value(path, 400)} is not UTF-8 text; save it as UTF-8") from None


def _custom_header(text: str) -> tuple[str, str]:
    """``--header "X-Name: value"`` → a checked (name, value) pair, as the composer's header box."""
    name, colon, value = text.partition(":")
    name, value = name.strip(), value.strip()
    if not colon:
        raise MessageError(f'--header {quote_value(text)} has no “:”; write it as "X-Name: value"')
    check_header_name(name)
    check_header_value(value, f"The value of {name}")
    return name, value


def _attachments(items: list[tuple[str, str]], limit: int) -> tuple[Attachment, ...]:
    """``--attach``/``--content-type`` in the order given; sizes checked against the budget before reading."""
    files: list[list[str]] = []  # [path, content type or ""]
    for kind, value in items:
        if kind == "file":
            files.append([value, ""])
        elif not files:
            raise MessageError(f"--content-type {quote_value(value)} comes before any --attach; put it after its file")
        elif files[-1][1]:
            raise MessageError(f"the attachment {quote_value(files[-1][0], 400)} has two --content-type values")
        else:
            files[-1][1] = value
    total = 0
    for path, _type in files:
        try:
            size = Path(path).stat().st_size
        except OSError as error:
            raise MessageError(f"cannot read the attachment {quote_value(path, 400)}: {error.strerror}") from None
        total += 4 * ((size + 2) // 3)  # base64, which is what the budget counts
        if total > limit:
            raise MessageError(
                f"attachments would be {total / 1048576:.1f} MB once encoded, over the {limit / 1048576:.1f} MB "
                f"limit (reached at {quote_value(path, 400)}); send some in a separate message"
            )
    attachments = []
    for path, content_type in files:
        name = Path(path).name
        chosen = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise MessageError(f"cannot read the attachment {quote_value(path, 400)}: {error.strerror}") from None
        attachments.append(Attachment.from_bytes(name, chosen, data))
    return tuple(attachments)


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
