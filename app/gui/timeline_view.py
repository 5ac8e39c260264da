"""The timeline: one lane per attempt, bars by duration, nested step bars, a millisecond axis,
zoom (Ctrl+wheel, buttons) and pan (wheel, drag), hover details, selection, and run history."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QMouseEvent, QPainter, QPalette, QPen, QWheelEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.gui.outcome_style import RUNNING, bar_brush, draw_glyph, look
from app.gui.resources import icon, is_dark
from app.gui.run_record import TRY_EVERY, RunRecord, attempt_duration_text
from app.gui.timeline_model import Viewport, nice_step, step_depths, tick_label
from engine import events

GUTTER = 210
AXIS = 28
HEADER = 24
BAR_H = 20
STEP_H = 7
LANE_PAD = 8
STEP_COLORS = {
    "http": "#3b82c4",
    "process": "#8a5cc7",
    "file": "#7c8794",
    "wait": "#c89320",
    "browser": "#1f9e96",
    "probe": "#5b7bd5",
}
EMPTY_TEXT = "Press Run (Ctrl+R) to ask the chain for a token.\nEach attempt appears here as it happens."
COMPARE_TIP = "Show another run below this one"
OTHER_MACHINE_TIP = "The compared run ran on {other}, this one on {current}: a different machine or what-if."


class TimelineCanvas(QWidget):
    """Paints one or two RunRecords (the current run, and another to compare against)."""

    attempt_selected = Signal(object, int)  # RunRecord, lane index
    step_selected = Signal(object, int, int)  # RunRecord, lane index, step index

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.records: list[RunRecord] = []
        self.view = Viewport()
        self.selected: tuple[int, int] | None = None  # (record index, lane)
        self._drag_from: QPointF | None = None
        self._scroll_y = 0.0
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumHeight(160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Timeline")
        self.setAccessibleDescription("One lane per attempt; bars show duration and outcome. Up and Down select.")
        self._ticker = QTimer(self)
        self._ticker.setInterval(33)
        self._ticker.timeout.connect(self._tick)

    # ---- content -----------------------------------------------------------------------------
    def set_records(self, records: list[RunRecord], *, refit: bool = False) -> None:
        same = [id(r) for r in records] == [id(r) for r in self.records]
        self.records = records
        if not same:
            self.selected = None
            self._scroll_y = 0.0
        if refit or not same:
            self.fit()
        self.refresh()

    def refresh(self) -> None:
        """New events arrived: keep a live run in view and repaint (Qt coalesces repaints)."""
        live = any(not r.finished for r in self.records)
        if live and not self._ticker.isActive():
            self._ticker.start()
        elif not live:
            self._ticker.stop()
        if self.view.follow:
            self.view.fit(self._duration())
        self.update()

    def _tick(self) -> None:
        self.refresh()

    def _duration(self) -> float:
        return max((r.elapsed for r in self.records), default=0.0)

    def fit(self) -> None:
        self.view.width = max(50.0, self.width() - GUTTER - 16)
        self.view.fit(self._duration())
        self.update()

    def zoom(self, factor: float, anchor_x: float | None = None) -> None:
        self.view.zoom(factor, None if anchor_x is None else anchor_x - GUTTER)
        self.update()

    # ---- layout ------------------------------------------------------------------------------
    def _rows(self) -> list[tuple[str, int, int, float, float]]:
        """(kind, record index, lane, top, height) for headers and lanes, in paint order."""
        rows = []
        y = AXIS - self._scroll_y
        show_headers = len(self.records) > 1
        for ri, record in enumerate(self.records):
            if show_headers:
                rows.append(("header", ri, -1, y, HEADER))
                y += HEADER
            now = self._now(record)
            for li, lane in enumerate(record.lanes):
                depth = max(step_depths(lane.attempt.steps, now), default=-1) + 1
                steps = 4 + depth * (STEP_H + 2) if depth else 0
                # the gutter's second line (outcome · duration) needs its room even without steps
                height = LANE_PAD + BAR_H + max(steps, self._small_line()) + LANE_PAD
                rows.append(("lane", ri, li, y, height))
                y += height
        return rows

    def _small_font(self) -> QFont:
        small = QFont(self.font())
        small.setPointSizeF(max(6.5, small.pointSizeF() * 0.85))
        return small

    def _small_line(self) -> int:
        return QFontMetrics(self._small_font()).height() + 2

    def _now(self, record: RunRecord) -> float:
        return record.elapsed if not record.finished else max((r.ended or 0 for r in record.runs), default=0.0)

    def content_height(self) -> float:
        rows = self._rows()
        return (rows[-1][3] + rows[-1][4] + self._scroll_y) if rows else AXIS

    def sizeHint(self) -> QSize:
        return QSize(700, 320)

    def resizeEvent(self, event) -> None:
        span_per_px = self.view.span / max(1.0, self.view.width)
        self.view.width = max(50.0, self.width() - GUTTER - 16)
        if self.view.follow:
            self.view.fit(self._duration())
        else:
            self.view.span = span_per_px * self.view.width
        super().resizeEvent(event)

    # ---- painting ----------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        dark = is_dark(pal)
        painter.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        if not self.records:
            painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, EMPTY_TEXT)
            return
        rows = self._rows()
        alt = pal.color(QPalette.ColorRole.AlternateBase)
        for kind, ri, li, top, height in rows:
            if top + height < AXIS or top > self.height():
                continue
            if kind == "header":
                self._paint_header(painter, self.records[ri], top, pal)
            else:
                if li % 2:
                    painter.fillRect(QRectF(0, top, self.width(), height), alt)
                if self.selected == (ri, li):
                    highlight = QColor(pal.color(QPalette.ColorRole.Highlight))
                    highlight.setAlpha(60)
                    painter.fillRect(QRectF(0, top, self.width(), height), highlight)
                    painter.fillRect(QRectF(0, top, 3, height), pal.color(QPalette.ColorRole.Highlight))
                self._paint_lane(painter, self.records[ri], li, top, height, pal, dark)
        self._paint_axis(painter, pal)
        painter.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1))
        painter.drawLine(QPointF(GUTTER - 0.5, 0), QPointF(GUTTER - 0.5, self.height()))

    def _paint_axis(self, painter: QPainter, pal: QPalette) -> None:
        painter.fillRect(QRectF(0, 0, self.width(), AXIS), pal.color(QPalette.ColorRole.Window))
        painter.setPen(pal.color(QPalette.ColorRole.WindowText))
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
        painter.setFont(font)
        painter.drawText(QRectF(10, 0, GUTTER - 20, AXIS), Qt.AlignmentFlag.AlignVCenter, "Attempt")
        step = nice_step(self.view.span, max(2, int(self.view.width / 110)))
        t = (int(self.view.start / step)) * step
        grid = QColor(pal.color(QPalette.ColorRole.Mid))
        grid.setAlpha(70)
        metrics = QFontMetrics(font)
        while t <= self.view.start + self.view.span:
            x = GUTTER + self.view.x(t)
            if x >= GUTTER:
                painter.setPen(QPen(grid, 1))
                painter.drawLine(QPointF(x, AXIS), QPointF(x, self.height()))
                painter.setPen(pal.color(QPalette.ColorRole.WindowText))
                label = tick_label(t, step)
                width = metrics.horizontalAdvance(label) + 6
                # at the right edge the label goes to the left of its tick rather than being cut off
                left = x + 3 if x + 3 + width <= self.width() else x - 3 - width
                if left >= GUTTER:
                    painter.drawText(QRectF(left, 0, width, AXIS), Qt.AlignmentFlag.AlignVCenter, label)
            t += step
        painter.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1))
        painter.drawLine(QPointF(0, AXIS - 0.5), QPointF(self.width(), AXIS - 0.5))

    def _paint_header(self, painter: QPainter, record: RunRecord, top: float, pal: QPalette) -> None:
        painter.fillRect(QRectF(0, top, self.width(), HEADER), pal.color(QPalette.ColorRole.Button))
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(pal.color(QPalette.ColorRole.ButtonText))
        painter.drawText(QRectF(10, top, self.width() - 20, HEADER), Qt.AlignmentFlag.AlignVCenter, record.summary)

    def _paint_lane(
        self, painter: QPainter, record: RunRecord, li: int, top: float, height: float, pal: QPalette, dark: bool
    ) -> None:
        lane = record.lanes[li]
        attempt = lane.attempt
        outcome = attempt.outcome or RUNNING
        now = self._now(record)
        # gutter: outcome glyph + credential name (+ which run, for "try every")
        item = look(outcome)
        bar_top = top + LANE_PAD
        glyph_rect = QRectF(10, bar_top + 2, 16, 16)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(item.color(dark))
        if item.hollow:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(item.color(dark), 1.5))
        painter.drawEllipse(glyph_rect)
        draw_glyph(painter, glyph_rect, item.glyph, item.color(dark) if item.hollow else QColor("#ffffff"))
        name_font = QFont(self.font())
        painter.setFont(name_font)
        painter.setPen(pal.color(QPalette.ColorRole.Text))
        metrics = QFontMetrics(name_font)
        label = attempt.credential + (" 🔒" if attempt.locked_in else "")
        painter.drawText(
            QRectF(32, bar_top, GUTTER - 40, BAR_H),
            Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(label, Qt.TextElideMode.ElideRight, GUTTER - 40),
        )
        painter.setFont(self._small_font())
        painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(
            QRectF(32, bar_top + BAR_H, GUTTER - 40, height - BAR_H - LANE_PAD),
            Qt.AlignmentFlag.AlignTop,
            item.label + ("" if attempt.ended is None else " · " + attempt_duration_text(attempt.duration)),
        )
        painter.save()
        painter.setClipRect(QRectF(GUTTER, top, self.width() - GUTTER, height))
        end = attempt.ended if attempt.ended is not None else now
        x0 = GUTTER + self.view.x(attempt.started)
        x1 = max(x0 + 3, GUTTER + self.view.x(end))
        rect = QRectF(x0, bar_top, x1 - x0, BAR_H)
        fill, hatch, border = bar_brush(outcome if attempt.outcome else None, dark)
        painter.setPen(
            QPen(border, 1.2, Qt.PenStyle.DashLine if outcome == events.CANCELLED else Qt.PenStyle.SolidLine)
        )
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 4, 4)
        if hatch is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(hatch)
            painter.drawRoundedRect(rect, 4, 4)
        text_color = item.color(dark) if item.hollow else QColor("#ffffff")
        glyph_box = QRectF(x0 + 2, bar_top + 2, BAR_H - 4, BAR_H - 4)
        if rect.width() > BAR_H:
            draw_glyph(painter, glyph_box, item.glyph, text_color)
        duration = attempt_duration_text(attempt.duration if attempt.ended is not None else None)
        painter.setFont(name_font)
        text_width = metrics.horizontalAdvance(duration) + 8
        if rect.width() > text_width + BAR_H + 4:
            painter.setPen(text_color if not item.hollow else pal.color(QPalette.ColorRole.Text))
            painter.drawText(
                rect.adjusted(BAR_H, 0, -6, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, duration
            )
        else:
            painter.setPen(pal.color(QPalette.ColorRole.Text))
            # beside the bar, or before it when the bar ends at the right edge
            beside = x1 + 6 if x1 + 6 + text_width <= self.width() else max(GUTTER + 2, x0 - 6 - text_width)
            painter.drawText(QRectF(beside, bar_top, text_width, BAR_H), Qt.AlignmentFlag.AlignVCenter, duration)
        # nested steps: one thin bar each, stacked by nesting depth, coloured by kind, red-edged on error
        depths = step_depths(attempt.steps, now)
        for step, depth in zip(attempt.steps, depths, strict=False):
            s_end = step.ended if step.ended is not None else now
            sx0 = GUTTER + self.view.x(step.started)
            sx1 = max(sx0 + 2, GUTTER + self.view.x(s_end))
            sy = bar_top + BAR_H + 4 + depth * (STEP_H + 2)
            color = QColor(STEP_COLORS.get(step.kind, "#888888"))
            if dark:
                color = color.lighter(130)
            painter.setPen(
                QPen(QColor("#d0342c"), 1.5) if step.error or _bad_status(step.detail) else Qt.PenStyle.NoPen
            )
            painter.setBrush(color)
            painter.drawRoundedRect(QRectF(sx0, sy, sx1 - sx0, STEP_H), 2, 2)
        painter.restore()

    # ---- hit testing -------------------------------------------------------------------------
    def hit(self, pos: QPointF) -> tuple[int, int, int | None] | None:
        """(record index, lane, step index or None) under ``pos``."""
        for kind, ri, li, top, height in self._rows():
            if kind != "lane" or not (top <= pos.y() < top + height):
                continue
            record = self.records[ri]
            attempt = record.lanes[li].attempt
            now = self._now(record)
            for si, (step, depth) in enumerate(zip(attempt.steps, step_depths(attempt.steps, now), strict=False)):
                sx0 = GUTTER + self.view.x(step.started)
                sx1 = max(sx0 + 4, GUTTER + self.view.x(step.ended if step.ended is not None else now))
                sy = top + LANE_PAD + BAR_H + 4 + depth * (STEP_H + 2)
                if sx0 - 2 <= pos.x() <= sx1 + 2 and sy - 2 <= pos.y() <= sy + STEP_H + 2:
                    return ri, li, si
            return ri, li, None
        return None

    def tooltip_at(self, pos: QPointF) -> str:
        found = self.hit(pos)
        if found is None:
            return ""
        ri, li, si = found
        lane = self.records[ri].lanes[li]
        if si is not None:
            step = lane.attempt.steps[si]
            status = _step_status(step.detail)
            lines = [
                f"<b>{_esc(step.kind)}</b>: {_esc(step.label)}",
                f"duration: {attempt_duration_text(step.duration)}",
            ]
            if status:
                lines.append(status)
            if step.error:
                lines.append(f"<span style='color:#d0342c'>{_esc(step.error)}</span>")
            return "<br>".join(lines)
        attempt = lane.attempt
        lines = [
            f"<b>{_esc(attempt.credential)}</b> — {look(attempt.outcome).label}",
            f"started at {tick_label(attempt.started)}, took {attempt_duration_text(attempt.duration)}",
            f"{len(attempt.steps)} step(s), {len(attempt.logs)} log line(s)",
        ]
        if attempt.message:
            lines.append(_esc(attempt.message.split("\n")[0][:200]))
        if attempt.account:
            lines.append(f"account: {_esc(attempt.account.display)}")
        return "<br>".join(lines)

    # ---- input -------------------------------------------------------------------------------
    def select(self, record_index: int, lane: int) -> None:
        self.selected = (record_index, lane)
        self.update()
        self.attempt_selected.emit(self.records[record_index], lane)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        found = self.hit(event.position())
        if event.button() == Qt.MouseButton.LeftButton and found is not None:
            ri, li, si = found
            self.select(ri, li)
            if si is not None:
                self.step_selected.emit(self.records[ri], li, si)
        self._drag_from = event.position()
        self.setFocus()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None and event.buttons():
            delta = event.position() - self._drag_from
            self._drag_from = event.position()
            self.view.pan(delta.x())
            self._scroll(-delta.y())
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            self.update()
            return
        text = self.tooltip_at(event.position())
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        else:
            QToolTip.hideText()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag_from = None
        self.unsetCursor()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta()
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(1.25 if delta.y() > 0 else 0.8, event.position().x())
        elif event.modifiers() & Qt.KeyboardModifier.ShiftModifier or delta.x():
            self.view.pan((delta.x() or delta.y()) / 2)
        else:
            self._scroll(-delta.y() / 2)
        self.update()
        event.accept()

    def _scroll(self, dy: float) -> None:
        limit = max(0.0, self.content_height() - self.height() + 8)
        self._scroll_y = min(limit, max(0.0, self._scroll_y + dy))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        lanes = [(ri, li) for kind, ri, li, *_ in self._rows() if kind == "lane"]
        key = event.key()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and lanes:
            current = lanes.index(self.selected) if self.selected in lanes else -1
            step = 1 if key == Qt.Key.Key_Down else -1
            self.select(*lanes[max(0, min(len(lanes) - 1, current + step if current >= 0 else 0))])
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(1.25)
        elif key == Qt.Key.Key_Minus:
            self.zoom(0.8)
        elif key == Qt.Key.Key_0:
            self.fit()
        elif key == Qt.Key.Key_Left:
            self.view.pan(60)
            self.update()
        elif key == Qt.Key.Key_Right:
            self.view.pan(-60)
            self.update()
        else:
            super().keyPressEvent(event)


class Legend(QWidget):
    """What the shapes and colours mean, always visible under the timeline; wraps onto more lines when narrow."""

    OUTCOMES = (events.SUCCEEDED, events.UNAVAILABLE, events.FAILED, events.CANCELLED, RUNNING)
    STEP_KINDS = ("http", "process", "file", "wait")
    LINE = 22

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Legend")
        self.setToolTip("Bars: attempts (shape and colour by outcome). Thin bars: steps, coloured by kind.")
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def _font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
        return font

    def _items(self) -> list[tuple[str, str, float]]:
        """(kind, text, width) for each entry: outcomes, the "steps:" caption, step kinds."""
        metrics = QFontMetrics(self._font())
        items = [("outcome", o, 18 + metrics.horizontalAdvance(look(o).label) + 12) for o in self.OUTCOMES]
        items.append(("caption", "steps:", metrics.horizontalAdvance("steps:") + 8))
        items += [("step", k, 20 + metrics.horizontalAdvance(k) + 10) for k in self.STEP_KINDS]
        return items

    def _positions(self, width: float) -> list[tuple[str, str, float, float]]:
        x, y, placed = 4.0, 0.0, []
        for kind, text, item_width in self._items():
            if x > 4.0 and x + item_width > width:
                x, y = 4.0, y + self.LINE
            placed.append((kind, text, x, y))
            x += item_width
        return placed

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        placed = self._positions(width)
        return int((placed[-1][3] if placed else 0) + self.LINE)

    def sizeHint(self) -> QSize:
        return QSize(int(sum(w for *_, w in self._items())) + 8, self.LINE)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self.LINE)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.setMinimumHeight(self.heightForWidth(event.size().width()))

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        dark = is_dark(pal)
        painter.setFont(self._font())
        line = self.LINE
        for kind, text, x, y in self._positions(self.width()):
            if kind == "outcome":
                item = look(text)
                rect = QRectF(x, y + 4, 14, 14)
                fill, hatch, border = bar_brush(text if text != RUNNING else None, dark)
                painter.setPen(QPen(border, 1))
                painter.setBrush(fill)
                painter.drawRoundedRect(rect, 3, 3)
                if hatch is not None:
                    painter.setBrush(hatch)
                    painter.drawRoundedRect(rect, 3, 3)
                draw_glyph(painter, rect, item.glyph, item.color(dark) if item.hollow else QColor("#ffffff"))
                painter.setPen(pal.color(QPalette.ColorRole.WindowText))
                painter.drawText(QRectF(x + 18, y, 120, line), Qt.AlignmentFlag.AlignVCenter, item.label)
            elif kind == "caption":
                painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
                painter.drawText(QRectF(x, y, 60, line), Qt.AlignmentFlag.AlignVCenter, text)
            else:
                color = QColor(STEP_COLORS[text])
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(color.lighter(130) if dark else color)
                painter.drawRoundedRect(QRectF(x, y + 8, 16, 7), 2, 2)
                painter.setPen(pal.color(QPalette.ColorRole.WindowText))
                painter.drawText(QRectF(x + 20, y, 80, line), Qt.AlignmentFlag.AlignVCenter, text)


class TimelinePanel(QWidget):
    """The canvas with its toolbar: run history, compare-with, zoom in/out/fit, and a legend."""

    attempt_selected = Signal(object, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history: list[RunRecord] = []
        self.canvas = TimelineCanvas(self)
        self.canvas.attempt_selected.connect(self.attempt_selected)
        self.run_combo = QComboBox(self)
        self.run_combo.setAccessibleName("Run history")
        self.run_combo.setToolTip("Earlier runs stay here: pick one to look at it again")
        self.run_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.run_combo.setMinimumContentsLength(8)
        self.compare_combo = QComboBox(self)
        self.compare_combo.setAccessibleName("Compare with run")
        self.compare_combo.setToolTip(COMPARE_TIP)
        self.compare_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.compare_combo.setMinimumContentsLength(5)
        self.run_combo.currentIndexChanged.connect(self._show_selected)
        self.compare_combo.currentIndexChanged.connect(self._show_selected)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(6)
        run_label = QLabel("<b>Timeline</b> of", self)
        run_label.setBuddy(self.run_combo)
        bar.addWidget(run_label)
        bar.addWidget(self.run_combo, 2)
        compare_label = QLabel("compare:", self)
        compare_label.setBuddy(self.compare_combo)
        bar.addWidget(compare_label)
        bar.addWidget(self.compare_combo, 1)
        # the zoom buttons sit beside the legend, so the bar above stays narrow enough for a small window
        foot = QHBoxLayout()
        foot.setContentsMargins(0, 0, 0, 0)
        foot.setSpacing(2)
        self.legend = Legend(self)
        foot.addWidget(self.legend, 1)
        for name, tip, slot in (
            ("zoom-out", "Zoom out (Ctrl+wheel, −)", lambda: self.canvas.zoom(0.8)),
            ("zoom-in", "Zoom in (Ctrl+wheel, +)", lambda: self.canvas.zoom(1.25)),
            ("zoom-fit", "Fit the whole run (0, double-click)", self.canvas.fit),
        ):
            button = QToolButton(self)
            button.setIcon(icon(name))
            button.setToolTip(tip)
            button.setAccessibleName(tip.split(" (")[0])
            button.setAutoRaise(True)
            button.clicked.connect(slot)
            foot.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(bar)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(foot)
        self._refresh_combos()

    def add(self, record: RunRecord) -> None:
        self.history.append(record)
        self._refresh_combos(select=record)

    def update_record(self, record: RunRecord) -> None:
        if record in self.history:  # the label's running time follows the run (not "running… · 0 ms")
            self._set_label(record)
        if record in self.canvas.records:
            self.canvas.refresh()

    def _set_label(self, record: RunRecord) -> None:
        index = self.history.index(record)
        self.run_combo.setItemText(len(self.history) - 1 - index, record.summary)
        self.compare_combo.setItemText(len(self.history) - index, record.summary)
        self.run_combo.setToolTip(self.run_combo.currentText())

    def finish_record(self, record: RunRecord) -> None:
        if record in self.history:
            self._set_label(record)
        self.canvas.refresh()

    def current(self) -> RunRecord | None:
        index = self.run_combo.currentIndex()
        return self.history[len(self.history) - 1 - index] if 0 <= index < len(self.history) else None

    def _refresh_combos(self, select: RunRecord | None = None) -> None:
        for combo in (self.run_combo, self.compare_combo):
            combo.blockSignals(True)
            combo.clear()
        self.compare_combo.addItem("(nothing)")
        for record in reversed(self.history):
            self.run_combo.addItem(record.summary)
            self.compare_combo.addItem(record.summary)
        if not self.history:
            self.run_combo.addItem("no runs yet")
        self.run_combo.setEnabled(bool(self.history))
        self.compare_combo.setEnabled(len(self.history) > 1)
        self.run_combo.setCurrentIndex(0)
        self.compare_combo.setCurrentIndex(0)
        for combo in (self.run_combo, self.compare_combo):
            combo.blockSignals(False)
        self._show_selected()

    def _show_selected(self) -> None:
        records = []
        current = self.current()
        if current is not None:
            records.append(current)
        compare = self.compare_combo.currentIndex()
        tip = COMPARE_TIP
        if compare > 0:
            other = self.history[len(self.history) - compare]
            if other is not current:
                records.append(other)
            if current is not None and other.context != current.context:
                tip = OTHER_MACHINE_TIP.format(other=other.context.describe(), current=current.context.describe())
        self.compare_combo.setToolTip(tip)
        self.canvas.set_records(records)
        if current is not None and current.lanes and self.canvas.selected is None and current.finished:
            self.canvas.select(0, _default_lane(current))


def _default_lane(record: RunRecord) -> int:
    """Select what a user looks for first: the attempt that decided the run; when every member was
    unavailable, the one that got furthest (most steps, then longest), not merely the last."""
    lanes = record.lanes
    if not lanes or record.kind == TRY_EVERY:
        return 0
    for i, lane in enumerate(lanes):
        if lane.attempt.outcome in (events.SUCCEEDED, events.FAILED):
            return i
    return max(
        range(len(lanes)),
        key=lambda i: (len(lanes[i].attempt.steps), lanes[i].attempt.duration or 0.0, -i),
    )


def default_lane(record: RunRecord) -> int:
    return _default_lane(record)


def _bad_status(detail: dict) -> bool:
    status = detail.get("status")
    exit_status = detail.get("exit_status")
    return (isinstance(status, int) and status >= 400) or (isinstance(exit_status, int) and exit_status != 0)


def _step_status(detail: dict) -> str:
    if "status" in detail:
        return f"HTTP {detail['status']} {detail.get('reason', '')}".strip()
    if "exit_status" in detail:
        return f"exit status {detail['exit_status']}"
    if detail.get("killed"):
        return "killed (timeout or cancel)"
    return ""


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
