"""Fixtures for the desktop app: a main window on a test Host with test-double credentials."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.host import Host
from tests.app.gui.doubles import WRONG_ACCOUNT_ENV, wrong_account_chain


@pytest.fixture
def settings(tmp_path: Path):
    from app.gui.settings import Settings

    return Settings(tmp_path / "settings.ini")


@pytest.fixture
def make_window(qtbot, settings, tmp_path: Path):
    """Build a MainWindow on ``env`` with ``builder``; waits until its first probes are done."""
    from app.gui.main_window import MainWindow

    def make(builder=wrong_account_chain, env: dict | None = None, show: bool = True):
        host = Host(env=dict(WRONG_ACCOUNT_ENV if env is None else env), home=tmp_path, label="test host")
        window = MainWindow(host=host, builder=builder, settings=settings)
        window.ask_discard = lambda: True
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.probes_finished, timeout=5000):
            if show:
                window.show()
        return window

    return make
