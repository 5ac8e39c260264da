"""Render the app icon's SVG master (app/gui/icons/chainsight.svg) into every icon a platform wants.

Linux: hicolor PNGs and the scalable SVG; Windows: .ico; macOS: .icns. The output is build output
(packaging/build.sh renders into build/icons), never tracked files. Uses Qt's own SVG renderer and image
writers, so no extra tool is needed: ``python packaging/render_icons.py OUT_DIR``.
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
MASTER = ROOT / "app" / "gui" / "icons" / "chainsight.svg"
APP_ID = "io.github.chainsight.Chainsight"
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
USAGE = "usage: python packaging/render_icons.py OUT_DIR"
CANNOT_READ = "render_icons: cannot read the SVG master {path}"
CANNOT_WRITE = "render_icons: Qt could not write {path} (is its image format plugin missing?)"


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def outputs(out: Path) -> dict[Path, int]:
    """Every raster icon written, with its size in pixels."""
    files = {out / "hicolor" / f"{s}x{s}" / "apps" / f"{APP_ID}.png": s for s in HICOLOR_SIZES}
    files[out / "chainsight.ico"] = 256
    files[out / "chainsight.icns"] = 512
    return files


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(USAGE, file=sys.stderr)
        return 2
    out = Path(argv[0])
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(MASTER))
    if not renderer.isValid():
        print(CANNOT_READ.format(path=MASTER), file=sys.stderr)
        return 1
    for target, size in outputs(out).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        if not render(renderer, size).save(str(target)):
            print(CANNOT_WRITE.format(path=target), file=sys.stderr)
            return 1
    scalable = out / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    scalable.write_bytes(MASTER.read_bytes())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
