"""The composer's delivery switches as the settings and policies say.

"Allow delivery without TLS" is enabled only where a policy allows it (AllowNonTLS); a switch a
managed policy locks (ForceSecureNotification, OpenTracking, LinkTracking) is disabled with
"Managed by your organisation"; the effective values are each new message's defaults. Runtime.prepare
applies the same rules to what is sent (services/policy_rules.py), so this is what the user sees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from desktop_app.services.policy_rules import TRACKING
from desktop_app.ui.settings_form import MANAGED, tr_setting

if TYPE_CHECKING:
    from desktop_app.services.profile import Profile
    from desktop_app.ui.composer import ComposerView

NO_NON_TLS = str(QT_TRANSLATE_NOOP("ComposerView", "Your organisation's policy does not allow delivery without TLS."))
LOCK_REQUIRED_NOTICE = str(
    QT_TRANSLATE_NOOP("MainWindow", "Your organisation requires an app passphrase (PassphraseRequired): set one now.")
)


def apply_message_policies(composer: ComposerView, profile: Profile) -> None:
    settings = profile.settings
    allowed = settings.allow_non_tls
    composer.allow_non_tls.setEnabled(allowed)
    composer.allow_non_tls.setToolTip(QCoreApplication.translate("ComposerView", "Allowed by your organisation's policy (AllowNonTLS).") if allowed  # noqa: E501
                                      else QCoreApplication.translate("ComposerView", NO_NON_TLS))  # fmt: skip
    if not allowed:
        composer.allow_non_tls.setChecked(False)
    composer.new_message_defaults = {
        "force_secure_notification": settings.force_secure_notification,
        "open_tracking": TRACKING[settings.open_tracking],
        "link_tracking": TRACKING[settings.link_tracking],
    }
    untouched = composer.draft_id is None and composer.is_empty()
    switches = (("force_secure_notification", composer.secure_notification),
                ("open_tracking", composer.open_tracking), ("link_tracking", composer.link_tracking))  # fmt: skip
    for name, widget in switches:
        locked = profile.locked(name)
        widget.setEnabled(not locked)
        widget.setToolTip(tr_setting(MANAGED) if locked else widget.accessibleDescription())
    _say_passphrase_required(composer, settings.passphrase_required)
    if untouched:
        composer.secure_notification.setChecked(settings.force_secure_notification)
        composer.open_tracking.set_value(TRACKING[settings.open_tracking])
        composer.link_tracking.set_value(TRACKING[settings.link_tracking])


def _say_passphrase_required(composer: ComposerView, required: bool) -> None:
    """The window's "set a passphrase" bar (shown while none is set) says when it is required."""
    from PySide6.QtWidgets import QLabel

    notice = getattr(composer.window(), "passphrase_notice", None)
    label = notice.findChild(QLabel) if notice is not None else None
    if isinstance(label, QLabel):
        if label.property("ownText") is None:
            label.setProperty("ownText", label.text())
        label.setText(
            QCoreApplication.translate("MainWindow", LOCK_REQUIRED_NOTICE)
            if required
            else str(label.property("ownText"))
        )
