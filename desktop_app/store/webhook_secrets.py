"""The webhooks service's secrets in the OS keyring: the scoped key and each endpoint's signing secret.

Same keyring service (``Sealpost``) and rules as ``keys.py``: never a file, ``KeyringUnavailable``
when no keyring is usable. Values go in and come out as :class:`Secret`, so a stray ``repr`` or
log line shows ``Secret('***')``. The signing secret is returned by Paubox only when the endpoint
is created: store it at once (a lost secret means replacing the endpoint).
"""

from __future__ import annotations

import re

from desktop_app.core.records import Secret
from desktop_app.store.keys import _delete, _get, _set

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _endpoint(endpoint_id: str) -> str:
    value = endpoint_id.lower() if isinstance(endpoint_id, str) else ""
    if not _UUID.fullmatch(value):
        raise ValueError("a webhook endpoint id is a UUID")
    return value


def _secret_entry(profile_id: str, endpoint_id: str) -> str:
    return f"webhook-signing-secret:{profile_id}:{_endpoint(endpoint_id)}"


def _key_entry(profile_id: str) -> str:
    return f"webhooks-key:{profile_id}"


def store_signing_secret(profile_id: str, endpoint_id: str, secret: Secret) -> None:
    _set(_secret_entry(profile_id, endpoint_id), secret.reveal())


def load_signing_secret(profile_id: str, endpoint_id: str) -> Secret | None:
    value = _get(_secret_entry(profile_id, endpoint_id))
    return Secret(value) if value else None


def delete_signing_secret(profile_id: str, endpoint_id: str) -> None:
    _delete(_secret_entry(profile_id, endpoint_id))


def store_webhooks_key(profile_id: str, key: Secret) -> None:
    """The scoped API key of the webhooks service (not the Email API key)."""
    _set(_key_entry(profile_id), key.reveal())


def load_webhooks_key(profile_id: str) -> Secret | None:
    value = _get(_key_entry(profile_id))
    return Secret(value) if value else None


def delete_webhooks_key(profile_id: str) -> None:
    _delete(_key_entry(profile_id))
