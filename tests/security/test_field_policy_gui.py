"""The composer shows the field rules (docs/security.md §3a) where the user attaches the file.

The attachment panel reads a chosen or dropped file through ``Attachment.from_bytes``, so a name
the rules refuse is refused there, inline, before it can be part of a message.
"""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.ui.composer import AttachmentPanel, parse_custom_headers
from desktop_app.ui.jobs import JobRunner


def test_a_disguised_file_name_is_refused_inline(qtbot: QtBot, tmp_path: Path) -> None:
    jobs = JobRunner()
    panel = AttachmentPanel(jobs, 10 * 1024 * 1024)
    qtbot.addWidget(panel)
    panel.show()
    disguised = tmp_path / "lab-results\u202efdp.exe"
    disguised.write_bytes(b"MZ")
    plain = tmp_path / "results.pdf"
    plain.write_bytes(b"%PDF-1.4")

    panel.add_paths([disguised])
    qtbot.waitUntil(lambda: panel.problem.isVisible(), timeout=5_000)
    assert "text-direction character (U+202E)" in panel.problem.text()
    assert "rename the file" in panel.problem.text()
    assert "\u202e" not in panel.problem.text()  # the disguised name itself is never echoed
    assert panel.attachments == []
    assert panel.used_bytes == 0  # the reservation is released

    panel.add_paths([plain])
    qtbot.waitUntil(lambda: len(panel.attachments) == 1, timeout=5_000)
    assert panel.attachments[0].content_type == "application/pdf"


def test_the_header_box_refuses_a_name_with_a_space_inline() -> None:
    pairs, problems = parse_custom_headers("X-Clinic Ref: 42\nX-Ok: 1")
    assert pairs == (("X-Ok", "1"),)
    assert problems == ["Line 1: write custom headers as “X-Name: value”."]
