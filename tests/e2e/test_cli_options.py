"""Options every command shares work before or after the subcommand's name, and output piped into
a reader that stops early ends quietly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.cli import build_parser


@pytest.mark.parametrize(
    "argv",
    [
        ["--policy-dir", "/pol", "--profile-dir", "/prof", "-v", "policy"],
        ["policy", "--policy-dir", "/pol", "--profile-dir", "/prof", "-v"],
        ["--policy-dir", "/pol", "audit", "verify", "--profile-dir", "/prof", "-v", "D"],
        ["--profile-dir", "/prof", "contacts", "list", "-v", "--policy-dir", "/pol"],
    ],
)
def test_shared_options_are_kept_wherever_they_are_given(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert (args.policy_dir, args.profile_dir, args.verbose) == (Path("/pol"), Path("/prof"), True)


def test_shared_options_default_when_not_given() -> None:
    args = build_parser().parse_args(["policy"])
    assert (args.policy_dir, args.profile_dir, args.verbose, args.api_base_url) == (None, None, False, None)


def _sealpost(*args: str) -> list[str]:
    return [sys.executable, "-m", "desktop_app", *args]


def test_a_managed_policy_given_before_the_subcommand_is_reported_managed(tmp_path: Path) -> None:
    managed = tmp_path / "policies" / "managed"
    managed.mkdir(parents=True)
    (managed / "desk.json").write_text(json.dumps({"AllowNonTLS": False, "IdleLockMinutes": 2}))
    done = subprocess.run(
        _sealpost("--policy-dir", str(tmp_path / "policies"), "--profile-dir", str(tmp_path / "p"), "policy", "--json"),
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    policies = json.loads(done.stdout)["policies"]
    assert policies["IdleLockMinutes"]["source"] == "managed"
    assert policies["IdleLockMinutes"]["value"] == 2
    assert policies["AllowNonTLS"]["source"] == "managed"


def test_output_into_a_reader_that_stops_early_ends_without_a_traceback(tmp_path: Path) -> None:
    command = _sealpost("--profile-dir", str(tmp_path / "p"), "policy", "--json")
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdout.close()  # the reader is gone before the first line, like `| head -c 0`
        stderr = process.stderr.read().decode()
        code = process.wait(timeout=60)
    assert "Traceback" not in stderr
    assert code in (0, 141)
