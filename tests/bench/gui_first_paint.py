"""One cold start in a fresh process: prints PAINTED when the first window has painted, then exits.

``bare``: a QApplication and an empty QWidget. ``app``: Chainsight's main window, as ``chainsight`` starts it.
"""

from __future__ import annotations

import os
import sys


def main(mode: str) -> None:
    if mode == "app":
        from app.gui import preload

        preload()  # as `chainsight` does before it loads Qt
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QWidget

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint:
                print("PAINTED", flush=True)
                os._exit(0)  # the measurement ends at the first paint; skip teardown
            return False

    app = QApplication(sys.argv[:1])
    if mode == "bare":
        window = QWidget()
        window.resize(1440, 900)
    else:
        from app.gui import setup_style
        from app.gui.main_window import MainWindow
        from app.gui.settings import Settings

        setup_style(app)
        window = MainWindow(settings=Settings(os.environ.get("CHAINSIGHT_SETTINGS")))
    watcher = FirstPaint()
    window.installEventFilter(watcher)
    window.show()
    app.exec()


if __name__ == "__main__":
    main(sys.argv[1])
