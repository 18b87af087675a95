"""Changes shown in colour, a badge or the status bar are also said to screen readers: the
window's announcements, heard over AT-SPI by a listener in another process (tests/a11y/walker.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.a11y.session import Driver, Listener, accessible_window, missing_tools

WAIT = 90.0  # a send, a bounce and the tracker's poll on a loaded machine


@pytest.fixture(scope="module")
def driver() -> Iterator[Driver]:
    missing = missing_tools()
    if missing:
        pytest.fail("the accessibility tests need: " + "; ".join(missing))
    with accessible_window() as window:
        yield window


@pytest.fixture
def listener(driver: Driver) -> Iterator[Listener]:
    heard = Listener(driver.pid, WAIT * 2)
    yield heard
    heard.close()


def announcement(words: str) -> Any:
    return lambda event: event.get("type") == "object:announcement" and words in event.get("text", "")


def test_a_bounce_and_the_emptied_outbox_are_announced(driver: Driver, listener: Listener) -> None:
    driver.call("do bounce")
    listener.until(announcement("The Outbox is empty"), WAIT, "the emptied Outbox")
    event = listener.until(announcement("could not be delivered"), WAIT, "the bounce")
    assert event["role"] == "status bar", event  # said where the status bar shows it


def test_offline_and_paused_are_announced(driver: Driver, listener: Listener) -> None:
    driver.call("do offline")
    listener.until(announcement("Offline"), WAIT, "going offline")
    driver.call("do paused")
    listener.until(announcement("Sending paused"), WAIT, "the paused queue")


def test_locking_is_announced(driver: Driver, listener: Listener) -> None:
    driver.call("do lock")
    listener.until(announcement("is locked"), WAIT, "the lock screen")
