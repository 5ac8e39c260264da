"""Run by test_real_mouse_drag.py in its own process on the xcb platform (under Xvfb): drag the
AzureCliCredential row to the top of the chain panel with the mouse, then print the chain as JSON.

The move and release are sent from timers while QDrag.exec() runs its nested loop (sent in sequence,
they would wait for a drag that never ends); faulthandler ends a hang with a traceback.
"""

from __future__ import annotations

import faulthandler
import json
import sys

faulthandler.dump_traceback_later(45, exit=True)

from PySide6.QtCore import QPoint, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.gui.chain_model import ChainModel  # noqa: E402
from app.gui.chain_panel import ChainPanel  # noqa: E402
from app.gui.chain_state import ChainState  # noqa: E402

SOURCE = "AzureCliCredential"


def main() -> int:
    app = QApplication(sys.argv[:1])
    if app.platformName() != "xcb":
        print(json.dumps({"error": f"platform is {app.platformName()}, not xcb"}))
        return 2
    state = ChainState()
    panel = ChainPanel(ChainModel(state))
    panel.resize(420, 760)
    panel.move(20, 20)
    panel.show()
    if not QTest.qWaitForWindowExposed(panel, 10000):
        print(json.dumps({"error": "window never exposed"}))
        return 2
    QTest.qWait(200)
    view = panel.list
    viewport = view.viewport()
    source_row = state.names().index(SOURCE)
    start = view.visualRect(panel.model.index(source_row)).center()
    target_rect = view.visualRect(panel.model.index(0))
    target = QPoint(target_rect.center().x(), target_rect.top() + 3)  # the upper edge: insert above row 0
    distance = QApplication.startDragDistance()
    path = [start - QPoint(0, (distance + 4) * i) for i in range(1, 4)]
    path += [QPoint(start.x(), int(start.y() + (target.y() - start.y()) * f)) for f in (0.25, 0.5, 0.75)]
    path += [target, target + QPoint(1, 0), target]
    events: list[str] = []

    def step(i: int) -> None:
        if i < len(path):
            QTest.mouseMove(viewport, path[i])
            events.append(f"move {path[i].x()},{path[i].y()}")
            QTimer.singleShot(40, lambda: step(i + 1))
        else:
            QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, target)
            events.append("release")

    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTimer.singleShot(150, lambda: step(1))
    # This first move crosses the drag distance: the view starts QDrag.exec(), whose nested loop runs
    # the timers above until the release drops the row.
    QTest.mouseMove(viewport, path[0])
    QTest.qWait(300)
    print(json.dumps({"names": state.names(), "mode": state.mode, "undo": state.undo_labels, "events": events}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
