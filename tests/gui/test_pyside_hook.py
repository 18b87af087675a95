"""PySide's import hook asks the same question of every module, answered faster (desktop_app/ui/__init__.py)."""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

import desktop_app.ui  # noqa: F401  # installs the faster check
from desktop_app.ui import _ORIGINAL_CHECK


def test_the_faster_check_gives_pysides_answer_for_every_module_loaded() -> None:
    feature = sys.modules["shibokensupport.feature"]
    original = getattr(feature, _ORIGINAL_CHECK)
    assert feature._mod_uses_pyside is not original
    importlib.import_module("desktop_app.ui.main_window")
    importlib.import_module("desktop_app.services.runtime")
    modules = [m for m in list(sys.modules.values()) if isinstance(m, types.ModuleType)]
    assert len(modules) > 300
    answers = {m.__name__: feature._mod_uses_pyside(m) for m in modules}
    assert answers == {m.__name__: original(m) for m in modules}
    assert answers["desktop_app.ui.main_window"] is True
    assert answers["desktop_app.services.runtime"] is False
    assert answers["sys"] is False


def test_a_module_whose_file_is_gone_goes_to_pysides_own_check(tmp_path: Path) -> None:
    feature = sys.modules["shibokensupport.feature"]
    ghost = types.ModuleType("ghost")
    ghost.__file__ = str(tmp_path / "ghost.py")  # as in a frozen bundle: no source beside it
    assert feature._mod_uses_pyside(ghost) is getattr(feature, _ORIGINAL_CHECK)(ghost) is False
