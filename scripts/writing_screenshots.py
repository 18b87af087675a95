"""Screenshots of the writing tools: ``python scripts/writing_screenshots.py DIR`` (under Xvfb, like
``scripts/screenshots.py``, whose helpers it uses): the composer with a misspelling underlined, the
organisation footer in the preview, the history search highlighted, and the first page of a sent
message's PDF record (rendered with poppler's ``pdftoppm``). Invented names, a temporary profile.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from screenshots import SENDER, pause, save, wait_until

from desktop_app.core.addresses import parse_address
from desktop_app.core.message import Attachment, OutgoingMessage
from desktop_app.sandbox.embedded import start_embedded_sandbox
from desktop_app.services.profile import Profile
from desktop_app.ui.app import create_application, deferred_runtime
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.message_print import export_pdf

SIGNATURE = "<p>Kind regards,<br><b>Rosa Lind</b>, front desk<br>Northside Clinic · 555-0142</p>"
FOOTER = (
    "<p><i>Confidential:</i> this message is intended only for the person it is addressed to and may contain "
    "health information. If you received it in error, please tell us and delete it.</p>"
)


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = create_application()
    with tempfile.TemporaryDirectory(prefix="sealpost-writing-") as scratch:
        profile = Profile(Path(scratch) / "profile")
        profile.update(sender=SENDER, undo_seconds=0, theme="light", signature=SIGNATURE, message_footer=FOOTER)
        window = MainWindow(profile, deferred_runtime(sandbox_delivery_delay=0.5, start_sandbox=start_embedded_sandbox))
        window.resize(1260, 780)
        window.show()
        ready: list[bool] = []
        window.ready.connect(lambda: ready.append(True))
        window.start()
        wait_until(lambda: bool(ready))
        runtime = window.runtime
        assert runtime is not None
        assert runtime.store is not None
        composer = window.composer
        spelling = composer.spelling
        assert spelling is not None
        wait_until(lambda: spelling.checker is not None and composer.footer is not None)
        wait_until(lambda: "Rosa Lind" in composer.body.toPlainText())

        composer.to_field.edit.setText("Dr Amara Okafor <a.okafor@riverside-labs.example>")
        composer.subject.setText("Your new presciption")
        composer.body.setFocus()
        composer.body.insertPlainText("Dear Dr Okafor,\n\nThe new dosage of metformin is ready; plaese collect it "
                                      "from the pharmacy desk on Tuesday.\n")  # fmt: skip
        save(window, out, "composer-spelling")
        composer.tabs.setCurrentIndex(2)
        wait_until(lambda: "Confidential" in composer.preview.toPlainText())
        save(window, out, "composer-footer-preview")

        report = Attachment.from_bytes("panel-results.pdf", "application/pdf", b"%PDF-1.4\n" + b"0" * 180_000)
        sent = runtime.queue(OutgoingMessage(
            sender=SENDER, subject="Lab results are ready", attachments=(report,),
            to=(parse_address("Dr Amara Okafor <a.okafor+opened@riverside-labs.example>"),
                parse_address("Sam Reyes <sam.reyes+hardbounce@old-isp.example>")),
            html="<p>Dear Dr Okafor,</p><p>The lab results for your patient are attached.</p>" + SIGNATURE,
        ))  # fmt: skip
        jonah = parse_address("jonah.patel@mail.example")
        runtime.queue(
            OutgoingMessage(sender=SENDER, subject="Appointment confirmed", to=(jonah,), text="See you then.")
        )
        store = runtime.store
        wait_until(lambda: store.get(sent.id).final_delivery, timeout=60)
        window.views.show("status")
        view = window.status_view
        view.search.setText("lab results")
        view.apply_filters()
        wait_until(lambda: view.model.rowCount() == 1)
        view.table.selectRow(0)
        pause(0.5)
        save(window, out, "status-search")

        pdf = Path(scratch) / "record.pdf"
        export_pdf(store, sent.id, pdf)
        page = ["pdftoppm", "-png", "-r", "70", "-f", "1", "-singlefile", str(pdf), str(out / "message-record-pdf")]
        subprocess.run(page, check=True)  # noqa: S603 - poppler's renderer, fixed arguments
        print(f"saved {out / 'message-record-pdf.png'}", flush=True)
        window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
