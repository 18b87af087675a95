"""``sealpost send`` against misbehaving endpoints: the whole process ends, with one clear line.

Each case runs the real command in a subprocess against a hostile server on 127.0.0.1 (see
tests/api/hostile.py) and allows it 30 s, although ``--timeout 20`` is what it waits for an outcome.
"""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
import trustme

from tests.api.hostile import (
    MB,
    Behaviour,
    endless_chunked,
    hostile,
    huge_error_title,
    huge_success,
    json_reply,
    silent,
    trickled_body,
    trickled_headers,
)

ALLOWED_SECONDS = 30.0


@pytest.mark.timeout(90)
@pytest.mark.parametrize(
    ("behaviour", "words"),
    [
        pytest.param(endless_chunked, "larger than 4 MB", id="endless-chunked"),
        pytest.param(huge_error_title(20 * MB), "refused", id="20-mb-error-title"),
        pytest.param(huge_success(50 * MB), "larger than 4 MB", id="50-mb-success"),
        pytest.param(trickled_headers, "still sending after 20 s", id="trickled-headers"),
        pytest.param(trickled_body, "still sending after 20 s", id="trickled-body"),
    ],
)
def test_sealpost_send_ends_with_one_clear_line(behaviour: Behaviour, words: str, tmp_path: Path) -> None:
    with hostile(behaviour, max_seconds=ALLOWED_SECONDS + 30) as server:
        result = _send(server.base_url, tmp_path)
    assert words in _one_line(result)


@pytest.mark.timeout(90)
@pytest.mark.parametrize("behaviour", [trickled_headers, silent])
def test_a_root_url_is_detected_within_the_same_timeout(behaviour: Behaviour, tmp_path: Path) -> None:
    """A root URL (no /v1…) is first probed for its generation: those probes count in --timeout too.

    They used to get a full request deadline (60 s) each, one per candidate, before the send began.
    """
    with hostile(behaviour, max_seconds=ALLOWED_SECONDS + 30) as server:
        result = _send(server.root_url, tmp_path)
        probes = server.requests
    assert "still sending after 20 s" in _one_line(result)
    assert probes >= 2  # at least one detection probe, then the send itself


def test_the_servers_words_reach_the_terminal_on_one_visible_line(tmp_path: Path) -> None:
    """Line breaks, terminal escapes and a bidi override in an error title cannot forge lines or drive a terminal."""
    title = "line1\nline2\r\nfailed: message 2: fake\x1b[2J\x1b]0;title\x07\u202eevil\u2028end"
    with hostile(json_reply(400, {"errors": [{"title": title, "details": "d\nd"}]})) as server:
        result = _send(server.base_url, tmp_path)
    line = _one_line(result)
    assert line.startswith("failed: message 1: Paubox refused the message: line1 line2")
    assert not any(c in line for c in "\x1b\x07\u202e\u2028\r")


def test_a_tracking_id_that_is_not_one_is_an_unknown_outcome_not_printed(tmp_path: Path) -> None:
    """The reply's tracking id is stored, shown and printed: megabytes or escapes there are not an id."""
    evil = "abc\n\x1b[2Jaccepted: message 9\u202e" + "x" * (3 * MB)
    with hostile(json_reply(200, {"sourceTrackingId": evil, "data": "Service OK"})) as server:
        result = _send(server.base_url, tmp_path)
    assert result.stdout == ""
    assert _one_line(result).startswith("outcome_unknown: message 1: ")
    assert "\x1b" not in result.stderr


def test_an_untrusted_certificate_is_named_with_its_host_in_the_one_line(tmp_path: Path) -> None:
    """A certificate failure is not "still queued" alone: the line says which host's certificate failed."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    trustme.CA().issue_cert("127.0.0.1").configure_cert(context)  # a CA Sealpost does not trust
    with hostile(silent, tls=context) as server:
        result = _send(server.base_url, tmp_path, timeout="3")
    line = _one_line(result)
    assert line.startswith("still queued after 3 s: message 1")
    assert "The certificate of 127.0.0.1 could not be verified" in line


def _send(url: str, tmp_path: Path, *, timeout: str = "20") -> subprocess.CompletedProcess[str]:
    """``sealpost send --timeout`` in a subprocess; fails the test if it outlives ALLOWED_SECONDS."""
    env = dict(os.environ, PAUBOX_API_KEY="test-key")
    env.pop("PYTHONWARNINGS", None)  # the command's own warnings are not what this test is about
    command = [
        sys.executable, "-m", "desktop_app", "send", "--api-base-url", url,
        "--to", "a@example.org", "--subject", "s", "--text", "t", "--timeout", timeout,
        "--profile-dir", str(tmp_path / "profile"),
    ]  # fmt: skip
    started = time.monotonic()
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=ALLOWED_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"sealpost send was still running after {ALLOWED_SECONDS:.0f} s")
    assert time.monotonic() - started < ALLOWED_SECONDS
    return result


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The command failed and said so in exactly one line: no traceback, no key."""
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "test-key" not in result.stderr
    return lines[0]
