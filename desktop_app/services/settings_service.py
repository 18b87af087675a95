"""What the Settings dialog needs below the UI: the list of profiles and a connection check.

Profiles are sibling folders under one root (``…/profiles/<slug>``), each with its own
settings, encrypted database and keyring entries. Nothing here holds a key longer than the
call that uses it.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from desktop_app.api.client import PauboxClient
from desktop_app.api.config import ApiConfig, Secret
from desktop_app.api.connection import ConnectionReport, candidates
from desktop_app.services.profile import Mode, Profile
from desktop_app.store import identity, keys


@dataclass(frozen=True)
class ProfileEntry:
    directory: Path
    name: str
    mode: Mode


def list_profiles(root: Path) -> list[ProfileEntry]:
    """Every profile folder under ``root``, by name; folders without settings are not profiles."""
    entries = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        # A folder whose settings.json was damaged still has its identity or backup: still a profile.
        if any((folder / name).exists() for name in (Profile.SETTINGS_FILE, Profile.IDENTITY_FILE,
                                                      Profile.SETTINGS_FILE + ".bak")):  # fmt: skip
            settings = Profile(folder).settings
            entries.append(ProfileEntry(folder, settings.name, settings.mode))
    return sorted(entries, key=lambda e: e.name.lower())


def add_profile(root: Path, name: str, mode: Mode) -> Profile:
    """Create a new profile folder named after ``name`` (made unique), with default settings."""
    name = name.strip()
    if not name:
        raise ValueError("Give the profile a name.")
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "profile"
    folder, n = root / slug, 2
    while folder.exists():
        folder, n = root / f"{slug}-{n}", n + 1
    profile = Profile(folder)
    profile.update(name=name, mode=mode)
    # An API key may be stored for it before its database exists: its identity must not live
    # only in settings.json from the start (see services/profile.py, damaged files).
    identity.record_identity(folder, profile.settings.profile_id)
    return profile


def remove_profile(directory: Path) -> None:
    """Delete a profile's folder (settings, database, logs) and its keyring entries."""
    profile_id = Profile(directory).settings.profile_id
    for forget in (keys.delete_api_key, keys.delete_database_key):
        # Nothing can have been stored in a keyring that is not there.
        with contextlib.suppress(keys.KeyringUnavailable):
            forget(profile_id)
    shutil.rmtree(directory, ignore_errors=True)


def check_connection(
    api_key: str, *, username: str = "", custom_url: str = "", root: str | None = None
) -> ConnectionReport:
    """Probe every base-URL preset and auth style with this key (read-only; sends nothing).

    ``root`` stands in for Paubox's hosts (the sandbox serves every generation on one host).
    Raises ValueError with words for the user when there is nothing to test. Call it off the GUI thread.
    """
    if not api_key:
        raise ValueError("No API key is stored for this profile yet: paste one and store it first.")
    found = candidates(username, custom_url, root=root)
    config = ApiConfig(found[0].base_url, Secret(api_key), requests_per_second=2.0, connect_timeout=5.0,
                       read_timeout=10.0)  # fmt: skip
    with PauboxClient(config, read_attempts=1) as client:
        return client.test_connection(username=username, custom_url=custom_url, root=root)
