"""Settings: profiles, the Paubox connection (key straight into the keyring), sending limits,
privacy (auto-lock, retention, passphrase) and the theme.

Nothing here blocks: reading the profile list, storing the key and testing the connection all
run as jobs. The key field is cleared the moment the key is stored and is never filled again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.api.config import AuthStyle, BasePreset
from desktop_app.api.connection import ConnectionReport
from desktop_app.services import settings_service
from desktop_app.services.autolock import hash_passphrase
from desktop_app.services.profile import Mode, Settings
from desktop_app.services.settings_service import ProfileEntry
from desktop_app.store import keys
from desktop_app.ui.a11y import buddy_form_row, label_unlabelled
from desktop_app.ui.composer import repolish
from desktop_app.ui.jobs import CancelToken, JobRunner
from desktop_app.ui.writing_settings import WritingTab

THEMES = (("Same as the system", "system"), ("Light", "light"), ("Dark", "dark"))
CONNECTION_FIELDS = ("mode", "base_preset", "base_url", "auth_style", "api_username", "requests_per_second",
                     "poll_budget_per_minute")  # fmt: skip


@dataclass(frozen=True)
class ConnectionTarget:
    """Where "Test connection" should knock when the window runs against an override or the sandbox:
    the server root (scheme://host:port, standing in for Paubox's hosts) and its key."""

    root: str
    api_key: str


def _spin(low: int, high: int, value: int, name: str, suffix: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    spin.setSuffix(suffix)
    spin.setAccessibleName(name)
    return spin


def _say(label: QLabel, text: str, tone: str) -> None:
    label.setText(text)
    label.setProperty("tone", tone)
    repolish(label)


class SettingsDialog(QDialog):
    saved = Signal(dict)  # the changed Settings fields
    switch_requested = Signal(Path)  # another profile's folder
    passphrase_changed = Signal(str)  # the new scrypt hash

    def __init__(self, settings: Settings, profile_dir: Path, jobs: JobRunner, store_key: Callable[[str], None],
                 override: ConnectionTarget | None = None, parent: QWidget | None = None) -> None:  # fmt: skip
        """``store_key`` puts a pasted key into the keyring (and into use); it runs on a worker."""
        super().__init__(parent)
        self._store_key_with = store_key
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self.settings = settings
        self.profile_dir = profile_dir
        self._jobs = jobs
        self._override = override
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Settings sections")
        self.tabs.addTab(self._profiles_tab(), "&Profiles")
        self.tabs.addTab(self._connection_tab(), "&Connection")
        self.tabs.addTab(self._sending_tab(), "&Sending")
        self.tabs.addTab(self._privacy_tab(), "P&rivacy")
        self.tabs.addTab(self._appearance_tab(), "&Appearance")
        self.writing = WritingTab(settings, self)
        self.tabs.addTab(self.writing, "&Writing")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save settings")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        label_unlabelled(self)
        self.resize(660, 600)
        self.reload_profiles()
        if override is None:
            self._check_stored_key()
        else:
            _say(self.key_state, "This window talks to a test endpoint with its own key; nothing to store.", "")

    # ------------------------------------------------------------------ profiles

    def _profiles_tab(self) -> QWidget:
        page = QWidget(self)
        self.profile_list = QListWidget(page)
        self.profile_list.setAccessibleName("Profiles")
        self.new_profile_name = QLineEdit(page)
        self.new_profile_name.setAccessibleName("New profile name")
        self.new_profile_name.setPlaceholderText("Name, e.g. Clinic production")
        self.new_profile_mode = QComboBox(page)
        self.new_profile_mode.setAccessibleName("New profile mode")
        self.new_profile_mode.addItem("Sandbox (test server, nothing delivered)", Mode.SANDBOX.value)
        self.new_profile_mode.addItem("Paubox (real delivery)", Mode.PAUBOX.value)
        self.add_profile_button = QPushButton("Add profile", page)
        self.add_profile_button.setAccessibleName("Add profile")
        self.add_profile_button.clicked.connect(self._add_profile)
        self.switch_button = QPushButton("Switch to this profile", page)
        self.switch_button.setAccessibleName("Switch profile")
        self.switch_button.clicked.connect(self._switch)
        self.remove_button = QPushButton("Remove…", page)
        self.remove_button.setAccessibleName("Remove profile")
        self.remove_button.clicked.connect(self._remove)
        self.profile_feedback = QLabel(page)
        self.profile_feedback.setObjectName("feedback")
        self.profile_feedback.setWordWrap(True)
        self.profile_list.currentItemChanged.connect(self._profile_selected)
        add_row = QHBoxLayout()
        new_label = QLabel("&New profile", page)
        new_label.setBuddy(self.new_profile_name)
        add_row.addWidget(new_label)
        add_row.addWidget(self.new_profile_name, 2)
        add_row.addWidget(self.new_profile_mode, 1)
        add_row.addWidget(self.add_profile_button)
        actions = QHBoxLayout()
        actions.addWidget(self.switch_button)
        actions.addWidget(self.remove_button)
        actions.addStretch(1)
        layout = QVBoxLayout(page)
        intro = QLabel("Each profile has its own settings, API key, outbox and history.", page)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.profile_list, 1)
        layout.addLayout(actions)
        layout.addLayout(add_row)
        layout.addWidget(self.profile_feedback)
        return page

    def reload_profiles(self) -> None:
        root = self.profile_dir.parent
        self._jobs.submit(lambda _t: settings_service.list_profiles(root), name="list profiles",
                          on_result=self._show_profiles, owner=self)  # fmt: skip

    def _show_profiles(self, entries: list[ProfileEntry]) -> None:
        self.profile_list.clear()
        for entry in entries:
            active = entry.directory == self.profile_dir
            mode = "sandbox" if entry.mode is Mode.SANDBOX else "Paubox"
            item = QListWidgetItem(f"{entry.name}  ({mode}){'  — active' if active else ''}")
            item.setData(Qt.ItemDataRole.UserRole, str(entry.directory))
            self.profile_list.addItem(item)
            if active:
                self.profile_list.setCurrentItem(item)
        self._profile_selected()

    def _selected_profile(self) -> Path | None:
        item = self.profile_list.currentItem()
        return Path(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _profile_selected(self) -> None:
        chosen = self._selected_profile()
        other = chosen is not None and chosen != self.profile_dir
        self.switch_button.setEnabled(other)
        self.remove_button.setEnabled(other)

    def _add_profile(self) -> None:
        name = self.new_profile_name.text().strip()
        if not name:
            _say(self.profile_feedback, "Type a name for the new profile first.", "error")
            return
        mode = Mode(self.new_profile_mode.currentData())
        root = self.profile_dir.parent

        def added(_profile: object) -> None:
            self.new_profile_name.clear()
            _say(self.profile_feedback, f"Added “{name}”. Select it and press Switch to use it.", "ok")
            self.reload_profiles()

        self._jobs.submit(lambda _t: settings_service.add_profile(root, name, mode), name="add profile",
                          on_result=added, on_error=lambda e: _say(self.profile_feedback, str(e), "error"),
                          owner=self)  # fmt: skip

    def _switch(self) -> None:
        chosen = self._selected_profile()
        if chosen is not None and chosen != self.profile_dir:
            self.switch_requested.emit(chosen)
            self.accept()

    def _remove(self) -> None:
        from desktop_app.ui.dialogs import ask

        chosen = self._selected_profile()
        if chosen is None or chosen == self.profile_dir:
            return
        item = self.profile_list.currentItem()
        label = item.text() if item is not None else chosen.name

        def remove() -> None:
            self._jobs.submit(lambda _t: settings_service.remove_profile(chosen), name="remove profile",
                              on_result=lambda _r: self.reload_profiles(), owner=self)  # fmt: skip

        self.remove_question = ask(
            self, "Remove this profile?",
            f"Remove {label}? Its outbox, history and stored API key are deleted from this computer. "
            "Messages already sent are not affected.", confirm="Remove profile", on_confirm=remove,
        )  # fmt: skip

    # ------------------------------------------------------------------ connection

    def _connection_tab(self) -> QWidget:
        s = self.settings
        page = QWidget(self)
        self.mode = QComboBox(page)
        self.mode.setAccessibleName("Mode")
        self.mode.addItem("Sandbox — built-in test server, nothing is delivered", Mode.SANDBOX.value)
        self.mode.addItem("Paubox — real delivery", Mode.PAUBOX.value)
        self.mode.setCurrentIndex(self.mode.findData(s.mode.value))
        self.preset = QComboBox(page)
        self.preset.setAccessibleName("Base URL preset")
        for preset in BasePreset:
            self.preset.addItem(preset.label, preset.value)
        self.preset.setCurrentIndex(max(0, self.preset.findData(s.base_preset)))
        self.base_url = QLineEdit(s.base_url, page)
        self.base_url.setAccessibleName("Custom base URL")
        self.base_url.setPlaceholderText("https://api.paubox.com/v1/email")
        self.username = QLineEdit(s.api_username, page)
        self.username.setAccessibleName("API username")
        self.username.setPlaceholderText("only for the legacy endpoint")
        self.auth_style = QComboBox(page)
        self.auth_style.setAccessibleName("Auth style")
        self.auth_style.addItem("Token token=KEY (works everywhere)", AuthStyle.TOKEN.value)
        self.auth_style.addItem("Bearer KEY (newest docs)", AuthStyle.BEARER.value)
        self.auth_style.setCurrentIndex(max(0, self.auth_style.findData(s.auth_style)))
        self.api_key = QLineEdit(page)
        self.api_key.setAccessibleName("API key")
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText("paste a new key; it goes straight to the system keyring")
        self.store_key_button = QPushButton("Store key", page)
        self.store_key_button.setAccessibleName("Store API key")
        self.store_key_button.clicked.connect(self._store_key)
        self.key_state = QLabel(page)
        self.key_state.setObjectName("feedback")
        self.key_state.setWordWrap(True)
        self.test_button = QPushButton("Test connection", page)
        self.test_button.setAccessibleName("Test connection")
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel(page)
        self.test_result.setObjectName("feedback")
        self.test_result.setAccessibleName("Connection test result")
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rate = QDoubleSpinBox(page)
        self.rate.setAccessibleName("Request rate limit")
        self.rate.setRange(0.5, 50.0)
        self.rate.setValue(s.requests_per_second)
        self.rate.setSuffix(" requests/s")
        self.poll_budget = _spin(10, 1200, s.poll_budget_per_minute, "Status polling budget", " polls/min")
        key_row = QHBoxLayout()
        key_row.addWidget(self.api_key, 1)
        key_row.addWidget(self.store_key_button)
        form = QFormLayout(page)
        form.addRow("&Mode", self.mode)
        form.addRow("&Endpoint", self.preset)
        form.addRow("Custom &URL", self.base_url)
        form.addRow("API &username", self.username)
        form.addRow("&Auth style", self.auth_style)
        form.addRow("API &key", key_row)
        buddy_form_row(form, key_row, self.api_key)
        form.addRow("", self.key_state)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        form.addRow("", test_row)
        form.addRow(self.test_result)
        form.addRow("&Rate limit", self.rate)
        form.addRow("&Polling budget", self.poll_budget)
        self.preset.currentIndexChanged.connect(self._preset_changed)
        self._preset_changed()
        return page

    def _preset_changed(self) -> None:
        preset = BasePreset(self.preset.currentData())
        self.base_url.setEnabled(preset is BasePreset.CUSTOM)
        self.username.setEnabled(preset is BasePreset.LEGACY)

    def _check_stored_key(self) -> None:
        profile_id = self.settings.profile_id

        def show(stored: bool) -> None:
            _say(self.key_state, "A key is stored in the system keyring (it is never shown)." if stored
                 else "No key stored for this profile yet.", "ok" if stored else "")  # fmt: skip

        self._jobs.submit(lambda _t: bool(keys.load_api_key(profile_id)), name="check key", on_result=show,
                          on_error=lambda e: _say(self.key_state, str(e), "error"), owner=self)  # fmt: skip

    def _store_key(self) -> None:
        key = self.api_key.text().strip()
        self.api_key.clear()
        if not key:
            _say(self.key_state, "Paste the key from the Paubox dashboard first.", "error")
            return
        store = self._store_key_with
        self._jobs.submit(lambda _t: store(key), name="store key",
                          on_result=lambda _r: _say(self.key_state, "Key stored in the system keyring. It will "
                                                    "not be shown again.", "ok"),
                          on_error=lambda e: _say(self.key_state, str(e), "error"), owner=self)  # fmt: skip

    def test_connection(self) -> None:
        """Probe every preset and auth style with the key; say what works and pick it in the form."""
        override = self._override
        profile_id = self.settings.profile_id
        typed = self.api_key.text().strip()
        username = self.username.text().strip()
        custom = self.base_url.text().strip() if BasePreset(self.preset.currentData()) is BasePreset.CUSTOM else ""
        _say(self.test_result, "Testing every endpoint and auth style…", "")
        self.test_button.setEnabled(False)

        def run(_token: CancelToken) -> ConnectionReport:
            if override is not None:
                return settings_service.check_connection(override.api_key, root=override.root)
            key = typed or keys.load_api_key(profile_id) or ""
            return settings_service.check_connection(key, username=username, custom_url=custom)

        def show(report: ConnectionReport) -> None:
            self.test_button.setEnabled(True)
            lines = "\n".join(f"• {line}" for line in report.details)
            _say(self.test_result, f"{report.summary}\n{lines}", "ok" if report.ok else "error")
            working = report.working
            if working is not None and override is None:
                self.preset.setCurrentIndex(self.preset.findData(working.preset.value))
                self.auth_style.setCurrentIndex(self.auth_style.findData(working.auth_style.value))

        def failed(error: BaseException) -> None:
            self.test_button.setEnabled(True)
            _say(self.test_result, str(error), "error")

        self._jobs.submit(run, name="test connection", on_result=show, on_error=failed, owner=self)

    # ------------------------------------------------------------------ sending, privacy, appearance

    def _sending_tab(self) -> QWidget:
        s = self.settings
        page = QWidget(self)
        self.sender_edit = QLineEdit(s.sender, page)
        self.sender_edit.setAccessibleName("Sender address")
        self.undo_seconds = _spin(0, 60, int(s.undo_seconds), "Undo-send window", " s")
        self.recipient_guard = _spin(2, 100, s.recipient_guard, "Recipient warning threshold", " recipients")
        self.attachment_limit = _spin(1, 50, int(s.attachment_limit_mb), "Attachment limit", " MB")
        form = QFormLayout(page)
        form.addRow("&Sender address", self.sender_edit)
        form.addRow("&Undo-send window", self.undo_seconds)
        form.addRow("Warn above", self.recipient_guard)
        form.addRow("&Attachment limit (encoded)", self.attachment_limit)
        return page

    def _privacy_tab(self) -> QWidget:
        s = self.settings
        page = QWidget(self)
        self.autolock = _spin(0, 240, s.autolock_minutes, "Auto-lock after", " min")
        self.autolock.setSpecialValueText("Never")
        self.retention = _spin(0, 3650, s.retention_days, "Keep history for", " days")
        self.retention.setSpecialValueText("Forever")
        self.passphrase = QLineEdit(page)
        self.passphrase.setAccessibleName("New passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_again = QLineEdit(page)
        self.passphrase_again.setAccessibleName("Repeat passphrase")
        self.passphrase_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_button = QPushButton("Set passphrase", page)
        self.passphrase_button.setAccessibleName("Set passphrase")
        self.passphrase_button.clicked.connect(self.set_passphrase)
        self.passphrase_feedback = QLabel(
            "A passphrase is set." if s.passphrase_hash else "No passphrase yet: Sealpost cannot lock itself.", page
        )
        self.passphrase_feedback.setObjectName("feedback")
        self.passphrase_feedback.setWordWrap(True)
        form = QFormLayout(page)
        form.addRow("Auto-&lock after", self.autolock)
        form.addRow("&Keep history for", self.retention)
        form.addRow("New &passphrase", self.passphrase)
        form.addRow("&Repeat", self.passphrase_again)
        form.addRow("", self.passphrase_button)
        form.addRow("", self.passphrase_feedback)
        return page

    def set_passphrase(self) -> None:
        first, second = self.passphrase.text(), self.passphrase_again.text()
        if first != second:
            _say(self.passphrase_feedback, "The two passphrases differ; type them again.", "error")
            return

        def done(digest: str) -> None:
            self.passphrase.clear()
            self.passphrase_again.clear()
            _say(self.passphrase_feedback, "Passphrase set. Ctrl+Shift+L locks Sealpost now.", "ok")
            self.passphrase_changed.emit(digest)

        self._jobs.submit(lambda _t: hash_passphrase(first), name="hash passphrase", on_result=done,
                          on_error=lambda e: _say(self.passphrase_feedback, str(e), "error"), owner=self)  # fmt: skip

    def _appearance_tab(self) -> QWidget:
        page = QWidget(self)
        self.theme = QComboBox(page)
        self.theme.setAccessibleName("Theme")
        for title, value in THEMES:
            self.theme.addItem(title, value)
        self.theme.setCurrentIndex(max(0, self.theme.findData(self.settings.theme)))
        form = QFormLayout(page)
        form.addRow("&Theme", self.theme)
        return page

    # ------------------------------------------------------------------ saving

    def changes(self) -> dict[str, Any]:
        """The fields whose value differs from the current settings."""
        values: dict[str, Any] = {
            "mode": Mode(self.mode.currentData()),
            "base_preset": str(self.preset.currentData()),
            "base_url": self.base_url.text().strip(),
            "api_username": self.username.text().strip(),
            "auth_style": str(self.auth_style.currentData()),
            "requests_per_second": float(self.rate.value()),
            "poll_budget_per_minute": self.poll_budget.value(),
            "sender": self.sender_edit.text().strip(),
            "undo_seconds": float(self.undo_seconds.value()),
            "recipient_guard": self.recipient_guard.value(),
            "attachment_limit_mb": float(self.attachment_limit.value()),
            "autolock_minutes": self.autolock.value(),
            "retention_days": self.retention.value(),
            "theme": str(self.theme.currentData()),
        }
        return {k: v for k, v in values.items() if getattr(self.settings, k) != v} | self.writing.changes()

    def _save(self) -> None:
        self.saved.emit(self.changes())
        self.accept()
