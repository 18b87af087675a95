"""Settings, the audit trail and help: the dialogs opened from the menus. Saving goes through
``services/user_actions.py`` (the settings file and the audit trail); a change to how Sealpost
connects reopens the profile's runtime."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from PySide6 import QtCore
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog

from desktop_app.services import user_actions
from desktop_app.services.history import is_open
from desktop_app.services.profile import Profile
from desktop_app.ui.features.base import Feature

if TYPE_CHECKING:
    from desktop_app.ui.dialogs import HelpDialog
    from desktop_app.ui.settings_dialog import SettingsDialog

PRIVACY_TAB = 3


class SettingsFeature(Feature):
    def open_settings(self, tab: int = 0) -> SettingsDialog:
        from desktop_app.ui.settings_dialog import ConnectionTarget, SettingsDialog  # API and keyring modules

        window = self.window
        runtime, profile = window.runtime, window.profile
        client = runtime.client if runtime is not None else None
        override = None
        if runtime is not None and client is not None and (runtime.is_sandbox or runtime.overrides.api_base_url):
            parts = urlsplit(client.config.base_url)
            override = ConnectionTarget(f"{parts.scheme}://{parts.netloc}", client.config.api_key.reveal())
        dialog = SettingsDialog(profile.settings, profile.directory, self.jobs,
                                lambda key: user_actions.keep_api_key(profile, runtime, key), override,
                                window, origins=profile.origins)  # fmt: skip
        dialog.tabs.setCurrentIndex(tab)
        dialog.saved.connect(self.save_settings)
        dialog.switch_requested.connect(window.session.switch_profile)
        dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        window.settings_dialog = dialog
        return dialog

    def save_settings(self, changes: dict[str, Any]) -> None:
        from desktop_app.services.settings_schema import needs_reconnect

        if not changes:
            return
        window = self.window
        profile, runtime = window.profile, window.runtime

        def saved(_r: object) -> None:
            window.apply_profile()
            current = window.runtime
            if "retention_days" in changes and current is not None:
                self.jobs.submit(lambda _t: current.purge_expired(), name="apply retention")
            if needs_reconnect(changes):
                window.session.reopen(lambda: Profile(profile.directory))
            else:
                self.say(QCoreApplication.translate("settings", "Settings saved."))

        self.jobs.submit(lambda _t: user_actions.save_settings(profile, runtime, changes), name="save settings",
                         on_result=saved, on_error=lambda e: self.say(self.tr("Settings not saved: {0}").format(e), 8000))  # fmt: skip  # noqa: E501

    def show_audit_trail(self) -> QDialog | None:
        runtime = self.runtime
        if runtime is None or not is_open(runtime):
            self.say(self.tr("Sealpost is still starting."))
            return None
        from desktop_app.ui.audit_dialog import AuditDialog

        dialog = AuditDialog(runtime, self.jobs, self.window)
        dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_help(self) -> HelpDialog:
        from desktop_app.ui.dialogs import HelpDialog

        dialog = HelpDialog(self.window)
        dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
