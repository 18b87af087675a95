"""``sealpost contacts …`` and the recipient/subject guard of ``sealpost send`` and ``sealpost batch``.

Exit codes: 0 done, 2 bad input (nothing changed), 3 a guard stopped the message (the reason and
the suggestion on stderr; ``--confirm-recipient ADDRESS --reason TEXT`` or ``--override-guard
RULE --reason TEXT`` lets it through, audited with the message).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the GUI imports this module for its parser: keep the engines and matchers out of its start-up
    from desktop_app.core.message import OutgoingMessage
    from desktop_app.services.contacts import ContactBook
    from desktop_app.services.mailmerge import MergePlan
    from desktop_app.services.runtime import Runtime
    from desktop_app.services.send_guard import Verdict
    from desktop_app.store.contacts import Contact

EXIT_GUARD = 3
HOWS = ("in-person", "phone", "ehr", "reply", "directory")  # store/contacts.py Verification values


def add_guard_switches(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--confirm-recipient", action="append", default=[], metavar="ADDRESS",
                        help="send to ADDRESS though it looks like another one (needs --reason; audited)")  # fmt: skip
    parser.add_argument("--override-guard", action="append", default=[], metavar="RULE",
                        help="send although the PHI guard's RULE matched (needs --reason; audited)")  # fmt: skip
    parser.add_argument("--reason", default="", help="why: recorded in the audit log with the override")


def add_contacts_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    contacts = commands.add_parser("contacts", parents=[common], help="the address book: import, add, list, verify")
    actions = contacts.add_subparsers(dest="contacts_action", metavar="ACTION", required=True)
    importing = actions.add_parser("import", parents=[common], help="import a vCard (3 or 4) or CSV file")
    importing.add_argument("file")
    importing.add_argument("--dry-run", action="store_true", help="count new, duplicate and invalid; store nothing")
    add = actions.add_parser("add", parents=[common], help="add a contact")
    add.add_argument("--name", required=True)
    add.add_argument("--email", action="append", required=True, help="an address (repeat for several)")
    add.add_argument("--organisation", default="")
    add.add_argument("--note", default="")
    listing = actions.add_parser("list", parents=[common], help="list the address book")
    listing.add_argument("--json", action="store_true")
    listing.add_argument("--search", default="")
    export = actions.add_parser("export", parents=[common], help="write the address book as vCard or CSV")
    export.add_argument("file", help="where to write it (.csv for CSV, otherwise vCard 3.0)")
    verify = actions.add_parser("verify", parents=[common], help="record how an address was confirmed")
    verify.add_argument("address")
    verify.add_argument("--how", required=True, choices=sorted(HOWS))


def contacts_command(runtime: Runtime, args: argparse.Namespace) -> int:
    from desktop_app.core.addresses import AddressError
    from desktop_app.services.contacts import ContactBook
    from desktop_app.services.contacts_import import ContactImportError
    from desktop_app.store.contacts import ContactError, Verification

    runtime.open(start_engines=False)
    try:
        assert runtime.store is not None
        book = ContactBook(runtime.store)
        action = args.contacts_action
        if action == "import":
            return _import(book, args)
        if action == "add":
            contact = book.add(args.name, args.email, organisation=args.organisation, note=args.note)
            print(
                f"added contact {contact.id}: {contact.display_name} ({', '.join(a.email for a in contact.addresses)})"
            )
            return 0
        if action == "export":
            from desktop_app.services.contacts_import import export_contacts

            if runtime.profile.settings.no_content_export:
                raise ContactError("a policy (NoContentExport) forbids exporting recipients; nothing was written")
            contacts = book.search()
            text = export_contacts(contacts, as_csv=args.file.lower().endswith(".csv"))
            Path(args.file).write_text(text, encoding="utf-8")
            book.store.record_export(len(contacts), actor=book.actor)
            print(f"exported {len(contacts)} contacts to {args.file}")
            return 0
        if action == "verify":
            address = book.verify(args.address, Verification(args.how))
            print(f"{address.email}: verified {address.verified_how.label} by {address.verified_by}")
            return 0
        contacts = book.search(args.search)
        if args.json:
            print(json.dumps([_as_json(c) for c in contacts], indent=2, ensure_ascii=False))
        for contact in [] if args.json else contacts:
            for address in contact.addresses:
                flags = "\tdo not email" if address.do_not_email else ""
                print(f"{contact.id}\t{contact.display_name}\t{address.email}\t{address.verified_how.label}{flags}")
        return 0
    except (AddressError, ContactError, ContactImportError, OSError) as error:
        print(f"sealpost: {getattr(error, 'strerror', None) or error}", file=sys.stderr)
        return 2
    finally:
        runtime.close()


def _import(book: ContactBook, args: argparse.Namespace) -> int:
    from desktop_app.services.contacts_import import plan_import

    plan = plan_import(Path(args.file).read_bytes(), book.store, file_name=args.file)
    for refused in plan.invalid:
        print(f"sealpost: {refused.where}: invalid: {refused.reason}", file=sys.stderr)
    for refused in plan.duplicates:
        print(f"sealpost: {refused.where}: duplicate: {refused.reason}", file=sys.stderr)
    counts = plan.summary()
    if not args.dry_run and plan.new:
        book.store.add_contacts(plan.new, actor=book.actor)
    print(json.dumps({"dry_run": bool(args.dry_run), **counts, "stored": 0 if args.dry_run else counts["new"]}))
    return 0


def _as_json(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.id, "kind": contact.kind.value, "name": contact.display_name,
        "organisation": contact.organisation, "note": contact.note,
        "addresses": [{"email": a.email, "verified": a.verified, "how": a.verified_how.value or None,
                       "by": a.verified_by or None, "at": a.verified_at, "do_not_email": a.do_not_email,
                       "bounced": a.bounced_at is not None} for a in contact.addresses],
    }  # fmt: skip


# ---------------------------------------------------------------------- the guard for send and batch


class Guard:
    """The checks of one command run: the book's index and names and the rules, built once."""

    def __init__(self, runtime: Runtime, args: argparse.Namespace) -> None:
        from desktop_app.core.phi_guard import RememberingRules
        from desktop_app.services.contacts import ContactBook
        from desktop_app.services.guard import load_guard_rules
        from desktop_app.services.history import history

        assert runtime.store is not None
        book = ContactBook(runtime.store)
        book.sync_bounces(history(runtime))  # Paubox's hard bounces, marked in the book
        settings = runtime.profile.settings
        self.rules = RememberingRules(load_guard_rules(settings.guard_rules))  # a merge's rows share subjects
        self.index = book.index()
        self.names = book.names()
        self.require_verified = settings.require_verified_recipients
        self.confirmed = list(args.confirm_recipient)
        self.overridden = list(args.override_guard)
        self.reason = args.reason.strip()

    def judge(self, message: OutgoingMessage) -> Verdict:
        from desktop_app.services.send_guard import judge

        return judge(message, self.index, self.rules, self.names, confirmed=self.confirmed,
                     overridden_rules=self.overridden, require_verified=self.require_verified)  # fmt: skip


def check_switches(args: argparse.Namespace) -> str | None:
    """Words for switches that cannot be used as given, or None."""
    if (args.confirm_recipient or args.override_guard) and not args.reason.strip():
        return "--confirm-recipient and --override-guard need --reason TEXT (it goes in the audit log)"
    return None


def guard_single(runtime: Runtime, message: OutgoingMessage, args: argparse.Namespace) -> Verdict | int:
    """Judge one message for ``sealpost send``: the verdict to audit once queued, or the exit code
    (2 switches or rules unusable, 3 stopped: the reasons and suggestions on stderr)."""
    from desktop_app.core.phi_guard import GuardRulesError

    problem = check_switches(args)
    try:
        if problem is not None:
            raise GuardRulesError(problem)
        verdict = Guard(runtime, args).judge(message)
    except GuardRulesError as error:
        print(f"sealpost: {error}", file=sys.stderr)
        return 2
    for warning in verdict.warnings:
        print(f"sealpost: warning: {warning}", file=sys.stderr)
    for stop in verdict.stops:
        print(f"sealpost: {_stop_words(stop.kind, stop.what, stop.words, stop.suggestion)}", file=sys.stderr)
    return verdict if verdict.ok else EXIT_GUARD


def _stop_words(kind: str, what: str, words: str, suggestion: str) -> str:
    if kind == "recipient":
        ask = f" Did you mean {suggestion}?" if suggestion else ""
        return f"{words}{ask} To send to {what} all the same: --confirm-recipient {what} --reason TEXT"
    if kind == "guard":
        return f"{words}. To send it all the same: --override-guard {what} --reason TEXT"
    return words


def audit_overrides(runtime: Runtime, message_id: int, verdict: Verdict, reason: str) -> None:
    from desktop_app.services.send_guard import record_overrides

    assert runtime.store is not None
    record_overrides(runtime.store, message_id, verdict, reason)


def guard_batch(runtime: Runtime, plan: MergePlan, args: argparse.Namespace) -> tuple[MergePlan, list[Verdict]] | int:
    """Judge every row and report each one stopped; then queue nothing (exit 3) unless
    ``--skip-bad-rows``, which queues the others as a batch of their own."""
    from desktop_app.core.phi_guard import GuardRulesError

    problem = check_switches(args)
    try:
        if problem is not None:
            raise GuardRulesError(problem)
        guard = Guard(runtime, args)
    except GuardRulesError as error:
        print(f"sealpost: {error}", file=sys.stderr)
        return 2
    from desktop_app.services.mailmerge import MergedRows

    rows = plan.rows
    heads = rows.heads(with_text=guard.rules.reads_body) if isinstance(rows, MergedRows) else iter(rows)
    kept: list[int] = []
    verdicts: list[Verdict] = []
    stopped: list[int] = []
    for index, (line, message) in enumerate(heads):
        verdict = guard.judge(message)
        for stop in verdict.stops:
            print(f"sealpost: line {line}: {_stop_words(stop.kind, stop.what, stop.words, stop.suggestion)}",
                  file=sys.stderr)  # fmt: skip
        if verdict.ok:
            kept.append(index)
            verdicts.append(verdict)
        else:
            stopped.append(line)
    if not stopped:
        return plan, verdicts
    if not args.skip_bad_rows:
        print(f"sealpost: nothing was queued; the guard stopped {len(stopped)} row(s) above. Correct them, "
              "confirm or override them with a reason, or pass --skip-bad-rows to send the others",
              file=sys.stderr)  # fmt: skip
        return EXIT_GUARD
    kept_rows = rows.only(kept) if isinstance(rows, MergedRows) else [rows[i] for i in kept]
    import hashlib  # here: the window's start parses the command line with this module loaded, not OpenSSL

    tail = hashlib.sha256(f"{plan.batch_id}:{','.join(map(str, stopped))}".encode()).hexdigest()
    return dataclasses.replace(plan, batch_id=tail[: len(plan.batch_id)], rows=kept_rows, legacy_batch_id=""), verdicts


def audit_batch_overrides(runtime: Runtime, message_ids: Sequence[int], verdicts: Sequence[Verdict],
                          reason: str) -> None:  # fmt: skip
    for message_id, verdict in zip(message_ids, verdicts, strict=False):
        audit_overrides(runtime, message_id, verdict, reason)
