"""Run by test_quit.py in its own process: open the window on a chain whose probe never returns, quit
(File > Quit) while it hangs, and leave through the same path as ``chainsight``. Prints the monotonic time of
the key press; the test measures from there to the process's end."""

from __future__ import annotations

import sys
import threading
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.gui import leave
from app.gui.main_window import MainWindow
from app.gui.settings import Settings
from engine.chain import ChainedTokenCredential
from engine.host import Host
from tests.app.gui.doubles import Double, succeeding, user_token

NEVER = threading.Event()


def _say(line: str) -> None:
    """One write per line: the probe's thread and the GUI thread print concurrently (print writes the text
    and its newline separately, so two prints could interleave as 'QUIT 1.0PROBING')."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class HungProbe(Double):
    def probe(self):
        _say("PROBING")
        NEVER.wait(60)  # an IMDS endpoint that accepts the connection and never answers
        raise TimeoutError("never answered")


def builder(spec, host):
    return ChainedTokenCredential(HungProbe("ManagedIdentityCredential", succeeding(user_token()), host=host))


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = MainWindow(host=Host(env={}, label="test host"), builder=builder, settings=Settings(sys.argv[1]))
    window.show()

    def quit_when_hung() -> None:
        if not window.runner.probing:
            QTimer.singleShot(20, quit_when_hung)
            return
        _say(f"QUIT {time.monotonic()}")
        window.quit_action.trigger()  # File > Quit (Ctrl+Q)

    QTimer.singleShot(50, quit_when_hung)
    app.setQuitOnLastWindowClosed(True)
    return leave(window, app.exec())


if __name__ == "__main__":
    raise SystemExit(main())
