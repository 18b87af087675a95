"""Which base URL and auth style work with a key: the candidates and the report in words.

Paubox has served three URL generations and two auth styles (paubox-api §2); a user who pastes a
key should not have to know which one their account is on. ``PauboxClient.test_connection`` probes
each candidate read-only and this module turns the answers into sentences.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from desktop_app.api.config import AuthStyle, BasePreset, check_base_url, preset_url

PROBE_TRACKING_ID = "00000000-0000-0000-0000-000000000000"
"""Receipt probe id: no message has it, so a served endpoint answers a JSON "not found" and sends nothing."""


class ProbeOutcome(StrEnum):
    WORKS = "works"
    KEY_REFUSED = "key_refused"
    NOT_PERMITTED = "not_permitted"
    NOT_SERVED = "not_served"
    UNREACHABLE = "unreachable"
    UNTRUSTED = "untrusted"  # reached, but its TLS certificate could not be verified: nothing was sent
    UNEXPECTED = "unexpected"


@dataclass(frozen=True)
class Candidate:
    preset: BasePreset
    auth_style: AuthStyle
    base_url: str

    @property
    def label(self) -> str:
        auth = "Token" if self.auth_style is AuthStyle.TOKEN else "Bearer"
        return f"{self.preset.label} with {auth} authorisation"


@dataclass(frozen=True)
class ProbeResult:
    candidate: Candidate
    outcome: ProbeOutcome
    words: str


@dataclass(frozen=True)
class ConnectionReport:
    results: tuple[ProbeResult, ...]

    @property
    def working(self) -> Candidate | None:
        """The first candidate that works, in the order tried (newest generation, Token auth first)."""
        return next((r.candidate for r in self.results if r.outcome is ProbeOutcome.WORKS), None)

    @property
    def ok(self) -> bool:
        return self.working is not None

    @property
    def summary(self) -> str:
        """One paragraph for the Settings dialog: what works and, if nothing does, the likeliest reason."""
        working = self.working
        if working is not None:
            return f"Your key works with {working.label}. Choose that in Settings."
        outcomes = {r.outcome for r in self.results}
        if outcomes == {ProbeOutcome.UNREACHABLE}:
            return "Paubox could not be reached at any address: check the network connection."
        if ProbeOutcome.UNTRUSTED in outcomes and outcomes <= {ProbeOutcome.UNTRUSTED, ProbeOutcome.UNREACHABLE}:
            return (
                "The server's certificate could not be verified, so Sealpost did not connect. If your network "
                "inspects TLS, add its CA file in Settings; otherwise the connection may be intercepted."
            )
        if ProbeOutcome.KEY_REFUSED in outcomes:
            return (
                "Paubox was reached but refused the key with every preset and auth style. Check that the key "
                "is complete and not revoked (and, for the legacy preset, the API username)."
            )
        if ProbeOutcome.NOT_PERMITTED in outcomes:
            return "Paubox accepted the key but it is not allowed to use the Email API."
        return "No preset worked; the details below say what each one answered."

    @property
    def details(self) -> tuple[str, ...]:
        return tuple(f"{r.candidate.label}: {r.words}" for r in self.results)


def candidates(username: str = "", custom_url: str = "", *, root: str | None = None) -> list[Candidate]:
    """Every preset (legacy only with a username), each with Token then Bearer; newest generation first.

    ``root`` replaces the Paubox hosts (the sandbox serves all three generations on one host).
    """
    bases: list[tuple[BasePreset, str]] = []
    if custom_url:
        bases.append((BasePreset.CUSTOM, check_base_url(custom_url)))
    for preset in (BasePreset.V1_EMAIL, BasePreset.V1, BasePreset.LEGACY):
        if preset is BasePreset.LEGACY and not username:
            continue
        url = preset_url(preset, username)
        if root is not None:
            url = check_base_url(root) + url[url.index("/v1") :]
        bases.append((preset, url))
    return [Candidate(preset, style, url) for preset, url in bases for style in (AuthStyle.TOKEN, AuthStyle.BEARER)]


def api_root(url: str) -> str | None:
    """The scheme and host (and any path before ``/v1``) of a URL that names no generation, else None.

    ``http://127.0.0.1:8025`` or ``https://api.paubox.com/`` is a root: the generation and auth style
    are to be detected. ``…/v1/email`` names a generation and is used as it is.
    """
    checked = check_base_url(url)
    path = urlsplit(checked).path
    if path.endswith("/v1") or "/v1/" in path:
        return None
    return checked


_FINGERPRINT_CONTEXT = b"sealpost endpoint check v1"


def key_fingerprint(key: str, profile_id: str) -> str:
    """A non-reversible marker that the endpoint was detected for this key in this profile.

    A keyed hash (HMAC-SHA-256, keyed by the profile id and a fixed context), truncated to 16 hex
    digits: enough to notice that the key changed, far too little to test guesses of the key with.
    """
    mac = hmac.new(_FINGERPRINT_CONTEXT + profile_id.encode(), key.encode(), hashlib.sha256)
    return mac.hexdigest()[:16]
