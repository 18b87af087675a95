"""Profiles as Settings lists and adds them: an added profile's identity is kept twice from the start."""

from __future__ import annotations

from pathlib import Path

from desktop_app.services.profile import Mode, Profile
from desktop_app.services.settings_service import add_profile, list_profiles


def test_an_added_profile_keeps_its_identity_outside_settings_json(tmp_path: Path) -> None:
    profile = add_profile(tmp_path, "Front desk", Mode.SANDBOX)
    (profile.directory / Profile.SETTINGS_FILE).write_text("{ not json")
    reloaded = Profile(profile.directory)
    assert reloaded.settings.profile_id == profile.settings.profile_id  # its keyring entries are still found
    assert reloaded.problems


def test_a_profile_whose_settings_were_lost_is_still_listed(tmp_path: Path) -> None:
    profile = add_profile(tmp_path, "Ward 3", Mode.SANDBOX)
    (profile.directory / Profile.SETTINGS_FILE).unlink()
    assert [entry.directory for entry in list_profiles(tmp_path)] == [profile.directory]
