"""The Qt binding must not drop references to None.

PySide6 6.12.0 on Python 3.11 does, on every call of a method that returns nothing, and the
process aborts ("deallocating None") once None's count reaches zero — within minutes of real
use. pyproject.toml pins PySide6-Essentials below 6.12; this test fails if a bad build returns.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


def test_void_methods_keep_none_alive(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(100):
        label.setText("x")
    assert sys.getrefcount(None) - before > -50
