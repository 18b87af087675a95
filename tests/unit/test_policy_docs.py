"""docs/deployment.md's policy reference and the Windows ADMX/ADML templates are generated from the
settings schema; this fails while they are out of date (run scripts/gen-policy-docs.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.dom.minidom
from pathlib import Path

from desktop_app.services.settings_schema import POLICIES

REPO = Path(__file__).resolve().parents[2]


def test_the_generated_policy_reference_is_up_to_date() -> None:
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "gen-policy-docs.py"), "--check"],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    doc = (REPO / "docs" / "deployment.md").read_text(encoding="utf-8")
    for policy in POLICIES:
        assert f"| `{policy.name}` |" in doc


def test_the_admx_names_every_policy_for_both_levels_and_parses() -> None:
    admx = xml.dom.minidom.parse(str(REPO / "packaging" / "windows" / "sealpost.admx"))
    names = {p.getAttribute("name") for p in admx.getElementsByTagName("policy")}
    assert names == {p.name for p in POLICIES} | {f"{p.name}_Recommended" for p in POLICIES}
    adml = xml.dom.minidom.parse(str(REPO / "packaging" / "windows" / "en-US" / "sealpost.adml"))
    strings = {s.getAttribute("id") for s in adml.getElementsByTagName("string")}
    assert {f"{p.name}_Explain" for p in POLICIES} <= strings


def test_a_stale_reference_is_caught(tmp_path: Path) -> None:
    """The check compares, it does not just run: a changed copy of the doc fails it."""
    for name in ("docs/deployment.md", "packaging/windows/sealpost.admx", "packaging/windows/en-US/sealpost.adml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, tmp_path / name)
    doc = tmp_path / "docs" / "deployment.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("| `AllowNonTLS` |", "| `AllowNonTls` |"), encoding="utf-8")
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "gen-policy-docs.py"), "--check",
                             "--root", str(tmp_path)], capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 1
    assert "docs/deployment.md" in result.stderr
