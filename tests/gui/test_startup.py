"""Start-up stays light: the window paints before the engines load, and opens them once it has.

No timings here (they live in benchmarks/, scenario 3); these tests guard what makes start-up
fast: which modules the GUI entry loads before the first paint, and that a window starts its
runtime after painting (or anyway, if it is never exposed).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.sandbox.server import SandboxServer
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Runtime
from desktop_app.ui import navigation
from desktop_app.ui.chrome import SYSTEM_THEME_KEY, window_settings
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.resources import THEME_PALETTES
from tests.gui.conftest import sandbox_runtime

# What the first paint must not wait for: network, encrypted store and keyring, HTML and address rules.
HEAVY = (
    "httpx",
    "ssl",
    "certifi",
    "sqlcipher3",
    "keyring",
    "bleach",
    "html5lib",
    "email_validator",
    "aiohttp",
    # and what only some paths need: the message model and its address parser, macOS policies,
    # a new profile's id, a misspelt policy's suggestion, the Policies dialog
    "email.utils",
    "desktop_app.core.addresses",
    "desktop_app.core.message",
    "plistlib",
    "uuid",
    "difflib",
    "desktop_app.ui.policies_dialog",
    # the single-window socket listens once the window has painted; the sandbox runs in a child process
    "PySide6.QtNetwork",
    "hashlib",
    "desktop_app.sandbox.server",
    "subprocess",  # the sandbox's child is spawned (after the paint) with os.posix_spawn
    "socket",  # SIGTERM reaches the window through a pipe (a socket pair only on Windows)
)


def test_the_gui_entry_imports_no_engine_before_the_first_paint() -> None:
    """Everything ``sealpost`` imports up to ``window.show()``: the CLI, the app, the window, the
    single-window claim, translations, the termination handler, and what starts the sandbox's child."""
    code = (
        "import sys\n"
        "import desktop_app.cli, desktop_app.ui.app, desktop_app.ui.main_window, desktop_app.ui.single_window\n"
        "import desktop_app.ui.i18n, desktop_app.ui.termination, desktop_app.sandbox.embedded\n"
        f"print(' '.join(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []


def test_the_engines_load_without_the_sanitiser() -> None:
    """The runtime opens (the window becomes ready) before any message needs cleaning: bleach,
    html5lib and nh3 load at the first message, on a worker."""
    code = (
        "import sys, desktop_app.services.runtime\n"
        "print(' '.join(m for m in ('bleach', 'html5lib', 'nh3', 'desktop_app.core.sanitize') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []


def test_the_guard_sees_a_heavy_import() -> None:
    """Negative control: the same check does notice the runtime's imports."""
    code = f"import sys, desktop_app.services.runtime\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "sqlcipher3" in result.stdout
    assert "httpx" in result.stdout


def test_the_runtime_is_built_and_opened_on_a_worker(qtbot: QtBot, profile: Profile, sandbox: SandboxServer) -> None:
    make = sandbox_runtime(sandbox)
    built_on: list[threading.Thread] = []

    def recording(p: Profile) -> Runtime:
        built_on.append(threading.current_thread())
        return make(p)

    window = MainWindow(profile, recording)
    qtbot.addWidget(window)
    assert window.runtime is None
    window.show()
    with qtbot.waitSignal(window.ready, timeout=10_000):
        window.start()
    assert built_on
    assert built_on[0] is not threading.main_thread()
    assert window.runtime is not None
    assert window.runtime.store is not None
    assert window.composer.send_button.isEnabled()
    window.close()


@pytest.mark.parametrize("shown", [False, True])
def test_a_window_starts_even_if_never_painted(
    qtbot: QtBot, profile: Profile, sandbox: SandboxServer, shown: bool
) -> None:
    """Minimised or off-screen windows get no paint event; sending must not wait for one."""
    window = MainWindow(profile, sandbox_runtime(sandbox))
    qtbot.addWidget(window)
    if shown:
        window.show()
    with qtbot.waitSignal(window.ready, timeout=10_000):
        window.start()
    assert window.outbox_view.model.rowCount() == 0
    window.close()


def test_the_views_are_built_right_after_the_first_exposure(qtbot: QtBot, profile: Profile) -> None:
    """The window notices its own first paint (its native window's exposure) and builds its views
    then (start() is not called, so no fallback timer could do it instead)."""
    window = MainWindow(profile, lambda p: Runtime(p))
    qtbot.addWidget(window)
    assert not window._views_built
    with qtbot.waitSignal(window.first_painted, timeout=10_000):
        window.show()
    assert window._views_built
    window.close()


def test_closing_while_starting_closes_the_runtime(qtbot: QtBot, profile: Profile, sandbox: SandboxServer) -> None:
    opened: list[Runtime] = []
    make = sandbox_runtime(sandbox)

    def keep(p: Profile) -> Runtime:
        opened.append(make(p))
        return opened[-1]

    window = MainWindow(profile, keep)
    qtbot.addWidget(window)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    window.close()  # the open may still be running: close waits for it, then closes what it opened
    assert not [t for t in threading.enumerate() if t.name == "outbox-engine" and t.is_alive()]


# The steps ``run_gui`` takes up to ``window.show()``; the window paints in the event loop after it.
UP_TO_SHOW = """
import sys
from pathlib import Path
import PySide6.QtCore
from desktop_app.services.profile import Profile
from desktop_app.ui.app import create_application, main_window
from desktop_app.ui.i18n import install_translations
from desktop_app.ui.single_window import WindowClaim
profile = Profile(Path(sys.argv[1]))
app = create_application()
install_translations(app, profile.settings.language)
claim = WindowClaim(profile.directory)
assert claim.try_claim(listen=False)
window = main_window(profile, lambda p: None)
window.show()
print("built" if "Qt" in PySide6.QtCore.__dict__ else "unbuilt")
claim.release()
from desktop_app.ui.resources import resolve_theme
resolve_theme("system")  # asking the desktop (what the window does just after its first paint)
print("built" if "Qt" in PySide6.QtCore.__dict__ else "unbuilt")
"""


def test_the_first_paint_does_not_build_qts_namespace_of_enums(tmp_path: Path) -> None:
    """PySide builds all of ``Qt``'s enums the first time anything names one, or passes an argument
    that could be one (~30 ms, a fifth of a bare window's start). Nothing up to the first paint does,
    on a profile's first start (the platform's palette says light or dark) as on any later one."""
    profile = tmp_path / "profile"
    for start in ("first", "again"):
        shown = subprocess.run([sys.executable, "-c", UP_TO_SHOW, str(profile)], capture_output=True, text=True,
                               timeout=60)  # fmt: skip
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout.split() == ["unbuilt", "built"], start  # the second: asking the desktop builds it
        stored = window_settings(profile)
        stored.setValue(SYSTEM_THEME_KEY, "light")  # what the first start's window remembers once it has painted
        stored.sync()


# A platform whose own palette is dark (a dark desktop), and a profile's first start: no theme seen yet.
DARK_PLATFORM_FIRST_START = """
import sys
from pathlib import Path
import PySide6.QtCore
from PySide6.QtGui import QColor, QPalette
from desktop_app.ui.app import create_application
from desktop_app.ui.chrome import apply_profile_theme
from desktop_app.ui.resources import THEME_PALETTES
app = create_application()
platform = app.palette()
platform.setColor(QPalette.ColorGroup.Active, QPalette.ColorRole.Window, QColor("#202124"))
app.setPalette(platform)
apply_profile_theme(Path(sys.argv[1]), "system", first_paint=True)
window = app.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Window).name()
dark = QColor(THEME_PALETTES["dark"][QPalette.ColorGroup.Active][QPalette.ColorRole.Window]).name()
print("dark" if window == dark else "light", "built" if "Qt" in PySide6.QtCore.__dict__ else "unbuilt")
"""


def test_a_profiles_first_start_paints_dark_on_a_dark_desktop_without_asking_it(tmp_path: Path) -> None:
    shown = subprocess.run([sys.executable, "-c", DARK_PLATFORM_FIRST_START, str(tmp_path / "profile")],
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split() == ["dark", "unbuilt"]


def test_the_navigation_keeps_its_roles_and_scroll_bar_without_naming_qts_enums(qtbot: QtBot, profile: Profile) -> None:
    assert Qt.ItemDataRole.UserRole.value == navigation.NAME_ROLE
    window = MainWindow(profile, lambda p: Runtime(p))
    qtbot.addWidget(window)
    assert window.navigation.horizontalScrollBarPolicy() is Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    assert window.views.names[:3] == ["compose", "drafts", "outbox"]
    assert window.views.view("compose").action.shortcut().toString() == "Ctrl+1"
    window.close()


def _window_colour() -> str:
    return QApplication.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Window).name()


def test_the_first_paint_uses_the_desktops_last_seen_theme_and_follows_a_change(qtbot: QtBot, profile: Profile) -> None:
    """A profile on the "system" theme paints as the desktop was last seen; just after the paint the
    desktop is asked, and a change since then restyles the window and is remembered."""
    assert profile.settings.theme == "system"
    stored = window_settings(profile.directory)
    stored.setValue(SYSTEM_THEME_KEY, "dark")  # the desktop was dark last time; offscreen it says nothing: light
    stored.sync()
    window = MainWindow(profile, lambda p: Runtime(p))
    qtbot.addWidget(window)
    assert (
        _window_colour() == QColor(THEME_PALETTES["dark"][QPalette.ColorGroup.Active][QPalette.ColorRole.Window]).name()
    )
    with qtbot.waitSignal(window.first_painted, timeout=10_000):
        window.show()
    assert window._views_built
    assert (
        _window_colour()
        == QColor(THEME_PALETTES["light"][QPalette.ColorGroup.Active][QPalette.ColorRole.Window]).name()
    )
    assert window_settings(profile.directory).value(SYSTEM_THEME_KEY) == "light"
    window.close()


def test_email_validator_loads_on_a_thread_of_its_own_once_the_window_is_ready(
    qtbot: QtBot, profile: Profile, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Ready" does not wait for email-validator, and an unusual address's first check finds it
    loaded. Nothing else is preloaded then: rapidfuzz and phonenumbers hold Python's lock in C while
    they load, which stalled a busy window; the first Send that needs them loads them."""
    import importlib

    from desktop_app.ui import app as gui

    loads: list[tuple[str, threading.Thread]] = []
    real = importlib.import_module

    def recording(name: str, package: str | None = None) -> object:
        loads.append((name, threading.current_thread()))
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", recording)
    monkeypatch.setattr(sys, "setswitchinterval", lambda _interval: None)  # the test run keeps its own
    monkeypatch.setattr(gui.gc, "freeze", lambda: None)
    window = gui.main_window(profile, sandbox_runtime(sandbox))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.ready, timeout=10_000):
        window.start()
    qtbot.waitUntil(lambda: "email_validator" in {name for name, _ in loads}, timeout=5_000)
    assert all(thread.name == "preload" for name, thread in loads if name == "email_validator")
    assert [name for name, thread in loads if thread.name == "preload"] == ["email_validator"]
    window.close()


def test_the_windows_runtime_factory_lets_keyring_choose_its_backend_first(
    profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its D-Bus round trips then overlap the GUI thread's building of the views."""
    from desktop_app.store import keys
    from desktop_app.ui.app import deferred_runtime

    asked: list[str] = []
    monkeypatch.setattr(keys, "choose_backend", lambda: asked.append("keyring"))
    runtime = deferred_runtime()(profile)
    assert asked == ["keyring"]
    runtime.close()
