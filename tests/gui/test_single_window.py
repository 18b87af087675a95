"""One window per profile: a second start says so and can bring the open window to the front."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.ui.single_window import WindowClaim, already_open_box, server_name


def test_a_second_start_finds_the_window_and_brings_it_forward(qtbot: QtBot, tmp_path: Path) -> None:
    first, second = WindowClaim(tmp_path), WindowClaim(tmp_path)
    try:
        assert first.try_claim()
        assert not second.try_claim()
        assert f"(process {os.getpid()})" in second.describe_holder()
        with qtbot.waitSignal(first.show_requested, timeout=5000), qtbot.waitSignal(second.delivered) as heard:
            second.ask_open_window_to_show()
        assert heard.args == [True]
    finally:
        second.release()
        first.release()


def test_the_box_says_what_is_open_and_offers_to_show_it(qtbot: QtBot, tmp_path: Path) -> None:
    first, second = WindowClaim(tmp_path), WindowClaim(tmp_path)
    try:
        assert first.try_claim()
        assert not second.try_claim()
        box = already_open_box(second)
        qtbot.addWidget(box)
        assert "already open for this profile" in box.text()
        assert "process" in box.informativeText()
        assert [b.text() for b in box.buttons()] == ["Show the open window", "Close"]
        assert box.buttonRole(box.buttons()[0]) is QMessageBox.ButtonRole.AcceptRole
    finally:
        second.release()
        first.release()


def test_a_window_that_went_away_leaves_the_profile_free(qtbot: QtBot, tmp_path: Path) -> None:
    gone = WindowClaim(tmp_path)
    assert gone.try_claim()
    gone.release()
    successor, latecomer = WindowClaim(tmp_path), WindowClaim(tmp_path)
    try:
        assert successor.try_claim()
        with qtbot.waitSignal(successor.show_requested, timeout=5000):
            latecomer.ask_open_window_to_show()
    finally:
        successor.release()


def test_nobody_listening_is_reported_not_waited_for(qtbot: QtBot, tmp_path: Path) -> None:
    lonely = WindowClaim(tmp_path)
    with qtbot.waitSignal(lonely.delivered, timeout=5000) as heard:
        lonely.ask_open_window_to_show()
    assert heard.args == [False]
    assert str(tmp_path) not in server_name(tmp_path)


def test_the_window_holds_the_profile_before_it_listens(qtbot: QtBot, tmp_path: Path) -> None:
    """The window takes the lock before it is shown and listens once it has painted (QtNetwork is
    not worth a moment of the first paint): meanwhile a second start is refused and not heard."""
    first, second = WindowClaim(tmp_path), WindowClaim(tmp_path)
    try:
        assert first.try_claim(listen=False)
        assert not second.try_claim()
        with qtbot.waitSignal(second.delivered, timeout=5000) as early:
            second.ask_open_window_to_show()
        assert early.args == [False]
        first.listen()
        first.listen()  # the first paint and the fallback timer may both ask
        with qtbot.waitSignal(first.show_requested, timeout=5000), qtbot.waitSignal(second.delivered) as heard:
            second.ask_open_window_to_show()
        assert heard.args == [True]
    finally:
        second.release()
        first.release()
