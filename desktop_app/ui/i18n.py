"""The window's language: the profile's ``language`` setting, else the system's locale (``LANG``).

Sealpost's catalogue (``resources/i18n/sealpost_<lang>.qm``, compiled from the ``.ts`` by
``scripts/build-translations.sh``) and Qt's own (``qtbase_<lang>.qm``: the standard buttons and
dialogs, copied next to it by the same script) are installed before any widget exists; dates and
numbers follow the same locale. English is the source language and needs no catalogue.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale, QTranslator

from desktop_app.core import times
from desktop_app.services.shipped import resources_dir

CATALOGUES = ("sealpost", "qtbase")
_installed: list[QTranslator] = []


def chosen_locale(setting: str) -> QLocale:
    """``system`` (or empty) follows the desktop's locale; anything else is a language code."""
    return QLocale.system() if setting in ("", "system") else QLocale(setting)


def install_translations(app: QCoreApplication, setting: str = "system") -> QLocale:
    """Install the catalogues for ``setting`` (replacing any installed before); returns the locale used."""
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    locale = chosen_locale(setting)
    QLocale.setDefault(locale)
    if locale.language() in (QLocale.Language.English, QLocale.Language.C):
        times.set_date_pattern(times.ISO_DATE)  # the source language keeps the unambiguous ISO date
        return locale
    times.set_date_pattern(strftime_date(locale.dateFormat(QLocale.FormatType.ShortFormat)))
    folder = str(resources_dir() / "i18n")
    for name in CATALOGUES:
        translator = QTranslator(app)
        if translator.load(locale, name, "_", folder):
            app.installTranslator(translator)
            _installed.append(translator)
    return locale


def strftime_date(qt_format: str) -> str:
    """A Qt date format (``dd/MM/yy``) as a strftime one with a four-digit year (``%d/%m/%Y``)."""
    tokens = {"yyyy": "%Y", "yy": "%Y", "MMMM": "%B", "MMM": "%b", "MM": "%m", "M": "%m", "dd": "%d", "d": "%d"}
    pattern = re.sub(r"yyyy|yy|MMMM|MMM|MM|M|dd|d", lambda m: tokens[m.group(0)], qt_format)
    return pattern if "%" in pattern else "%Y-%m-%d"


def number(value: float, decimals: int = 0) -> str:
    """A number as the locale writes it (``1.234,5`` in Spanish, ``1,234.5`` in English)."""
    return QLocale().toString(float(value), "f", decimals) if decimals else QLocale().toString(int(value))


# The engines' words for a message's state and Paubox's delivery statuses (core/outbox_state.py,
# core/delivery_status.py), shown in lists and the message view; tests/gui/test_spanish.py fails
# when a state or status is missing here.
STATE_WORDS = (
    QT_TRANSLATE_NOOP("states", "Draft"), QT_TRANSLATE_NOOP("states", "Queued"),
    QT_TRANSLATE_NOOP("states", "Scheduled"), QT_TRANSLATE_NOOP("states", "Sending"),
    QT_TRANSLATE_NOOP("states", "Sent"), QT_TRANSLATE_NOOP("states", "Outcome unknown"),
    QT_TRANSLATE_NOOP("states", "Failed"), QT_TRANSLATE_NOOP("states", "Cancelled"),
    QT_TRANSLATE_NOOP("states", "Waiting to retry"), QT_TRANSLATE_NOOP("states", "processing"),
    QT_TRANSLATE_NOOP("states", "delivered"), QT_TRANSLATE_NOOP("states", "delivered via secure portal"),
    QT_TRANSLATE_NOOP("states", "TLS not offered, sending via Secure Portal"),
    QT_TRANSLATE_NOOP("states", "soft bounced"), QT_TRANSLATE_NOOP("states", "soft bounced - mailbox full"),
    QT_TRANSLATE_NOOP("states", "hard bounced"),
    QT_TRANSLATE_NOOP("states", "Internal error. Please check back later."),
    QT_TRANSLATE_NOOP("states", "sent (marked by you)"),
)  # fmt: skip


def words(text: str) -> str:
    """A state or a Paubox delivery status in the user's language (unknown ones as they came)."""
    return QCoreApplication.translate("states", text)
