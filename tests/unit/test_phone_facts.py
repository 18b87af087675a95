"""The phone shortcut's table of phonenumbers' facts: current, used only for its own version, and
enough to answer an everyday subject without loading phonenumbers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_the_table_is_written_from_the_installed_phonenumbers() -> None:
    result = subprocess.run([sys.executable, "scripts/gen-phone-facts.py", "--check"], cwd=REPO,
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_a_table_for_another_version_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.core import phi_guard, phone_facts

    for cached in (phi_guard._phone_facts, phi_guard._stretch_pattern, phi_guard._region_limits):
        cached.cache_clear()
    monkeypatch.setattr(phone_facts, "VERSION", "0.0.1")
    monkeypatch.setattr(phone_facts, "REGIONS", {"US": (3, "")})  # wrong: would call "123" a number
    try:
        assert phi_guard._phone_facts() is None
        limits = phi_guard._region_limits("US")  # read from phonenumbers itself
        assert limits is not None
        assert limits[0] == 10
        assert not phi_guard._may_hold_phone_number("Your appointment 123", "US")
    finally:
        for cached in (phi_guard._phone_facts, phi_guard._stretch_pattern, phi_guard._region_limits):
            cached.cache_clear()


PROBE = textwrap.dedent("""
    import json, sys
    from desktop_app.services.guard import load_guard_rules
    rules = load_guard_rules("")
    before = [hit.rule.id for hit in rules.check(sys.argv[1])]
    loaded = "phonenumbers" in sys.modules
    print(json.dumps({"hits": before, "loaded": loaded}))
""")


@pytest.mark.parametrize(("subject", "hits", "loaded"), [
    ("Your appointment (123) on 2026-12-03 at 09:30", [], False),
    ("Reminder: call us back at (617) 555-0134", ["phone"], True),
])  # fmt: skip
def test_an_everyday_subject_is_answered_without_loading_phonenumbers(subject: str, hits: list[str],
                                                                       loaded: bool) -> None:  # fmt: skip
    import json

    result = subprocess.run([sys.executable, "-c", PROBE, subject], cwd=REPO, capture_output=True, text=True,
                            check=True)  # fmt: skip
    assert json.loads(result.stdout) == {"hits": hits, "loaded": loaded}
