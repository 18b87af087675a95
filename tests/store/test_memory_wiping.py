"""SQLCipher's memory wiping: off by default (SQLCipher's own default), on where the profile's
setting or the ``WipeDatabaseMemory`` policy asks for it (docs/security.md says why)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop_app.store.database import close_database, open_database

REPO = Path(__file__).resolve().parents[2]

# Once a connection turns it on it stays on for the whole process, so each case runs in its own.
PROBE = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from desktop_app.services import policies
    from desktop_app.services.profile import Profile
    from desktop_app.services.runtime import Runtime
    policies.install(policies.load(Path(sys.argv[2]) if sys.argv[2] else None))
    runtime = Runtime(Profile(Path(sys.argv[1])))
    runtime.open(start_engines=False)
    try:
        value = runtime.store._db.execute("PRAGMA cipher_memory_security").fetchone()[0]
    finally:
        runtime.close()
    print(json.dumps(int(value)))
""")


def wiping(profile_dir: Path, policy_dir: Path | None = None) -> int:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(profile_dir), str(policy_dir or "")],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    value: int = json.loads(result.stdout)
    return value


def test_off_by_default(tmp_path: Path) -> None:
    connection = open_database(tmp_path / "db.sqlite", b"k" * 32)
    try:
        assert connection.execute("PRAGMA cipher_memory_security").fetchone()[0] in (0, "0")
    finally:
        close_database(connection)


@pytest.mark.keyring
def test_the_policy_turns_it_on_and_the_default_leaves_it_off(tmp_path: Path) -> None:
    assert wiping(tmp_path / "plain") == 0
    policy_dir = tmp_path / "policies"
    (policy_dir / "managed").mkdir(parents=True)
    (policy_dir / "managed" / "10-clinic.json").write_text(json.dumps({"WipeDatabaseMemory": True}))
    assert wiping(tmp_path / "managed", policy_dir) == 1
