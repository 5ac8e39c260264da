"""One cold start in a fresh process: prints PAINTED when the first window has painted, then exits.

``bare``: a QApplication and an empty QWidget. ``app``: Chainsight's main window started exactly as the
``chainsight`` command starts it (argument parsing, settings, style, window), up to its first paint. The
paint counted is the main window's own, with its title and menu bar (the frame the user sees first; the
panes fill in after it, see app/gui/staging.py): a splash or any other widget would not count.
"""

from __future__ import annotations

import os
import sys


def main(mode: str) -> None:
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

    def counts(widget) -> bool:
        if mode == "bare":
            return isinstance(widget, QWidget) and widget.isWindow()
        return (
            isinstance(widget, QMainWindow)
            and widget.isWindow()
            and "Chainsight" in widget.windowTitle()
            and len(widget.menuBar().actions()) > 0
        )

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and counts(watched):
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
