"""Run by test_layout_fits.py in its own process under Xvfb: ``chainsight ARGS…`` exactly as a user
starts it, plus a report (JSON on stdout's last line) of where every visible widget is when the
screenshot is taken: the window's frame, the screen, and each widget that sticks out of the window."""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtWidgets import QAbstractScrollArea, QDockWidget, QWidget

import app.gui as gui


def _clipped_by_scrolling(widget: QWidget, window: QWidget) -> bool:
    """Inside a scroll area's viewport, content may lie beyond the visible part: that is what scrolling is."""
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent.parentWidget(), QAbstractScrollArea) and parent is parent.parentWidget().viewport():
            return True
        parent = parent.parentWidget()
    return False


def _in_background_tab(widget: QWidget) -> bool:
    """A dock whose tab is in the background: Qt parks it off screen; its pane is hidden, so is its title."""
    while widget is not None:
        if isinstance(widget, QDockWidget):
            return widget.widget() is not None and not widget.widget().isVisible()
        widget = widget.parentWidget()
    return False


def report(window: QWidget) -> dict:
    inside = window.rect()
    outside = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.isWindow() or widget.width() <= 0 or widget.height() <= 0:
            continue
        if _clipped_by_scrolling(widget, window) or _in_background_tab(widget):
            continue
        rect = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
        if not inside.contains(rect):
            outside.append(
                {
                    "class": type(widget).__name__,
                    "name": widget.objectName() or widget.accessibleName(),
                    "rect": [rect.x(), rect.y(), rect.width(), rect.height()],
                }
            )
    bar = window.request_bar
    buttons = {}
    for name, button in (("run", bar.run_button), ("try", bar.try_button), ("cancel", bar.cancel_button)):
        rect = QRect(button.mapTo(window, button.rect().topLeft()), button.size())
        buttons[name] = button.isVisible() and inside.contains(rect) and not button.visibleRegion().isEmpty()
    frame = window.frameGeometry()
    screen = window.screen().availableGeometry()
    return {
        "window": [window.width(), window.height()],
        "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
        "screen": [screen.x(), screen.y(), screen.width(), screen.height()],
        "minimum": [window.minimumSizeHint().width(), window.minimumSizeHint().height()],
        "outside": outside,
        "buttons": buttons,
        "run_finished": window.timeline.current() is not None and window.timeline.current().finished,
    }


class _ReportOnClose(QObject):
    """The screenshot closes the window right after grabbing it: report the layout at that moment."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            print(json.dumps(report(self.window)), flush=True)
        return False


def main() -> int:
    arm = gui._arm_screenshot

    def arm_and_watch(app, window, *args, **kwargs):
        window.installEventFilter(_ReportOnClose(window))
        return arm(app, window, *args, **kwargs)

    gui._arm_screenshot = arm_and_watch
    return gui.main(sys.argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
