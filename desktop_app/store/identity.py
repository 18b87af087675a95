"""The profile's identity file, and moving files without ever replacing one (no heavy imports).

A profile's keyring entries are named by its random id. The id is not secret, but losing it
orphans every entry, so besides ``settings.json`` it lives in its own small file, ``profile-id``,
written once, atomically, before the first entry is made under it. This module imports only the
standard library: the profile is loaded before the GUI's first paint, which must not wait for the
keyring or SQLCipher.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

IDENTITY_FILE = "profile-id"
"""In the profile folder: the id naming the profile's keyring entries, one line, never rewritten."""

_VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


def is_valid_profile_id(value: object) -> bool:
    return isinstance(value, str) and _VALID_ID.fullmatch(value) is not None


def read_identity(directory: Path) -> str | None:
    """The id in ``directory``'s identity file; None if there is none; ValueError if it is damaged."""
    try:
        data = (directory / IDENTITY_FILE).read_bytes()
    except FileNotFoundError:
        return None
    try:
        value = data.decode("ascii").strip()
    except UnicodeDecodeError:
        raise ValueError("it is not text") from None
    if not is_valid_profile_id(value):
        raise ValueError("it does not hold a profile id")
    return value


def record_identity(directory: Path, profile_id: str) -> bool:
    """Write the identity file unless one exists (it is never replaced); True if written."""
    if not is_valid_profile_id(profile_id):
        raise ValueError(f"not a profile id: {profile_id!r}")
    target = directory / IDENTITY_FILE
    if target.exists():
        return False
    return create_file(target, profile_id + "\n")


def create_file(target: Path, text: str) -> bool:
    """Write ``target`` only if no file has that name yet (never replacing one); True if written.

    Temporary file (0600), fsync, then a hard link to the final name (atomic, and it fails rather
    than replace a file another process wrote meanwhile), then fsync of the folder.
    """
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        written = move_into_place(Path(temp), target)
    finally:
        Path(temp).unlink(missing_ok=True)
    if written:
        fsync_directory(target.parent)
    return written


def move_into_place(source: Path, target: Path) -> bool:
    """Give ``source`` the name ``target`` unless ``target`` exists (never replaced); True if moved.

    A hard link is atomic and fails on an existing name, where a rename would replace it; a file
    system without hard links falls back to a checked rename.
    """
    try:
        os.link(source, target)
    except (FileExistsError, FileNotFoundError):
        if not source.exists():
            raise FileNotFoundError(source) from None
        return False
    except OSError:
        if target.exists():
            return False
        os.rename(source, target)
        return True
    source.unlink(missing_ok=True)  # another process may have moved it too: both names hold it
    return True


def fsync_directory(directory: Path) -> None:
    """Make a rename or a new name in ``directory`` durable (a no-op where folders cannot be synced)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
