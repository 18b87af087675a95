"""``sealpost export`` on inputs nobody would type: a full disk, an id past SQLite's range, a
target that exists. A failed export never leaves a PDF that looks written, nor a temporary file."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.sandbox.server import SandboxServer
from tests.e2e.test_export_pdf import dirs, pdf_text, sealpost

pytestmark = pytest.mark.keyring
__all__ = ["dirs"]


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 KiB tmpfs, filled up: writing there fails with ENOSPC (root only; skipped otherwise)."""
    where = tmp_path / "full"
    where.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(where)],
                                           capture_output=True, check=False).returncode != 0:  # fmt: skip
        pytest.skip("mounting a tiny tmpfs needs root")
    try:
        with contextlib.suppress(OSError), open(where / "filler", "wb") as filler:
            filler.write(b"x" * 15_000)
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


def _sent(sandbox: SandboxServer, dirs: tuple[Path, Path, Path]) -> None:
    profile, _, tmp = dirs
    result = sealpost(sandbox, profile, tmp, "send", "--to", "pat@example.org", "--subject", "Visit", "--text", "Hi")
    assert result.returncode == 0, result.stderr


def test_a_full_disk_fails_in_words_and_leaves_no_pdf(
    sandbox: SandboxServer, dirs: tuple[Path, Path, Path], full_disk: Path
) -> None:
    _sent(sandbox, dirs)
    profile, _, tmp = dirs
    result = sealpost(sandbox, profile, tmp, "export", "1", "--pdf", str(full_disk / "visit.pdf"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "No space left on device" in result.stderr.strip().splitlines()[-1]
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]  # neither the PDF nor a partial copy
    assert list(tmp.iterdir()) == []


def test_an_id_past_the_store_range_is_refused_in_words(sandbox: SandboxServer, dirs: tuple[Path, Path, Path]) -> None:
    _sent(sandbox, dirs)
    profile, out, tmp = dirs
    for ident in ("99999999999999999999999", "-99999999999999999999999"):
        result = sealpost(sandbox, profile, tmp, "export", ident, "--pdf", str(out / "x.pdf"))
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.strip().splitlines()[-1] == f"sealpost: message {ident} does not exist"
    assert list(out.iterdir()) == []


def test_an_existing_pdf_is_replaced_whole(sandbox: SandboxServer, dirs: tuple[Path, Path, Path]) -> None:
    """Chosen: like any Save As after its confirmation, the file is overwritten, atomically."""
    _sent(sandbox, dirs)
    profile, out, tmp = dirs
    target = out / "visit.pdf"
    target.write_bytes(b"old")
    result = sealpost(sandbox, profile, tmp, "export", "1", "--pdf", str(target))
    assert result.returncode == 0, result.stderr
    assert "Visit" in pdf_text(target)
    assert sorted(p.name for p in out.iterdir()) == ["visit.pdf"]


def test_an_audit_export_to_a_full_disk_fails_in_words_and_leaves_nothing(
    sandbox: SandboxServer, dirs: tuple[Path, Path, Path], full_disk: Path
) -> None:
    _sent(sandbox, dirs)
    profile, _, tmp = dirs
    result = sealpost(sandbox, profile, tmp, "audit", "export", "--out", str(full_disk / "evidence"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "No space left on device" in result.stderr.strip().splitlines()[-1]
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]  # no half-built folder beside it
