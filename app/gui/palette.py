"""Light and dark Fusion palettes; the app picks one from the system's colour scheme."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QProxyStyle, QStyle

_DARK = {
    QPalette.ColorRole.Window: "#202225",
    QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#17181a",
    QPalette.ColorRole.AlternateBase: "#1f2023",
    QPalette.ColorRole.ToolTipBase: "#2b2d31",
    QPalette.ColorRole.ToolTipText: "#e6e6e6",
    QPalette.ColorRole.PlaceholderText: "#8b8f97",
    QPalette.ColorRole.Text: "#e6e6e6",
    QPalette.ColorRole.Button: "#2b2d31",
    QPalette.ColorRole.ButtonText: "#e6e6e6",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Highlight: "#3d7be0",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#6ea8ff",
    QPalette.ColorRole.Mid: "#3a3c41",
    QPalette.ColorRole.Midlight: "#34363b",
    QPalette.ColorRole.Dark: "#111214",
    QPalette.ColorRole.Light: "#3f4247",
    QPalette.ColorRole.Shadow: "#000000",
}
_LIGHT = {
    QPalette.ColorRole.Window: "#f3f4f6",
    QPalette.ColorRole.WindowText: "#1d1f23",
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#f6f7f9",
    QPalette.ColorRole.ToolTipBase: "#ffffff",
    QPalette.ColorRole.ToolTipText: "#1d1f23",
    QPalette.ColorRole.PlaceholderText: "#6b7079",
    QPalette.ColorRole.Text: "#1d1f23",
    QPalette.ColorRole.Button: "#e9ebef",
    QPalette.ColorRole.ButtonText: "#1d1f23",
    QPalette.ColorRole.Highlight: "#2f6fdb",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#1f5fc8",
    QPalette.ColorRole.Mid: "#c5c9d0",
    QPalette.ColorRole.Midlight: "#e1e4e8",
    QPalette.ColorRole.Dark: "#9aa0a8",
    QPalette.ColorRole.Light: "#ffffff",
}


def _palette(colors: dict) -> QPalette:
    palette = QPalette()
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    disabled = QColor(colors[QPalette.ColorRole.PlaceholderText])
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def dark_palette() -> QPalette:
    return _palette(_DARK)


def light_palette() -> QPalette:
    return _palette(_LIGHT)


class ContrastStyle(QProxyStyle):
    """Fusion, with check boxes that can be seen in the dark palette: Fusion outlines them in a shade
    darker than the window, which on a dark base is all but invisible when they are unchecked."""

    INDICATORS = (QStyle.PrimitiveElement.PE_IndicatorCheckBox, QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck)

    def drawPrimitive(self, element, option, painter, widget=None) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element not in self.INDICATORS or option.palette.color(QPalette.ColorRole.Window).lightness() >= 128:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(option.palette.color(QPalette.ColorRole.PlaceholderText), 1))
        painter.setBrush(QColor(0, 0, 0, 0))
        rect = QRectF(option.rect).adjusted(1.5, 1.5, -1.5, -1.5)
        side = min(rect.width(), rect.height())
        box = QRectF(rect.center().x() - side / 2, rect.center().y() - side / 2, side, side)
        painter.drawRoundedRect(box, 2, 2)
        painter.restore()
