"""Building a window in steps after its first paint, so the user sees it at once and it fills in moments later.

The first frame shows the window's menus, title and status bar; each step then builds the panes' places or one
pane, one step per turn of the event loop so input is never held up for long. The window does not repaint between
steps: it goes from the frame straight to the finished window, never through half-built layouts.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize, QTimer
from PySide6.QtWidgets import QWidget

TRACE_ENV = "CHAINSIGHT_TRACE_START"  # set to 1: each step's time goes to stderr (for profiling the start)
# Start the steps this long into the event loop even if no paint has come (a window shown minimized, or on
# a workspace out of view, may not paint until the user looks at it).
UNPAINTED_START_MS = 500


class _FirstPaint(QObject):
    """Calls ``then`` once ``window`` has painted. Owned by the window: it is also the context of every staging
    timer, so that none fires after the window is gone (a window closed and deleted while it was starting)."""

    def __init__(self, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self._then = then
        window.installEventFilter(self)

    def later(self, ms: int, call: Callable[[], None]) -> None:
        """``call`` in ``ms`` milliseconds, unless the window (and so this object) has been deleted by then."""
        QTimer.singleShot(ms, self, call)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            self.later(0, self._then)  # after this paint has reached the screen
        return False


def run_after_first_paint(
    window: QWidget, steps: Sequence[Callable[[], None]], stop: Callable[[], bool], done: Callable[[], None]
) -> None:
    """Run ``steps`` in order once ``window`` has painted, one per event-loop turn, then paint the finished
    window at once and call ``done()``; ``stop()`` true ends early (``done`` is not called then).

    The paint comes before ``done`` because what ``done`` starts (a probe, a sandbox) loads the engine on a
    worker thread, and a first paint of every pane that had to share the interpreter with it would lag."""
    pending = list(steps)
    started = {"at": None}
    trace = os.environ.get(TRACE_ENV) == "1"
    armed = time.perf_counter()  # the frame is built: what remains before its paint is show, polish and layout

    def start() -> None:
        if started["at"] is not None:
            return
        started["at"] = time.perf_counter()
        if trace:
            print(
                f"start first paint done {(started['at'] - armed) * 1000:.1f} ms after the frame was built",
                file=sys.stderr,
            )
        window.setUpdatesEnabled(False)
        first_paint.later(0, next_step)

    def next_step() -> None:
        if not pending or stop():
            window.setUpdatesEnabled(True)
            return
        step = pending.pop(0)
        begun = time.perf_counter()
        try:
            step()
        except BaseException:
            pending.clear()
            window.setUpdatesEnabled(True)
            raise
        if trace:
            print(f"start step {step.__name__}: {(time.perf_counter() - begun) * 1000:.1f} ms", file=sys.stderr)
        if pending:
            first_paint.later(0, next_step)
            return
        window.setUpdatesEnabled(True)
        # the last steps' layout changes (a label's new text, the docks' final widths) are posted, not done:
        # do them now, or this paint shows the window a layout pass short of finished, and the next one moves it
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        window.repaint()
        if trace:
            total = (time.perf_counter() - started["at"]) * 1000
            print(f"start steps and paint done {total:.1f} ms after the first paint", file=sys.stderr)
        done()

    first_paint = _FirstPaint(window, start)
    first_paint.later(0, lambda: first_paint.later(UNPAINTED_START_MS, start))


def importing(*modules: str) -> Callable[[], None]:
    """A step that only imports ``modules``: the panes' modules (and the engine under them) load in slices,
    so that no turn of the event loop spends long on imports."""

    def step() -> None:
        for name in modules:
            importlib.import_module(name)

    step.__name__ = "import " + ", ".join(modules)
    return step


class Placeholder(QWidget):
    """An empty pane until the real one comes, as wide as ``width()`` says the real one will be (its dock takes
    that width from it), so that nothing moves when it comes."""

    def __init__(self, width: Callable[[], int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._width = width

    def sizeHint(self) -> QSize:
        return QSize(self._width(), 0)
