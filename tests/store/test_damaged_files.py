"""Damaged files are named as damaged and set aside, never replaced silently; files are 0600 in 0700.

Real parts throughout: real SQLCipher files cut, zeroed and flipped on disk, the real profile
loader on real files, the real rotating log handler. Tests marked ``keyring`` keep the database
key in the real Secret Service (run them under ``scripts/with-test-keyring.sh``).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.services import logging_setup
from desktop_app.services.profile import Mode, Profile, Settings
from desktop_app.store import keys
from desktop_app.store.database import (
    PAGE_SIZE,
    DamagedDatabase,
    DatabaseError,
    StoreError,
    WrongKey,
    _translate,
    close_database,
    open_database,
    rekey,
)
from desktop_app.store.unlock import KeyMissing, open_profile_database

KEY = bytes(range(32))

# ------------------------------------------------------------------------------ settings.json


def damaged_names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("settings.json.damaged-"))


def established(tmp_path: Path) -> Profile:
    """A profile as the app leaves it after its first session: database key made, settings changed."""
    profile = Profile(tmp_path / "profile")
    open_profile_database(profile.database_path, profile.settings.profile_id).close()
    profile.update(mode=Mode.PAUBOX, sender="desk@clinic.example", requests_per_second=3.0)
    return profile


CORRUPTIONS = {
    "garbage bytes": b"\x00\xff\xfe\x80 garbage \x9c\x00",
    "truncated JSON": b'{\n  "profile_id": "',
    "wrong types": json.dumps({"profile_id": uuid.uuid4().hex, "requests_per_second": "fast"}).encode(),
    "empty file": b"",
    "not an object": b"[1, 2, 3]",
    "no identity": json.dumps({"name": "Clinic"}).encode(),
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_a_damaged_settings_file_is_set_aside_and_the_identity_recovered(tmp_path: Path, corruption: str) -> None:
    profile = established(tmp_path)
    original_id = profile.settings.profile_id
    settings = profile.directory / "settings.json"
    settings.write_bytes(CORRUPTIONS[corruption])

    reloaded = Profile(profile.directory)

    assert reloaded.settings.profile_id == original_id
    # The other settings come from the backup copy, not from defaults.
    assert reloaded.settings.mode is Mode.PAUBOX
    assert reloaded.settings.sender == "desk@clinic.example"
    assert reloaded.settings.requests_per_second == 3.0
    [aside] = damaged_names(profile.directory)
    assert (profile.directory / aside).read_bytes() == CORRUPTIONS[corruption]
    assert reloaded.problems
    assert "damaged" in reloaded.problems[0]
    assert aside in reloaded.problems[0]
    # The replacement is good and the history is still unlocked by the same key.
    assert Settings.from_json(json.loads(settings.read_text()))
    assert Profile(profile.directory).problems == []
    open_profile_database(reloaded.database_path, reloaded.settings.profile_id).close()


def test_wrong_types_are_named_not_a_traceback() -> None:
    with pytest.raises(ValueError, match="requests_per_second"):
        Settings.from_json({"profile_id": "abc", "requests_per_second": "fast"})
    with pytest.raises(ValueError, match="mode"):
        Settings.from_json({"profile_id": "abc", "mode": "production"})
    with pytest.raises(ValueError, match="autolock_minutes"):
        Settings.from_json({"profile_id": "abc", "autolock_minutes": True})
    with pytest.raises(ValueError, match="undo_seconds"):
        Settings.from_json({"profile_id": "abc", "undo_seconds": float("nan")})
    assert Settings.from_json({"profile_id": "abc", "undo_seconds": 2}).undo_seconds == 2.0
    assert Settings.from_json({"profile_id": "abc", "added_by_a_newer_version": 1}).profile_id == "abc"


def test_an_earlier_damaged_copy_is_never_overwritten(tmp_path: Path) -> None:
    profile = established(tmp_path)
    settings = profile.directory / "settings.json"
    for n in range(3):  # within the same second: the names must still differ
        settings.write_bytes(b"damage %d" % n)
        Profile(profile.directory)
    names = damaged_names(profile.directory)
    assert len(names) == 3
    assert sorted((profile.directory / n).read_bytes() for n in names) == [b"damage 0", b"damage 1", b"damage 2"]


def test_with_the_backup_damaged_too_the_identity_survives_and_the_rest_is_defaults(tmp_path: Path) -> None:
    profile = established(tmp_path)
    original_id = profile.settings.profile_id
    (profile.directory / "settings.json").write_bytes(b"{")
    (profile.directory / "settings.json.bak").write_bytes(b"}")
    reloaded = Profile(profile.directory)
    assert reloaded.settings.profile_id == original_id
    assert reloaded.settings.mode is Mode.SANDBOX  # the default
    assert "defaults" in " ".join(reloaded.problems)
    assert len(damaged_names(profile.directory)) == 1


def test_a_missing_settings_file_is_recovered_from_the_other_copies(tmp_path: Path) -> None:
    profile = established(tmp_path)
    (profile.directory / "settings.json").unlink()
    reloaded = Profile(profile.directory)
    assert reloaded.settings == profile.settings
    assert reloaded.problems
    assert "missing" in reloaded.problems[0]


def test_a_damaged_identity_copy_is_set_aside_and_rewritten_from_good_settings(tmp_path: Path) -> None:
    profile = established(tmp_path)
    identity = profile.directory / "profile-id"
    identity.write_bytes(b"\x00\x01")
    reloaded = Profile(profile.directory)
    assert reloaded.settings.profile_id == profile.settings.profile_id
    assert identity.read_text().strip() == profile.settings.profile_id
    assert [p.name for p in profile.directory.glob("profile-id.damaged-*")]
    assert reloaded.problems


def test_a_profile_written_by_the_previous_version_gains_its_second_copies(tmp_path: Path) -> None:
    directory = tmp_path / "profile"
    directory.mkdir()
    old_id = uuid.uuid4().hex
    old = {"profile_id": old_id, "name": "Front desk", "mode": "paubox", "requests_per_second": 4.0}
    (directory / "settings.json").write_text(json.dumps(old))
    profile = Profile(directory)
    assert profile.settings.profile_id == old_id
    assert profile.problems == []
    assert (directory / "profile-id").read_text().strip() == old_id
    assert json.loads((directory / "settings.json.bak").read_text())["name"] == "Front desk"
    # ... and from now on a damaged settings.json loses nothing.
    (directory / "settings.json").write_text("{")
    assert Profile(directory).settings.name == "Front desk"


def test_settings_writes_leave_no_temporary_files_and_are_private(tmp_path: Path) -> None:
    profile = established(tmp_path)
    for n in range(3):
        profile.update(retention_days=n)
    names = sorted(p.name for p in profile.directory.iterdir() if not p.name.startswith("sealpost.db"))
    assert names == ["profile-id", "settings.json", "settings.json.bak"]
    for name in names:
        assert stat.S_IMODE((profile.directory / name).stat().st_mode) == 0o600
    assert json.loads((profile.directory / "settings.json.bak").read_text())["retention_days"] == 2


def test_a_damaged_file_another_process_set_aside_first_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.services import profile as profile_module

    profile = established(tmp_path)
    (profile.directory / "settings.json").write_bytes(b"{")
    real_set_aside = profile_module.set_aside

    def first_elsewhere(path: Path, judged: bytes | None = None) -> Path | None:
        monkeypatch.setattr(profile_module, "set_aside", real_set_aside)
        Profile(profile.directory)  # the other process: sets it aside and writes good settings
        return real_set_aside(path, judged)  # ours finds a good file there now: not ours to rename

    monkeypatch.setattr(profile_module, "set_aside", first_elsewhere)
    reloaded = Profile(profile.directory)
    assert reloaded.settings == profile.settings
    assert len(damaged_names(profile.directory)) == 1


def test_settings_left_readable_by_an_older_version_are_made_private(tmp_path: Path) -> None:
    profile = established(tmp_path)
    for name in ("settings.json", "settings.json.bak", "profile-id"):
        (profile.directory / name).chmod(0o644)
    profile.directory.chmod(0o755)
    (profile.directory / "settings.json").write_bytes(b"damaged")
    Profile(profile.directory)
    assert {p.name: mode(p) for p in profile.directory.iterdir() if p.is_file()} == {
        p.name: 0o600 for p in profile.directory.iterdir() if p.is_file()
    }
    assert mode(profile.directory) == 0o700


def test_the_folders_made_for_a_profile_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        Profile(tmp_path / "data" / "profiles" / "front-desk")
    finally:
        os.umask(old)
    assert [mode(tmp_path / p) for p in ("data", "data/profiles", "data/profiles/front-desk")] == [0o700] * 3


# ------------------------------------------------------------------------------ the database


def filled_database(path: Path, key: bytes = KEY, rows: int = 200) -> int:
    connection = open_database(path, key)
    connection.execute("CREATE TABLE filler (x TEXT)")
    connection.executemany("INSERT INTO filler VALUES (?)", [(secrets.token_hex(400),) for _ in range(rows)])
    close_database(connection)
    size = path.stat().st_size
    assert size > 20 * PAGE_SIZE
    return size


def test_page_size_is_what_the_shape_check_assumes(tmp_path: Path) -> None:
    connection = open_database(tmp_path / "s.db", KEY)
    try:
        assert int(connection.execute("PRAGMA cipher_page_size").fetchone()[0]) == PAGE_SIZE
    finally:
        close_database(connection)


def test_an_empty_database_file_is_damaged_not_new(tmp_path: Path) -> None:
    path = tmp_path / "sealpost.db"
    path.write_bytes(b"")
    with pytest.raises(DamagedDatabase) as raised:
        open_database(path, KEY)
    words = str(raised.value)
    assert "damaged" in words
    assert "0 bytes" in words
    assert "restore sealpost.db from a backup" in words
    assert "move it aside" in words
    assert "new, empty history" in words
    assert path.exists()
    assert path.stat().st_size == 0


@pytest.mark.parametrize("cut", ["half, on a page boundary", "half, mid-page", "one page", "a few bytes"])
def test_a_truncated_database_is_damaged_not_a_wrong_key(tmp_path: Path, cut: str) -> None:
    path = tmp_path / "sealpost.db"
    size = filled_database(path)
    length = {
        "half, on a page boundary": size // 2 // PAGE_SIZE * PAGE_SIZE,
        "half, mid-page": size // 2 + 123,
        "one page": PAGE_SIZE,
        "a few bytes": 100,
    }[cut]
    with path.open("r+b") as stream:
        stream.truncate(length)
    with pytest.raises(DamagedDatabase, match="damaged"):
        open_database(path, KEY)
    assert path.stat().st_size == length


def test_a_damaged_first_page_with_the_right_key_is_damage(tmp_path: Path) -> None:
    path = tmp_path / "sealpost.db"
    filled_database(path)
    with path.open("r+b") as stream:
        stream.seek(200)
        stream.write(os.urandom(64))
    with pytest.raises(DamagedDatabase, match="damaged"):
        open_database(path, KEY)


def test_a_damaged_later_page_is_damage(tmp_path: Path) -> None:
    path = tmp_path / "sealpost.db"
    filled_database(path)
    with path.open("r+b") as stream:
        stream.seek(7 * PAGE_SIZE + 300)
        stream.write(os.urandom(64))
    with pytest.raises(DamagedDatabase, match="damaged"):
        open_database(path, KEY)


def test_a_wrong_key_is_still_a_wrong_key(tmp_path: Path) -> None:
    path = tmp_path / "sealpost.db"
    filled_database(path)
    with pytest.raises(WrongKey, match="cannot be decrypted") as raised:
        open_database(path, secrets.token_bytes(32))
    assert not isinstance(raised.value, DamagedDatabase)
    open_database(path, KEY).close()  # and the file was left as it was


def test_damage_the_background_check_meets_while_connecting_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.store import database

    path = tmp_path / "sealpost.db"
    filled_database(path)
    monkeypatch.setattr(database, "SYNC_CHECK_BELOW_BYTES", 1)  # checked in the background
    monkeypatch.setattr(database, "BACKGROUND_CHECK_DELAY", 0.3)
    watch = database.IntegrityWatch()
    problems: list[str] = []
    watch.on_problem(problems.append)
    connection = open_database(path, KEY, watch=watch)
    try:
        with path.open("r+b") as stream:  # page 1 goes bad after the open
            stream.seek(300)
            stream.write(os.urandom(64))
        watch.wait(30)
        assert len(problems) == 1
        assert "damaged" in problems[0]
    finally:
        watch.stop()
        connection.close()


def test_errors_met_while_working_name_the_damage() -> None:
    assert isinstance(_translate(DatabaseError("database disk image is malformed")), DamagedDatabase)
    assert isinstance(_translate(DatabaseError("file is not a database")), DamagedDatabase)
    other = DatabaseError("no such table: x")
    assert _translate(other) is other


def test_an_interrupted_creation_leaves_no_half_made_database(tmp_path: Path) -> None:
    path = tmp_path / "sealpost.db"
    leftover = tmp_path / "sealpost.db.creating-1-dead"
    leftover.write_bytes(b"")  # as a crash during the first open would leave it
    os.utime(leftover, (1e9, 1e9))
    open_database(path, KEY).close()
    assert not leftover.exists()
    assert path.stat().st_size >= PAGE_SIZE
    open_database(path, KEY).close()


# ------------------------------------------------------------------------------ the profile's database


@pytest.fixture
def real_profile(tmp_path: Path) -> Iterator[Profile]:
    """A profile whose database key is in the real Secret Service; its entries are removed afterwards."""
    profile = Profile(tmp_path / "profile")
    yield profile
    keys.delete_database_key(profile.settings.profile_id)
    keys.delete_pending_database_key(profile.settings.profile_id)


@pytest.mark.keyring
def test_an_emptied_profile_database_is_damaged_and_kept(real_profile: Profile) -> None:
    path, profile_id = real_profile.database_path, real_profile.settings.profile_id
    open_profile_database(path, profile_id).close()
    key = keys.load_database_key(profile_id)
    path.write_bytes(b"")
    with pytest.raises(DamagedDatabase, match="damaged"):
        open_profile_database(path, profile_id)
    assert path.exists()
    assert path.stat().st_size == 0
    assert keys.load_database_key(profile_id) == key  # the key is not replaced either


@pytest.mark.keyring
def test_a_halved_profile_database_is_damaged_and_a_wrong_key_is_a_wrong_key(real_profile: Profile) -> None:
    path, profile_id = real_profile.database_path, real_profile.settings.profile_id
    connection = open_profile_database(path, profile_id)
    connection.execute("CREATE TABLE filler (x TEXT)")
    connection.executemany("INSERT INTO filler VALUES (?)", [(secrets.token_hex(400),) for _ in range(200)])
    close_database(connection)
    whole, right_key = path.read_bytes(), keys.load_database_key(profile_id)
    assert right_key is not None

    keys.store_database_key(profile_id, secrets.token_bytes(32))
    with pytest.raises(WrongKey, match="cannot be decrypted") as raised:
        open_profile_database(path, profile_id)
    assert not isinstance(raised.value, DamagedDatabase)

    keys.store_database_key(profile_id, right_key)
    path.write_bytes(whole[: len(whole) // 2 // PAGE_SIZE * PAGE_SIZE])
    with pytest.raises(StoreError, match="damaged") as raised_damage:
        open_profile_database(path, profile_id)
    assert not isinstance(raised_damage.value, (WrongKey, KeyMissing))


def test_a_rotation_killed_after_its_commit_is_finished_not_called_damage(tmp_path: Path) -> None:
    """New-key pages in the WAL over old-key pages in the file look like damage to the old key
    (page 1 fails, other pages pass); the pending key must still be tried, and it opens."""
    live, copy = tmp_path / "live", tmp_path / "copy"
    live.mkdir()
    copy.mkdir()
    profile_id = uuid.uuid4().hex
    connection = open_profile_database(live / "sealpost.db", profile_id)
    connection.execute("CREATE TABLE filler (x TEXT)")
    connection.executemany("INSERT INTO filler VALUES (?)", [(secrets.token_hex(400),) for _ in range(100)])
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    new_key = secrets.token_bytes(32)
    keys.store_pending_database_key(profile_id, new_key)
    rekey(connection, new_key)
    for name in ("sealpost.db", "sealpost.db-wal"):  # the files as a kill -9 leaves them: WAL not checkpointed
        (copy / name).write_bytes((live / name).read_bytes())
    connection.close()
    assert (copy / "sealpost.db-wal").stat().st_size > 0
    reopened = open_profile_database(copy / "sealpost.db", profile_id)
    try:
        assert reopened.execute("SELECT count(*) FROM filler").fetchone()[0] == 100
    finally:
        close_database(reopened)
    assert keys.load_database_key(profile_id) == new_key
    assert keys.load_pending_database_key(profile_id) is None


def test_an_empty_database_without_a_key_is_damaged_not_missing_a_key(tmp_path: Path) -> None:
    path = tmp_path / "sealpost.db"
    path.write_bytes(b"")
    with pytest.raises(DamagedDatabase):
        open_profile_database(path, uuid.uuid4().hex)
    assert path.stat().st_size == 0


def test_the_identity_copy_is_written_before_the_first_key(tmp_path: Path) -> None:
    profile = Profile(tmp_path / "profile")
    assert not (profile.directory / "profile-id").exists()  # nothing is keyed to it yet
    open_profile_database(profile.database_path, profile.settings.profile_id).close()
    assert (profile.directory / "profile-id").read_text().strip() == profile.settings.profile_id


# ------------------------------------------------------------------------------ permissions


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_files_are_private_even_where_the_umask_is_not(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = tmp_path / "db" / "sealpost.db"
        connection = open_database(path, KEY)
        connection.execute("CREATE TABLE t (x)")
        connection.execute("INSERT INTO t VALUES (1)")
        companions = [path, path.with_name("sealpost.db-wal"), path.with_name("sealpost.db-shm")]
        companions.append(path.with_name("sealpost.db.in-use"))
        assert all(p.exists() for p in companions)
        assert {p.name: mode(p) for p in companions} == {p.name: 0o600 for p in companions}
        assert mode(path.parent) == 0o700
        close_database(connection)
    finally:
        os.umask(old)


def test_a_database_left_readable_by_an_older_version_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "sealpost.db"
    open_database(path, KEY).close()
    path.chmod(0o644)
    connection = open_database(path, KEY)
    try:
        assert mode(path) == 0o600
    finally:
        close_database(connection)


def test_log_files_and_their_rotations_are_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = os.umask(0o022)
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    monkeypatch.setattr(logging_setup, "MAX_LOG_BYTES", 2_000)
    log_dir = tmp_path / "logs"
    logging_setup.configure_logging(log_dir)
    [file_handler] = [
        h for h in root.handlers if h not in before and isinstance(h, logging_setup.LazyRotatingFileHandler)
    ]
    try:
        for n in range(100):
            logging.getLogger("sealpost.test").warning("line %d %s", n, "x" * 60)
        names = sorted(p.name for p in log_dir.iterdir())
        assert "sealpost.log" in names
        assert "sealpost.log.1" in names
        assert {n: mode(log_dir / n) for n in names} == {n: 0o600 for n in names}
        assert mode(log_dir) == 0o700
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
        file_handler.close()
        root.setLevel(level)
        os.umask(old)
