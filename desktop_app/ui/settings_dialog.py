"""Settings: profiles, the Paubox connection (key straight into the keyring), sending limits,
privacy (auto-lock, retention, passphrase) and the theme.

Every setting's row is generated from the schema (services/settings_schema.py, ui/settings_form.py);
this dialog adds only what is not a setting (profiles, the key, "Test connection", the passphrase).
Nothing is kept before Save: Cancel leaves every setting, the passphrase included, as it was.
Nothing here blocks: reading the profile list, storing the key and testing the connection all
run as jobs. The key field is cleared the moment the key is stored and is never filled again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.api.config import BasePreset
from desktop_app.api.connection import ConnectionReport
from desktop_app.services import settings_schema, settings_service
from desktop_app.services.autolock import hash_passphrase
from desktop_app.services.policies import Origin
from desktop_app.services.profile import Mode, Settings
from desktop_app.services.settings_service import ProfileEntry
from desktop_app.store import keys
from desktop_app.ui.a11y import buddy_form_row, make_accessible
from desktop_app.ui.composer import repolish
from desktop_app.ui.jobs import CancelToken, JobRunner
from desktop_app.ui.settings_form import MANAGED, Editor, tr_setting
from desktop_app.ui.writing_settings import WritingTab

# No mnemonics on the tabs: the fields' labels need the letters (Ctrl+Tab and Ctrl+PgDown switch tabs).
TAB_TITLES = {"Connection": "Connection", "Sending": "Sending", "Privacy": "Privacy", "Appearance": "Appearance"}


@dataclass(frozen=True)
class ConnectionTarget:
    """Where "Test connection" should knock when the window runs against an override or the sandbox:
    the server root (scheme://host:port, standing in for Paubox's hosts) and its key."""

    root: str
    api_key: str


def _say(label: QLabel, text: str, tone: str) -> None:
    label.setText(text)
    label.setProperty("tone", tone)
    repolish(label)


class SettingsDialog(QDialog):
    saved = Signal(dict)  # the changed Settings fields
    switch_requested = Signal(Path)  # another profile's folder

    def __init__(self, settings: Settings, profile_dir: Path, jobs: JobRunner, store_key: Callable[[str], None],
                 override: ConnectionTarget | None = None, parent: QWidget | None = None,
                 origins: dict[str, Origin] | None = None) -> None:  # fmt: skip
        """``store_key`` puts a pasted key into the keyring (and into use); it runs on a worker.
        ``origins`` (Profile.origins) say which settings a policy locks or bounds."""
        super().__init__(parent)
        self._origins = origins or {}
        self.editors: dict[str, Editor] = {}
        self._pending_passphrase = ""
        self._store_key_with = store_key
        self.setWindowTitle(self.tr("Settings"))
        self.setAccessibleName(self.tr("Settings"))
        self.settings = settings
        self.profile_dir = profile_dir
        self._jobs = jobs
        self._override = override
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("Settings sections"))
        self.tabs.addTab(self._profiles_tab(), self.tr("Profiles"))
        extras = {"Connection": self._connection_extras, "Privacy": self._privacy_extras}
        for tab in settings_schema.TABS:
            self.tabs.addTab(self._generated_tab(tab, extras.get(tab)), tr_setting(TAB_TITLES[tab]))
        self._preset_changed()
        if settings.allowed_senders:  # AllowedSenders: any other sender is refused when sending
            note = self.editors["sender"].note
            note.setText(self.tr("Allowed by your organisation: {0}").format(", ".join(settings.allowed_senders)))
            note.show()
        self.writing = WritingTab(settings, self)  # its own rich-text editors (ui/writing_settings.py)
        self.tabs.addTab(self.writing, self.tr("Writing"))
        for name, widget in (("signature", self.writing.signature), ("message_footer", self.writing.footer),
                             ("spell_language", self.writing.spell_language)):  # fmt: skip
            if name in self._origins and self._origins[name].locked:
                widget.setEnabled(False)
                widget.setToolTip(tr_setting(MANAGED))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName(self.tr("Save settings"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        make_accessible(self)
        self.resize(660, 600)
        self.reload_profiles()
        if override is None:
            self._check_stored_key()
        else:
            _say(
                self.key_state, self.tr("This window talks to a test endpoint with its own key; nothing to store."), ""
            )

    # ------------------------------------------------------------------ profiles

    def _profiles_tab(self) -> QWidget:
        page = QWidget(self)
        self.profile_list = QListWidget(page)
        self.profile_list.setAccessibleName(self.tr("Profiles"))
        self.new_profile_name = QLineEdit(page)
        self.new_profile_name.setAccessibleName(self.tr("New profile name"))
        self.new_profile_name.setPlaceholderText(self.tr("Name, e.g. Clinic production"))
        self.new_profile_mode = QComboBox(page)
        self.new_profile_mode.setAccessibleName(self.tr("New profile mode"))
        self.new_profile_mode.addItem(self.tr("Sandbox (test server, nothing delivered)"), Mode.SANDBOX.value)
        self.new_profile_mode.addItem(self.tr("Paubox (real delivery)"), Mode.PAUBOX.value)
        self.add_profile_button = QPushButton(self.tr("Add profile"), page)
        self.add_profile_button.setAccessibleName(self.tr("Add profile"))
        self.add_profile_button.clicked.connect(self._add_profile)
        self.switch_button = QPushButton(self.tr("Switch to this profile"), page)
        self.switch_button.setAccessibleName(self.tr("Switch to this profile"))
        self.switch_button.clicked.connect(self._switch)
        self.remove_button = QPushButton(self.tr("Remove…"), page)
        self.remove_button.setAccessibleName(self.tr("Remove profile"))
        self.remove_button.clicked.connect(self._remove)
        self.profile_feedback = QLabel(page)
        self.profile_feedback.setObjectName("feedback")
        self.profile_feedback.setWordWrap(True)
        self.profile_list.currentItemChanged.connect(self._profile_selected)
        add_row = QHBoxLayout()
        new_label = QLabel(self.tr("&New profile"), page)
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
        intro = QLabel(self.tr("Each profile has its own settings, API key, outbox and history."), page)
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
            _say(self.profile_feedback, self.tr("Type a name for the new profile first."), "error")
            return
        mode = Mode(self.new_profile_mode.currentData())
        root = self.profile_dir.parent

        def added(_profile: object) -> None:
            self.new_profile_name.clear()
            _say(
                self.profile_feedback,
                QCoreApplication.translate(
                    "settings_dialog", "Added “{0}”. Select it and press Switch to use it."
                ).format(name),
                "ok",
            )
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
            "Messages already sent are not affected.", confirm=self.tr("Remove profile"), on_confirm=remove,
        )  # fmt: skip

    # ------------------------------------------------------------------ generated tabs

    def _generated_tab(self, tab: str, extras: Callable[[QWidget, QFormLayout, set[str]], None] | None) -> QWidget:
        """One tab's rows from the schema, then what the tab adds that is not a setting."""
        page = QWidget(self)
        form = QFormLayout(page)
        used: set[str] = set()
        for f, spec in settings_schema.specs():
            if spec.tab == tab:
                editor = Editor(f, spec, getattr(self.settings, f.name), self._origins.get(f.name), page)
                self.editors[f.name] = editor
                editor.add_to(form, used)
        if extras is not None:
            extras(page, form, used)
        return page

    def combo(self, name: str) -> QComboBox:
        widget = self.editors[name].widget
        assert isinstance(widget, QComboBox)
        return widget

    def line(self, name: str) -> QLineEdit:
        widget = self.editors[name].widget
        assert isinstance(widget, QLineEdit)
        return widget

    @property
    def preset(self) -> QComboBox:
        return self.combo("base_preset")

    @property
    def auth_style(self) -> QComboBox:
        return self.combo("auth_style")

    @property
    def theme(self) -> QComboBox:
        return self.combo("theme")

    def _connection_extras(self, page: QWidget, form: QFormLayout, _used: set[str]) -> None:
        self.api_key = QLineEdit(page)
        self.api_key.setAccessibleName(self.tr("API key"))
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText(self.tr("paste a new key; it goes straight to the system keyring"))
        self.store_key_button = QPushButton(self.tr("Store key"), page)
        self.store_key_button.setAccessibleName(self.tr("Store key in the system keyring"))
        self.store_key_button.clicked.connect(self._store_key)
        self.key_state = QLabel(page)
        self.key_state.setObjectName("feedback")
        self.key_state.setWordWrap(True)
        self.test_button = QPushButton(self.tr("Test connection"), page)
        self.test_button.setAccessibleName(self.tr("Test connection"))
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel(page)
        self.test_result.setObjectName("feedback")
        self.test_result.setAccessibleName(self.tr("Connection test result"))
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        key_row = QHBoxLayout()
        key_row.addWidget(self.api_key, 1)
        key_row.addWidget(self.store_key_button)
        form.addRow(self.tr("API &key"), key_row)
        buddy_form_row(form, key_row, self.api_key)
        form.addRow("", self.key_state)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        form.addRow("", test_row)
        form.addRow(self.test_result)
        self.line("base_url").setPlaceholderText(self.tr("https://api.paubox.com/v1/email"))
        self.line("api_username").setPlaceholderText(self.tr("only for the legacy endpoint"))
        self.preset.currentIndexChanged.connect(self._preset_changed)

    def _preset_changed(self) -> None:
        preset = BasePreset(self.preset.currentData())
        for name, wanted in (("base_url", BasePreset.CUSTOM), ("api_username", BasePreset.LEGACY)):
            self.line(name).setEnabled(preset is wanted and not self.editors[name].locked)

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
            _say(self.key_state, self.tr("Paste the key from the Paubox dashboard first."), "error")
            return
        store = self._store_key_with
        self._jobs.submit(lambda _t: store(key), name="store key",
                          on_result=lambda _r: _say(self.key_state, self.tr("Key stored in the system keyring. It will "
                                                    "not be shown again."), "ok"),
                          on_error=lambda e: _say(self.key_state, str(e), "error"), owner=self)  # fmt: skip

    def test_connection(self) -> None:
        """Probe every preset and auth style with the key; say what works and pick it in the form."""
        override = self._override
        profile_id = self.settings.profile_id
        typed = self.api_key.text().strip()
        username = self.line("api_username").text().strip()
        custom = (
            self.line("base_url").text().strip() if BasePreset(self.preset.currentData()) is BasePreset.CUSTOM else ""
        )
        _say(self.test_result, self.tr("Testing every endpoint and auth style…"), "")
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

    # ------------------------------------------------------------------ privacy: the passphrase

    def _privacy_extras(self, page: QWidget, form: QFormLayout, _used: set[str]) -> None:
        self.passphrase = QLineEdit(page)
        self.passphrase.setAccessibleName(self.tr("New passphrase"))
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_again = QLineEdit(page)
        self.passphrase_again.setAccessibleName(self.tr("Repeat passphrase"))
        self.passphrase_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_button = QPushButton(self.tr("Set passphrase"), page)
        self.passphrase_button.setAccessibleName(self.tr("Set passphrase"))
        self.passphrase_button.clicked.connect(self.set_passphrase)
        self.passphrase_feedback = QLabel(
            self.tr("A passphrase is set.") if self.settings.passphrase_hash
            else self.tr("No passphrase yet: Sealpost cannot lock itself."), page,
        )  # fmt: skip
        self.passphrase_feedback.setObjectName("feedback")
        self.passphrase_feedback.setWordWrap(True)
        form.addRow(self.tr("New &passphrase"), self.passphrase)
        form.addRow(self.tr("Repea&t"), self.passphrase_again)
        form.addRow("", self.passphrase_button)
        form.addRow("", self.passphrase_feedback)

    def set_passphrase(self) -> None:
        first, second = self.passphrase.text(), self.passphrase_again.text()
        if first != second:
            _say(self.passphrase_feedback, self.tr("The two passphrases differ; type them again."), "error")
            return

        def done(digest: str) -> None:
            self.passphrase.clear()
            self.passphrase_again.clear()
            self._pending_passphrase = digest  # kept only if the user presses Save
            _say(
                self.passphrase_feedback,
                QCoreApplication.translate("settings_dialog", "New passphrase ready: press Save to keep it."),
                "ok",
            )

        self._jobs.submit(lambda _t: hash_passphrase(first), name="hash passphrase", on_result=done,
                          on_error=lambda e: _say(self.passphrase_feedback, str(e), "error"), owner=self)  # fmt: skip

    # ------------------------------------------------------------------ saving

    def changes(self) -> dict[str, Any]:
        """The settings whose chosen value differs from the current one (locked ones never do)."""
        generated = {name: editor.value() for name, editor in self.editors.items()
                     if not editor.locked and editor.value() != getattr(self.settings, name)}  # fmt: skip
        written = {
            k: v for k, v in self.writing.changes().items() if not (k in self._origins and self._origins[k].locked)
        }
        return generated | written

    def _save(self) -> None:
        changes = self.changes()
        if self._pending_passphrase:
            changes["passphrase_hash"] = self._pending_passphrase
        self.saved.emit(changes)
        self.accept()
