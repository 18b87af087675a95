"""The pure signature verifier for webhook deliveries (``core/webhook_signature.py``)."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.core.webhook_signature import SignatureError, is_valid, parse_signature, sign, verify
from desktop_app.sandbox.webhooks import signature_header

SECRET = "whsec_test_secret"
BODY = b'{"event_name":"api_mail_log_delivered","payload":{"id":1}}'
NOW = 1_800_000_000


def test_a_known_vector() -> None:
    mac = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, NOW, BODY) == f"t={NOW},v1={mac}"
    assert verify(SECRET, BODY, f"t={NOW},v1={mac}", now=NOW) == NOW


@given(secret=st.text(min_size=1, max_size=64), body=st.binary(max_size=512), timestamp=st.integers(0, 10**11))
def test_the_sandbox_and_the_verifier_agree(secret: str, body: bytes, timestamp: int) -> None:
    header = signature_header(secret, timestamp, body)
    assert header == sign(secret, timestamp, body)
    assert verify(secret, body, header, now=timestamp) == timestamp


def test_tolerance_and_replays() -> None:
    header = sign(SECRET, NOW, BODY)
    assert is_valid(SECRET, BODY, header, now=NOW + 300)
    assert is_valid(SECRET, BODY, header, now=NOW - 300)
    with pytest.raises(SignatureError, match="too far"):
        verify(SECRET, BODY, header, now=NOW + 301)
    assert is_valid(SECRET, BODY, header, now=NOW + 3600, tolerance=3600)


@pytest.mark.parametrize(
    ("secret", "body", "header"),
    [
        ("whsec_other", BODY, sign(SECRET, NOW, BODY)),
        (SECRET, BODY + b"\n", sign(SECRET, NOW, BODY)),
        (SECRET, BODY, sign(SECRET, NOW + 1, BODY).replace(f"t={NOW + 1}", f"t={NOW}")),
        ("", BODY, sign(SECRET, NOW, BODY)),
    ],
)
def test_mismatches_are_refused(secret: str, body: bytes, header: str) -> None:
    with pytest.raises(SignatureError):
        verify(secret, body, header, now=NOW)
    assert not is_valid(secret, body, header, now=NOW)


def test_any_matching_v1_is_enough_and_unknown_schemes_are_ignored() -> None:
    good = sign(SECRET, NOW, BODY).split(",")[1]
    header = f"t={NOW},v1={'0' * 64},v2=whatever,{good}"
    assert verify(SECRET, BODY, header, now=NOW) == NOW
    assert parse_signature(header).signatures == ("0" * 64, good.removeprefix("v1="))


@pytest.mark.parametrize(
    "header",
    ["", "garbage", f"t={NOW}", "v1=" + "a" * 64, f"t=abc,v1={'a' * 64}", f"t={NOW},v1=xyz", f"t={NOW},v1={'g' * 64}",
     f"t={NOW},v1={'a' * 63}", "t=1," + "v1=" + "a" * 64 * 100, f"t=-5,v1={'a' * 64}"],
)  # fmt: skip
def test_malformed_headers(header: str) -> None:
    with pytest.raises(SignatureError):
        verify(SECRET, BODY, header, now=NOW)


def test_the_secret_is_never_in_the_error() -> None:
    for header in (sign("x", NOW, BODY), sign(SECRET, 0, BODY), "nonsense"):
        with pytest.raises(SignatureError) as caught:
            verify(SECRET, BODY, header, now=NOW)
        assert SECRET not in str(caught.value)
