"""One cold start in a fresh process: prints PAINTED when the first window has painted, then exits.

``bare``: a QApplication and an empty QWidget. ``app``: Chainsight's main window started exactly as the
``chainsight`` command starts it (argument parsing, settings, style, window), up to its first paint.
"""

from __future__ import annotations

import os
import sys


def main(mode: str) -> None:
    if mode == "app":
        from app.gui import preload

        preload()  # as `chainsight` does before it loads Qt (the QApplication is made here to watch it)
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and isinstance(watched, (QMainWindow, QWidget)) and watched.isWindow():
                print("PAINTED", flush=True)
                os._exit(0)  # the measurement ends at the first paint; skip teardown
            return False

    app = QApplication(sys.argv[:1])
    watcher = FirstPaint()
    app.installEventFilter(watcher)
    if mode == "bare":
        window = QWidget()
        window.resize(1440, 900)
        window.show()
        app.exec()
    else:
        from app.cli import main as chainsight

        chainsight([])  # the app reuses this QApplication, and its settings come from CHAINSIGHT_SETTINGS


if __name__ == "__main__":
    main(sys.argv[1])
