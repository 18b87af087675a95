"""Reports as PDF through Qt's own text engine (QTextDocument into QPdfWriter), no display needed.

Headless commands import this lazily and only when a PDF is asked for; it starts a
QGuiApplication on the offscreen platform if none exists, so ``sealpost audit disclosures --pdf``
works on a server with no screen.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument


def pdf_application() -> QGuiApplication:
    """The Qt application a PDF needs (fonts): the running one, or one on the offscreen platform."""
    existing = QGuiApplication.instance()
    if isinstance(existing, QGuiApplication):
        return existing
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return QGuiApplication(["sealpost"])


def write_table_pdf(path: Path, title: str, lines: Sequence[str], header: Sequence[str],
                    rows: Sequence[Sequence[str]]) -> None:  # fmt: skip
    """A title, a few lines of context and one table; every value is escaped (it is shown, never run)."""
    app = pdf_application()
    cells = "".join("<th align='left'>" + html.escape(h) + "</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    context = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    document = QTextDocument()
    document.setHtml(
        f"<h2>{html.escape(title)}</h2>{context}"
        f"<table border='1' cellspacing='0' cellpadding='3' width='100%'><tr>{cells}</tr>{body}</table>"
    )
    writer = QPdfWriter(str(path))
    writer.setTitle(title)
    writer.setCreator("Sealpost")
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
                                     QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))  # fmt: skip
    writer.setResolution(96)  # the unit QTextDocument lays out in: text at its normal size
    document.setPageSize(writer.pageLayout().paintRectPixels(writer.resolution()).size().toSizeF())
    document.print_(writer)
    del writer  # the file is complete only once the writer is gone
    app.processEvents()
