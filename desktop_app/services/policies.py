"""Managed policies: what IT sets for every desk, over the user's settings.

Precedence, for each setting: a **managed** policy (mandatory, the setting is locked) > the
**user**'s choice > a **recommended** policy (a default the user may change) > the built-in
default. A managed ``Maximum…``/``Minimum…`` policy (IdleLockMinutes, the retention bounds) does
not lock its setting; it bounds what the user may choose.

Policies are read through one :class:`PolicyLoader` interface: JSON folders on Linux
(``/etc/sealpost/policies/{managed,recommended}/*.json``, or ``--policy-dir`` /
``SEALPOST_POLICY_DIR``), the registry on Windows (``HKLM\\SOFTWARE\\Policies\\Sealpost``) and
managed preferences on macOS. Within one level, files are read in name order and a later file
wins for a policy two files set (both are named in the notes), as systemd drop-ins do.

Strict: a file that cannot be read or parsed, an unknown policy or a wrong value is reported by
file and key (:attr:`Policies.problems`, shown and audited by the callers), the rest still
applies, and a problem in a *managed* source forces every fail-closed policy (AllowNonTLS false,
NoContentExport true) to its safe value: what IT meant to forbid stays forbidden.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from desktop_app.services.settings_schema import (
    FIELDS,
    POLICIES,
    POLICY_BY_NAME,
    USER_FIELDS,
    Effect,
    Policy,
    Settings,
    default,
    kind,
    odd_senders,
    spec,
)

LINUX_POLICY_DIR = Path("/etc/sealpost/policies")
POLICY_DIR_ENV = "SEALPOST_POLICY_DIR"
REGISTRY_KEY = r"SOFTWARE\Policies\Sealpost"
MAC_DOMAIN = "org.sealpost.Sealpost"
MANAGED, RECOMMENDED = "managed", "recommended"


class Source(StrEnum):
    MANAGED = "managed"
    USER = "user"
    RECOMMENDED = "recommended"
    DEFAULT = "default"


@dataclass(frozen=True)
class Document:
    """What one policy file (or registry key) said; ``values`` None when it could not be read."""

    level: str  # MANAGED or RECOMMENDED
    origin: str  # the file or registry key, as the reports name it
    values: Mapping[str, object] | None
    error: str = ""


class PolicyLoader(Protocol):
    """One platform's place for policies."""

    @property
    def where(self) -> str:
        """Where it looks, in words."""

    def documents(self) -> list[Document]: ...


@dataclass(frozen=True)
class Setter:
    value: Any
    origin: str


@dataclass(frozen=True)
class Origin:
    """Where a setting's effective value came from."""

    source: Source
    where: str = ""  # the policy file (or registry key)
    locked: bool = False  # a managed policy sets it: the user cannot change it
    low: int | None = None  # bounds a managed policy sets (the value already within them)
    high: int | None = None
    policy: str = ""  # the policy that decided it


@dataclass(frozen=True)
class Policies:
    managed: Mapping[str, Setter] = field(default_factory=dict)
    recommended: Mapping[str, Setter] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # not wrong, but worth knowing (two files setting one policy)
    read_from: str = ""  # where they were looked for, in words

    def apply(self, user: Settings) -> tuple[Settings, dict[str, Origin]]:
        """The effective settings (the user's with the policies over them) and each one's origin."""
        values: dict[str, Any] = {}
        origins: dict[str, Origin] = {}
        for name in (*USER_FIELDS, *(n for n, f in FIELDS.items() if not spec(f).user)):
            value, origin = self._decide(name, user)
            values[name], origins[name] = value, origin
        return replace(user, **values), origins

    def _decide(self, name: str, user: Settings) -> tuple[Any, Origin]:
        governing = [p for p in POLICIES if p.setting == name]
        setters = [p for p in governing if p.effect is Effect.SET]
        bounds = [p for p in governing if p.effect is not Effect.SET]
        managed = next(((p, self.managed[p.name]) for p in setters if p.name in self.managed), None)
        recommended = next(((p, self.recommended[p.name]) for p in governing if p.name in self.recommended), None)
        if managed is not None:
            return managed[1].value, Origin(Source.MANAGED, managed[1].origin, locked=True, policy=managed[0].name)
        if spec(FIELDS[name]).user and name in user.user_set:
            value, origin = getattr(user, name), Origin(Source.USER)
        elif recommended is not None:
            value = recommended[1].value
            origin = Origin(Source.RECOMMENDED, recommended[1].origin, policy=recommended[0].name)
        else:
            value, origin = default(FIELDS[name]), Origin(Source.DEFAULT)
        for policy in bounds:
            limit = self.managed.get(policy.name)
            if limit is None:
                continue
            if policy.effect is Effect.MAXIMUM:
                origin = replace(origin, high=limit.value)
                beyond = value == 0 or value > limit.value  # 0 is "never"/"forever": beyond any maximum
            else:
                origin = replace(origin, low=limit.value)
                beyond = 0 < value < limit.value
            if beyond:
                value = limit.value
                origin = replace(origin, source=Source.MANAGED, where=limit.origin, policy=policy.name)
        return value, origin

    def effective_policies(self, settings: Settings, origins: Mapping[str, Origin]) -> dict[str, dict[str, Any]]:
        """Every policy's effective value and where it came from (``sealpost policy --json``)."""
        report: dict[str, dict[str, Any]] = {}
        for policy in POLICIES:
            if policy.name in self.managed:
                setter, source = self.managed[policy.name], Source.MANAGED
            elif policy.name in self.recommended:
                setter, source = self.recommended[policy.name], Source.RECOMMENDED
            else:
                setter, source = None, None
            if policy.effect is not Effect.SET and setter is None:
                report[policy.name] = {"value": None, "source": Source.DEFAULT.value, "file": None}
                continue
            where: str | None
            if setter is not None and source is not None:
                value, where = setter.value, setter.origin
                if source is Source.RECOMMENDED and policy.effect is Effect.SET:
                    origin = origins[policy.setting]  # the user may have chosen otherwise
                    source, value = origin.source, getattr(settings, policy.setting)
                    where = origin.where or None
            else:
                origin = origins[policy.setting]
                source, value, where = origin.source, getattr(settings, policy.setting), origin.where or None
            report[policy.name] = {"value": _plain(value), "source": source.value, "file": where}
        return report

    def report(self, settings: Settings, origins: Mapping[str, Origin]) -> dict[str, Any]:
        """Everything ``sealpost policy --json`` and Help → Policies show."""
        shown = {}
        for name, origin in origins.items():
            shown[name] = {"value": _plain(getattr(settings, name)), "source": origin.source.value,
                           "file": origin.where or None, "locked": origin.locked, "policy": origin.policy or None,
                           "minimum": origin.low, "maximum": origin.high}  # fmt: skip
        return {"read_from": self.read_from, "policies": self.effective_policies(settings, origins),
                "settings": shown, "problems": list(self.problems), "notes": list(self.notes)}  # fmt: skip


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else str(value) if isinstance(value, StrEnum) else value


def evaluate(documents: Iterable[Document], read_from: str = "") -> Policies:
    """Check every document against the schema; later documents of a level win; fail closed."""
    levels: dict[str, dict[str, Setter]] = {MANAGED: {}, RECOMMENDED: {}}
    problems: list[str] = []
    notes: list[str] = []
    managed_damaged = ""
    for doc in documents:
        target = levels[doc.level]
        if doc.values is None:
            problems.append(f"{doc.origin}: {doc.error}; its policies are ignored.")
            managed_damaged = managed_damaged or (doc.origin if doc.level == MANAGED else "")
            continue
        for key, raw in doc.values.items():
            why = ""
            policy = POLICY_BY_NAME.get(key)
            if policy is None:
                import difflib  # only for a misspelt key: not on every start

                close = difflib.get_close_matches(key, POLICY_BY_NAME, n=1)
                why = f"unknown policy {key!r}" + (f" (did you mean {close[0]}?)" if close else "")
            else:
                try:
                    value = policy.check(raw)
                except ValueError as error:
                    why = f"{key} {error}"
            if why:
                problems.append(f"{doc.origin}: {why}; ignored.")
                managed_damaged = managed_damaged or (doc.origin if doc.level == MANAGED else "")
                continue
            odd = odd_senders(value) if key == "AllowedSenders" else []
            for item in odd:
                problems.append(f"{doc.origin}: AllowedSenders holds {item[:80]!r}, not an email address; "
                                "it matches no sender.")  # fmt: skip
            if odd:
                managed_damaged = managed_damaged or (doc.origin if doc.level == MANAGED else "")
            if key in target:
                notes.append(f"{key} is set by {target[key].origin} and by {doc.origin}; {doc.origin} wins.")
            target[key] = Setter(value, doc.origin)
    if managed_damaged:
        for policy in POLICIES:
            current = levels[MANAGED].get(policy.name)
            if policy.fail_closed is not None and (current is None or current.value != policy.fail_closed):
                levels[MANAGED][policy.name] = Setter(
                    policy.fail_closed, f"{managed_damaged} (fail-closed: a managed policy has a problem)"
                )
    return Policies(levels[MANAGED], levels[RECOMMENDED], tuple(problems), tuple(notes), read_from)


# ---------------------------------------------------------------------- loaders


class JsonDirLoader:
    """``ROOT/managed/*.json`` and ``ROOT/recommended/*.json``, each a JSON object of policies."""

    def __init__(self, root: Path, *, required: bool = False) -> None:
        self.root = root
        self.required = required  # named explicitly (--policy-dir): a missing folder is a problem
        self.where = f"{root}/managed/*.json, {root}/recommended/*.json"

    def documents(self) -> list[Document]:
        found: list[Document] = []
        if not self.root.exists():
            if self.required:
                found.append(Document(MANAGED, str(self.root), None, "the policy folder does not exist"))
            return found
        for level in (MANAGED, RECOMMENDED):
            folder = self.root / level
            try:
                paths = sorted(p for p in folder.iterdir() if p.suffix == ".json")
            except FileNotFoundError:
                continue
            except OSError as error:
                found.append(Document(level, str(folder), None, f"the folder cannot be read ({error.strerror})"))
                continue
            found.extend(_json_document(level, path) for path in paths)
        return found


MAX_POLICY_BYTES = 1 << 20
"""A policy file is a few hundred bytes; anything past this is not one (and is not read whole)."""


def _json_document(level: str, path: Path) -> Document:
    try:
        data = json.loads(_read_small(path).decode("utf-8-sig"), object_pairs_hook=_pairs)
    except OSError as error:
        return Document(level, str(path), None, f"cannot be read ({error.strerror or error})")
    except UnicodeDecodeError:
        return Document(level, str(path), None, "is not UTF-8 text")
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        return Document(level, str(path), None, f"is not valid JSON ({where}: {error.msg})")
    except RecursionError:
        return Document(level, str(path), None, "is not a policy file (its JSON is nested too deeply)")
    except ValueError as error:  # a number of thousands of digits, a key given twice
        return Document(level, str(path), None, f"is not valid JSON ({error})")
    if not isinstance(data, dict):
        return Document(level, str(path), None, "does not hold a JSON object of policies")
    return Document(level, str(path), data)


def _read_small(path: Path) -> bytes:
    """The file's bytes, refusing what is not a regular file (a FIFO would block the start, a device
    never end) or is larger than :data:`MAX_POLICY_BYTES`, without reading more than that."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("is not a regular file")
        data = stream.read(MAX_POLICY_BYTES + 1)
    if len(data) > MAX_POLICY_BYTES:
        raise OSError(f"is larger than {MAX_POLICY_BYTES // 1024} KiB, too large for a policy file")
    return data


def _pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """Refuse a key given twice in one object: which one counts would otherwise be silent
    (``{"AllowNonTLS": false, "AllowNonTLS": true}`` reads as true)."""
    found = dict(pairs)
    if len(found) != len(pairs):
        keys = [key for key, _ in pairs]
        raise ValueError(f"{next(k for k in keys if keys.count(k) > 1)} is given twice in one object")
    return found


class RegistryBackend(Protocol):
    def values(self, key: str) -> dict[str, object] | None:
        """The values under ``HKLM\\key`` by name (None: no such key); OSError if unreadable."""


class RegistryLoader:
    """``HKLM\\SOFTWARE\\Policies\\Sealpost`` (managed) and its ``Recommended`` subkey.

    As Chrome's: booleans are DWORD 0/1, numbers DWORD, text REG_SZ, and a list is a subkey named
    after the policy holding values ``1``, ``2``, … (packaging/windows/sealpost.admx writes them).
    """

    def __init__(self, backend: RegistryBackend) -> None:
        self.backend = backend
        self.where = f"HKLM\\{REGISTRY_KEY} and its Recommended subkey"

    def documents(self) -> list[Document]:
        found = []
        for level, key in ((MANAGED, REGISTRY_KEY), (RECOMMENDED, REGISTRY_KEY + r"\Recommended")):
            where = f"HKLM\\{key}"
            try:
                raw = self.backend.values(key)
                if raw is None:
                    continue
                values: dict[str, object] = {name: _from_registry(name, value) for name, value in raw.items()}
                for policy in POLICIES:
                    if kind(FIELDS[policy.setting]) == "list" and policy.effect is Effect.SET:
                        items = self.backend.values(f"{key}\\{policy.name}")
                        if items is not None:
                            values[policy.name] = [items[n] for n in sorted(items, key=_number)]
            except OSError as error:
                found.append(Document(level, where, None, f"cannot be read ({error.strerror or error})"))
                continue
            found.append(Document(level, where, values))
        return found


def _number(name: str) -> tuple[int, str]:
    return (int(name), "") if name.isdigit() else (sys.maxsize, name)


def _from_registry(name: str, value: object) -> object:
    policy = POLICY_BY_NAME.get(name)
    if policy is not None and policy.kind == "bool" and value in (0, 1) and not isinstance(value, bool):
        return bool(value)
    return value


class PlistBackend(Protocol):
    def read(self, path: Path) -> dict[str, object] | None:
        """The plist at ``path`` (None: none there); OSError or ValueError when unreadable."""


class FilePlistBackend:
    def read(self, path: Path) -> dict[str, object] | None:
        import plistlib  # macOS only: not on every start elsewhere
        from xml.parsers.expat import ExpatError

        try:
            with path.open("rb") as stream:
                data = plistlib.load(stream)
        except FileNotFoundError:
            return None
        except (plistlib.InvalidFileException, ExpatError) as error:
            raise ValueError("is not a property list") from error
        if not isinstance(data, dict):
            raise ValueError("does not hold a dictionary of policies")
        return data


class MacPrefsLoader:
    """Managed preferences (a configuration profile from the MDM) are mandatory; the local
    ``/Library/Preferences`` domain is recommended."""

    MANAGED_PLIST = Path(f"/Library/Managed Preferences/{MAC_DOMAIN}.plist")
    RECOMMENDED_PLIST = Path(f"/Library/Preferences/{MAC_DOMAIN}.plist")

    def __init__(self, backend: PlistBackend | None = None) -> None:
        self.backend = backend or FilePlistBackend()
        self.where = f"{self.MANAGED_PLIST}, {self.RECOMMENDED_PLIST}"

    def documents(self) -> list[Document]:
        found = []
        for level, path in ((MANAGED, self.MANAGED_PLIST), (RECOMMENDED, self.RECOMMENDED_PLIST)):
            try:
                data = self.backend.read(path)
            except (OSError, ValueError) as error:
                found.append(Document(level, str(path), None, str(error)))
                continue
            if data is not None:
                policies = {k: v for k, v in data.items() if not k.startswith("Payload")}  # the profile's own keys
                found.append(Document(level, str(path), policies))
        return found


class _WinRegBackend:  # pragma: no cover - Windows only
    def values(self, key: str) -> dict[str, object] | None:
        if sys.platform != "win32":
            return None
        import winreg

        try:
            handle = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, key)
        except FileNotFoundError:
            return None
        found: dict[str, object] = {}
        with handle:
            index = 0
            while True:
                try:
                    name, value, _type = winreg.EnumValue(handle, index)
                except OSError:
                    return found
                found[name] = value
                index += 1


def platform_loader(policy_dir: Path | None = None) -> PolicyLoader:
    """Where this process reads its policies: ``policy_dir``, else $SEALPOST_POLICY_DIR, else the
    platform's fixed place."""
    chosen = policy_dir or (Path(os.environ[POLICY_DIR_ENV]) if os.environ.get(POLICY_DIR_ENV) else None)
    if chosen is not None:
        return JsonDirLoader(chosen, required=True)
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return RegistryLoader(_WinRegBackend())
    if sys.platform == "darwin":  # pragma: no cover - macOS only
        return MacPrefsLoader()
    return JsonDirLoader(LINUX_POLICY_DIR)


def load(policy_dir: Path | None = None) -> Policies:
    loader = platform_loader(policy_dir)
    return evaluate(loader.documents(), loader.where)


_installed = Policies()


def install(policies: Policies) -> None:
    """Make these the process's policies (the composition root does this once, before any profile
    is opened: a profile opened later, e.g. on a switch, gets the same)."""
    global _installed
    _installed = policies


def installed() -> Policies:
    return _installed


def describe(origin: Origin) -> str:
    """Where a value came from, in words for the user."""
    if origin.source is Source.MANAGED:
        return f"managed by your organisation ({origin.where})"
    if origin.source is Source.RECOMMENDED:
        return f"recommended by your organisation ({origin.where})"
    return "your choice" if origin.source is Source.USER else "built-in default"


__all__ = ["Document", "Origin", "Policies", "Policy", "PolicyLoader", "Source", "evaluate", "load"]
