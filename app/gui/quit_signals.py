"""SIGINT and SIGTERM quit the window cleanly: the run is cancelled and the sandbox stopped (its folder holds
fake refresh tokens, passwords and a server key, so it must not be left behind).

Python runs signal handlers only when the interpreter gets control, which Qt's event loop never gives
it. ``signal.set_wakeup_fd`` makes the C-level handler write the signal number to a pipe (a socket on
Windows, which wants one); a QSocketNotifier on the other end wakes the event loop, and the window closes
from there. (A pipe, not a socket, where it may be: the socket module costs the window's first paint time.)
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier

QUIT_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class QuitOnSignals(QObject):
    """While alive, SIGINT/SIGTERM call ``quit`` on the GUI thread (once)."""

    def __init__(self, quit: Callable[[int], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._quit = quit
        self._done = False
        self._channel = _WakeupChannel()
        self._previous_fd = signal.set_wakeup_fd(self._channel.write_fd, warn_on_full_buffer=False)
        # A Python-level handler must exist for the wakeup byte to be written; the notifier does the work.
        self._previous = {sig: signal.signal(sig, lambda signum, frame: None) for sig in QUIT_SIGNALS}
        self._notifier = QSocketNotifier(self._channel.read_fd, QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_wakeup)

    def _on_wakeup(self, *args: object) -> None:
        try:
            received = self._channel.read()
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
        self._channel.close()


class _WakeupChannel:
    """A non-blocking pipe for set_wakeup_fd; a socket pair on Windows, whose set_wakeup_fd takes only sockets."""

    def __init__(self) -> None:
        if os.name == "nt":
            import socket

            self._ends = socket.socketpair()
            for end in self._ends:
                end.setblocking(False)
            self.read_fd, self.write_fd = (end.fileno() for end in self._ends)
        else:
            self._ends = ()
            self.read_fd, self.write_fd = os.pipe()
            for fd in (self.read_fd, self.write_fd):
                os.set_blocking(fd, False)

    def read(self) -> bytes:
        return self._ends[0].recv(64) if self._ends else os.read(self.read_fd, 64)

    def close(self) -> None:
        if self._ends:
            for end in self._ends:
                end.close()
        else:
            os.close(self.read_fd)
            os.close(self.write_fd)


def quit_window_on_signals(app, window) -> QuitOnSignals:
    """Close ``window`` without asking about unsaved changes, then leave the event loop with 128 + signal."""

    def quit(signum: int) -> None:
        window.ask_discard = lambda: True  # a signal means quit now: no dialog may hold the process
        window.close()
        app.exit(128 + signum)

    return QuitOnSignals(quit, window)
