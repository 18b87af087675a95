"""The endpoint a runtime sends to: from the command line, the embedded sandbox or the profile, and the
API generation detected with read-only probes the first time a key is used (see docs/api-client.md)."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import replace

from desktop_app.api.client import PauboxClient
from desktop_app.api.config import ApiConfig, AuthStyle, BasePreset, Secret, check_base_url, preset_url
from desktop_app.api.connection import Candidate, api_root, key_fingerprint
from desktop_app.api.errors import PauboxError
from desktop_app.core.errors import KnownError
from desktop_app.services.profile import Mode
from desktop_app.services.runtime_errors import SetupError
from desktop_app.services.runtime_state import RuntimeState
from desktop_app.store import keys

log = logging.getLogger("desktop_app.services.runtime")

API_KEY_ENV = "PAUBOX_API_KEY"


REDETECT_GRACE_SECONDS = 30.0  # a refusal this soon after a switch is taken to be from the old endpoint


API_USERNAME_ENV = "PAUBOX_API_USERNAME"  # the legacy generation's username, when the profile has none

DETECTION_SECONDS = 10.0
"""All of one detection's probes together. It runs before anything is sent (``sealpost send`` counts
it in its ``--timeout``), so an endpoint that trickles or says nothing must not hold it longer."""


def _switch_endpoint(client: PauboxClient, found: Candidate) -> None:
    """Point a running client at another generation and auth style from its next request on."""
    client.replace_endpoint(found.base_url, found.auth_style)


class EndpointSetup(RuntimeState):
    """Which endpoint, key and auth style this run sends with, detected once per key and re-detected on a refusal."""

    def _api_config(self) -> ApiConfig:
        """The endpoint, key and limits for this run, from the overrides or the profile."""
        settings = self.profile.settings
        base, key, rate = self._endpoint()
        return ApiConfig(
            base,
            Secret(key),
            AuthStyle.TOKEN if self.sandbox is not None else AuthStyle(settings.auth_style),
            requests_per_second=rate,
            # The client refuses what the composer would allow unless both use the profile's limit.
            attachment_limit_bytes=int(settings.attachment_limit_mb * 1024 * 1024),
        )

    def _endpoint(self) -> tuple[str, str, float]:
        settings = self.profile.settings
        rate = settings.requests_per_second
        if self.overrides.api_base_url is not None:
            key = self.overrides.api_key or os.environ.get(API_KEY_ENV, "")
            if not key:
                raise SetupError(f"Set the {API_KEY_ENV} environment variable to the API key for that endpoint.")
            return self.overrides.api_base_url, key, rate
        if settings.mode is Mode.SANDBOX:
            if self.overrides.start_sandbox is None:
                raise SetupError("This profile is in sandbox mode, but this start of Sealpost has no sandbox.")
            # The embedded sandbox enforces the profile's attachment limit, like the client and composer.
            try:  # it may run in a child process, which answers once it listens
                server = self.overrides.start_sandbox(
                    self.overrides.sandbox_delivery_delay, settings.attachment_limit_mb
                )
                base_url, key = server.base_url, server.api_key
            except KnownError as error:
                raise SetupError(str(error)) from None
            self.sandbox = server
            return base_url, key, max(rate, 50.0)
        preset = BasePreset(settings.base_preset)
        base = settings.base_url if preset is BasePreset.CUSTOM else preset_url(preset, settings.api_username)
        try:
            stored_key = keys.load_api_key(settings.profile_id)
        except keys.KeyringUnavailable as error:
            raise SetupError(str(error)) from None
        if not stored_key:
            self.key_missing = True
        return base, stored_key or "", rate

    def _detection_root(self) -> str | None:
        """Where to detect the generation: a root URL (no ``/v1…``), "" for Paubox's own hosts, or None
        when this run names its endpoint exactly (a generation URL, or the embedded sandbox)."""
        if self.sandbox is not None:
            return None
        if self.overrides.api_base_url is not None:
            return api_root(self.overrides.api_base_url)
        settings = self.profile.settings
        if BasePreset(settings.base_preset) is BasePreset.CUSTOM:
            return api_root(settings.base_url) if settings.base_url else None
        return ""

    def _username(self) -> str:
        return self.profile.settings.api_username or os.environ.get(API_USERNAME_ENV, "")

    def _marker(self, key: str, root: str) -> str:
        return key_fingerprint(f"{key}\n{root}", self.profile.settings.profile_id)

    def _under_root(self, root: str, preset: BasePreset) -> str:
        url = preset_url(preset, self._username())
        return check_base_url(root) + url[url.index("/v1") :]

    def _detected(self, config: ApiConfig) -> ApiConfig:
        """The config to send with: detected (read-only probes) the first time a key is used here.

        The generation and auth style found are remembered with a marker of the key and root, so
        the next start with the same key sends at once; a new key, or a 401/404 that looks like a
        wrong generation (``_redetect``), detects again.
        """
        root = self._detection_root()
        key = config.api_key.reveal()
        if root is None or not key:
            return config
        settings = self.profile.settings
        if root:  # until something is detected, a root means the newest generation under it
            preset = BasePreset(settings.detected_preset or BasePreset.V1_EMAIL)
            config = replace(config, base_url=self._under_root(root, preset))
        if settings.endpoint_checked_for_key == self._marker(key, root):
            return config
        found = self._detect(config, root)
        if found is None:
            # info, not a warning: headless prints warnings, and the send's own outcome says what failed
            log.info("no base-URL generation answered; sending to %s until one does", config.base_url)
            return config
        self._remember(found, key, root)
        return replace(config, base_url=found.base_url, auth_style=found.auth_style)

    def _detect(self, config: ApiConfig, root: str) -> Candidate | None:
        quick = replace(config, connect_timeout=min(config.connect_timeout, 5.0), read_timeout=10.0)
        probe = PauboxClient(quick, on_activity=self.activity.publish, read_attempts=1)
        try:
            report = probe.test_connection(username=self._username(), root=root or None, budget=DETECTION_SECONDS)
        finally:
            probe.close()
        log.info("endpoint detection: %s", report.summary)
        return report.working

    def _remember(self, found: Candidate, key: str, root: str) -> None:
        changes = {"auth_style": found.auth_style.value, "endpoint_checked_for_key": self._marker(key, root)}
        changes["detected_preset" if root else "base_preset"] = found.preset.value
        self.profile.update(**changes)

    def _redetect(self, error: PauboxError) -> bool:
        """After a 401 or an HTML 404 on a send: detect again; True if another endpoint works and is used now.

        The same endpoint answering the probe again means the refusal was not about the generation
        (a revoked key, say): False, and the outbox handles it as before -- unless another sender
        thread switched endpoints moments ago, so this refused request most likely went to the old one.
        One detection at a time.
        """
        client = self.client
        root = self._detection_root()
        if client is None or root is None:
            return False
        with self._redetecting:
            config = client.config
            found = self._detect(config, root)
            if found is None:
                return False
            if (found.base_url, found.auth_style) == (config.base_url, config.auth_style):
                return time.monotonic() - self._switched_at < REDETECT_GRACE_SECONDS
            # The URL actually used: under a root (the sandbox, a proxy) it is not the preset's Paubox host.
            log.warning("a send was refused (HTTP %s), as by a wrong base-URL generation; now sending to %s (%s)",
                        error.status, found.base_url, found.label)  # fmt: skip
            self._remember(found, config.api_key.reveal(), root)
            _switch_endpoint(client, found)
            self._switched_at = time.monotonic()
            return True

    def refresh_delivery(self, message_id: int) -> bool:
        """Ask Paubox once for the receipt of a message whose delivery is not final yet (``sealpost
        export``: a record for the chart shows the latest statuses); False if that could not be asked.

        Nothing is sent and no engine starts. The embedded sandbox of another process is gone, so in
        sandbox mode without ``--api-base-url`` there is nobody to ask.
        """
        stored = self._store().get(message_id)
        if stored.final_delivery or not stored.tracking_id:
            return True
        if self.overrides.api_base_url is None and self.profile.settings.mode is Mode.SANDBOX:
            return False
        try:
            with PauboxClient(self._detected(self._api_config())) as client:
                receipt = client.receipt(stored.tracking_id)
        except (KnownError, ValueError):
            return False
        self._store().record_receipt(message_id, receipt.deliveries, final=receipt.is_final, next_poll_at=None)
        return True
