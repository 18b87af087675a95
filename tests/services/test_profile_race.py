"""Several processes starting at once on a new profile folder agree on one profile (one id, one key)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHOW_ID = "import sys; from pathlib import Path; from desktop_app.services.profile import Profile; " \
          "print(Profile(Path(sys.argv[1])).settings.profile_id)"  # fmt: skip


def test_processes_creating_one_profile_at_once_get_the_same_id(tmp_path: Path) -> None:
    for round_ in range(3):
        folder = tmp_path / f"p{round_}"
        starts = [subprocess.Popen([sys.executable, "-c", SHOW_ID, str(folder)], cwd=REPO, stdout=subprocess.PIPE,
                                   text=True) for _ in range(6)]  # fmt: skip
        ids = {process.communicate(timeout=60)[0].strip() for process in starts}
        assert len(ids) == 1, ids
        assert ids == {stored_id(folder)}


def stored_id(folder: Path) -> str:
    return str(json.loads((folder / "settings.json").read_text())["profile_id"])
