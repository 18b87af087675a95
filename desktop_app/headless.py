"""Headless commands: the same runtime as the GUI, driven from a terminal or a script."""

from __future__ import annotations

import argparse
import json
import mimetypes
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from desktop_app.core.addresses import AddressError, check_header_value, parse_address
from desktop_app.core.limits import over_limit_megabytes
from desktop_app.core.message import (
    LIST_UNSUBSCRIBE,
    LIST_UNSUBSCRIBE_POST,
    Attachment,
    MessageError,
    OutgoingMessage,
    check_header_name,
    check_list_unsubscribe_post,
    check_unsubscribe_url,
    list_unsubscribe_uris,
    quote_value,
)
from desktop_app.core.outbox_state import OutboxState
from desktop_app.headless_contacts import audit_batch_overrides, audit_overrides, guard_batch, guard_single
from desktop_app.headless_export import wait_for_delivery
from desktop_app.services.mailmerge import Body, MergeError, Switches, plan_batch
from desktop_app.services.outbox import DRAIN_SECONDS, SHUTDOWN_WAIT_SECONDS
from desktop_app.services.runtime import BatchOutcome, Runtime
from desktop_app.store.database import StoreError
from desktop_app.store.messages import BatchSummary, HistoryFilter, RequestGroup, StoredMessage

DONE = {OutboxState.ACCEPTED, OutboxState.FAILED, OutboxState.OUTCOME_UNKNOWN, OutboxState.CANCELLED}
EXIT_ALREADY_SENT = 5
"""``sealpost batch``: this batch was already sent completely, and ``--again`` was not given."""
OUTBOX_STATES = tuple(s for s in OutboxState if s not in (OutboxState.ACCEPTED, OutboxState.CANCELLED))
BATCH_NICENESS = 10
"""How much a mail merge lowers its own CPU priority (``nice``, POSIX). It is a background job: on a
busy front-desk PC the window (and everything else the user is doing) goes first; on an idle one
it changes nothing. With 50,000 rows sending beside an open window on two cores, the window's
longest stall was a wait for a core (docs/benchmarks.md, "Issue 19, fifth pass")."""

PREVIEW_ROWS = 3


def send_command(runtime: Runtime, args: argparse.Namespace) -> int:
    """Build the message as the composer does, check all of it before opening anything, then send.

    A bad value or an unreadable file exits 2 with one ``sealpost: <reason>`` line, nothing queued.
    """
    try:
        limit = int(runtime.profile.settings.attachment_limit_mb * 1024 * 1024)
        headers = header_switches(args.header)
        if args.unsubscribe_url:
            check_unsubscribe_url(args.unsubscribe_url)
        message = OutgoingMessage(
            sender=args.sender or runtime.profile.settings.sender,
            to=tuple(parse_address(a) for a in args.to),
            cc=tuple(parse_address(a) for a in args.cc),
            bcc=tuple(parse_address(a) for a in args.bcc),
            subject=args.subject,
            html=_html_body(args.html, args.html_file),
            text=args.text,
            custom_headers=headers.custom_headers,
            list_unsubscribe=headers.list_unsubscribe,
            list_unsubscribe_post=headers.list_unsubscribe_post,
            unsubscribe_url=args.unsubscribe_url or "",
            open_tracking=_tracking(args.open_tracking),
            link_tracking=_tracking(args.link_tracking),
            allow_non_tls=args.allow_non_tls,
            attachments=_attachments(args.attach_items, limit),
        )
        runtime.prepare(message)  # sanitises and validates exactly as queueing will
    except (AddressError, MessageError) as error:
        print(f"sealpost: {error}", file=sys.stderr)
        return 2
    started = time.monotonic()  # --timeout counts from here: opening may first detect the endpoint
    runtime.open()
    finished = False
    try:
        verdict = guard_single(runtime, message, args)  # look-alike recipients, PHI in the subject
        if isinstance(verdict, int):
            return verdict
        try:
            stored = runtime.queue(message)
        except (MessageError, AddressError) as error:
            print(f"sealpost: {error}", file=sys.stderr)
            return 2
        audit_overrides(runtime, stored.id, verdict, args.reason)
        left = max(0.0, args.timeout - (time.monotonic() - started))
        final = runtime.wait_until(stored.id, DONE, left, give_up=runtime.key_refusal)
        finished = final.state in DONE
        if final.state is OutboxState.ACCEPTED:
            print(f"accepted: message {final.id}, tracking id {final.tracking_id}", flush=True)
            left = max(0.0, args.timeout - (time.monotonic() - started))  # one --timeout for sending and delivery
            if getattr(args, "wait_delivery", False) and not wait_for_delivery(runtime, final.id, left):
                print(f"sealpost: delivery not final after {args.timeout:g} s", file=sys.stderr)
                return 4
            return 0
        if not finished and runtime.key_refusal():
            print(f"sealpost: {runtime.key_refusal().rstrip('.')}; message {final.id} stays queued and goes "
                  "out with a key Paubox accepts (`sealpost outbox` lists it)", file=sys.stderr)  # fmt: skip
            return 4
        if not finished:
            last = f" Last attempt: {final.last_error}" if final.last_error else ""  # e.g. an untrusted certificate
            print(f"still {final.state.label.lower()} after {args.timeout:g} s: message {final.id}; "
                  f"`sealpost outbox` shows what becomes of it.{last}", file=sys.stderr)  # fmt: skip
            return 4
        reason = f": {final.last_error}" if final.last_error else ""
        print(f"{final.state.value}: message {final.id}{reason}", file=sys.stderr)
        return 1
    finally:
        runtime.close(drain_seconds=DRAIN_SECONDS if finished else SHUTDOWN_WAIT_SECONDS)


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


def _tracking(choice: str | None) -> bool | None:
    """``--open-tracking on|off`` → True/False; not given → None (the Paubox account's default)."""
    return None if choice is None else choice == "on"


def header_switches(texts: list[str]) -> Switches:
    """Every ``--header``: ``X-`` custom headers, ``List-Unsubscribe`` and ``List-Unsubscribe-Post``, checked.

    ``List-Unsubscribe`` takes ``<mailto:…>``/``<https://…>`` entries; ``List-Unsubscribe-Post``
    only the value ``List-Unsubscribe=One-Click``, next to an https ``List-Unsubscribe``.
    """
    custom: list[tuple[str, str]] = []
    unsubscribe: str | None = None
    post: str | None = None
    for text in texts:
        name, value = _header_pair(text)
        if name.lower() == LIST_UNSUBSCRIBE.lower():
            if unsubscribe is not None:
                raise MessageError(
                    "--header List-Unsubscribe is given twice; put every address in one, comma-separated"
                )
            list_unsubscribe_uris(value)
            unsubscribe = value
        elif name.lower() == LIST_UNSUBSCRIBE_POST.lower():
            if post is not None:
                raise MessageError("--header List-Unsubscribe-Post is given twice")
            post = value
        else:
            check_header_name(name)
            check_header_value(value, f"The value of {name}")
            custom.append((name, value))
    if post is not None:
        check_list_unsubscribe_post(post, unsubscribe or "")
    return Switches(tuple(custom), unsubscribe or "", post is not None)


def _header_pair(text: str) -> tuple[str, str]:
    """``--header "Name: value"`` → (name, value), split at the first “:”."""
    name, colon, value = text.partition(":")
    name, value = name.strip(), value.strip()
    if not colon:
        raise MessageError(f'--header {quote_value(text)} has no “:”; write it as "X-Name: value"')
    check_header_value(name, "A header name")
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
            size_mb, limit_mb = over_limit_megabytes(total, limit)
            raise MessageError(
                f"attachments would be {size_mb:.1f} MB once encoded, over the {limit_mb:.1f} MB "
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
    if hasattr(os, "nice"):
        os.nice(BATCH_NICENESS)
    try:
        plan = plan_batch(
            Path(args.file).read_bytes(), sender=args.sender or runtime.profile.settings.sender,
            body=Body(template=args.template) if args.template else _body_from_file(args.body_file),
            validate=runtime.validate, switches=header_switches(args.header),
        )  # fmt: skip
    except (OSError, MergeError, MessageError, AddressError) as error:
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
    opened_at = time.time()  # a waiting run of this batch that the engines finish at once still resumes
    runtime.open()
    finished = False
    try:
        guarded = guard_batch(runtime, plan, args)  # every row's recipients and subject, before any is queued
        if isinstance(guarded, int):
            return guarded
        plan = guarded[0]
        start = runtime.start_batch(plan, again=args.again, opened_at=opened_at)
        audit_batch_overrides(runtime, start.message_ids, guarded[1], args.reason)
        if start.outcome is BatchOutcome.ALREADY_SENT:
            assert start.stored is not None
            print(f"sealpost: {_already_sent_words(start.stored)}", file=sys.stderr)
            return EXIT_ALREADY_SENT
        if start.outcome is BatchOutcome.RESUMED:
            assert start.stored is not None
            queued = time.strftime("%Y-%m-%d at %H:%M", time.localtime(start.stored.queued_at))
            so_far = start.stored.describe_counts()
            print(f"batch {start.batch_id[:12]}: resuming the same batch queued on {queued} ({so_far}); "
                  "no row is queued twice", file=sys.stderr, flush=True)  # fmt: skip
        else:
            print(f"batch {start.batch_id[:12]}: {len(start.message_ids)} message(s)", file=sys.stderr, flush=True)
        counts = _wait_for_batch(runtime, start.batch_id, len(start.message_ids), args.timeout)
        finished = set(counts) <= DONE
        refusal = "" if finished else runtime.key_refusal()
    finally:
        runtime.close(drain_seconds=DRAIN_SECONDS if finished else SHUTDOWN_WAIT_SECONDS)
    print(json.dumps({"batch_id": start.batch_id, "counts": {s.value: n for s, n in sorted(counts.items())}}))
    if refusal:
        print(f"sealpost: {refusal.rstrip('.')}; the batch's unsent messages stay queued and go out "
              "once with a key Paubox accepts (run the same command again)", file=sys.stderr)  # fmt: skip
    if not set(counts) <= DONE:
        return 4
    return 0 if set(counts) == {OutboxState.ACCEPTED} else 1


def _already_sent_words(stored: BatchSummary) -> str:
    when = time.strftime("%Y-%m-%d at %H:%M", time.localtime(stored.last_accepted_at or stored.queued_at))
    return (f"this batch was sent on {when}: {stored.describe_counts()}; nothing queued. "
            "To send the same messages to the same people once more, run it again with --again.")  # fmt: skip


def _body_from_file(path: str | None) -> Body:
    if path is None:
        return Body()
    content = Path(path).read_text("utf-8")
    return Body(html=content) if path.lower().endswith((".html", ".htm")) else Body(text=content)


LOOK_INTERVAL = 0.02
"""The waiting command looks at what changed at most fifty times a second (each look takes the store
and costs what changed since the last): a batch's end is noticed within 20 ms."""
PROGRESS_INTERVAL = 0.1
"""Progress lines go to stderr at most ten times a second (and once more when the batch is done)."""
FULL_LOOK_SECONDS = 5.0
"""How often, at least, the waiting command recounts the whole batch, in case it missed a change
(less often for a batch whose recount takes long: a recount holds the store, never more than 1 %)."""


def _wait_for_batch(runtime: Runtime, batch_id: str, total: int, timeout: float) -> dict[OutboxState, int]:
    """Report progress on stderr whenever it changes, until every message is done or time is up.

    The batch's states are read once; after that only the messages this process hears changed
    (its own engines, or another process's commits it follows) are read again, by id, so a look
    costs what changed, not the size of the batch. A grouped count of the whole batch every
    :data:`FULL_LOOK_SECONDS`, and before saying it is done, is the safety net and the result.
    """
    assert runtime.store is not None
    store = runtime.store
    heard: set[int] = set()
    heard_lock = threading.Lock()
    woken = threading.Event()

    def on_change(message_id: int) -> None:
        with heard_lock:
            heard.add(message_id)
        if not woken.is_set():  # a chunk's 50 changes wake the waiter once, not fifty times
            woken.set()

    store.on_change(on_change)
    states = store.batch_states(batch_id)
    counts = Counter(states.values())
    deadline = time.monotonic() + timeout
    recounted = time.monotonic()
    recount_every = FULL_LOOK_SECONDS
    printed_at = 0.0
    last = ""
    looked = 0.0
    while True:
        if total - _done(counts) > len(heard):  # else the last changes are read at once, not 20 ms late
            time.sleep(max(0.0, looked + LOOK_INTERVAL - time.monotonic()))  # what changes meanwhile comes along
        looked = time.monotonic()
        woken.clear()
        with heard_lock:
            changed = [i for i in heard if i in states]
            heard.clear()
        for message_id, state in store.batch_states_of(batch_id, changed).items():
            counts[states[message_id]] -= 1  # counted as it changes: a look costs what changed
            counts[state] += 1
            states[message_id] = state
        counts = +counts  # no state counted 0
        done = _done(counts)
        now = time.monotonic()
        final = done >= total or now >= deadline or bool(runtime.key_refusal())
        if final or now - recounted >= recount_every:
            summary = store.batch_summary(batch_id)
            recounted = time.monotonic()
            recount_every = max(FULL_LOOK_SECONDS, 100 * (recounted - now))
            if summary is not None and summary.counts != dict(counts):
                if now >= deadline:
                    return summary.counts
                states = store.batch_states(batch_id)  # a change went unheard: start again from the store
                counts = Counter(states.values())
                continue
        progress = f"{done}/{total} done ({counts.get(OutboxState.ACCEPTED, 0)} accepted)"
        if progress != last and (final or now - printed_at >= PROGRESS_INTERVAL):
            print(progress, file=sys.stderr, flush=True)
            last, printed_at = progress, now
        if final:
            return dict(counts)
        woken.wait(min(0.5, max(0.0, deadline - now), PROGRESS_INTERVAL if progress != last else 0.5))


def _done(counts: Counter[OutboxState]) -> int:
    return sum(n for state, n in counts.items() if state in DONE)


def list_command(runtime: Runtime, args: argparse.Namespace) -> int:
    """``outbox`` (messages not yet sent or settled) and ``status`` (every message): never a body."""
    if getattr(args, "outbox_action", None) == "resolve":
        return resolve_command(runtime, args)
    runtime.open(start_engines=False)
    try:
        assert runtime.store is not None
        store = runtime.store
        states = OUTBOX_STATES if args.command == "outbox" else ()
        messages = store.get_many(store.list_ids(HistoryFilter(states=states), newest_first=False))
        rows = [_describe(m, runtime) for m in messages]
        groups = store.unknown_groups() if args.command == "outbox" else []
    finally:
        runtime.close()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        print(f"{row['id']}\t{row['state']}\t{row['tracking_id'] or '-'}\t{row['subject']}")
    for group in groups:
        print(_group_words(group))
    return 0


def _group_words(group: RequestGroup) -> str:
    """One line a person can act on: when, what happened, how many, and the command that settles it."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(group.sent_at))
    count = len(group.message_ids)
    these = "this message" if count == 1 else f"these {count} messages"
    return (f"request {group.name}: at {when}, {these} went to Paubox in one request and the outcome is unknown: "
            f"{group.reason or 'no reason recorded'} Resolve with: sealpost outbox resolve {group.name} "
            "--resend (may deliver twice) or --mark-sent (if you know they arrived)")  # fmt: skip


def resolve_command(runtime: Runtime, args: argparse.Namespace) -> int:
    """Settle one request's outcome-unknown messages: queue them again (and wait), or mark them sent."""
    runtime.open(start_engines=args.resend)
    finished = False
    try:
        try:
            ids = runtime.resolve_group(args.group, resend=args.resend)
        except StoreError as error:
            print(f"sealpost: {error}", file=sys.stderr)
            return 2
        if not args.resend:
            print(f"marked sent: {len(ids)} message(s) of request {args.group}")
            return 0
        print(f"request {args.group}: {len(ids)} message(s) queued again", file=sys.stderr, flush=True)
        deadline = time.monotonic() + args.timeout
        finals = [runtime.wait_until(i, DONE, max(0.0, deadline - time.monotonic()), give_up=runtime.key_refusal)
                  for i in ids]  # fmt: skip
        finished = all(m.state in DONE for m in finals)
        refusal = "" if finished else runtime.key_refusal()
    finally:
        runtime.close(drain_seconds=DRAIN_SECONDS if finished else SHUTDOWN_WAIT_SECONDS)
    accepted = sum(1 for m in finals if m.state is OutboxState.ACCEPTED)
    print(json.dumps({"request_group": args.group, "resent": len(ids), "accepted": accepted}))
    if refusal:
        print(f"sealpost: {refusal.rstrip('.')}; the messages stay queued and go out once with a key "
              "Paubox accepts (`sealpost outbox` lists them)", file=sys.stderr)  # fmt: skip
    if any(m.state not in DONE for m in finals):
        return 4
    return 0 if accepted == len(ids) else 1


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
        # What `sealpost outbox resolve` takes for an unknown message; the request it last went in otherwise.
        "request_group": message.decision_group
        if message.state is OutboxState.OUTCOME_UNKNOWN
        else message.request_group,
        "on_wire_at": message.on_wire_at,
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
