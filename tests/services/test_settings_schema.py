"""The settings schema: one declaration per setting; load validates and migrates by version."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

from desktop_app.services import settings_schema as schema
from desktop_app.services.profile import Mode, Profile, Settings

# A settings.json exactly as the version before the schema wrote it (no schema_version, no user_set).
TODAY = {
    "profile_id": "0123456789abcdef0123456789abcdef",
    "name": "Front desk", "mode": "paubox", "base_preset": "v1_email", "base_url": "", "auth_style": "token",
    "api_username": "", "endpoint_checked_for_key": "", "detected_preset": "", "sender": "desk@clinic.example",
    "requests_per_second": 3.0, "poll_budget_per_minute": 120, "undo_seconds": 5.0, "retention_days": 0,
    "autolock_minutes": 10, "attachment_limit_mb": 10.0, "recipient_guard": 20, "offline_policy": "always",
    "theme": "dark", "passphrase_hash": "",
}  # fmt: skip


def test_every_setting_is_declared_once_with_what_the_dialog_and_the_policies_need() -> None:
    for f, spec in schema.specs():
        assert spec.label, f.name
        assert spec.help, f.name
        assert spec.tab in (None, *schema.TABS, *schema.OWN_EDITOR_TABS), f.name
        if spec.low is not None:
            assert spec.low <= schema.default(f) <= (spec.high or 0) or schema.default(f) == 0, f.name
        if spec.choices:
            assert str(schema.default(f)) in {v for v, _ in spec.choices}, f.name
    policies = {p.name for p in schema.POLICIES}
    assert len(policies) == len(schema.POLICIES)
    for policy in schema.POLICIES:
        assert policy.name[0].isupper()
        assert "_" not in policy.name
        assert policy.setting in schema.FIELDS
        assert policy.doc
        assert policy.check(policy.example) is not None or policy.example == ""
    # The names other features read are declared (audit forwarding, guards, footer).
    for name in ("audit_forwarding", "require_verified_recipients", "guard_rules", "message_footer"):
        assert name in schema.FIELDS


def test_reconnect_flags_come_from_the_schema() -> None:
    assert schema.needs_reconnect(["base_preset", "theme"])
    assert not schema.needs_reconnect(["theme", "autolock_minutes", "passphrase_hash"])


def test_a_settings_file_of_todays_format_loads_unchanged_and_gains_a_version(tmp_path: Path) -> None:
    directory = tmp_path / "p"
    directory.mkdir()
    (directory / "settings.json").write_text(json.dumps(TODAY))
    profile = Profile(directory)
    assert profile.problems == []
    s = profile.settings
    assert (s.name, s.mode, s.sender, s.requests_per_second, s.theme) == (
        "Front desk", Mode.PAUBOX, "desk@clinic.example", 3.0, "dark"
    )  # fmt: skip
    assert {f.name: getattr(s, f.name) for f in fields(Settings) if f.name in TODAY} == {
        **TODAY, "mode": Mode.PAUBOX
    }  # fmt: skip
    # Migration 1 → 2: what differs from the defaults is what the user chose.
    assert set(s.user_set) == {"mode", "sender", "requests_per_second", "theme"}
    profile.update(undo_seconds=2.0)
    written = json.loads((directory / "settings.json").read_text())
    assert written["schema_version"] == schema.SCHEMA_VERSION
    assert "undo_seconds" in written["user_set"]
    assert "allow_non_tls" not in written  # policy-only: never in the user's file


def test_a_value_out_of_range_takes_its_default_and_is_named(tmp_path: Path) -> None:
    directory = tmp_path / "p"
    directory.mkdir()
    (directory / "settings.json").write_text(json.dumps({**TODAY, "autolock_minutes": 5000, "theme": "neon"}))
    profile = Profile(directory)
    assert profile.settings.autolock_minutes == 10
    assert profile.settings.theme == "system"
    assert any("autolock_minutes is 5000" in p for p in profile.problems)
    assert any("theme is 'neon'" in p for p in profile.problems)
    assert profile.settings.name == "Front desk"  # the rest of the file is kept; nothing set aside
    assert not list(directory.glob("*.damaged-*"))


def test_the_settings_file_cannot_turn_on_a_policy_only_setting(tmp_path: Path) -> None:
    directory = tmp_path / "p"
    directory.mkdir()
    (directory / "settings.json").write_text(json.dumps({**TODAY, "allow_non_tls": True, "user_set": ["x"]}))
    profile = Profile(directory)
    assert profile.settings.allow_non_tls is False
    assert "x" not in profile.settings.user_set


def test_a_wrong_type_still_means_damaged(tmp_path: Path) -> None:
    directory = tmp_path / "p"
    directory.mkdir()
    (directory / "settings.json").write_text(json.dumps({**TODAY, "force_secure_notification": "yes"}))
    profile = Profile(directory)
    assert any("force_secure_notification should be true or false" in p for p in profile.problems)
    assert list(directory.glob("settings.json.damaged-*"))
