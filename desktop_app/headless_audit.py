"""``sealpost audit …``: compliance evidence from a terminal (export, verify, disclosures, review).

Each subcommand opens the store only (nothing is sent), prints one line per result and exits 0,
or exits non-zero with ``sealpost: <reason>``; the logic lives in services so the GUI shares it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.core.errors import KnownError
from desktop_app.core.period import Period, parse_period

if TYPE_CHECKING:  # the GUI imports this module for its parser: keep the engines out of its start-up
    from desktop_app.services.runtime import Runtime

EXIT_BROKEN = 1
"""``audit verify``: the export does not verify (the first problem is printed)."""
EXIT_CHAIN_BROKEN = 4
"""``audit export``: written, but the live chain was already changed or cut (named on stderr)."""


def add_audit_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser],
                     common: argparse.ArgumentParser) -> None:  # fmt: skip
    audit = commands.add_parser("audit", parents=[common], help="compliance evidence: export, verify, report, review")
    actions = audit.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    export = actions.add_parser("export", parents=[common], help="write a period's audit entries as CSV + manifest")
    _period_arguments(export)
    export.add_argument("--out", type=Path, required=True, help="a new folder for audit.csv and manifest.json")
    export.add_argument("--include-recipients", action="store_true",
                        help="add each entry's recipient addresses (PHI; the export is audited as such)")  # fmt: skip
    verify = actions.add_parser("verify", parents=[common], help="check an export: exit 0 intact, 1 broken")
    verify.add_argument("directory", type=Path)
    report = actions.add_parser(
        "disclosures", parents=[common], help="every message sent to an address in a period, with its delivery status"
    )
    report.add_argument("--address", action="append", default=[], help="the address (repeat for several)")
    report.add_argument("--contact", metavar="ID_OR_NAME", help="an address-book contact: all of its addresses")
    _period_arguments(report)
    report.add_argument("--out", type=Path, required=True, metavar="FILE.csv")
    report.add_argument("--pdf", type=Path, metavar="FILE.pdf", help="also write the report as PDF")
    report.add_argument("--subjects", action="store_true", help="include each message's subject (PHI)")
    review = actions.add_parser("review", parents=[common], help="sign off a period as reviewed (an audit entry)")
    _period_arguments(review)
    review.add_argument("--note", required=True, help="what was reviewed and what was found")
    review.add_argument("--reviewer", default="", help="who reviewed (default: the OS user)")


def _period_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="start", metavar="DATE", help="YYYY-MM-DD or ISO time, UTC (default: all)")
    parser.add_argument("--to", dest="end", metavar="DATE", help="YYYY-MM-DD (whole day included) or ISO time, UTC")


def audit_command(runtime: Runtime, args: argparse.Namespace) -> int:
    from desktop_app.services import audit_export
    from desktop_app.services.disclosures import record_review

    if args.audit_action == "verify":
        verdict = audit_export.verify_export(args.directory)
        print(verdict.words())
        return 0 if verdict.ok else EXIT_BROKEN
    try:
        period = parse_period(args.start, args.end, now=time.time())
    except KnownError as error:
        print(f"sealpost: {error}", file=sys.stderr)
        return 2
    runtime.open(start_engines=False)
    try:
        if args.audit_action == "disclosures":
            return _disclosures(runtime, args, period)
        if args.audit_action == "review":
            assert runtime.store is not None
            print(f"recorded: {record_review(runtime.store, period, args.note, args.reviewer)}")
            return 0
        result = audit_export.export_audit(runtime, period, args.out, include_recipients=args.include_recipients)
    except KnownError as error:
        print(f"sealpost: {error}", file=sys.stderr)
        return 2
    finally:
        runtime.close()
    print(f"{result.count} entries written to {result.directory} (seal {result.seal})")
    if result.chain_problem is not None:
        print(f"sealpost: warning: the audit trail was changed or cut at entry {result.chain_problem}; "
              "keep this profile as it is and tell your security officer", file=sys.stderr)  # fmt: skip
        return EXIT_CHAIN_BROKEN
    return 0


def _disclosures(runtime: Runtime, args: argparse.Namespace, period: Period) -> int:
    """The report as CSV (and PDF when asked), each file written whole or not at all; then audited."""
    from desktop_app.services import disclosures as report

    assert runtime.store is not None
    if args.subjects and runtime.profile.settings.no_content_export:
        from desktop_app.services.audit_export import NO_CONTENT_EXPORT

        raise ReportError(NO_CONTENT_EXPORT.format(what="subjects"))
    addresses, contact = list(args.address), None
    if args.contact:
        contact, more = report.contact_addresses(runtime.store, args.contact)
        addresses += [a for a in more if a not in addresses]
    if not addresses:
        raise report.DisclosureError("name an address (--address) or a contact (--contact)")
    rows = report.disclosures(runtime.store, addresses, period)
    write_whole(args.out, lambda path: path.write_bytes(report.report_csv(rows, subjects=args.subjects)))
    if args.pdf:
        from desktop_app.ui.report_pdf import write_table_pdf

        lines = [f"Period: {period.describe()}", f"Addresses: {', '.join(addresses)}", f"Messages: {len(rows)}"]
        lines[1:1] = [f"Contact: {args.contact} (number {contact})"] if contact is not None else []
        table = [report.report_cells(row, subjects=args.subjects) for row in rows]
        header = report.report_header(subjects=args.subjects)
        write_whole(args.pdf, lambda path: write_table_pdf(path, "Disclosure report", lines, header, table))
    report.audit_report(runtime.store, rows, len(addresses), period, subjects=args.subjects, contact=contact)
    print(f"{len(rows)} messages to {', '.join(addresses)} in {period.describe()}: {args.out}")
    return 0


def write_whole(target: Path, write: Callable[[Path], object]) -> None:
    """Write through a hidden sibling and rename it into place: a report file is never half there."""
    partial = target.with_name(f".{target.name}.partial")
    try:
        write(partial)
        os.replace(partial, target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise ReportError(f"cannot write {target}: {error.strerror or error}") from None


class ReportError(KnownError, OSError):
    """A report file could not be written."""
