"""The app's start: the window's frame paints first, the panes follow in steps, and ``ready`` says when it is
whole. What the frame needs must not pull in the engine, msal or requests (they would delay the first paint)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject

from app.gui.main_window import MainWindow
from engine.host import Host
from tests.app.gui.doubles import WRONG_ACCOUNT_ENV, wrong_account_chain

ROOT = Path(__file__).resolve().parents[3]
# Loaded only by the steps after the first paint (or later still: msal and requests by the first probe).
NOT_BEFORE_PAINT = (
    "msal",
    "requests",
    "cryptography",
    "importlib.metadata",
    "engine.host",
    "engine.spec",
    "engine.build",
    "app.diagnosis",
    "app.gui.chain_panel",
    "app.gui.export_pane",
    "app.gui.about",
    "app.gui.resources",
    "PySide6.QtSvg",
    "socket",
)


class PaintWatch(QObject):
    """Records, at the window's first paint, which panes it had then."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.seen: dict | None = None
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint and self.seen is None:
            self.seen = {
                "title": watched.windowTitle(),
                "menus": [a.text() for a in watched.menuBar().actions()],
                "docks": [d.windowTitle() for d in (watched.chain_dock, watched.details_dock, watched.env_dock)],
                "panes": hasattr(watched, "chain_panel"),
                "ready": watched.ready_now,
            }
        return False


def staged_window(qtbot, settings, tmp_path: Path) -> MainWindow:
    host = Host(env=dict(WRONG_ACCOUNT_ENV), home=tmp_path, label="test host")
    window = MainWindow(host=host, builder=wrong_account_chain, settings=settings, staged=True)
    window.ask_discard = lambda: True
    qtbot.addWidget(window)
    return window


def test_the_frame_paints_before_any_pane_and_ready_comes_once_every_pane_is_built(qtbot, settings, tmp_path):
    window = staged_window(qtbot, settings, tmp_path)
    watch = PaintWatch(window)
    assert not window.ready_now and not hasattr(window, "chain_panel")
    assert not window.run_action.isEnabled()  # nothing to run yet: Ctrl+R must not reach a half-built window
    with qtbot.waitSignal(window.ready, timeout=10000):
        window.show()
    assert watch.seen == {
        "title": "Untitled chain — Chainsight",
        "menus": ["&File", "&Edit", "&Run", "&Sandbox", "&View", "&Help"],
        "docks": ["Chain", "Details", "Environment (what-if)"],
        "panes": False,
        "ready": False,
    }
    assert window.ready_now and window.updatesEnabled()
    assert window.chain_dock.widget() is window.chain_panel
    assert window.details_dock.widget() is window.details
    assert window.run_action.isEnabled() and not window.cancel_action.isEnabled()
    assert window.windowTitle() == "Untitled chain — Chainsight"  # the frame's title was the final one
    with qtbot.waitSignal(window.probes_finished, timeout=10000):
        pass  # and it probes, as a window built at once does
    assert window.model.rowCount() > 0


def test_closing_before_ready_stops_the_steps_and_keeps_the_window_place(qtbot, settings, tmp_path):
    window = staged_window(qtbot, settings, tmp_path)
    painted = PaintWatch(window)
    window.show()
    qtbot.waitUntil(lambda: painted.seen is not None, timeout=10000)
    window.close()
    qtbot.wait(300)
    assert not window.ready_now
    assert settings.window_geometry() is not None
    window.finish_quit(timeout=1)  # nothing was started: returns at once


def test_the_sandbox_menu_says_the_window_is_starting_until_ready(qtbot, settings, tmp_path):
    window = staged_window(qtbot, settings, tmp_path)
    window._fill_sandbox_menu()
    texts = [a.text() for a in window.sandbox_menu.actions()]
    assert texts == ["The window is still starting…"] and not window.sandbox_menu.actions()[0].isEnabled()


def test_the_frame_loads_neither_the_engine_nor_msal_nor_the_panes():
    code = (
        "import json, sys\n"
        "import app.cli, app.gui, app.gui.main_window, app.gui.theme, app.gui.quit_signals, app.gui.settings\n"
        f"print(json.dumps(sorted(m for m in {list(NOT_BEFORE_PAINT)!r} if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_no_import_cycle_among_the_app_modules_function_level_imports_included():
    import grimp

    graph = grimp.build_graph("app", "engine", exclude_type_checking_imports=True)
    app_modules = {m for m in graph.modules if m == "app" or m.startswith("app.")}
    cycles = [
        (a, b)
        for a in sorted(app_modules)
        for b in sorted(graph.find_modules_directly_imported_by(a) & app_modules)
        if a != b and graph.chain_exists(importer=b, imported=a)
    ]
    assert cycles == []
