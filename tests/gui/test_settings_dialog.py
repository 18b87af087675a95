"""The Settings dialog built from the schema: every setting has its editor, Cancel cancels,
policies lock or bound what they set."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QCheckBox, QSpinBox
from pytestqt.qtbot import QtBot

from desktop_app.services import settings_schema
from desktop_app.services.policies import Document, evaluate
from desktop_app.services.profile import Profile
from desktop_app.ui.jobs import JobRunner
from desktop_app.ui.settings_dialog import SettingsDialog
from desktop_app.ui.settings_form import MANAGED
from tests.gui.conftest import WindowFactory, click


@pytest.fixture
def jobs() -> Iterator[JobRunner]:
    runner = JobRunner()
    yield runner
    assert runner.shutdown()


def dialog_for(qtbot: QtBot, profile: Profile, jobs: JobRunner) -> SettingsDialog:
    dialog = SettingsDialog(profile.settings, profile.directory, jobs, lambda _key: None, origins=profile.origins)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: jobs.active == 0, timeout=5_000)  # the profile list and the key check
    return dialog


def test_every_setting_with_a_tab_gets_a_generated_editor(qtbot: QtBot, profile: Profile, jobs: JobRunner) -> None:
    dialog = dialog_for(qtbot, profile, jobs)
    wanted = {f.name for f, spec in settings_schema.specs() if spec.tab in settings_schema.TABS}
    assert set(dialog.editors) == wanted
    autolock = dialog.editors["autolock_minutes"].widget
    assert isinstance(autolock, QSpinBox)
    assert (autolock.minimum(), autolock.maximum(), autolock.specialValueText()) == (0, 240, "Never")
    assert autolock.accessibleName() == "Auto-lock after"
    assert dialog.changes() == {}
    autolock.setValue(3)
    secure = dialog.editors["force_secure_notification"].widget
    assert isinstance(secure, QCheckBox)
    secure.setChecked(True)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    assert dialog.changes() == {"autolock_minutes": 3, "force_secure_notification": True, "theme": "dark"}


def test_cancel_keeps_nothing_not_even_the_passphrase(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    profile = window.runtime.profile
    before = (profile.directory / "settings.json").read_bytes()
    dialog = window.open_settings(tab=4)
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.passphrase, "correct horse")
    qtbot.keyClicks(dialog.passphrase_again, "correct horse")
    click(qtbot, dialog.passphrase_button)
    qtbot.waitUntil(lambda: "press Save" in dialog.passphrase_feedback.text(), timeout=5_000)
    spin = dialog.editors["autolock_minutes"].widget
    assert isinstance(spin, QSpinBox)
    spin.setValue(3)
    dialog.reject()
    qtbot.wait(200)
    assert window.jobs.active == 0
    assert profile.settings.passphrase_hash == ""
    assert profile.settings.autolock_minutes == 10
    assert (profile.directory / "settings.json").read_bytes() == before
    assert window.passphrase_notice.isVisible()


def test_a_managed_setting_is_disabled_and_says_so(qtbot: QtBot, tmp_path: Path, jobs: JobRunner) -> None:
    values = {"ForceSecureNotification": True, "IdleLockMinutes": 2, "Mode": "paubox",
              "AllowedSenders": ["desk@clinic.example"]}  # fmt: skip
    policies = evaluate([Document("managed", "/etc/sealpost/policies/managed/10-clinic.json", values)])
    profile = Profile(tmp_path / "p", policies)
    profile.update(autolock_minutes=30)  # the user's choice, above the maximum
    dialog = dialog_for(qtbot, profile, jobs)
    secure = dialog.editors["force_secure_notification"]
    assert not secure.widget.isEnabled()
    assert secure.note.text() == MANAGED
    assert secure.widget.toolTip() == MANAGED
    assert isinstance(secure.widget, QCheckBox)
    assert secure.widget.isChecked()
    assert not dialog.editors["mode"].widget.isEnabled()
    autolock = dialog.editors["autolock_minutes"]
    assert isinstance(autolock.widget, QSpinBox)
    assert autolock.widget.isEnabled()
    assert (autolock.widget.minimum(), autolock.widget.maximum(), autolock.widget.value()) == (1, 2, 2)
    assert autolock.note.text() == "At most 2 min: set by your organisation"
    assert "force_secure_notification" not in dialog.changes()
    assert "mode" not in dialog.changes()
    assert json.loads((profile.directory / "settings.json").read_text())["autolock_minutes"] == 30
    assert dialog.editors["sender"].note.text() == "Allowed by your organisation: desk@clinic.example"
