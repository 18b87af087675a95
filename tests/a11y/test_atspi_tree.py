"""Every window and dialog, read through AT-SPI the way Orca reads it (tests/a11y/walker.py).

Under Xvfb with the accessibility bus: every focusable control has a name and a fitting role, every
editable text field a label relation, every table its column headers, and no two controls of one
window share a name. The scenes come from the running window (tests/a11y/scenes.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.a11y.session import Driver, accessible_window, missing_tools


@pytest.fixture(scope="module")
def driver() -> Iterator[Driver]:
    missing = missing_tools()
    if missing:
        pytest.fail("the accessibility tests need: " + "; ".join(missing))
    with accessible_window() as window:
        yield window


@pytest.fixture(scope="module")
def walks(driver: Driver) -> dict[str, dict[str, Any]]:
    """Each scene's AT-SPI walk, once for the module."""
    names = driver.call("list")["scenes"]
    found = {}
    for name in names:
        titles = driver.call(f"enter {name}")["windows"]
        found[name] = driver.walk(titles)
    return found


def test_the_scenes_cover_every_view_and_dialog(walks: dict[str, dict[str, Any]]) -> None:
    names = list(walks)
    assert sum(n.startswith("view ") for n in names) >= 3, names
    assert sum(n.startswith("Settings, tab") for n in names) >= 4, names
    for needed in ("lock screen", "Audit trail", "help"):
        assert needed in names


def test_the_walk_reads_real_controls(walks: dict[str, dict[str, Any]]) -> None:
    """A walk that found nothing would pass every check: each scene's windows have controls."""
    for scene, walk in walks.items():
        assert walk["application"] == "Sealpost"
        for window in walk["windows"]:
            assert window.get("focusable", 0) >= 1, (scene, window)
    compose = walks["view Compose"]["windows"][0]
    assert compose["focusable"] >= 10, compose


def test_every_control_is_named_labelled_and_distinct(walks: dict[str, dict[str, Any]]) -> None:
    report = [f"{scene} / {window['title']}: {problem}" for scene, walk in walks.items()
              for window in walk["windows"] for problem in window["problems"]]  # fmt: skip
    assert not report, f"{len(report)} accessibility problems:\n" + "\n".join(report)
