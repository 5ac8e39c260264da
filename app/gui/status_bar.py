"""A status bar whose messages never stop mid-word: a message that does not fit ends at a word with "…",
and the whole of it is in the tooltip."""

from __future__ import annotations

import time

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QStatusBar, QWidget

ELLIPSIS = "…"
MARGIN = 24  # the message's own padding and the size grip


def elide_words(text: str, metrics: QFontMetrics, width: int) -> str:
    """``text`` if it fits in ``width`` pixels, else as many whole words as fit, then "…"."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    words = text.split(" ")
    while words:
        words.pop()
        candidate = " ".join(words).rstrip(" ,;:—–-") + ELLIPSIS
        if metrics.horizontalAdvance(candidate) <= width:
            return candidate
    from PySide6.QtCore import Qt  # not at import: the status bar is part of the first paint, Qt's enums are not

    return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)  # one long word: cut it, visibly


class StatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self._until = 0.0

    def showMessage(self, text: str, timeout: int = 0) -> None:
        self._full = text
        self._until = time.monotonic() + timeout / 1000 if timeout else 0.0
        self.setToolTip(text if text else "")
        super().showMessage(self._fit(text), timeout)

    def full_message(self) -> str:
        return self._full if self.currentMessage() else ""

    def _room(self) -> int:
        used = sum(w.width() for w in self.findChildren(QWidget) if w.isVisible() and w.parentWidget() is self)
        return max(40, self.width() - used - MARGIN)

    def _fit(self, text: str) -> str:
        return elide_words(text, self.fontMetrics(), self._room()) if text else text

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.currentMessage() and self._full:
            left = int((self._until - time.monotonic()) * 1000) if self._until else 0
            if not self._until or left > 0:
                super().showMessage(self._fit(self._full), max(0, left))
