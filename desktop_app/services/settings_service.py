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

from desktop_app.api import errors
from desktop_app.api.client import PauboxClient
from desktop_app.api.config import ApiConfig, AuthStyle, BasePreset, InsecureEndpointError, Secret, preset_url
from desktop_app.services.profile import Mode, Profile, Settings
from desktop_app.store import keys


@dataclass(frozen=True)
class ProfileEntry:
    directory: Path
    name: str
    mode: Mode


def list_profiles(root: Path) -> list[ProfileEntry]:
    """Every profile folder under ``root``, by name; folders without settings are not profiles."""
    entries = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        if (folder / Profile.SETTINGS_FILE).exists():
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
    return profile


def remove_profile(directory: Path) -> None:
    """Delete a profile's folder (settings, database, logs) and its keyring entries."""
    profile_id = Profile(directory).settings.profile_id
    for forget in (keys.delete_api_key, keys.delete_database_key):
        # Nothing can have been stored in a keyring that is not there.
        with contextlib.suppress(keys.KeyringUnavailable):
            forget(profile_id)
    shutil.rmtree(directory, ignore_errors=True)


@dataclass(frozen=True)
class ConnectionReport:
    ok: bool
    text: str


def endpoint_url(settings: Settings) -> str:
    preset = BasePreset(settings.base_preset)
    return settings.base_url if preset is BasePreset.CUSTOM else preset_url(preset, settings.api_username)


def check_connection(settings: Settings, api_key: str, *, base_url: str | None = None) -> ConnectionReport:
    """Ask Paubox whether this endpoint and key work, and say in words what does and what does not.

    Sends nothing: the probe is the read-only check the client already uses. Call it off the GUI thread.
    """
    if not api_key:
        return ConnectionReport(False, "No API key is stored for this profile yet: paste one and save it.")
    try:
        url = base_url or endpoint_url(settings)
        config = ApiConfig(url, Secret(api_key), AuthStyle(settings.auth_style), requests_per_second=2.0,
                           connect_timeout=5.0, read_timeout=10.0)  # fmt: skip
    except (InsecureEndpointError, ValueError) as error:
        return ConnectionReport(False, str(error))
    with PauboxClient(config, read_attempts=1) as client:
        try:
            client.check_credentials()
        except errors.Unauthorized:
            return ConnectionReport(False, f"Reached {url}, but Paubox refused the API key. Check the key and "
                                           "the auth style (Token or Bearer).")  # fmt: skip
        except errors.NotSent as error:
            return ConnectionReport(False, f"Could not reach {url}: {error.user_message}")
        except errors.PauboxError as error:
            return ConnectionReport(False, f"Reached {url}, but it answered unexpectedly: {error.user_message}")
    return ConnectionReport(True, f"Connected to {url} and the API key was accepted.")
