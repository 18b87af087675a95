"""A refused endpoint (plain http to a remote host, another scheme, no host) is one line and leaves nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("url", ["http://example.org/v1/email", "ftp://127.0.0.1/v1", "https://"])
def test_a_refused_endpoint_is_one_line_and_leaves_nothing_behind(tmp_path: Path, url: str) -> None:
    profile_dir = tmp_path / "profile"
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "send", "--to", "a@example.org", "--subject", "s", "--text", "t",
         "--api-base-url", url, "--profile-dir", str(profile_dir)],
        cwd=REPO, env={**os.environ, "PAUBOX_API_KEY": "test-key"}, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("sealpost: ")
    assert "Traceback" not in result.stderr
    assert not profile_dir.exists(), f"a refused endpoint must leave nothing: {sorted(profile_dir.rglob('*'))}"
