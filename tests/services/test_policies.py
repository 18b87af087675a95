"""Managed policies: precedence, strict checking by file and key, fail-closed, every loader."""

from __future__ import annotations

import json
import plistlib
from pathlib import Path

import pytest

from desktop_app.core.message import MessageError, OutgoingMessage
from desktop_app.services import policies as policy_module
from desktop_app.services import policy_rules
from desktop_app.services.policies import (
    Document,
    JsonDirLoader,
    MacPrefsLoader,
    Policies,
    RegistryLoader,
    Source,
    evaluate,
)
from desktop_app.services.profile import Mode, Profile


def policy_dir(tmp_path: Path, managed: dict[str, object] | None = None, recommended: dict[str, object] | None = None,
               **files: str) -> Path:  # fmt: skip
    """A policy folder: ``managed/50-test.json``, ``recommended/50-test.json``, and raw files by relative path."""
    root = tmp_path / "policies"
    for level, values in (("managed", managed), ("recommended", recommended)):
        (root / level).mkdir(parents=True, exist_ok=True)
        if values is not None:
            (root / level / "50-test.json").write_text(json.dumps(values))
    for name, text in files.items():
        path = root / name.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def loaded(root: Path) -> Policies:
    return policy_module.load(root)


def test_precedence_is_managed_then_user_then_recommended_then_default(tmp_path: Path) -> None:
    root = policy_dir(tmp_path, managed={"Mode": "paubox"},
                      recommended={"Mode": "sandbox", "OpenTracking": "off", "LinkTracking": "off"})  # fmt: skip
    profile = Profile(tmp_path / "p", loaded(root))
    profile.update(mode=Mode.SANDBOX, link_tracking="on")  # the user's choices
    s, o = profile.settings, profile.origins
    assert (s.mode, o["mode"].source, o["mode"].locked) == (Mode.PAUBOX, Source.MANAGED, True)
    assert o["mode"].where == str(root / "managed" / "50-test.json")
    assert (s.link_tracking, o["link_tracking"].source) == ("on", Source.USER)
    assert (s.open_tracking, o["open_tracking"].source) == ("off", Source.RECOMMENDED)
    assert (s.theme, o["theme"].source) == ("system", Source.DEFAULT)
    # The user's own value stays in their file: lifting the policy gives it back.
    assert profile.stored.mode is Mode.SANDBOX
    assert Profile(tmp_path / "p", Policies()).settings.mode is Mode.SANDBOX


def test_a_managed_value_contradicting_the_users_wins_and_the_users_is_kept(tmp_path: Path) -> None:
    profile = Profile(tmp_path / "p", loaded(policy_dir(tmp_path, managed={"ForceSecureNotification": False})))
    profile.update(force_secure_notification=True)
    assert profile.settings.force_secure_notification is False
    assert profile.locked("force_secure_notification")
    assert json.loads((tmp_path / "p" / "settings.json").read_text())["force_secure_notification"] is True


@pytest.mark.parametrize(("chosen", "effective"), [(30, 2), (0, 2), (1, 1), (2, 2)])
def test_an_idle_lock_above_the_maximum_is_brought_down_to_it(tmp_path: Path, chosen: int, effective: int) -> None:
    profile = Profile(tmp_path / "p", loaded(policy_dir(tmp_path, managed={"IdleLockMinutes": 2})))
    profile.update(autolock_minutes=chosen)  # 0 is "never": above any maximum
    assert profile.settings.autolock_minutes == effective
    origin = profile.origins["autolock_minutes"]
    assert origin.high == 2
    assert not origin.locked  # a maximum bounds the setting; the user may still choose less
    assert origin.source is (Source.MANAGED if chosen in (0, 30) else Source.USER)


def test_a_recommended_idle_lock_is_a_default_the_user_may_change(tmp_path: Path) -> None:
    profile = Profile(tmp_path / "p", loaded(policy_dir(tmp_path, recommended={"IdleLockMinutes": 3})))
    assert (profile.settings.autolock_minutes, profile.origins["autolock_minutes"].source) == (3, Source.RECOMMENDED)
    profile.update(autolock_minutes=45)
    assert profile.settings.autolock_minutes == 45


def test_retention_bounds(tmp_path: Path) -> None:
    root = policy_dir(tmp_path, managed={"MinimumRetentionDays": 30, "MaximumRetentionDays": 365})
    profile = Profile(tmp_path / "p", loaded(root))
    assert profile.settings.retention_days == 365  # "forever" is beyond the maximum
    for chosen, effective in ((7, 30), (100, 100), (4000, 365)):
        if chosen <= 3650:
            profile.update(retention_days=chosen)
            assert profile.settings.retention_days == effective


def test_a_malformed_file_is_named_the_rest_applies_and_security_fails_closed(tmp_path: Path) -> None:
    root = policy_dir(tmp_path, managed={"AllowNonTLS": True, "IdleLockMinutes": 2},
                      **{"managed__90-broken.json": '{"NoContentExport": fals'})  # fmt: skip
    policies = loaded(root)
    broken = str(root / "managed" / "90-broken.json")
    assert policies.problems == (f"{broken}: is not valid JSON (line 1, column 21: Expecting value); "
                                 "its policies are ignored.",)  # fmt: skip
    profile = Profile(tmp_path / "p", policies)
    assert profile.settings.autolock_minutes == 2  # the good file still applies
    assert profile.settings.allow_non_tls is False  # what IT may have meant to forbid stays forbidden
    assert profile.settings.no_content_export is True
    assert profile.origins["allow_non_tls"].where.startswith(broken)
    assert any(broken in p for p in profile.problems)


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ({"AllowNonTls": False}, "unknown policy 'AllowNonTls' (did you mean AllowNonTLS?)"),
        ({"IdleLockMinutes": "2"}, "IdleLockMinutes should be a whole number of at least 1"),
        ({"IdleLockMinutes": 0}, "IdleLockMinutes should be a whole number of at least 1"),
        ({"AllowNonTLS": "no"}, "AllowNonTLS should be true or false"),
        ({"AllowedSenders": "desk@clinic.example"}, "AllowedSenders should be a list of text"),
        ({"OpenTracking": "sometimes"}, "OpenTracking is 'sometimes', not one of account, on, off"),
        ({"AuditForwarding": "udp://10.0.0.1:514"}, "not tcp://host:port or tls://host:port"),
    ],
)
def test_unknown_names_and_wrong_values_are_named_by_file_and_key(
    tmp_path: Path, values: dict[str, object], said: str
) -> None:
    root = policy_dir(tmp_path, managed={**values, "PassphraseRequired": True})
    policies = loaded(root)
    assert len(policies.problems) == 1
    assert policies.problems[0].startswith(f"{root / 'managed' / '50-test.json'}: ")
    assert said in policies.problems[0]
    assert policies.managed["PassphraseRequired"].value is True  # the rest of the file applies
    assert policies.managed["AllowNonTLS"].value is False  # a managed problem: fail closed


def test_a_problem_in_a_recommended_file_does_not_lock_anything(tmp_path: Path) -> None:
    policies = loaded(policy_dir(tmp_path, recommended={"Theme": "dark"}))
    assert "unknown policy 'Theme'" in policies.problems[0]
    assert dict(policies.managed) == {}


def test_an_unreadable_or_missing_policy_folder_is_reported_and_fails_closed(tmp_path: Path) -> None:
    root = tmp_path / "policies"
    root.mkdir()
    (root / "managed").write_text("not a folder")  # cannot be listed: NotADirectoryError
    policies = loaded(root)
    assert policies.problems[0].startswith(f"{root / 'managed'}: the folder cannot be read")
    assert policies.managed["AllowNonTLS"].value is False
    missing = loaded(tmp_path / "nowhere")
    assert missing.problems == (f"{tmp_path / 'nowhere'}: the policy folder does not exist; its policies are ignored.",)
    # The system's own place may simply not exist: that is no problem.
    assert JsonDirLoader(tmp_path / "absent").documents() == []


def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    root = policy_dir(tmp_path, **{"managed__10-a.json": "{}"})
    (root / "managed" / "20-b.json").mkdir()  # a folder where a file should be: reading it fails
    problems = loaded(root).problems
    assert problems == (
        f"{root / 'managed' / '20-b.json'}: cannot be read (Is a directory); its policies are ignored.",
    )


def test_two_files_setting_one_policy_the_later_name_wins_and_both_are_named(tmp_path: Path) -> None:
    root = policy_dir(tmp_path, **{"managed__10-base.json": '{"IdleLockMinutes": 10}',
                                   "managed__20-ward.json": '{"IdleLockMinutes": 2}'})  # fmt: skip
    policies = loaded(root)
    assert policies.managed["IdleLockMinutes"].value == 2
    assert policies.managed["IdleLockMinutes"].origin.endswith("20-ward.json")
    first, later = root / "managed" / "10-base.json", root / "managed" / "20-ward.json"
    assert policies.notes == (f"IdleLockMinutes is set by {first} and by {later}; {later} wins.",)
    assert policies.problems == ()


def test_the_environment_names_the_policy_folder_for_tests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = policy_dir(tmp_path, managed={"IdleLockMinutes": 4})
    monkeypatch.setenv(policy_module.POLICY_DIR_ENV, str(root))
    assert policy_module.load().managed["IdleLockMinutes"].value == 4
    other = policy_dir(tmp_path / "x", managed={"IdleLockMinutes": 6})
    assert policy_module.load(other).managed["IdleLockMinutes"].value == 6  # --policy-dir wins


class FakeRegistry:
    """HKLM as a dict of key path → values; a key in ``broken`` cannot be read."""

    def __init__(self, keys: dict[str, dict[str, object]], broken: tuple[str, ...] = ()) -> None:
        self.keys, self.broken = keys, broken

    def values(self, key: str) -> dict[str, object] | None:
        if key in self.broken:
            raise PermissionError(13, "Access is denied")
        return self.keys.get(key)


def test_the_windows_registry_loader_reads_dwords_strings_and_list_subkeys() -> None:
    base = policy_module.REGISTRY_KEY
    registry = FakeRegistry({
        base: {"AllowNonTLS": 1, "IdleLockMinutes": 3, "AuditForwarding": "tls://syslog.clinic.example:6514"},
        base + r"\AllowedSenders": {"2": "b@clinic.example", "1": "a@clinic.example"},
        base + r"\Recommended": {"OpenTracking": "off", "Bogus": 1},
    })  # fmt: skip
    policies = evaluate(RegistryLoader(registry).documents())
    assert policies.managed["AllowNonTLS"].value is True
    assert policies.managed["IdleLockMinutes"].value == 3
    assert policies.managed["AllowedSenders"].value == ("a@clinic.example", "b@clinic.example")
    assert policies.managed["AllowedSenders"].origin == rf"HKLM\{base}"
    assert policies.recommended["OpenTracking"].value == "off"
    assert policies.problems == (rf"HKLM\{base}\Recommended: unknown policy 'Bogus'; ignored.",)
    unreadable = evaluate(RegistryLoader(FakeRegistry({}, broken=(base,))).documents())
    assert unreadable.problems == (rf"HKLM\{base}: cannot be read (Access is denied); its policies are ignored.",)
    assert unreadable.managed["NoContentExport"].value is True


class FakePlists:
    def __init__(self, plists: dict[Path, bytes]) -> None:
        self.plists = plists

    def read(self, path: Path) -> dict[str, object] | None:
        if path not in self.plists:
            return None
        data = plistlib.loads(self.plists[path])
        assert isinstance(data, dict)
        return data


def test_the_macos_loader_reads_managed_preferences() -> None:
    managed = plistlib.dumps({"IdleLockMinutes": 5, "AllowedSenders": ["desk@clinic.example"],
                              "PayloadUUID": "ignored: the profile's own key"})  # fmt: skip
    recommended = plistlib.dumps({"ForceSecureNotification": True})
    loader = MacPrefsLoader(FakePlists({MacPrefsLoader.MANAGED_PLIST: managed,
                                        MacPrefsLoader.RECOMMENDED_PLIST: recommended}))  # fmt: skip
    policies = evaluate(loader.documents())
    assert policies.problems == ()
    assert policies.managed["AllowedSenders"].value == ("desk@clinic.example",)
    assert policies.recommended["ForceSecureNotification"].value is True


def test_a_real_plist_file_that_is_damaged_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "org.sealpost.Sealpost.plist"
    bad.write_bytes(b"<plist><dict><key>x")
    with pytest.raises(ValueError, match="not a property list"):
        policy_module.FilePlistBackend().read(bad)
    assert policy_module.FilePlistBackend().read(tmp_path / "none.plist") is None


def message(**changes: object) -> OutgoingMessage:
    base: dict[str, object] = {"sender": "desk@clinic.example", "to": (), "subject": "s", "text": "t"}
    return OutgoingMessage(**{**base, **changes})  # type: ignore[arg-type]


def test_the_rules_refuse_what_no_policy_allows_and_force_what_is_locked(tmp_path: Path) -> None:
    plain = Profile(tmp_path / "a", Policies())
    with pytest.raises(MessageError, match=r"not allowed.*\(AllowNonTLS\)"):
        policy_rules.check(message(allow_non_tls=True), plain.settings, plain.origins)
    values = {"AllowNonTLS": True, "AllowedSenders": ["Desk@Clinic.example"], "ForceSecureNotification": True,
              "OpenTracking": "off"}  # fmt: skip
    strict = Profile(tmp_path / "b", evaluate([Document("managed", "test", values)]))
    policy_rules.check(message(allow_non_tls=True), strict.settings, strict.origins)  # allowed now
    with pytest.raises(MessageError, match="AllowedSenders"):
        policy_rules.check(message(sender="Other <other@clinic.example>"), strict.settings, strict.origins)
    with pytest.raises(MessageError, match="open tracking to off"):
        policy_rules.check(message(open_tracking=True), strict.settings, strict.origins)
    governed = policy_rules.govern(message(), strict.settings, strict.origins)
    assert governed.force_secure_notification is True
    assert governed.open_tracking is False
    assert governed.link_tracking is None  # the account's default: nothing set
    unchanged = message(force_secure_notification=True, open_tracking=False)
    assert policy_rules.govern(unchanged, strict.settings, strict.origins) is unchanged  # nothing to change
    ordinary = message()
    assert policy_rules.govern(ordinary, plain.settings, plain.origins) is ordinary  # the account's defaults
