"""Render the SVG master (resources/icons/chainsight.svg) into every icon a platform wants.

Linux: hicolor PNGs; Windows: a multi-size .ico; macOS: .icns. Run after changing the master:
``python packaging/render_icons.py``. Uses Qt's own SVG renderer, so no extra tool is needed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[1]
MASTER = ROOT / "resources" / "icons" / "chainsight.svg"
APP_ID = "io.github.chainsight.Chainsight"
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
OUT = ROOT / "packaging" / "icons"


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(MASTER))
    if not renderer.isValid():
        print(f"cannot read {MASTER}", file=sys.stderr)
        return 1
    for size in HICOLOR_SIZES:
        target = OUT / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        render(renderer, size).save(str(target))
    scalable = OUT / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    scalable.write_bytes(MASTER.read_bytes())
    render(renderer, 256).save(str(OUT / "chainsight.ico"))
    render(renderer, 512).save(str(OUT / "chainsight.icns"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
