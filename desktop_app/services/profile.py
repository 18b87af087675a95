"""A profile: one folder holding the settings file, the encrypted database and the logs.

Settings are not secret (no keys, no PHI) and are written atomically, so a crash mid-write
never leaves a half-written file. Keys live in the keyring under the profile's random id.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import platformdirs

from desktop_app import APP_NAME


class Mode(StrEnum):
    SANDBOX = "sandbox"  # the embedded Paubox-compatible server on loopback
    PAUBOX = "paubox"  # the real service


@dataclass(frozen=True)
class Settings:
    profile_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    name: str = "Sandbox"
    mode: Mode = Mode.SANDBOX
    base_preset: str = "v1_email"
    base_url: str = ""  # custom URL, or the URL derived from the preset
    auth_style: str = "token"
    api_username: str = ""
    sender: str = "staff@clinic.example"
    requests_per_second: float = 10.0
    poll_budget_per_minute: int = 120
    undo_seconds: float = 5.0
    retention_days: int = 0  # 0 keeps history forever
    autolock_minutes: int = 10
    attachment_limit_mb: float = 10.0
    recipient_guard: int = 20
    offline_policy: str = "always"  # "always" sends queued mail on reconnect, "ask" waits for the user
    theme: str = "system"
    passphrase_hash: str = ""  # scrypt hash of the screen-lock passphrase (services/autolock.py)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["mode"] = self.mode.value
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Settings:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "mode" in values:
            values["mode"] = Mode(values["mode"])
        return cls(**values)


def default_profile_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "profiles" / "default"


class Profile:
    SETTINGS_FILE = "settings.json"
    DATABASE_FILE = "sealpost.db"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.settings = self._load()

    @property
    def database_path(self) -> Path:
        return self.directory / self.DATABASE_FILE

    @property
    def log_dir(self) -> Path:
        return self.directory / "logs"

    def _load(self) -> Settings:
        path = self.directory / self.SETTINGS_FILE
        if path.exists():
            try:
                return Settings.from_json(json.loads(path.read_text("utf-8")))
            except (ValueError, TypeError):
                # A damaged settings file must not lock staff out; keep it aside for support.
                path.replace(path.with_suffix(".damaged"))
        settings = Settings()
        self._write(settings)
        return settings

    def update(self, **changes: Any) -> Settings:
        self.settings = replace(self.settings, **changes)
        self._write(self.settings)
        return self.settings

    def _write(self, settings: Settings) -> None:
        atomic_write_text(self.directory / self.SETTINGS_FILE, json.dumps(settings.to_json(), indent=2))


def atomic_write_text(path: Path, text: str) -> None:
    """Write to a temporary file in the same folder, fsync, then rename over the target."""
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
