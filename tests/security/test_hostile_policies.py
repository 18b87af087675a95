"""Hostile policy files: each is named by file (and key), security fails closed, nothing hangs or
raises. Covers what an IT script or an attacker with write access to one file could leave there."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from desktop_app.services import policies as policy_module
from desktop_app.services.policies import Policies
from desktop_app.services.profile import Profile
from desktop_app.services.settings_schema import Settings


def managed_file(tmp_path: Path, data: bytes, name: str = "50-test.json") -> tuple[Path, Path]:
    root = tmp_path / "policies"
    (root / "managed").mkdir(parents=True)
    path = root / "managed" / name
    path.write_bytes(data)
    return root, path


def loaded(root: Path) -> Policies:
    policies = policy_module.load(root)
    policies.apply(Settings())  # what every start does with them: must not raise either
    return policies


def assert_refused_closed(policies: Policies, path: Path, said: str) -> None:
    assert len(policies.problems) == 1, policies.problems
    assert policies.problems[0].startswith(f"{path}: "), policies.problems
    assert said in policies.problems[0], policies.problems
    assert policies.managed["AllowNonTLS"].value is False
    assert policies.managed["NoContentExport"].value is True


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"AllowedSenders": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", "nested too deeply"),
        (b'{"IdleLockMinutes": 1' + b"0" * 5000 + b"}", "is not valid JSON"),
        (b'{"AllowNonTLS": false, "AllowNonTLS": true}', "AllowNonTLS is given twice"),
        (b'{"IdleLockMinutes": NaN}', "IdleLockMinutes should be a whole number"),
        (b'{"IdleLockMinutes": 1e308}', "IdleLockMinutes should be a whole number"),
        (b'{"IdleLockMinutes": -5}', "IdleLockMinutes should be a whole number"),
        (b'{"IdleLockMinutes": 1' + b"0" * 400 + b"}", "IdleLockMinutes is a number of 401 digits, outside 1 to 240"),
        (b'{"MaximumRetentionDays": 99999999999}', "outside 1 to 3650"),
        (b'{"AuditForwarding": "tcp://host:99999"}', "not tcp://host:port"),
        (b'{"AuditForwarding": "tcp://host:0"}', "not tcp://host:port"),
        ('{"AuditForwarding": "tcp://host:\u0661\u0662"}'.encode(), "not tcp://host:port"),
    ],
    ids=[
        "deep-array",
        "deep-value",
        "5000-digits",
        "duplicate-key",
        "nan",
        "1e308",
        "negative",
        "huge-int",
        "huge-retention",
        "port-99999",
        "port-0",
        "arabic-digits",
    ],
)
def test_hostile_content_is_named_and_fails_closed(tmp_path: Path, data: bytes, said: str) -> None:
    root, path = managed_file(tmp_path, data)
    assert_refused_closed(loaded(root), path, said)


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    root, _ = managed_file(tmp_path, b'\xef\xbb\xbf{"IdleLockMinutes": 3}')
    policies = loaded(root)
    assert policies.problems == ()
    assert policies.managed["IdleLockMinutes"].value == 3


def test_a_huge_file_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    root, path = managed_file(tmp_path, b"")
    with path.open("wb") as handle:  # sparse: 4 GiB that take no disk
        handle.truncate(4 << 30)
    assert_refused_closed(loaded(root), path, "larger than")


@pytest.mark.parametrize("kind", ["fifo", "device", "directory", "symlink-loop"])
def test_something_other_than_a_file_is_named_without_hanging(tmp_path: Path, kind: str) -> None:
    root = tmp_path / "policies"
    folder = root / "managed"
    folder.mkdir(parents=True)
    path = folder / "50-test.json"
    if kind == "fifo":
        os.mkfifo(path)  # opening it for reading would wait for a writer forever
    elif kind == "device":
        path.symlink_to("/dev/zero")  # reading it would never end
    elif kind == "directory":
        path.mkdir()
    else:
        path.symlink_to(folder / "60-other.json")
        (folder / "60-other.json").symlink_to(path)
    policies = loaded(root)
    assert policies.problems
    assert all(p.startswith(str(folder)) for p in policies.problems), policies.problems
    assert policies.managed["AllowNonTLS"].value is False


def test_a_huge_idle_maximum_never_reaches_the_idle_lock(tmp_path: Path) -> None:
    """A user who chose Never under a bogus huge maximum: the profile still opens with a sane timeout."""
    root, _ = managed_file(tmp_path, b'{"IdleLockMinutes": 1' + b"0" * 400 + b"}")
    profile = Profile(tmp_path / "p", loaded(root))
    assert 0 <= profile.settings.autolock_minutes <= 240


@pytest.mark.parametrize(
    ("key", "value"),
    [("autolock_minutes", 10**400), ("retention_days", -(10**30)), ("audit_forwarding", "tcp://collector:99999")],
)
def test_a_hostile_user_setting_takes_its_default_with_a_note(key: str, value: object) -> None:
    """The same checks guard the user's own settings file: a value past its range is named, not raised."""
    notes: list[str] = []
    settings = Settings.from_json({"profile_id": Settings().profile_id, key: value}, notes)
    assert getattr(settings, key) == getattr(Settings(), key)
    assert len(notes) == 1
    assert notes[0].startswith(f"{key} is ")


@pytest.mark.parametrize(
    ("senders", "odd"),
    [
        (["desk@clinic.example", "a@b@c"], "a@b@c"),
        ([""], ""),
        (["Desk <desk@clinic.example>"], "Desk <desk@clinic.example>"),
    ],
)
def test_an_odd_allowed_sender_is_named_and_narrows_instead_of_lifting(
    tmp_path: Path, senders: list[str], odd: str
) -> None:
    """The list is kept as IT wrote it: the odd entry matches no sender, so a typo never lets anyone send."""
    root, path = managed_file(tmp_path, json.dumps({"AllowedSenders": senders}).encode())
    policies = loaded(root)
    assert_refused_closed(policies, path, f"AllowedSenders holds {odd!r}, not an email address")
    settings, _ = policies.apply(Settings())
    assert settings.allowed_senders == tuple(senders)
