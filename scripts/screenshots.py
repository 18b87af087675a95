"""Screenshots of every view with realistic sandbox data: ``python scripts/screenshots.py DIR``.

Run by ``make screenshots`` under Xvfb and a throwaway keyring. Everything happens in a
temporary profile against the embedded sandbox; the names and addresses are invented.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from PySide6.QtCore import QCoreApplication, QEventLoop
from PySide6.QtWidgets import QTableView, QWidget

from desktop_app.core.addresses import parse_address
from desktop_app.core.message import Attachment, OutgoingMessage
from desktop_app.core.outbox_state import OutboxState
from desktop_app.sandbox.embedded import start_embedded_sandbox
from desktop_app.services.autolock import hash_passphrase
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Runtime
from desktop_app.ui.app import create_application, deferred_runtime
from desktop_app.ui.composer import editable
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.outbox_view import OutboxView

SENDER = "front-desk@northside-clinic.example"
HISTORY = (
    ("Dr Amara Okafor <a.okafor+opened@riverside-labs.example>", "Lab results are ready", "lab"),
    ("Jonah Patel <jonah.patel@mail.example>", "Appointment confirmed: Tuesday 10:30", "appointments"),
    ("Claire Dubois <claire.dubois+portal@mail.example>", "Your referral letter", "referrals"),
    ("Billing team <billing@northside-clinic.example>", "Invoice 2026-1141 corrected", "billing"),
    ("Sam Reyes <sam.reyes+hardbounce@old-isp.example>", "Vaccination reminder", "reminders"),
    ("Dr Lena Berg <l.berg+opened@riverside-labs.example>", "Follow-up imaging request", "lab"),
    ("Tomás Álvarez <t.alvarez@mail.example>", "Prescription renewal", "pharmacy"),
    ("Mei Chen <mei.chen+softbounce@mail.example>", "Pre-visit questionnaire", "appointments"),
)


REMINDER_TEMPLATE = (
    "<h2>Appointment reminder</h2><p>Dear {{first_name}},</p><p>This is a reminder of your appointment with "
    "{{clinician}} on <b>{{date}}</b>.</p>{{#if fasting}}<p>Please do not eat for 8 hours before.</p>{{/if}}"
    "<p>Northside Clinic</p>"
)


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Let Qt run (jobs deliver results, timers fire) until ``condition`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("screenshot setup did not finish in time")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.02)


def pause(seconds: float) -> None:
    end = time.monotonic() + seconds
    wait_until(lambda: time.monotonic() >= end, seconds + 1)


def save(widget: QWidget, directory: Path, name: str) -> None:
    pause(0.3)
    path = directory / f"{name}.png"
    widget.grab().save(str(path))
    print(f"saved {path}", flush=True)


def message(to: str, subject: str, tag: str, body: str = "") -> OutgoingMessage:
    html = body or f"<p>Hello,</p><p>{subject}. Reply to this message if you have questions.</p>"
    return OutgoingMessage(sender=SENDER, to=(parse_address(to),), subject=subject, html=html, tag=tag)


def seed_ambiguous_request(runtime: Runtime) -> None:
    """Twenty flu-shot reminders that went out in one bulk request answered 502: one decision for all."""
    store, sandbox, outbox = runtime.store, runtime.sandbox, runtime.outbox
    assert store is not None
    assert sandbox is not None
    assert outbox is not None
    faults = sandbox.root_url + "/_sandbox/faults"
    httpx.post(faults, json={"accept_then_fail_rate": 1.0, "accept_then_fail_mode": "502"}).raise_for_status()
    outbox.hold(True)
    for n in range(20):
        runtime.queue(message(f"Patient {n + 1} <patient{n + 1}@mail.example>", "Your flu shot is due", "reminders"))
    runtime.send_queued_now()
    wait_until(lambda: store.counts_by_state().get(OutboxState.OUTCOME_UNKNOWN, 0) == 21)
    httpx.post(faults, json={"accept_then_fail_rate": 0.0}).raise_for_status()


def seed(runtime: Runtime) -> None:
    store = runtime.store
    sandbox = runtime.sandbox
    assert store is not None
    assert sandbox is not None
    for to, subject, tag in HISTORY:
        runtime.queue(message(to, subject, tag))
    wait_until(lambda: store.counts_by_state().get(OutboxState.ACCEPTED, 0) == len(HISTORY))
    faults = sandbox.root_url + "/_sandbox/faults"
    httpx.post(faults, json={"accept_then_fail_rate": 1.0, "accept_then_fail_mode": "502"}).raise_for_status()
    runtime.queue(message("Ward 4 nurses <ward4@northside-clinic.example>", "Discharge summary for bed 12", "ward"))
    wait_until(lambda: store.counts_by_state().get(OutboxState.OUTCOME_UNKNOWN, 0) == 1)
    httpx.post(faults, json={"accept_then_fail_rate": 0.0}).raise_for_status()
    runtime.queue(message("Jonah Patel <jonah.patel@mail.example>", "Reminder: fasting before your test", "lab"),
                  send_at=time.time() + 2 * 3600)  # fmt: skip
    assert runtime.client is not None
    runtime.client.create_template("appointment-reminder", REMINDER_TEMPLATE)
    runtime.save_draft(message("Dr Amara Okafor <a.okafor@riverside-labs.example>", "Question about the panel", ""))
    pause(4.0)  # receipts arrive; opens come a little later


def fill_composer(window: MainWindow, attachment: Path) -> None:
    composer = window.composer
    window.views.show("compose")
    composer.load(
        editable(
            OutgoingMessage(
                sender=SENDER,
                to=(parse_address("Dr Amara Okafor <a.okafor@riverside-labs.example>"),),
                cc=(parse_address("Lab desk <lab-desk@northside-clinic.example>"),),
                subject="Results for your review",
                html="<h2>Results for your review</h2><p>Dear Dr Okafor,</p><p>The panel you requested is "
                "attached. Two values are <b>outside the reference range</b>:</p><ul><li>Ferritin</li>"
                "<li>Vitamin D</li></ul><p>Kind regards,<br>Front desk, Northside Clinic</p>",
                tag="lab",
                attachments=(Attachment.from_bytes(attachment.name, "application/pdf", attachment.read_bytes()),),
                force_secure_notification=True,
            )
        )
    )
    composer.options_toggle.setChecked(True)


def flu_row(outbox: OutboxView) -> int:
    """The newest of the twenty flu-shot reminders sent in one request."""
    model = outbox.model
    subjects = [m.subject if (m := model.message_at(r)) else "" for r in range(model.rowCount())]
    return subjects.index("Your flu shot is due") if "Your flu shot is due" in subjects else 0


def reselect(table: QTableView, row: int) -> bool:
    """Select ``row`` afresh (a list that reloaded meanwhile has dropped the selection)."""
    if not table.selectionModel().isRowSelected(row):
        table.clearSelection()
        table.selectRow(row)
        pause(0.2)
    return True


def everyday_views(window: MainWindow, out: Path) -> None:
    """The bounce notice, a bounced message opened, and the Drafts list."""
    status = window.status_view
    bounced = next(m for r in range(status.model.rowCount()) if (m := status.model.message_at(r))
                   and m.subject == "Vaccination reminder")  # fmt: skip
    wait_until(window.everyday.bounce_notice.isVisible)
    save(window, out, "bounce-notice")
    view = window.everyday.open_message(bounced.id)
    assert view is not None
    wait_until(lambda: view.sent is not None)
    pause(0.3)
    save(view, out, "message-view")
    view.close()
    window.views.show("drafts")
    wait_until(lambda: bool(window.everyday.drafts_view.drafts))
    save(window, out, "drafts")


def address_book(window: MainWindow, out: Path) -> None:
    """The Address book with invented contacts, and the question a look-alike recipient raises."""
    from PySide6.QtWidgets import QMessageBox

    from desktop_app.services.contacts import ContactBook
    from desktop_app.services.history import open_store
    from desktop_app.store.contacts import Kind, Verification
    from desktop_app.ui.features.contacts import ContactsFeature

    assert window.runtime is not None
    book = ContactBook(open_store(window.runtime), actor="front.desk")
    book.add("Jane Doe", ["jane.doe@gmail.com"], note="prefers email")
    book.verify("jane.doe@gmail.com", Verification.PHONE)
    book.add("Jonah Patel", ["jonah.patel@mail.example", "jpatel@work.example"])
    book.verify("jonah.patel@mail.example", Verification.IN_PERSON)
    book.add("Riverside Imaging", ["frontdesk@riverside-imaging.example"], kind=Kind.ORGANISATION)
    book.verify("frontdesk@riverside-imaging.example", Verification.DIRECTORY)
    book.add("Claire Dubois", ["claire.dubois@mail.example"], organisation="Riverside Peds")
    feature = window.features["contacts"]
    assert isinstance(feature, ContactsFeature)
    feature.refresh()
    window.views.show("contacts")
    feature.view.reload()
    wait_until(lambda: feature.view.table.rowCount() == 5)
    wait_until(lambda: feature.checks is not None and feature.checks[0].get("jane.doe@gmail.com") is not None)
    pause(0.3)
    save(window, out, "address-book")
    window.views.show("compose")
    window.composer.to_field.edit.setText("Jane Doe <jane.doe@gmial.com>")
    window.composer.subject.setText("Your appointment on 12/03")
    window.composer.body.setPlainText("See you then.")
    window.composer.send_button.click()
    wait_until(lambda: isinstance(feature.question, QMessageBox) and feature.question.isVisible())
    pause(0.3)
    save(feature.question, out, "did-you-mean")
    feature.question.reject()
    window.composer.load(None)
    window.compose.drafts.stop()


def screen_sizes(
    window: MainWindow,
    out: Path,
    attachment: Path,
    theme: str,
    sizes: tuple[tuple[int, int], ...] = ((1280, 720), (1366, 768)),
    suffix: str = "",
) -> None:
    """The window at common screen sizes with the Log dock open: the composer with Options open, and Status."""
    window.log_panel.show()
    for width, height in sizes:
        window.resize(width, height)
        fill_composer(window, attachment)
        pause(0.3)
        save(window, out, f"composer-{width}x{height}-{theme}{suffix}")
        window.views.show("status")
        pause(0.3)
        save(window, out, f"status-{width}x{height}-{theme}{suffix}")
    window.composer.load(None)


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = create_application()
    with tempfile.TemporaryDirectory(prefix="sealpost-shots-") as scratch:
        profile = Profile(Path(scratch) / "profiles" / "default")
        profile.update(sender=SENDER, undo_seconds=0, passphrase_hash=hash_passphrase("screenshot passphrase"),
                       theme="light")  # fmt: skip
        window = MainWindow(profile, deferred_runtime(sandbox_delivery_delay=0.5, start_sandbox=start_embedded_sandbox))
        window.resize(1260, 780)
        window.show()
        ready: list[bool] = []
        window.ready.connect(lambda: ready.append(True))
        window.start()
        wait_until(lambda: bool(ready))
        assert window.runtime is not None
        seed(window.runtime)
        attachment = Path(scratch) / "panel-results.pdf"
        attachment.write_bytes(b"%PDF-1.4\n" + b"0" * 180_000)
        if os.environ.get("QT_SCALE_FACTOR") == "2":  # a 2560x1440 screen at 2x: 1280x720 of these units
            for theme in ("light", "dark"):
                profile.update(theme=theme)
                window._apply_profile_to_widgets()
                screen_sizes(window, out, attachment, theme, sizes=((1280, 720),), suffix="-2x")
            window.close()
            return 0

        fill_composer(window, attachment)
        save(window, out, "composer")
        window.composer.tabs.setCurrentIndex(2)
        save(window, out, "composer-preview")
        template = OutgoingMessage(sender=SENDER, to=(parse_address("Jonah Patel <jonah.patel@mail.example>"),),
                                   subject="Your appointment on Tuesday", meta={"template": "appointment-reminder",
                                   "template_values": '{"first_name": "Jonah", "clinician": "Dr Berg", '
                                   '"date": "Tuesday 10:30", "fasting": "yes"}'})  # fmt: skip
        window.composer.load(editable(template))
        panel = window.composer.template_panel
        wait_until(lambda: panel.active)
        save(window, out, "composer-template")
        window.composer.tabs.setCurrentIndex(2)
        wait_until(lambda: "Jonah" in window.composer.preview.toPlainText())
        save(window, out, "composer-template-preview")
        window.composer.load(None)
        window.composer.to_field.edit.setText("jonah.patel@mail, Claire Dubois <claire.dubois@mail.example>")
        window.composer.to_field.validate()
        save(window.composer, out, "composer-validation")
        window.composer.load(None)
        window.compose.drafts.stop()  # no draft of that half-typed address lands in the outbox mid-shot

        window.log_panel.show()
        window.views.show("outbox")
        outbox = window.outbox_view
        wait_until(lambda: outbox.model.rowCount() >= 3)
        states = [m.state if (m := outbox.model.message_at(r)) else None for r in range(outbox.model.rowCount())]
        row = states.index(OutboxState.OUTCOME_UNKNOWN)
        outbox.table.selectRow(row)
        save(window, out, "outbox")
        seed_ambiguous_request(window.runtime)
        wait_until(lambda: outbox.model.rowCount() >= 23)
        wait_until(lambda: reselect(outbox.table, flu_row(outbox)) and outbox.resend_group_button.isVisible())
        save(window, out, "outbox-request")

        window.views.show("status")
        status = window.status_view
        wait_until(lambda: status.model.rowCount() == len(HISTORY))
        status.refresh_chart()
        pause(1.0)
        status.table.selectRow(len(HISTORY) - 1)
        wait_until(lambda: bool(status.tracking.text()))
        save(window, out, "status")
        save(window, out, "main-window")  # the README's picture
        save(window.log_panel, out, "log-panel")
        everyday_views(window, out)
        address_book(window, out)

        dialog = window.open_settings(tab=1)
        dialog.test_connection()
        wait_until(lambda: "Your key works" in dialog.test_result.text())
        save(dialog, out, "settings")
        dialog.reject()

        help_dialog = window.show_help()
        save(help_dialog, out, "help")
        help_dialog.reject()

        window.lock()
        save(window, out, "lock")
        window.lock_screen.unlock_requested.emit("screenshot passphrase")
        wait_until(lambda: window.shell.currentIndex() == 0)

        profile.update(theme="dark")
        window._apply_profile_to_widgets()
        save(window, out, "status-dark")
        screen_sizes(window, out, attachment, "dark")
        profile.update(theme="light")
        window._apply_profile_to_widgets()
        screen_sizes(window, out, attachment, "light")
        window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
