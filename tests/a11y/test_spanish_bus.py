"""With ``LANG=es_ES.UTF-8`` (and no language chosen in the profile) a screen reader hears the
window in Spanish: the menus and the navigation, read over AT-SPI, and no unnamed control."""

from __future__ import annotations

import pytest

from tests.a11y.session import accessible_window, missing_tools

SPANISH = {"LANG": "es_ES.UTF-8", "LC_ALL": "es_ES.UTF-8", "LANGUAGE": "es"}


def test_the_system_locale_makes_the_window_speak_spanish() -> None:
    missing = missing_tools()
    if missing:
        pytest.fail("the accessibility tests need: " + "; ".join(missing))
    with accessible_window(env=SPANISH) as driver:
        scenes = driver.call("list")["scenes"]
        compose = next(name for name in scenes if name.startswith("view "))
        window = driver.walk(driver.call(f"enter {compose}")["windows"])["windows"][0]
    assert window["menus"][:3] == ["Archivo", "Ver", "Ayuda"], window["menus"]
    for view in ("Redactar", "Bandeja de salida", "Estado"):
        assert any(item.startswith(view) for item in window["items"]), window["items"]
    assert not [p for p in window["problems"] if "unnamed" in p], window["problems"]
