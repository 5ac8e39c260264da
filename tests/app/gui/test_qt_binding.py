"""The Qt binding itself: a broken PySide6 release must fail here, not crash a user's session."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QWidget


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on")
def test_void_methods_keep_none_alive(qtbot):
    """PySide6 6.12.0 drops a reference to None on every void call; None dies after a few thousand."""
    widget = QWidget()
    qtbot.addWidget(widget)
    before = sys.getrefcount(None)
    for _ in range(1000):
        widget.resize(10, 10)
        widget.setObjectName("probe")
    assert sys.getrefcount(None) - before > -100
