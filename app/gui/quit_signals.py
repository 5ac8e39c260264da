"""SIGINT and SIGTERM quit the window cleanly: the run is cancelled and the sandbox stopped (its folder holds
fake refresh tokens, passwords and a server key, so it must not be left behind).

Python runs signal handlers only when the interpreter gets control, which Qt's event loop never gives
it. ``signal.set_wakeup_fd`` makes the C-level handler write the signal number to a socket; a
QSocketNotifier on the other end wakes the event loop, and the window closes from there.
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier

QUIT_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class QuitOnSignals(QObject):
    """While alive, SIGINT/SIGTERM call ``quit`` on the GUI thread (once)."""

    def __init__(self, quit: Callable[[int], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._quit = quit
        self._done = False
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        # A Python-level handler must exist for the wakeup byte to be written; the notifier does the work.
        self._previous = {sig: signal.signal(sig, lambda signum, frame: None) for sig in QUIT_SIGNALS}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_wakeup)

    def _on_wakeup(self, *args: object) -> None:
        try:
            received = self._reader.recv(64)
        except BlockingIOError:
            return
        wanted = [number for number in received if number in QUIT_SIGNALS]
        if wanted and not self._done:
            self._done = True
            self._quit(wanted[0])

    def uninstall(self) -> None:
        """Give the process its previous handlers back (tests, or a window that outlives this object)."""
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(self._previous_fd)
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._reader.close()
        self._writer.close()


def quit_window_on_signals(app, window) -> QuitOnSignals:
    """Close ``window`` without asking about unsaved changes, then leave the event loop with 128 + signal."""

    def quit(signum: int) -> None:
        window.ask_discard = lambda: True  # a signal means quit now: no dialog may hold the process
        window.close()
        app.exit(128 + signum)

    return QuitOnSignals(quit, window)
