"""Search highlighting: the words a history search matched, marked in the list and in the opened message.

Matching follows the store's full-text search (``core/search_terms.py``). The list uses an item
delegate that paints matched parts of a cell on a highlight colour; the opened message marks them
with extra selections, which change nothing in the document.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QTextEdit

from desktop_app.core.search_terms import match_spans, query_terms

MATCH_BACKGROUND = QColor("#ffe066")
MATCH_TEXT = QColor("#1a1a1a")
TEXT_MARGIN = 3  # what Qt's styles leave at each side of an item's text


class SearchHighlightDelegate(QStyledItemDelegate):
    """Paints each cell's text with the parts the current search matched highlighted."""

    terms: list[str]

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.terms = []

    def set_query(self, query: str) -> None:
        self.terms = query_terms(query)

    def spans(self, text: str) -> list[tuple[int, int]]:
        return match_spans(text, self.terms)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:  # fmt: skip
        text = index.data(Qt.ItemDataRole.DisplayRole)
        spans = self.spans(text) if isinstance(text, str) and self.terms else []
        if not spans:
            super().paint(painter, option, index)
            return
        from PySide6.QtWidgets import QStyle  # at the first highlight: its ~550 enums cost the start ~10 ms

        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is None:
            super().paint(painter, option, index)
            return
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        area = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget)
        area = area.adjusted(TEXT_MARGIN, 0, -TEXT_MARGIN, 0)
        metrics = opt.fontMetrics
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, area.width())
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        painter.setClipRect(area)
        painter.setFont(opt.font)
        baseline_rect = QRect(area)
        x = area.left()
        cursor = 0
        for start, end in [*spans, (len(shown), len(shown))]:
            start, end = min(start, len(shown)), min(end, len(shown))
            for part, matched in ((shown[cursor:start], False), (shown[start:end], True)):
                if not part:
                    continue
                width = metrics.horizontalAdvance(part)
                cell = QRect(x, baseline_rect.top(), width, baseline_rect.height())
                if matched:
                    painter.fillRect(cell.adjusted(0, 2, 0, -2), MATCH_BACKGROUND)
                    painter.setPen(MATCH_TEXT)
                else:
                    painter.setPen(opt.palette.color(role))
                painter.drawText(cell, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), part)
                x += width
            cursor = max(cursor, end)
        painter.restore()


def highlight_matches(editor: QTextEdit, query: str) -> int:
    """Mark what ``query`` matched in ``editor`` (extra selections: the document is untouched); the count."""
    terms = query_terms(query)
    document = editor.document()
    selections: list[QTextEdit.ExtraSelection] = []
    fmt = QTextCharFormat()
    fmt.setBackground(MATCH_BACKGROUND)
    fmt.setForeground(MATCH_TEXT)
    block = document.begin()
    while terms and block.isValid():
        for start, end in match_spans(block.text(), terms):
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(block)
            cursor.setPosition(block.position() + start)
            cursor.setPosition(block.position() + end, QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            selection.format = fmt
            selections.append(selection)
        block = block.next()
    editor.setExtraSelections(selections)
    if selections:
        editor.setTextCursor(QTextCursor(selections[0].cursor.block()))
        editor.ensureCursorVisible()
    return len(selections)
