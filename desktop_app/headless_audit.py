"""``sealpost audit …``: compliance evidence from a terminal (export, verify, disclosures, review).

Each subcommand opens the store only (nothing is sent), prints one line per result and exits 0,
or exits non-zero with ``sealpost: <reason>``; the logic lives in services so the GUI shares it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.core.errors import KnownError
from desktop_app.core.period import parse_period

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


def _period_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="start", metavar="DATE", help="YYYY-MM-DD or ISO time, UTC (default: all)")
    parser.add_argument("--to", dest="end", metavar="DATE", help="YYYY-MM-DD (whole day included) or ISO time, UTC")


def audit_command(runtime: Runtime, args: argparse.Namespace) -> int:
    from desktop_app.services import audit_export

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
