"""A profile: one folder holding the settings file, the encrypted database and the logs.

Settings are not secret (no keys, no PHI) and are written atomically (temporary file, fsync,
rename, fsync of the folder), so a crash mid-write never leaves a half-written file. Keys live in
the keyring under the profile's random id.

Damaged files are named and set aside, never replaced silently, and nothing is deleted:

* The id is kept in three places: ``settings.json``, ``profile-id`` (its own file, written once,
  before the first keyring entry is made under it: see ``store.identity``) and
  ``settings.json.bak``. A profile written by an older version (settings.json only) gains the
  other two on its first load.
* Once a profile has its ``profile-id``, every settings write goes to ``settings.json.bak``
  first, then to ``settings.json``; both then hold the newest settings.
* A ``settings.json`` that is not valid (unreadable, not JSON, not an object, a value of the wrong
  type, no id) is renamed ``settings.json.damaged-<UTC time>`` (never over an earlier one); the id
  comes from ``profile-id`` (else the backup), the other settings from the backup if it is good,
  else the defaults. ``profile-id`` wins over a settings file that names another id.
* What happened is logged as a warning (held until logging is configured, then written to the
  log file, the log viewer and, headless, stderr) and kept in :attr:`Profile.problems`, in plain
  words for the user.

Everything here is 0600 in a 0700 folder.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import platformdirs

from desktop_app import APP_NAME
from desktop_app.services import policies as policy_module
from desktop_app.services.logging_setup import hold_until_configured
from desktop_app.services.policies import Origin, Policies
from desktop_app.services.settings_schema import USER_FIELDS, Mode, Settings

__all__ = ["Mode", "Profile", "Settings", "default_profile_dir"]
from desktop_app.store import identity as identity_file
from desktop_app.store.identity import fsync_directory, move_into_place

log = logging.getLogger(__name__)
hold_until_configured(log)  # the CLI loads the profile before it configures logging


def default_profile_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "profiles" / "default"


class Profile:
    SETTINGS_FILE = "settings.json"
    BACKUP_FILE = "settings.json.bak"
    IDENTITY_FILE = identity_file.IDENTITY_FILE
    DATABASE_FILE = "sealpost.db"

    def __init__(self, directory: Path, policies: Policies | None = None) -> None:
        """``policies`` default to the process's (services/policies.py ``install``)."""
        self.directory = directory
        make_private_dir(self.directory)
        self.problems: list[str] = []
        """What was found damaged or missing on load and what was done, in words for the user."""
        self.policies = policies if policies is not None else policy_module.installed()
        self.stored = self._load()
        """The user's settings as the file holds them; :attr:`settings` has the policies over them."""
        self.settings, self.origins = self._effective()
        for words in self.policies.problems:
            self._problem(f"Policy problem: {words}")

    def _effective(self) -> tuple[Settings, dict[str, Origin]]:
        return self.policies.apply(self.stored)

    def locked(self, name: str) -> bool:
        """Whether a managed policy sets this setting (the user cannot change it)."""
        origin = self.origins.get(name)
        return origin is not None and origin.locked

    @property
    def database_path(self) -> Path:
        return self.directory / self.DATABASE_FILE

    @property
    def log_dir(self) -> Path:
        return self.directory / "logs"

    @property
    def _established(self) -> bool:
        """Whether something may be keyed to the id (the identity file exists): from then on each
        write keeps the backup copy too."""
        return (self.directory / self.IDENTITY_FILE).exists()

    # ------------------------------------------------------------------ loading

    def _load(self) -> Settings:
        for name in (self.SETTINGS_FILE, self.BACKUP_FILE, self.IDENTITY_FILE):
            make_private(self.directory / name)  # an older version wrote them with the default mode
        for _attempt in range(3):
            settings = self._try_load()
            if settings is not None:
                return settings
        raise OSError(f"The settings in {self.directory} keep changing while Sealpost reads them.")

    def _try_load(self) -> Settings | None:
        """The settings, or None if another process set a damaged file aside meanwhile (read again)."""
        path = self.directory / self.SETTINGS_FILE
        identity = self._load_identity()
        notes: list[str] = []
        primary, why, judged = _read_settings(path, notes)
        if primary is not None:
            for note in notes:
                self._problem(f"In settings.json, {note}.")
            return self._keep(primary, identity, existed=True)
        backup, _, _ = _read_settings(self.directory / self.BACKUP_FILE)
        if why == "missing" and identity is None and backup is None:
            settings = Settings()  # a new profile, unless another process is creating it this moment
            return settings if self._create(settings) else None
        if why == "missing":
            said = "The settings file settings.json was missing"
        else:
            aside = set_aside(path, judged)
            if aside is None:
                return None
            said = f"The settings file was damaged ({why}), so it was set aside as {aside.name}"
        if identity is not None:
            found = "The profile's identity was recovered from profile-id, so its history and keys are still found"
        elif backup is not None:
            found = "The profile's identity was recovered from settings.json.bak"
        else:
            found = (
                "No other copy of the profile's identity was found, so it now has a new one; "
                "history kept under the old identity cannot be unlocked"
            )
        if backup is not None:
            settings, rest = backup, "the other settings were restored from settings.json.bak"
        else:
            settings = Settings()
            rest = "the other settings are back to their defaults: check them in Settings"
        if identity is not None:
            settings = replace(settings, profile_id=identity)
        self._problem(f"{said}. {found}; {rest}.")
        return self._keep(settings, identity, existed=False, new_id=identity is None and backup is None)

    def _keep(self, settings: Settings, identity: str | None, *, existed: bool, new_id: bool = False) -> Settings:
        """Make every copy agree with ``settings`` (the identity file wins on the id). A new id
        made up for lack of any copy is not recorded as the identity of an existing database."""
        if identity is not None and identity != settings.profile_id:
            self._problem(
                "settings.json named another profile id than profile-id; the id in profile-id is kept, "
                "since the profile's keys are filed under it."
            )
            settings, existed = replace(settings, profile_id=identity), False
        if identity is None and not new_id and (existed or self.database_path.exists()):
            # A profile from before the identity file: it may have keys, so it gets its copy now.
            identity_file.record_identity(self.directory, settings.profile_id)
        text = _serialise(settings)
        if not existed:
            self._write(settings)
        elif self._established and _read_bytes(self.directory / self.BACKUP_FILE) != text.encode():
            atomic_write_text(self.directory / self.BACKUP_FILE, text)
        return settings

    def _load_identity(self) -> str | None:
        judged = _read_bytes(self.directory / self.IDENTITY_FILE)
        try:
            return identity_file.read_identity(self.directory)
        except ValueError as why:
            aside = set_aside(self.directory / self.IDENTITY_FILE, judged)
            if aside is None:  # another process set it aside first
                return self._load_identity()
            self._problem(f"The profile's identity file was damaged ({why}), so it was set aside as {aside.name}.")
            return None

    def _problem(self, words: str) -> None:
        log.warning("%s", words)
        self.problems.append(words)

    # ------------------------------------------------------------------ writing

    def update(self, **changes: Any) -> Settings:
        """Store the user's changes (a setting the user changes follows the user, not a
        recommended policy, from now on) and return the effective settings."""
        chosen = {*self.stored.user_set, *(name for name in changes if name in USER_FIELDS)}
        self.stored = replace(self.stored, **changes, user_set=tuple(sorted(chosen)))
        self._write(self.stored)
        self.settings, self.origins = self._effective()
        return self.settings

    def _create(self, settings: Settings) -> bool:
        """Write a new profile's settings only if no other process did first; False: read theirs.

        Two commands started at once on a new folder (two batches from cron) would otherwise each
        make up an id, and one would file its keys under an id the folder no longer has.
        """
        return identity_file.create_file(self.directory / self.SETTINGS_FILE, _serialise(settings))

    def _write(self, settings: Settings) -> None:
        text = _serialise(settings)
        if self._established:
            atomic_write_text(self.directory / self.BACKUP_FILE, text)
        atomic_write_text(self.directory / self.SETTINGS_FILE, text)


def _serialise(settings: Settings) -> str:
    return json.dumps(settings.to_json(), indent=2)


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _read_settings(path: Path, notes: list[str] | None = None) -> tuple[Settings | None, str, bytes | None]:
    """The settings in ``path``, or None and why not ("missing", or what is damaged); and the bytes read.

    A value outside its range or choices takes its default and ``notes`` says which."""
    data = _read_bytes(path)
    if data is None:
        return None, "missing", None
    if not data.strip():
        return None, "it is empty", data
    try:
        parsed = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None, "it is not text", data
    except ValueError:
        return None, "it is not valid JSON; it may have been cut short", data
    try:
        return Settings.from_json(parsed, notes), "ok", data
    except ValueError as why:
        return None, str(why), data


def set_aside(path: Path, judged: bytes | None = None) -> Path | None:
    """Rename a damaged file to ``<name>.damaged-<UTC time>`` without replacing an earlier one; 0600.

    None if ``path`` is gone or no longer holds ``judged`` (the bytes found damaged): another
    process set it aside first and may have written a good one, which is not ours to rename.
    """
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    for n in range(1, 1000):
        target = path.with_name(f"{path.name}.damaged-{stamp}" + (f"-{n}" if n > 1 else ""))
        if judged is not None and _read_bytes(path) != judged:
            return None
        try:
            moved = move_into_place(path, target)
        except FileNotFoundError:
            return None
        if moved:
            make_private(target)
            fsync_directory(path.parent)
            return target
    raise OSError(f"could not set {path.name} aside: too many damaged copies")


def make_private_dir(directory: Path) -> None:
    """Create ``directory`` 0700 (and any missing parents: they name the profiles), or make an
    existing one 0700. Parents that already exist are left as they are."""
    missing = [d for d in (directory, *directory.parents) if not d.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    if directory.stat().st_mode & 0o077:
        os.chmod(directory, 0o700)


def make_private(path: Path) -> None:
    """Make an existing file 0600 (e.g. one a library wrote with the default mode)."""
    try:
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
    except FileNotFoundError:
        pass


def atomic_write_text(path: Path, text: str) -> None:
    """Write to a temporary file in the same folder (0600), fsync, rename over the target, fsync
    the folder so the rename itself survives a power cut."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)
