"""Icons and the app's few colours: SVG masters in app/gui/icons (package data), tinted to follow the palette."""

from __future__ import annotations

from functools import cache
from importlib import resources

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QStyleOption

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
    """An icon from ``app/gui/icons/NAME.svg``; ``currentColor`` becomes ``color``, or by default the
    palette's text colour at the time it is drawn (so icons follow a switch between light and dark)."""
    return _icon(name, QColor(color).name() if color is not None else "")


class _SvgIconEngine(QIconEngine):
    """Renders the tinted SVG at the size, mode and colour asked for, when first asked (not every size up
    front: that took a third of the window's construction)."""

    def __init__(self, svg: bytes, color: str = "") -> None:
        super().__init__()
        self.svg = svg
        self.color = color  # "" follows the application palette's text colour
        self.pixmaps: dict[tuple[int, int, int, str], QPixmap] = {}

    def clone(self) -> QIconEngine:
        return _SvgIconEngine(self.svg, self.color)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        color = self.color or QGuiApplication.palette().color(QPalette.ColorRole.WindowText).name()
        key = (size.width(), size.height(), int(mode.value), color)
        if key not in self.pixmaps:
            renderer = QSvgRenderer(QByteArray(self.svg.replace(b"currentColor", color.encode())))
            pixmap = QPixmap(size)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            renderer.render(painter, QRectF(0, 0, size.width(), size.height()))
            painter.end()
            if mode == QIcon.Mode.Disabled:
                style = QApplication.style()
                if style is not None:
                    pixmap = style.generatedIconPixmap(mode, pixmap, QStyleOption())
            self.pixmaps[key] = pixmap
        return self.pixmaps[key]

    def paint(self, painter: QPainter, rect, mode: QIcon.Mode, state: QIcon.State) -> None:
        ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        size = QSize(int(rect.width() * ratio), int(rect.height() * ratio))
        pixmap = self.pixmap(size, mode, state)
        painter.drawPixmap(rect, pixmap)

    def availableSizes(self, mode: QIcon.Mode = QIcon.Mode.Normal, state: QIcon.State = QIcon.State.Off):
        return [QSize(s, s) for s in _SIZES]


@cache
def _icon(name: str, color: str) -> QIcon:
    return QIcon(_SvgIconEngine(svg_bytes(name), color))


def app_icon() -> QIcon:
    return icon(APP_ICON, "#000000")


def clear_icon_cache() -> None:
    """After a palette change: icons are re-tinted on next use."""
    _icon.cache_clear()
