"""The window's link to the user's own app environment: its azure-identity version and a cross-check.

"Use my app's azure-identity version…" reads the version installed for an interpreter the user picks
(package metadata, in a subprocess) and selects that profile, saying why. "Check against my app's
azure-identity…" runs ``chainsight crosscheck``'s comparison on the worker pool with the window's
environment (what-if overlay included) and shows agreement or the first difference.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.gui.workers import WorkerPool
from app.profile_detection import Detection, detect
from engine.host import Host

PICK_TITLE = "Your app's Python interpreter"
CHECK_TITLE = "Check against my app's azure-identity"
AGREE_TEXT = "azure-identity {version} (profile {profile}) and Chainsight give the same verdict."
DIFFER_TEXT = "azure-identity {version} (profile {profile}) and Chainsight differ:\n\n{first}"
FAILED_TEXT = "The check could not run: {error}"


def crosscheck(python: str, case: dict, host: Host) -> dict:
    """``chainsight crosscheck``'s comparison, on a worker: it loads msal and every credential, which the
    window's start must not wait for."""
    from app.cli.crosscheck import crosscheck as compare

    return compare(python, case, host)


class AppPython(QObject):
    """Detection and cross-check against the interpreter the user picks; work runs on the pool."""

    def __init__(
        self, window: QWidget, host: Callable[[], Host], case: Callable[[], dict], use: Callable[[Detection], None]
    ) -> None:
        super().__init__(window)
        self.window = window
        self._host, self._case, self._use = host, case, use
        self.pool = WorkerPool(self)
        self.last_result: dict | None = None

    def pick(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.window, PICK_TITLE)
        return path or None

    def use_version(self, python: str | None = None) -> None:
        python = python or self.pick()
        if python:
            self.pool.start(detect, python, on_result=self._use, on_error=self._failed)

    def check(self, python: str | None = None) -> None:
        python = python or self.pick()
        if python:
            self.pool.start(crosscheck, python, self._case(), self._host(), on_result=self._show, on_error=self._failed)

    def _show(self, result: dict) -> None:
        self.last_result = result
        template = AGREE_TEXT if result["agree"] else DIFFER_TEXT
        first = result["differences"][0] if result["differences"] else ""
        text = template.format(version=result["azure_identity"], profile=result["profile"], first=first)
        if result.get("note"):
            text += "\n\n" + result["note"]
        QMessageBox.information(self.window, CHECK_TITLE, text)

    def _failed(self, error: BaseException) -> None:
        self.last_result = {"error": str(error)}
        QMessageBox.warning(self.window, CHECK_TITLE, FAILED_TEXT.format(error=error))
