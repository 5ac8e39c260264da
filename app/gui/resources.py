"""Icons and the app's few colours: SVG masters in app/gui/icons (package data), tinted to follow the palette."""

from __future__ import annotations

from functools import cache
from importlib import resources

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

# Read through importlib.resources so a wheel, an editable install and a frozen build all find them.
ICON_PACKAGE, ICON_FOLDER = "app.gui", "icons"
APP_ICON = "chainsight"
_SIZES = (16, 20, 24, 32, 48, 64, 128, 256)


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def svg_bytes(name: str) -> bytes:
    return (resources.files(ICON_PACKAGE) / ICON_FOLDER / f"{name}.svg").read_bytes()


def icon(name: str, color: QColor | str | None = None) -> QIcon:
    """An icon from ``app/gui/icons/NAME.svg``; ``currentColor`` becomes ``color`` (default: text colour)."""
    if color is None:
        color = QGuiApplication.palette().color(QPalette.ColorRole.WindowText)
    return _icon(name, QColor(color).name())


@cache
def _icon(name: str, color: str) -> QIcon:
    data = svg_bytes(name).replace(b"currentColor", color.encode())
    renderer = QSvgRenderer(QByteArray(data))
    result = QIcon()
    for size in _SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        result.addPixmap(pixmap)
    return result


def app_icon() -> QIcon:
    return icon(APP_ICON, "#000000")


def clear_icon_cache() -> None:
    """After a palette change: icons are re-tinted on next use."""
    _icon.cache_clear()
