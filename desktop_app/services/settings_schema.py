"""The settings schema: every setting declared once, and the policies IT may set over them.

Each field of :class:`Settings` carries its :class:`Spec` (label, help, Settings tab, range or
choices, whether a change needs a reconnect, whether only a policy may set it). The profile's
load/save, the Settings dialog (built from :func:`specs`), the runtime's apply step
(:func:`needs_reconnect`), the policy loaders (:data:`POLICIES`) and docs/deployment.md (generated
by ``scripts/gen-policy-docs.py``) all read it, so a new setting is one field here.

The file format carries ``schema_version``; a file without one is version 1 (the format before
this schema) and :data:`MIGRATIONS` bring older files up to :data:`SCHEMA_VERSION` on load.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import MISSING, Field, asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any

from desktop_app.api.config import AuthStyle, BasePreset
from desktop_app.store import identity as identity_file

SCHEMA_VERSION = 2
TABS = ("Connection", "Sending", "Privacy", "Appearance")
"""The tabs the Settings dialog generates; "Writing" has its own editors (ui/writing_settings.py)."""
OWN_EDITOR_TABS = ("Writing",)


class Mode(StrEnum):
    SANDBOX = "sandbox"  # the embedded Paubox-compatible server on loopback
    PAUBOX = "paubox"  # the real service


def _new_profile_id() -> str:
    import uuid  # a new profile only (uuid loads platform): not on every start

    return uuid.uuid4().hex


@dataclass(frozen=True)
class Spec:
    """What the dialog, the loader and the policy reference need to know about one setting."""

    label: str
    help: str
    tab: str | None = None  # None: not shown in the Settings dialog (internal or policy-only)
    low: float | None = None
    high: float | None = None
    choices: tuple[tuple[str, str], ...] = ()  # (value, label for the user)
    reconnect: bool = False  # a change takes effect only after the runtime reconnects
    user: bool = True  # False: only a policy sets it (the settings file cannot)
    suffix: str = ""
    zero: str = ""  # what 0 means when it means "no limit" ("Never", "Forever")


def _setting(default: Any, spec: Spec, factory: Callable[[], Any] | None = None) -> Any:
    if factory is not None:
        return field(default_factory=factory, metadata={"spec": spec})
    return field(default=default, metadata={"spec": spec})


def _internal(what: str) -> Spec:
    return Spec(what, what)


_THEMES = (("system", "Same as the system"), ("light", "Light"), ("dark", "Dark"))
_LANGUAGES = (("system", "Same as the system"), ("en", "English"), ("es", "Español"))
_TRACKING = (("account", "The Paubox account's setting"), ("on", "On"), ("off", "Off"))


@dataclass(frozen=True)
class Settings:
    profile_id: str = _setting(None, _internal("The profile's random id."), factory=_new_profile_id)
    name: str = _setting("Sandbox", _internal("The profile's name."))
    mode: Mode = _setting(
        Mode.SANDBOX,
        Spec("Mode", "Sandbox: the built-in test server, nothing is delivered. Paubox: real delivery.", "Connection",
             choices=(("sandbox", "Sandbox — built-in test server, nothing is delivered"),
                      ("paubox", "Paubox — real delivery")), reconnect=True),
    )  # fmt: skip
    base_preset: str = _setting(
        "v1_email",
        Spec("Endpoint", "Which generation of the Paubox API to talk to.", "Connection",
             choices=tuple((p.value, p.label) for p in BasePreset), reconnect=True),
    )  # fmt: skip
    base_url: str = _setting(
        "", Spec("Custom URL", "The base URL when the endpoint is Custom (https only).", "Connection", reconnect=True)
    )
    api_username: str = _setting(
        "", Spec("API username", "Only for the legacy endpoint.", "Connection", reconnect=True)
    )
    auth_style: str = _setting(
        "token",
        Spec("Auth style", "How the key is sent.", "Connection",
             choices=((AuthStyle.TOKEN.value, "Token token=KEY (works everywhere)"),
                      (AuthStyle.BEARER.value, "Bearer KEY (newest docs)")), reconnect=True),
    )  # fmt: skip
    # Endpoint detection (services/runtime.py): a keyed, truncated hash of the key and the host root
    # the generation and auth style were detected for (never the key), and the generation found
    # under a root URL (a custom or --api-base-url root such as the sandbox's); "" = not detected yet.
    endpoint_checked_for_key: str = _setting("", _internal("What the endpoint was detected for."))
    detected_preset: str = _setting("", _internal("The endpoint generation detected under a root URL."))
    requests_per_second: float = _setting(
        10.0, Spec("Rate limit", "Most API requests per second.", "Connection", 0.5, 1000.0, reconnect=True,
                   suffix=" requests/s"),
    )  # fmt: skip
    poll_budget_per_minute: int = _setting(
        120, Spec("Polling budget", "Most status polls per minute.", "Connection", 10, 1200, reconnect=True,
                  suffix=" polls/min"),
    )  # fmt: skip
    sender: str = _setting("staff@clinic.example", Spec("Sender address", "The From address of new messages.",
                                                        "Sending"))  # fmt: skip
    undo_seconds: float = _setting(5.0, Spec("Undo-send window", "Seconds a sent message can still be taken back.",
                                             "Sending", 0, 60, suffix=" s"))  # fmt: skip
    recipient_guard: int = _setting(20, Spec("Warn above", "Ask before sending to more recipients than this.",
                                             "Sending", 2, 100, suffix=" recipients"))  # fmt: skip
    attachment_limit_mb: float = _setting(
        10.0, Spec("Attachment limit (encoded)", "Largest total of attachments per message.", "Sending", 1, 50,
                   suffix=" MB"),
    )  # fmt: skip
    force_secure_notification: bool = _setting(
        False, Spec("Force secure notification", "New messages are picked up in Paubox's portal.", "Sending")
    )
    open_tracking: str = _setting(
        "account", Spec("Open tracking", "Open tracking for new messages.", "Sending", choices=_TRACKING)
    )
    link_tracking: str = _setting(
        "account", Spec("Link tracking", "Link-click tracking for new messages.", "Sending", choices=_TRACKING)
    )
    # Edited on the Writing tab by its own rich-text editors (ui/writing_settings.py).
    message_footer: str = _setting(
        "", Spec("Organisation footer", "HTML appended to every message sent (core/footer.py); empty: none.",
                 "Writing"),
    )  # fmt: skip
    signature: str = _setting(
        "", Spec("Signature", "HTML put into each new message in the composer (sanitised there).", "Writing")
    )
    spell_language: str = _setting(
        "en_US", Spec("Spelling language", "The spell checker's dictionary (ui/spelling.py).", "Writing",
                      choices=(("en_US", "English (United States)"), ("es", "Spanish"))),
    )  # fmt: skip
    require_verified_recipients: bool = _setting(
        False, Spec("Require verified recipients", "Send only to addresses verified in the address book.",
                    "Sending"),
    )  # fmt: skip
    guard_rules: str = _setting(
        "", Spec("Guard rules file", "A file of pre-send guard rules (path); empty: the built-in guards.", "Sending")
    )
    offline_policy: str = _setting(
        "always",
        Spec("Offline queue", "What happens to queued mail when the network returns.",
             choices=(("always", "Send it"), ("ask", "Ask first"))),
    )  # fmt: skip
    retention_days: int = _setting(
        0, Spec("Keep history for", "Days of history to keep; older messages are deleted.", "Privacy", 0, 3650,
                suffix=" days", zero="Forever"),
    )  # fmt: skip
    autolock_minutes: int = _setting(
        10, Spec("Auto-lock after", "Minutes without input before Sealpost locks itself.", "Privacy", 0, 240,
                 suffix=" min", zero="Never"),
    )  # fmt: skip
    passphrase_hash: str = _setting("", _internal("The scrypt hash of the screen-lock passphrase."))
    audit_forwarding: str = _setting(
        "", Spec("Audit forwarding", "Syslog collector for audit events: tcp://host:port or tls://host:port; "
                 "empty: off.", "Privacy"),
    )  # fmt: skip
    theme: str = _setting("system", Spec("Theme", "Light, dark or as the system.", "Appearance", choices=_THEMES))
    language: str = _setting("system", Spec("Language", "The window's language; it changes at the next start.",
                                            "Appearance", choices=_LANGUAGES))  # fmt: skip
    # Set by policies only (the settings file cannot turn these on).
    allow_non_tls: bool = _setting(
        False, Spec("Allow delivery without TLS", "Whether a message may be delivered without TLS.", user=False)
    )
    allowed_senders: tuple[str, ...] = _setting(
        (), Spec("Allowed senders", "The only From addresses allowed; empty: any.", user=False)
    )
    passphrase_required: bool = _setting(
        False, Spec("Passphrase required", "A screen-lock passphrase must be set.", user=False)
    )
    wipe_database_memory: bool = _setting(
        False,
        Spec(
            "Wipe database memory",
            "SQLCipher keeps its memory out of swap and wipes what it frees (slower; docs/security.md).",
            user=False,
        ),
    )
    no_content_export: bool = _setting(
        False, Spec("No content export", "Message content may not be exported.", user=False)
    )
    user_set: tuple[str, ...] = _setting((), _internal("The settings the user chose (the others follow policy)."))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["mode"] = self.mode.value
        for f in fields(self):
            if not spec(f).user:
                del data[f.name]  # never written: only a policy sets them
        data["user_set"] = sorted(self.user_set)
        data["schema_version"] = SCHEMA_VERSION
        return data

    @classmethod
    def from_json(cls, data: object, notes: list[str] | None = None) -> Settings:
        """Settings from a parsed settings file; ValueError naming the first value that is wrong.

        Unknown keys (from a newer version) are ignored and missing ones take their defaults,
        except the id: a settings file without one is damaged, not a new profile. A value of the
        right type outside its range or choices takes its default, and ``notes`` says so.
        """
        if not isinstance(data, dict):
            raise ValueError("it does not hold a settings object")
        if "profile_id" not in data:
            raise ValueError("it has no profile id")
        data = migrate(data)
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in data and spec(f).user:
                value = check_value(f, data[f.name])
                out_of = bounds_problem(f, value)
                if out_of:
                    if notes is not None:
                        notes.append(f"{f.name} {out_of}; the default {default(f)!r} is used")
                    continue
                values[f.name] = value
        values["user_set"] = tuple(n for n in values.get("user_set", ()) if n in USER_FIELDS and n in values)
        return cls(**values)


def spec(f: Field[Any]) -> Spec:
    found: Spec = f.metadata["spec"]
    return found


def specs() -> list[tuple[Field[Any], Spec]]:
    """Every setting with its spec, in declaration order (the dialog's order)."""
    return [(f, spec(f)) for f in fields(Settings)]


def field_named(name: str) -> Field[Any]:
    return FIELDS[name]


def default(f: Field[Any]) -> Any:
    if f.default is not MISSING:
        return f.default
    return f.default_factory() if f.default_factory is not MISSING else None


def kind(f: Field[Any]) -> str:
    """The field's type as the schema knows it: str, int, float, bool, list (of text), Mode."""
    return {"tuple[str, ...]": "list"}.get(str(f.type), str(f.type))


def needs_reconnect(changed: Iterable[str]) -> bool:
    """Whether a change of these settings takes effect only after reconnecting (the apply step)."""
    return any(name in FIELDS and spec(FIELDS[name]).reconnect for name in changed)


def check_value(f: Field[Any], value: object) -> Any:
    """``value`` as the type the field declares, or ValueError in words (range not checked)."""
    name, type_ = f.name, kind(f)
    if name == "profile_id":
        if not identity_file.is_valid_profile_id(value):
            raise ValueError("its profile id is not valid")
        return value
    if type_ == "Mode":
        if not isinstance(value, str) or value not in {m.value for m in Mode}:
            raise ValueError(f"mode should be one of {', '.join(m.value for m in Mode)}")
        return Mode(value)
    if type_ == "str":
        if not isinstance(value, str):
            raise ValueError(f"{name} should be text")
        return value
    if type_ == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{name} should be true or false")
        return value
    if type_ == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} should be a whole number")
        return value
    if type_ == "float":
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"{name} should be a number")
        return float(value)
    if type_ == "list":
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValueError(f"{name} should be a list of text")
        return tuple(value)
    raise ValueError(f"{name} has a type this version cannot check")  # pragma: no cover - a new field kind


def bounds_problem(f: Field[Any], value: Any) -> str:
    """Why a value of the right type is not allowed (outside the range, not a choice), or ""."""
    s = spec(f)
    if s.choices and str(value) not in {v for v, _ in s.choices}:
        return f"is {value!r}, not one of {', '.join(v for v, _ in s.choices)}"
    if s.low is not None and s.high is not None and not s.low <= value <= s.high:
        return f"is {_number(value)}, outside {s.low:g} to {s.high:g}"
    if f.name == "audit_forwarding" and value and not _forwarding_ok(value):
        return f"is {value!r}, not tcp://host:port or tls://host:port"
    return ""


def odd_senders(senders: Iterable[str]) -> list[str]:
    """AllowedSenders entries that are not a bare address: reported, yet kept in the list (they
    match no sender), so a typo narrows who may send instead of lifting the restriction."""
    return [item for item in senders if not _bare_address(item)]


FORWARDING = re.compile(r"(tcp|tls)://(\[[0-9A-Fa-f:]+\]|[A-Za-z0-9.\-]+):([0-9]{1,5})", re.ASCII)


def _forwarding_ok(value: str) -> bool:
    """ASCII digits only (``\\d`` would take "١٢") and a port a socket can use (1 to 65535)."""
    match = FORWARDING.fullmatch(value)
    return match is not None and 1 <= int(match[3]) <= 65535


def _bare_address(text: str) -> bool:
    from desktop_app.core.addresses import AddressError, parse_address  # not before the window's first paint

    try:
        return parse_address(text).email.lower() == text.strip().lower() and "@" in text
    except AddressError:
        return False


def _number(value: float) -> str:
    """A number for a message; an integer too long for a float is summarised, not shown."""
    if isinstance(value, int) and abs(value) > 10**15:
        return f"a number of {len(str(abs(value)))} digits"
    return f"{value:g}"


def _migrate_1(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 kept no record of what the user chose: a value other than the default was chosen
    (so a recommended policy still applies to everything else)."""
    chosen = [n for n in USER_FIELDS if n in data and data[n] != _json_default(FIELDS[n])]
    return {**data, "user_set": chosen, "schema_version": 2}


def _json_default(f: Field[Any]) -> Any:
    value = default(f)
    return value.value if isinstance(value, Mode) else list(value) if isinstance(value, tuple) else value


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _migrate_1}
"""From version N to N+1; a file from a newer version loads what this one knows."""


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    version = data.get("schema_version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError("its schema_version is not a version number")
    while version in MIGRATIONS:
        data = MIGRATIONS[version](data)
        version += 1
    return data


FIELDS: dict[str, Field[Any]] = {f.name: f for f in fields(Settings)}
INTERNAL = frozenset(
    {"profile_id", "name", "endpoint_checked_for_key", "detected_preset", "passphrase_hash", "user_set"}
)
USER_FIELDS = tuple(f.name for f in fields(Settings) if spec(f).user and f.name not in INTERNAL)
"""The settings a user chooses (and a policy may also set)."""


# ---------------------------------------------------------------------- policies


class Effect(StrEnum):
    SET = "set"  # managed: this value, locked; recommended: the default the user may change
    MAXIMUM = "maximum"  # managed: the most the user may choose ("no limit", 0, is above it)
    MINIMUM = "minimum"  # managed: the least the user may choose (0 "no limit" stays allowed)


@dataclass(frozen=True)
class Policy:
    """One policy IT may set: a CamelCase name over one setting (services/policies.py applies it)."""

    name: str
    setting: str
    doc: str
    effect: Effect = Effect.SET
    fail_closed: Any = None  # forced (as managed) when a managed source is damaged or gives a wrong value
    example: Any = None

    @property
    def kind(self) -> str:
        return "int" if self.effect is not Effect.SET else kind(FIELDS[self.setting])

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(v for v, _ in spec(FIELDS[self.setting]).choices) if self.effect is Effect.SET else ()

    def check(self, value: object) -> Any:
        """The value as the setting's type, or ValueError in words (type, choices, range)."""
        f = FIELDS[self.setting]
        if self.effect is not Effect.SET:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError("should be a whole number of at least 1")
            high = spec(f).high  # a bound past the setting's own range would reach timers unchecked
            if high is not None and value > high:
                raise ValueError(f"is {_number(value)}, outside 1 to {high:g}")
            return value
        try:
            checked = check_value(f, value)
        except ValueError as error:  # "open_tracking should be text": said of the policy instead
            raise ValueError(f"should {str(error).partition(' should ')[2]}") from None
        why = bounds_problem(f, checked)
        if why:
            raise ValueError(why)
        return checked


POLICIES: tuple[Policy, ...] = (
    Policy("Mode", "mode", "`sandbox` (the built-in test server) or `paubox` (real delivery).", example="paubox"),
    Policy("EndpointPreset", "base_preset", "Which Paubox API generation to use.", example="v1_email"),
    Policy("BaseURL", "base_url", "The base URL when EndpointPreset is `custom` (https only).",
           example="https://api.paubox.com/v1/email"),
    Policy("AllowedSenders", "allowed_senders", "The only From addresses a message may have (GUI and headless); "
           "empty list: any.", example=["desk@clinic.example"]),
    Policy("AllowNonTLS", "allow_non_tls", "Whether a message may be sent with \"allow delivery without TLS\" "
           "(the composer's switch, `sealpost send --allow-non-tls`). Fails closed (false).", fail_closed=False,
           example=False),
    Policy("ForceSecureNotification", "force_secure_notification", "Force secure notification for new messages; "
           "managed: every message, the switch locked.", example=True),
    Policy("IdleLockMinutes", "autolock_minutes", "Managed: the longest idle time before the app locks; the user "
           "may choose less, never more or Never. Recommended: the default.", Effect.MAXIMUM, example=5),
    Policy("PassphraseRequired", "passphrase_required", "An app passphrase must be set; until one is, the window's "
           "passphrase bar says the organisation requires it.", example=True),
    Policy("MinimumRetentionDays", "retention_days", "History may not be deleted sooner than this many days.",
           Effect.MINIMUM, example=30),
    Policy("MaximumRetentionDays", "retention_days", "History is deleted after at most this many days "
           "(\"Forever\" is not allowed).", Effect.MAXIMUM, example=365),
    Policy("OpenTracking", "open_tracking", "Open tracking for new messages: `account`, `on` or `off`; managed: "
           "the only value allowed.", example="off"),
    Policy("LinkTracking", "link_tracking", "Link-click tracking for new messages: `account`, `on` or `off`; "
           "managed: the only value allowed.", example="off"),
    Policy("GuardRules", "guard_rules", "Path of a pre-send guard rules file.",
           example="/etc/sealpost/guard-rules.json"),
    Policy("RequireVerifiedRecipients", "require_verified_recipients", "Send only to addresses verified in the "
           "address book.", example=True),
    Policy("WipeDatabaseMemory", "wipe_database_memory", "SQLCipher locks its memory out of swap and wipes "
           "every block it frees (the key is wiped either way); mail merges queue about twice as slowly.",
           example=True),
    Policy("NoContentExport", "no_content_export", "Message content (bodies, subjects, recipients) may not be "
           "exported. Fails closed (true).", fail_closed=True, example=True),
    Policy("AuditForwarding", "audit_forwarding", "Forward audit events to this syslog collector: "
           "`tcp://host:port` or `tls://host:port`; empty: off.", example="tls://syslog.clinic.example:6514"),
    Policy("MessageFooter", "message_footer", "HTML footer appended to every message sent (window, `sealpost send`, "
           "`sealpost batch`); managed: the user cannot change it.",
           example="<p>Confidential: intended for the named recipient only.</p>"),
)  # fmt: skip
POLICY_BY_NAME: dict[str, Policy] = {p.name: p for p in POLICIES}
