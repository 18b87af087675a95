"""Small QPainter charts (bars for the history summary, lines for the log panel): no chart dependency.

Series are lists of values over shared bucket labels; each series has a colour and a name in
a legend, and the accessible description spells out the latest values for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

# Mid tones that keep 3:1 against both themes' windows (WCAG 1.4.11; tests/unit/test_contrast.py).
SERIES_COLOURS = {"sent": "#2f7fd0", "delivered": "#2e8b3e", "bounced": "#d63a55", "opened": "#8f6ad0",
                  "p50 ms": "#2f7fd0", "p95 ms": "#8f6ad0", "errors": "#d63a55"}  # fmt: skip


@dataclass(frozen=True)
class Series:
    name: str
    color: str
    values: tuple[float, ...]
    axis: str = "left"  # "right" draws against a second scale (for example an error rate 0..1)


class Chart(QWidget):
    """Title, legend, grid and axes shared by the line and bar charts; subclasses draw the marks.

    The x axis has one slot per label; ``_x`` says where slot ``i`` sits in the plot."""

    def __init__(self, title: str, parent: QWidget | None = None, *, right_axis_label: str = "") -> None:
        super().__init__(parent)
        self.title = title
        self.right_axis_label = right_axis_label
        self.labels: tuple[str, ...] = ()
        self.series: tuple[Series, ...] = ()
        self.setAccessibleName(title)
        self.setMinimumHeight(140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        return QSize(420, 150)

    def set_data(self, labels: Sequence[str], series: Sequence[Series]) -> None:
        self.labels = tuple(labels)
        self.series = tuple(series)
        latest = ", ".join(f"{s.name} {_number(s.values[-1])}" for s in series if s.values)
        self.setAccessibleDescription(f"{self.title}. Latest: {latest}." if latest else f"{self.title}. No data yet.")
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.windowText().color()
        faint = QColor(text)
        faint.setAlpha(40)
        metrics = painter.fontMetrics()
        line = metrics.height()
        painter.setPen(text)
        painter.drawText(QRectF(6, 2, self.width() - 12, line), Qt.AlignmentFlag.AlignLeft, self.title)
        legend_x = 40.0  # the legend gets its own row under the title, so neither hides the other
        for s in self.series:
            painter.fillRect(QRectF(legend_x, 4 + line * 1.5 - 4, 10, 8), QColor(s.color))
            painter.drawText(QRectF(legend_x + 14, 4 + line, 200, line), Qt.AlignmentFlag.AlignLeft, s.name)
            legend_x += metrics.horizontalAdvance(s.name) + 30
        right_margin = 86 if self.right_axis_label else 52
        plot = QRectF(40, 2 * line + 12, self.width() - right_margin, self.height() - 3 * line - 20)
        if plot.width() < 20 or plot.height() < 20:
            return
        left = [s for s in self.series if s.axis == "left"]
        right = [s for s in self.series if s.axis == "right"]
        left_max = _nice_max(max((max(s.values, default=0) for s in left), default=0))
        right_max = max(1e-9, max((max(s.values, default=0) for s in right), default=0), 0.1 if right else 0)
        painter.setPen(QPen(faint, 1))
        for i in range(5):
            y = plot.bottom() - plot.height() * i / 4
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(text)
        for i in (0, 2, 4):
            y = plot.bottom() - plot.height() * i / 4
            painter.drawText(QRectF(0, y - line / 2, 36, line), Qt.AlignmentFlag.AlignRight, _number(left_max * i / 4))
            if right:
                painter.drawText(QRectF(plot.right() + 4, y - line / 2, 44, line), Qt.AlignmentFlag.AlignLeft,
                                 f"{right_max * i / 4:.0%}")  # fmt: skip
        count = len(self.labels)
        if count == 0 or not any(s.values for s in self.series):
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "No data yet")
            return
        step = self._x(1, count, plot) - self._x(0, count, plot) if count > 1 else plot.width()
        label_width = max(metrics.horizontalAdvance(label) for label in self.labels) + 12
        every = max(1, int(label_width // max(step, 1)) + 1)
        for i in range(count - 1, -1, -every):  # from the latest (today, now): it always has its label
            x = self._x(i, count, plot)
            painter.drawText(QRectF(x - label_width / 2, plot.bottom() + 3, label_width, line),
                             Qt.AlignmentFlag.AlignHCenter, self.labels[i])  # fmt: skip
        self._draw_marks(painter, plot, {"left": left_max, "right": right_max})
        painter.end()

    def _x(self, i: int, count: int, plot: QRectF) -> float:
        raise NotImplementedError

    def _draw_marks(self, painter: QPainter, plot: QRectF, scale: dict[str, float]) -> None:
        raise NotImplementedError


class LineChart(Chart):
    """A line per series through points at the edges of the plot: for continuous measurements."""

    def _x(self, i: int, count: int, plot: QRectF) -> float:
        return plot.left() + plot.width() * i / max(1, count - 1)

    def _draw_marks(self, painter: QPainter, plot: QRectF, scale: dict[str, float]) -> None:
        count = len(self.labels)
        for s in self.series:
            top = scale[s.axis]
            points = [QPointF(self._x(i, count, plot), plot.bottom() - plot.height() * min(v, top) / top)
                      for i, v in enumerate(s.values)]  # fmt: skip
            painter.setPen(QPen(QColor(s.color), 2))
            if len(points) == 1:
                painter.drawEllipse(points[0], 2.5, 2.5)
            else:
                painter.drawPolyline(points)


class BarChart(Chart):
    """Grouped bars, one group per label: counts per day read as counts, and a day with nothing
    shows nothing (lines would slope across empty days and blur a single busy one)."""

    GROUP_SHARE = 0.8  # of each slot; the rest separates neighbouring days

    def _x(self, i: int, count: int, plot: QRectF) -> float:
        return plot.left() + plot.width() * (i + 0.5) / max(1, count)

    def _draw_marks(self, painter: QPainter, plot: QRectF, scale: dict[str, float]) -> None:
        count = len(self.labels)
        group = plot.width() / max(1, count) * self.GROUP_SHARE
        bar = group / max(1, len(self.series))
        painter.setPen(Qt.PenStyle.NoPen)
        for n, s in enumerate(self.series):
            top = scale[s.axis]
            for i, value in enumerate(s.values):
                if value <= 0:
                    continue
                height = max(1.0, plot.height() * min(value, top) / top)  # a count of one stays visible
                x = self._x(i, count, plot) - group / 2 + n * bar
                painter.fillRect(QRectF(x, plot.bottom() - height, max(1.0, bar - 1), height), QColor(s.color))


def _nice_max(value: float) -> float:
    """Round the scale up to 1, 2 or 5 times a power of ten so the axis reads naturally."""
    if value <= 0:
        return 4.0
    magnitude = 1.0
    while magnitude * 10 <= value:
        magnitude *= 10
    for factor in (1, 2, 4, 5, 10):
        if value <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _number(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"
