"""``sealpost batch --header "List-Unsubscribe: …"`` and the ``list_unsubscribe``/``unsubscribe_url`` columns,
as real subprocesses: the values reach the sandbox, and another unsubscribe address is another batch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.headless import EXIT_ALREADY_SENT
from desktop_app.sandbox.server import SandboxServer
from tests.conftest import sandbox_control
from tests.services.test_headless import sealpost

pytestmark = pytest.mark.keyring
SHARED = "<https://clinic.example/unsubscribe>"
ONE_CLICK = "List-Unsubscribe-Post: List-Unsubscribe=One-Click"


def records(sandbox: SandboxServer) -> dict[str, dict[str, object]]:
    with sandbox_control(sandbox) as control:
        return {m["recipients"][0]: m for m in control.get("/messages").json()["messages"]}


def test_batch_headers_and_columns_reach_the_sandbox(sandbox: SandboxServer, tmp_path: Path) -> None:
    csv_file = tmp_path / "list.csv"
    csv_file.write_text(
        "to,subject,text,list_unsubscribe,unsubscribe_url\n"
        "pat@example.org,Hi,Hello,<https://clinic.example/u/pat>,\n"
        "jo@example.org,Hi,Hello,,https://clinic.example/paubox/jo\n"
    )
    args = ("batch", str(csv_file), "--header", f"List-Unsubscribe: {SHARED}", "--header", ONE_CLICK)
    first = sealpost(sandbox, tmp_path / "p", *args)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["counts"] == {"accepted": 2}
    rows = records(sandbox)
    assert rows["pat@example.org"]["list_unsubscribe"] == "<https://clinic.example/u/pat>"  # the column wins
    assert rows["jo@example.org"]["list_unsubscribe"] == SHARED
    assert {r["list_unsubscribe_post"] for r in rows.values()} == {"List-Unsubscribe=One-Click"}
    assert rows["jo@example.org"]["unsubscribe_url"] == "https://clinic.example/paubox/jo"
    assert rows["jo@example.org"]["kind"] == "messages"  # unsubscribe_url: a single send

    assert sealpost(sandbox, tmp_path / "p", *args).returncode == EXIT_ALREADY_SENT  # the same batch
    other = sealpost(sandbox, tmp_path / "p", "batch", str(csv_file), "--header",
                     "List-Unsubscribe: <https://clinic.example/other>")  # fmt: skip
    assert other.returncode == 0, other.stderr  # another unsubscribe address: another batch
    assert json.loads(other.stdout)["batch_id"] != json.loads(first.stdout)["batch_id"]


def test_a_bad_batch_header_exits_2(sandbox: SandboxServer, tmp_path: Path) -> None:
    csv_file = tmp_path / "list.csv"
    csv_file.write_text("to,subject,text\npat@example.org,Hi,Hello\n")
    result = sealpost(
        sandbox, tmp_path / "p", "batch", str(csv_file), "--header", "List-Unsubscribe: <http://x.example>"
    )
    assert result.returncode == 2
    assert "only mailto: and https://" in result.stderr
