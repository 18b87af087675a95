"""The organisation footer reaches Paubox in both parts, from ``sealpost send`` and ``sealpost batch``.

Real subprocesses, the real keyring and the real sandbox over HTTP; the sandbox's record of the
request bodies it received is what is checked (it keeps no body once a message is accepted).
"""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from desktop_app.services.profile import Profile
from tests.e2e.test_send_options import SEALPOST, RecordingSandbox, recording_sandbox, sandbox, sealpost

pytestmark = pytest.mark.keyring
__all__ = ["recording_sandbox", "sandbox"]  # fixtures, shared with the send-options tests

FOOTER = (
    "<p><b>Confidential:</b> meant only for the addressee.<script>alert(1)</script>"
    ' <a href="javascript:alert(2)">policy</a></p>'
)


def parts(message: dict[str, Any]) -> tuple[str, str]:
    """The HTML part (base64 on the wire) and the plain-text part (as is) of one sent message."""
    content = message["content"]
    return base64.b64decode(content.get("text/html", "")).decode("utf-8"), str(content.get("text/plain", ""))


def footer_profile(directory: Path) -> Path:
    Profile(directory).update(message_footer=FOOTER)
    return directory


def test_headless_send_carries_the_footer_in_both_parts_once(sandbox: RecordingSandbox, tmp_path: Path) -> None:
    profile_dir = footer_profile(tmp_path / "p")
    result = sealpost(sandbox, profile_dir, "--html", "<p>Your results are ready.</p>")
    assert result.returncode == 0, result.stderr
    (body,) = sandbox.sent()
    html, text = parts(body["data"]["message"])
    assert html.startswith("<p>Your results are ready.</p>")
    assert "<b>Confidential:</b> meant only for the addressee." in html
    assert html.count("Confidential") == 1
    assert "alert" not in html
    assert "javascript" not in html
    assert text.startswith("Your results are ready.")
    assert text.endswith("\n-- \nConfidential: meant only for the addressee. policy")


def test_a_text_only_send_gets_the_footer_in_its_text(sandbox: RecordingSandbox, tmp_path: Path) -> None:
    result = sealpost(sandbox, footer_profile(tmp_path / "p"), "--text", "Ready for pickup")
    assert result.returncode == 0, result.stderr
    (body,) = sandbox.sent()
    html, text = parts(body["data"]["message"])
    assert html == ""
    assert text == "Ready for pickup\n\n-- \nConfidential: meant only for the addressee. policy"


def test_every_batch_row_carries_the_footer(sandbox: RecordingSandbox, tmp_path: Path) -> None:
    profile_dir = footer_profile(tmp_path / "p")
    letter = tmp_path / "letter.html"
    letter.write_text("<p>Dear {{name}},</p><p>your visit is confirmed.</p>", encoding="utf-8")
    rows = tmp_path / "list.csv"
    rows.write_text("to,subject,name\n" + "".join(f"p{n}@example.org,Visit,Pat {n}\n" for n in range(3)))
    result = subprocess.run(
        [str(SEALPOST), "batch", str(rows), "--body-file", str(letter), "--profile-dir", str(profile_dir),
         "--api-base-url", sandbox.base_url],
        env={**os.environ, "PAUBOX_API_KEY": sandbox.api_key}, capture_output=True, text=True, timeout=90,
        check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    sent = [m for body in sandbox.bodies for m in body.get("data", {}).get("messages", [])]
    assert len(sent) == 3
    for n, message in enumerate(sent):
        html, text = parts(message)
        assert f"Dear Pat {n}," in html
        assert html.count("Confidential:") == 1
        assert text.endswith("\n-- \nConfidential: meant only for the addressee. policy")


def test_a_managed_footer_policy_wins_over_the_profiles(sandbox: RecordingSandbox, tmp_path: Path) -> None:
    profile_dir = footer_profile(tmp_path / "p")
    managed = tmp_path / "policies" / "managed"
    managed.mkdir(parents=True)
    (managed / "footer.json").write_text('{"MessageFooter": "<p>Managed notice: handle as PHI.</p>"}')
    result = subprocess.run(
        [str(SEALPOST), "send", "--profile-dir", str(profile_dir), "--api-base-url", sandbox.base_url,
         "--to", "pat@example.org", "--subject", "Results", "--html", "<p>Ready.</p>"],
        env={**os.environ, "PAUBOX_API_KEY": sandbox.api_key, "SEALPOST_POLICY_DIR": str(tmp_path / "policies")},
        capture_output=True, text=True, timeout=90, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (body,) = sandbox.sent()
    html, text = parts(body["data"]["message"])
    assert "Managed notice: handle as PHI." in html
    assert "Confidential" not in html
    assert text.endswith("\n-- \nManaged notice: handle as PHI.")
