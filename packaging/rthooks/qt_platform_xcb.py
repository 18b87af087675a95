"""PyInstaller runtime hook for the Linux bundle: run Qt on xcb unless told otherwise.

The bundle carries Qt's xcb platform plugin but not the Wayland one. Without this, Qt on a Wayland
session first looks for "wayland", prints "Could not find the Qt platform plugin" on stderr, and then
falls back to xcb (XWayland) anyway. An explicit QT_QPA_PLATFORM (offscreen for --self-test) still wins.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
