"""The composer's three-state tracking choices and unsubscribe fields, driven like a user.

Tracking: "Account default" (nothing sent), "On", "Off", each a combo box with an accessible
name. Unsubscribe: a List-Unsubscribe field, a one-click check box and Paubox's unsubscribe URL,
checked before sending with the reason shown next to them. The last test sends through the
window to the sandbox and reads what arrived.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.addresses import Address
from desktop_app.core.message import OutgoingMessage
from desktop_app.sandbox.server import SandboxServer
from desktop_app.ui.composer import ComposerView, EditableMessage, TrackingChoice
from desktop_app.ui.jobs import JobRunner
from tests.conftest import sandbox_control
from tests.gui.conftest import WindowFactory, answer, click, send, type_message

HTTPS = "<https://clinic.example/unsubscribe?u=42>"


@pytest.fixture
def composer(qtbot: QtBot) -> Iterator[ComposerView]:
    jobs = JobRunner()
    view = ComposerView("staff@clinic.example", jobs, attachment_limit_bytes=10 * 1024 * 1024)
    qtbot.addWidget(view)
    view.show()
    yield view
    jobs.shutdown()


def fill(qtbot: QtBot, view: ComposerView) -> None:
    qtbot.keyClicks(view.to_field.edit, "pat@example.org")
    qtbot.keyClicks(view.subject, "Results")
    qtbot.keyClicks(view.body, "Ready for pickup.")


def choose(qtbot: QtBot, combo: TrackingChoice, label: str) -> None:
    """Pick ``label`` with the keyboard, as a user tabbing through the options would."""
    combo.setFocus()
    target = combo.findText(label)
    assert target >= 0, label
    for _ in range(combo.count()):
        if combo.currentIndex() == target:
            break
        qtbot.keyClick(combo, Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up)
    assert combo.currentText() == label


def test_tracking_choices_are_three_state_with_accessible_names(qtbot: QtBot, composer: ComposerView) -> None:
    for combo, name in ((composer.open_tracking, "Open tracking"), (composer.link_tracking, "Link tracking")):
        assert combo.accessibleName() == name
        assert "account default" in combo.accessibleDescription().lower()
        assert [combo.itemText(i) for i in range(combo.count())] == ["Account default", "On", "Off"]
        assert combo.value() is None  # a new message leaves the account's setting alone
    assert composer.list_unsubscribe.accessibleName() == "List-Unsubscribe"
    assert composer.one_click.accessibleName() == "One-click unsubscribe"
    assert composer.unsubscribe_url.accessibleName() == "Paubox unsubscribe URL"
    assert composer.snapshot().open_tracking is None
    choose(qtbot, composer.open_tracking, "Off")
    choose(qtbot, composer.link_tracking, "On")
    snapshot = composer.snapshot()
    assert (snapshot.open_tracking, snapshot.link_tracking) == (False, True)
    choose(qtbot, composer.open_tracking, "On")
    assert composer.snapshot().open_tracking is True


def test_loading_a_message_restores_every_choice(composer: ComposerView) -> None:
    for open_choice, link_choice in ((None, False), (False, None), (True, True)):
        message = OutgoingMessage(
            sender="staff@clinic.example", to=(Address("pat@example.org"),), subject="S", text="T",
            open_tracking=open_choice, link_tracking=link_choice, list_unsubscribe=HTTPS,
            list_unsubscribe_post=True, unsubscribe_url="https://clinic.example/u",
        )  # fmt: skip
        composer.load(EditableMessage(message, plain_edited=True))
        assert (composer.open_tracking.value(), composer.link_tracking.value()) == (open_choice, link_choice)
        again = composer.snapshot()
        assert (again.open_tracking, again.link_tracking) == (open_choice, link_choice)
        assert (again.list_unsubscribe, again.list_unsubscribe_post) == (HTTPS, True)
        assert again.unsubscribe_url == "https://clinic.example/u"
    composer.load(None)
    assert composer.open_tracking.currentText() == "Account default"
    assert composer.list_unsubscribe.text() == ""
    assert not composer.one_click.isChecked()


@pytest.mark.parametrize(
    ("unsubscribe", "one_click", "url", "words"),
    [
        ("<http://clinic.example/u>", False, "", "only mailto: and https://"),
        ("https://clinic.example/u", False, "", "angle brackets"),
        ("<mailto:u@clinic.example>", True, "", "needs an <https://"),
        ("", True, "", "needs an <https://"),
        ("", False, "http://clinic.example/u", "must be an https://"),
    ],
)
def test_a_bad_unsubscribe_option_is_shown_and_nothing_is_sent(
    qtbot: QtBot, composer: ComposerView, unsubscribe: str, one_click: bool, url: str, words: str
) -> None:
    fill(qtbot, composer)
    qtbot.keyClicks(composer.list_unsubscribe, unsubscribe)
    composer.one_click.setChecked(one_click)
    qtbot.keyClicks(composer.unsubscribe_url, url)
    sent: list[object] = []
    composer.send_requested.connect(sent.append)
    click(qtbot, composer.send_button)
    assert sent == []
    assert composer.options.isVisible()  # the options open to show the problem
    assert composer.unsubscribe_error.isVisible()
    assert words in composer.unsubscribe_error.text()
    assert "Correct the unsubscribe options" in composer.feedback.text()
    composer.list_unsubscribe.clear()
    composer.unsubscribe_url.clear()
    qtbot.keyClicks(composer.list_unsubscribe, HTTPS)
    click(qtbot, composer.send_button)
    assert len(sent) == 1
    assert not composer.unsubscribe_error.isVisible()
    message = sent[0]
    assert isinstance(message, OutgoingMessage)
    assert message.list_unsubscribe == HTTPS
    assert message.list_unsubscribe_post is one_click


def test_choices_reach_the_sandbox_from_the_window(
    qtbot: QtBot, make_window: WindowFactory, sandbox: SandboxServer
) -> None:
    window = make_window(undo_seconds=0)
    composer = window.composer
    type_message(qtbot, window, "pat@clinic.example", "Results", "Ready.")
    click(qtbot, composer.options_toggle)
    choose(qtbot, composer.link_tracking, "Off")
    qtbot.keyClicks(composer.list_unsubscribe, HTTPS)
    click(qtbot, composer.one_click)
    send(qtbot, window)
    answer(qtbot, window, "Send anyway")  # first message to clinic.example
    with sandbox_control(sandbox) as control:
        qtbot.waitUntil(lambda: control.get("/messages").json()["count"] == 1, timeout=15_000)
        (record,) = control.get("/messages").json()["messages"]
    assert record["override_open_tracking"] is None  # the account default: nothing was sent
    assert record["override_link_tracking"] is False
    assert record["list_unsubscribe"] == HTTPS
    assert record["list_unsubscribe_post"] == "List-Unsubscribe=One-Click"


def test_unsubscribe_typed_as_an_x_header_points_to_its_field(qtbot: QtBot, composer: ComposerView) -> None:
    fill(qtbot, composer)
    composer.headers.setPlainText(f"List-Unsubscribe: {HTTPS}")
    sent: list[object] = []
    composer.send_requested.connect(sent.append)
    click(qtbot, composer.send_button)
    assert sent == []
    assert "use the Unsubscribe field" in composer.headers_error.text()
