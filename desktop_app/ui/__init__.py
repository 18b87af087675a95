"""ui layer: the only one that imports PySide6.

Importing it first makes PySide's import hook cheaper (:func:`_faster_feature_check`).
"""

from __future__ import annotations

import sys
from types import ModuleType

import PySide6  # noqa: F401  # installs PySide's import hook, which the check below speeds up

_ORIGINAL_CHECK = "_sealpost_original_mod_uses_pyside"


def _faster_feature_check() -> None:
    """PySide's ``__feature__`` support asks of every module imported after PySide6 whether its source
    mentions "PySide6", through ``inspect.getsource`` (linecache and the tokenizer): about 0.17 ms a
    module, 312 modules on the way to a ready window, ~50 ms of Python holding the interpreter lock
    (9 ms of it before the first paint). Reading the file's bytes gives the same answer in a fifth of
    the time; a module without a readable ``.py`` file still goes to PySide's own check. Sealpost
    selects no feature. If PySide's internals are not where this expects, nothing is changed."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or original is None or hasattr(feature, _ORIGINAL_CHECK):
        return

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return b"PySide6" in source.read()
            except OSError:
                pass
        return bool(original(module))

    setattr(feature, _ORIGINAL_CHECK, original)
    setattr(feature, "_mod_uses_pyside", uses_pyside)  # noqa: B010  # a private name of PySide's


_faster_feature_check()
