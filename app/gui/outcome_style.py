"""How an outcome or a badge looks: a colour, a glyph and a fill pattern, so colour is never the only cue."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen

from app.gui import member_status as ms
from engine import events

RUNNING = "running"


@dataclass(frozen=True)
class Look:
    light: str
    dark: str
    glyph: str  # drawn inside the bar/badge, so the shape tells the outcome too
    hollow: bool = False  # outline with a hatch instead of a solid fill
    label: str = ""

    def color(self, dark: bool) -> QColor:
        return QColor(self.dark if dark else self.light)


LOOKS: dict[str, Look] = {
    events.SUCCEEDED: Look("#1e8e4f", "#46c37b", "check", label="succeeded"),
    events.UNAVAILABLE: Look("#6b7688", "#9aa5b8", "dash", hollow=True, label="unavailable"),
    events.FAILED: Look("#c9372c", "#f06a5f", "cross", label="failed"),
    events.CANCELLED: Look("#a0742a", "#d9a441", "square", hollow=True, label="cancelled"),
    RUNNING: Look("#2f6fdb", "#5b9cff", "dots", label="running"),
    ms.AVAILABLE: Look("#1e8e4f", "#46c37b", "check", label="available"),
    ms.UNKNOWN: Look("#7d7f86", "#a4a7ae", "question", hollow=True, label="unknown"),
    ms.PROBING: Look("#2f6fdb", "#5b9cff", "dots", hollow=True, label="probing…"),
    ms.EXCLUDED: Look("#8c8c8c", "#8c8c8c", "slash", hollow=True, label="excluded"),
    ms.BROKEN: Look("#c9372c", "#f06a5f", "bang", label="error"),
}


def look(outcome: str | None) -> Look:
    return LOOKS.get(outcome or RUNNING, LOOKS[RUNNING])


def draw_glyph(painter: QPainter, rect: QRectF, glyph: str, color: QColor) -> None:
    """A small vector glyph centred in ``rect`` (crisp at any DPI)."""
    painter.save()
    size = min(rect.width(), rect.height())
    c = rect.center()
    r = size * 0.28
    pen = QPen(color, max(1.4, size * 0.13), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if glyph == "check":
        path = QPainterPath(QPointF(c.x() - r, c.y()))
        path.lineTo(c.x() - r * 0.25, c.y() + r * 0.7)
        path.lineTo(c.x() + r, c.y() - r * 0.7)
        painter.drawPath(path)
    elif glyph == "cross":
        painter.drawLine(QPointF(c.x() - r * 0.8, c.y() - r * 0.8), QPointF(c.x() + r * 0.8, c.y() + r * 0.8))
        painter.drawLine(QPointF(c.x() - r * 0.8, c.y() + r * 0.8), QPointF(c.x() + r * 0.8, c.y() - r * 0.8))
    elif glyph == "dash":
        painter.drawLine(QPointF(c.x() - r, c.y()), QPointF(c.x() + r, c.y()))
    elif glyph == "slash":
        painter.drawLine(QPointF(c.x() - r, c.y() + r), QPointF(c.x() + r, c.y() - r))
    elif glyph == "square":
        painter.setBrush(color)
        painter.drawRect(QRectF(c.x() - r * 0.6, c.y() - r * 0.6, r * 1.2, r * 1.2))
    elif glyph == "dots":
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        for dx in (-r, 0, r):
            painter.drawEllipse(QPointF(c.x() + dx, c.y()), size * 0.08, size * 0.08)
    elif glyph in ("question", "bang"):
        font = QFont(painter.font())
        font.setBold(True)
        font.setPixelSize(max(6, int(size * 0.62)))
        painter.setFont(font)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "?" if glyph == "question" else "!")
    painter.restore()


def draw_badge_icon(painter: QPainter, rect: QRectF, badge: str, dark: bool) -> None:
    """A round badge: solid for definite states, an outline for hollow ones, with the glyph inside."""
    item = look(badge)
    color = item.color(dark)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    inset = rect.adjusted(1, 1, -1, -1)
    if item.hollow:
        painter.setPen(QPen(color, 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(inset)
        draw_glyph(painter, inset, item.glyph, color)
    else:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawEllipse(inset)
        draw_glyph(painter, inset, item.glyph, QColor("#ffffff"))
    painter.restore()


def bar_brush(outcome: str | None, dark: bool) -> tuple[QBrush, QBrush | None, QColor]:
    """(fill, hatch overlay or None, border colour) for a timeline bar."""
    item = look(outcome)
    color = item.color(dark)
    if item.hollow:
        fill = QColor(color)
        fill.setAlpha(45)
        hatch = QBrush(color, Qt.BrushStyle.BDiagPattern)
        return QBrush(fill), hatch, color
    fill = QColor(color)
    if outcome in (None, RUNNING):
        return QBrush(fill), QBrush(QColor(255, 255, 255, 70), Qt.BrushStyle.FDiagPattern), color
    return QBrush(fill), None, color.darker(125)
