"""From the outside: damaged profile files are named and set aside, nothing is thrown away, and
every file Sealpost writes is 0600 in a 0700 folder.

Each test runs the installed ``sealpost`` command against a profile in sandbox mode (the embedded
sandbox), with the database key in the real Secret Service: run under ``scripts/with-test-keyring.sh``.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.sandbox.server import SandboxServer
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Overrides, Runtime
from desktop_app.store import keys

pytestmark = pytest.mark.keyring

REPO = Path(__file__).resolve().parents[2]
SEALPOST = REPO / ".venv" / "bin" / "sealpost"
ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
SUBJECT = "Damage-drill-4e1b"


def sealpost(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    command = [str(SEALPOST)] if SEALPOST.exists() else [sys.executable, "-m", "desktop_app"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=timeout, env=ENV, stdin=subprocess.DEVNULL,
        preexec_fn=lambda: os.umask(0o022),  # the usual desktop umask: Sealpost must not rely on a stricter one
    )  # fmt: skip


@pytest.fixture
def sent(tmp_path: Path) -> Iterator[Path]:
    """A profile with one message sent through the embedded sandbox; its keyring entries removed after."""
    directory = tmp_path / "profile"
    result = sealpost("send", "--profile-dir", str(directory), "--to", "pat@clinic.example",
                      "--subject", SUBJECT, "--text", "body")  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    profile_id = (directory / "profile-id").read_text().strip()
    yield directory
    for forget in (keys.delete_database_key, keys.delete_pending_database_key, keys.delete_api_key):
        forget(profile_id)


def sealpost_lines(stderr: str) -> list[str]:
    """Every line on stderr: SQLCipher's own diagnostics (one per failing page) must not reach it either."""
    return [line for line in stderr.splitlines() if line.strip()]


SETTINGS_DAMAGE = {
    "garbage bytes": b"\x8f\x00\xffnot json at all\x00",
    "truncated JSON": b'{\n  "profile_id": "0f3',
    "wrong types": b'{"profile_id": "abc", "requests_per_second": "fast"}',
    "empty file": b"",
}


def test_a_damaged_settings_file_loses_no_history(sent: Path) -> None:
    settings = sent / "settings.json"
    for n, (what, damage) in enumerate(SETTINGS_DAMAGE.items(), start=1):
        settings.write_bytes(damage)
        result = sealpost("status", "--json", "--profile-dir", str(sent))
        assert result.returncode == 0, f"{what}: {result.stderr}"
        assert [row["subject"] for row in json.loads(result.stdout)] == [SUBJECT], what
        assert "set aside" in result.stderr, what  # the user is told, in words
        damaged = sorted(sent.glob("settings.json.damaged-*"))
        assert len(damaged) == n, what  # an earlier damaged copy is never overwritten
        assert damage in [p.read_bytes() for p in damaged], what
        assert json.loads(settings.read_text())["mode"] == "sandbox", what
    # Said before logging was set up, and still in the log file for support.
    assert (sent / "logs" / "sealpost.log").read_text().count("set aside") == len(SETTINGS_DAMAGE)


def test_an_empty_database_is_reported_damaged_and_kept(sent: Path) -> None:
    database = sent / "sealpost.db"
    database.write_bytes(b"")
    result = sealpost("outbox", "--profile-dir", str(sent))
    assert result.returncode != 0
    [line] = sealpost_lines(result.stderr)
    assert line.startswith("sealpost: The message database sealpost.db is damaged")
    assert "restore sealpost.db from a backup" in line
    assert database.exists()
    assert database.stat().st_size == 0


def test_a_halved_database_is_damaged_not_a_wrong_key(sent: Path) -> None:
    database = sent / "sealpost.db"
    whole = database.read_bytes()
    database.write_bytes(whole[: len(whole) // 2 // 4096 * 4096])
    result = sealpost("status", "--profile-dir", str(sent))
    assert result.returncode == 3
    [line] = sealpost_lines(result.stderr)
    assert "is damaged" in line
    assert "cannot be decrypted" not in line


def test_random_bytes_in_the_middle_of_the_database_are_damage_said_in_one_line(sent: Path) -> None:
    database = sent / "sealpost.db"
    whole = bytearray(database.read_bytes())
    middle = len(whole) // 2
    whole[middle - 4096 : middle + 4096] = secrets.token_bytes(8192)
    database.write_bytes(bytes(whole))
    for command in ("outbox", "status"):
        result = sealpost(command, "--profile-dir", str(sent))
        assert result.returncode == 3, command
        [line] = sealpost_lines(result.stderr)  # no "ERROR CORE sqlcipher_page_cipher: hmac check failed" lines
        assert line.startswith("sealpost: The message database sealpost.db is damaged"), command
        assert "cannot be decrypted" not in line
    assert database.read_bytes() == bytes(whole)  # nothing repaired, replaced or deleted


def test_a_wrong_key_is_still_called_a_wrong_key(sent: Path) -> None:
    profile_id = (sent / "profile-id").read_text().strip()
    keys.store_database_key(profile_id, secrets.token_bytes(32))
    result = sealpost("outbox", "--profile-dir", str(sent))
    assert result.returncode == 3
    [line] = sealpost_lines(result.stderr)
    assert "cannot be decrypted with the key in the system keyring" in line
    assert "damaged" not in line


def loose_modes(root: Path) -> dict[str, str]:
    """Every file readable by group or others and every folder that is not 0700, under ``root``."""
    found = {}
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if (path.is_dir() and mode != 0o700) or (not path.is_dir() and mode & 0o077):
            found[str(path.relative_to(root))] = oct(mode)
    return found


@pytest.mark.qt_log_ignore("This plugin does not support raise", "This plugin does not support grabbing the keyboard")
def test_every_file_sealpost_writes_is_private(sent: Path, qtbot: QtBot, sandbox: SandboxServer) -> None:
    from desktop_app.ui.main_window import MainWindow

    for command in ("status", "outbox"):  # --verbose: the log file gets records
        assert sealpost(command, "--verbose", "--profile-dir", str(sent)).returncode == 0
    assert (sent / "logs" / "sealpost.log").exists()
    old = os.umask(0o022)
    try:
        profile = Profile(sent)
        window = MainWindow(
            profile, lambda p: Runtime(p, Overrides(api_base_url=sandbox.base_url, api_key=sandbox.api_key))
        )
        qtbot.addWidget(window)
        window.show()
        with qtbot.waitSignal(window.ready, timeout=10_000):
            window.start()
        open_files = {p.name for p in sent.iterdir()}
        assert {"sealpost.db-wal", "sealpost.db-shm", "sealpost.db.in-use"} <= open_files, open_files
        assert loose_modes(sent) == {}
        window.close()  # saves the window layout to window.ini
    finally:
        os.umask(old)
    assert (sent / "window.ini").exists()
    names = {p.name for p in sent.iterdir()}
    assert {"settings.json", "settings.json.bak", "profile-id", "sealpost.db", "logs"} <= names, names
    assert loose_modes(sent) == {}
