"""``sealpost send`` against misbehaving endpoints: the whole process ends, with one clear line.

Each case runs the real command in a subprocess against a hostile server on 127.0.0.1 (see
tests/api/hostile.py) and allows it 30 s, although ``--timeout 20`` is what it waits for an outcome.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.api.hostile import (
    MB,
    Behaviour,
    endless_chunked,
    hostile,
    huge_error_title,
    huge_success,
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
    env = dict(os.environ, PAUBOX_API_KEY="test-key")
    env.pop("PYTHONWARNINGS", None)  # the command's own warnings are not what this test is about
    with hostile(behaviour, max_seconds=ALLOWED_SECONDS + 30) as server:
        command = [
            sys.executable, "-m", "desktop_app", "send", "--api-base-url", server.base_url,
            "--to", "a@example.org", "--subject", "s", "--text", "t", "--timeout", "20",
            "--profile-dir", str(tmp_path / "profile"),
        ]  # fmt: skip
        started = time.monotonic()
        try:
            result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=ALLOWED_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"sealpost send was still running after {ALLOWED_SECONDS:.0f} s")
        elapsed = time.monotonic() - started
    assert elapsed < ALLOWED_SECONDS
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "test-key" not in result.stderr
    assert words in lines[0]
