"""``sealpost export MESSAGE_ID --pdf FILE``: a sent message's record for the patient's chart.

It opens the store only (nothing is sent), writes the PDF the message view writes
(``ui/message_print.py``, on Qt's offscreen platform: no display needed), audits the export and
prints one line; a missing message or an unwritable target exits 2 with ``sealpost: <reason>``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.core.errors import KnownError

if TYPE_CHECKING:
    from desktop_app.services.runtime import Runtime


def add_export_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser],
                      common: argparse.ArgumentParser) -> None:  # fmt: skip
    export = commands.add_parser("export", parents=[common], help="write a sent message's record (recipients, "
                                 "statuses, timeline, tracking id) as a PDF")  # fmt: skip
    export.add_argument("message_id", type=int, metavar="MESSAGE_ID", help="the message's id (sealpost status)")
    export.add_argument("--pdf", type=Path, required=True, metavar="FILE", help="the PDF file to write")


def wait_for_delivery(runtime: Runtime, message_id: int, timeout: float) -> bool:
    """``sealpost send --wait-delivery``: keep tracking until every recipient's status is final."""
    deadline = time.monotonic() + timeout
    assert runtime.store is not None
    while not runtime.store.get(message_id).final_delivery:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)
    return True


def export_command(runtime: Runtime, args: argparse.Namespace) -> int:
    from desktop_app.ui.message_print import export_pdf
    from desktop_app.ui.report_pdf import pdf_application

    _app = pdf_application()  # QPdfWriter needs one (fonts); Qt stays in ui/
    runtime.open(start_engines=False)
    try:
        assert runtime.store is not None
        try:
            if not runtime.refresh_delivery(args.message_id):
                print("sealpost: Paubox could not be asked for newer statuses; the record shows those last seen",
                      file=sys.stderr)  # fmt: skip
            forbidden = runtime.profile.settings.no_content_export
            pages = export_pdf(runtime.store, args.message_id, args.pdf, no_content_export=forbidden)
        except KnownError as error:
            print(f"sealpost: {error}", file=sys.stderr)
            return 2
    finally:
        runtime.close()
    print(f"message {args.message_id}: {pages} page(s) written to {args.pdf}")
    return 0
