"""The app's start: the window's frame paints first, the panes follow in steps, and ``ready`` says when it is
whole. What the frame needs must not pull in the engine, msal or requests, nor build the Qt namespace's enums
(each would delay the first paint)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject

from app.gui import staging
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
    """Records, at the window's first paint, what it had then."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.seen: dict | None = None
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint and self.seen is None:
            self.seen = {
                "title": watched.windowTitle(),
                "menus": [a.text() for a in watched.menuBar().actions()],
                "status bar": watched.statusBar().isVisible(),
                "places": [hasattr(watched, n) for n in ("request_toolbar", "chain_dock", "details_dock")],
                "central widget": watched.centralWidget() is not None,
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
        "status bar": True,
        "places": [False, False, False],  # they come with the first step, after the paint
        "central widget": False,
        "panes": False,
        "ready": False,
    }
    assert window.ready_now and window.updatesEnabled()
    assert window.centralWidget() is not None and window.request_toolbar.isVisible()
    assert window.chain_dock.widget() is window.chain_panel
    assert window.details_dock.widget() is window.details
    assert window.run_action.isEnabled() and not window.cancel_action.isEnabled()
    assert window.windowTitle() == "Untitled chain — Chainsight"  # the frame's title was the final one
    with qtbot.waitSignal(window.probes_finished, timeout=10000):
        pass  # and it probes, as a window built at once does
    assert window.model.rowCount() > 0


class PaintLog(QObject):
    """Every paint of the window: whether it was the frame (no places yet), half-built, or the finished window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.kinds: list[str] = []
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            finished, places = hasattr(watched, "app_python"), hasattr(watched, "chain_dock")  # the last step's
            self.kinds.append("finished" if finished else "half-built" if places else "frame")
        return False


def test_the_user_sees_the_frame_then_the_finished_window_and_nothing_between(qtbot, settings, tmp_path):
    host = Host(env=dict(WRONG_ACCOUNT_ENV), home=tmp_path, label="test host")
    window = MainWindow(host=host, builder=wrong_account_chain, settings=settings, staged=True, probe_now=False)
    qtbot.addWidget(window)
    log = PaintLog(window)
    shots = {}
    # the finished window's paint comes before ``ready``: what is on screen then is what stays
    window.ready.connect(lambda: shots.setdefault("ready", window.screen().grabWindow(window.winId()).toImage()))
    with qtbot.waitSignal(window.ready, timeout=10000):
        window.show()
    qtbot.wait(500)
    settled = window.screen().grabWindow(window.winId()).toImage()
    assert "half-built" not in log.kinds and log.kinds[0] == "frame", log.kinds
    assert shots["ready"] == settled  # no later layout pass moved anything


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


def test_closing_before_the_docks_come_keeps_the_last_sessions_dock_layout(qtbot, settings, tmp_path):
    earlier = MainWindow(
        host=Host(env=dict(WRONG_ACCOUNT_ENV), home=tmp_path), builder=wrong_account_chain, settings=settings
    )
    earlier.ask_discard = lambda: True
    qtbot.addWidget(earlier)
    with qtbot.waitSignal(earlier.probes_finished, timeout=10000):
        earlier.show()
    earlier.signin_dock.close()  # a layout of the user's own
    earlier.close()
    saved = bytes(settings.window_state())
    window = staged_window(qtbot, settings, tmp_path)
    window.close()  # before any step: the window has no docks to save
    assert bytes(settings.window_state()) == saved
    assert settings.window_geometry() is not None


TWO_STARTS = """
import json, os, sys
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from app.gui.main_window import MainWindow
from app.gui.settings import Settings
from app.gui.theme import setup_style
from engine.host import Host
from tests.app.gui.doubles import WRONG_ACCOUNT_ENV, wrong_account_chain

app = QApplication(sys.argv[:1])
app.setQuitOnLastWindowClosed(False)
setup_style(app, "system")
home, seen, windows = sys.argv[1], [], []

def widths(window):
    return [window.chain_dock.width(), window.details_dock.width(), window.centralWidget().width()]

def start(then):
    host = Host(env=dict(WRONG_ACCOUNT_ENV), home=home, label="test host")
    settings = Settings(os.path.join(home, "settings.ini"))
    window = MainWindow(host=host, builder=wrong_account_chain, settings=settings, staged=True, probe_now=False)
    window.ready.connect(lambda: QTimer.singleShot(300, lambda: then(window)))
    windows.append(window)
    window.show()

def first(window):
    window.resizeDocks([window.chain_dock], [330], Qt.Orientation.Horizontal)  # the user's own width
    QTimer.singleShot(200, lambda: (seen.append(widths(window)), window.close(), start(second)))

def second(window):
    seen.append(widths(window))
    print(json.dumps(seen), flush=True)
    app.exit(0)

start(first)
app.exec()
"""


@pytest.mark.needs_system
def test_a_staged_start_restores_the_docks_the_last_session_closed_with(tmp_path):
    """The docks come after the first paint, so their layout is restored on a shown window (a screen wider than
    offscreen's, where the docks would all sit at their minimum widths and prove nothing)."""
    from tests.app.gui.xserver import xcb_env, xvfb

    with xvfb(1366, 768) as display:
        done = subprocess.run(
            [sys.executable, "-c", TWO_STARTS, str(tmp_path)],
            cwd=ROOT,
            env=xcb_env(display, HOME=str(tmp_path)),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0 and done.stdout.strip(), done.stderr[-2000:]
    closed_with, opened_with = json.loads(done.stdout.splitlines()[-1])
    assert closed_with[0] == 330
    assert opened_with == closed_with


def test_the_view_menu_gets_the_dock_toggles_with_the_docks(qtbot, settings, tmp_path):
    window = staged_window(qtbot, settings, tmp_path)
    assert [a.text() for a in window.view_menu.actions() if not a.isSeparator()] == ["&Theme"]
    with qtbot.waitSignal(window.ready, timeout=10000):
        window.show()
    texts = [a.text() for a in window.view_menu.actions()]
    assert texts == ["&Chain", "&Details", "&Environment (what-if)", "E&xport", "&Sign-in workbench", "", "&Theme"]
    toggle = window.view_menu.actions()[0]
    toggle.trigger()
    assert window.chain_dock.isHidden()


def test_a_window_deleted_while_starting_leaves_no_timer_behind(qtbot, settings, tmp_path):
    """Staging's timers belong to the window: one deleted before they fire (closed while starting, a test's
    window torn down) must not have them call into it later ("Internal C++ object already deleted")."""
    for show in (False, True):
        host = Host(env=dict(WRONG_ACCOUNT_ENV), home=tmp_path, label="test host")
        window = MainWindow(host=host, builder=wrong_account_chain, settings=settings, staged=True)
        if show:
            window.show()  # its first paint is queued: the steps' timer would come next
        window.deleteLater()
        qtbot.wait(staging.UNPAINTED_START_MS + 300)  # an exception in a timer's callback fails the test


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


FIRST_PAINT_QT_ENUMS = """
import enum, gc, json, os, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

class Watch(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and isinstance(watched, QMainWindow):
            built = [c.__qualname__ for c in gc.get_objects() if isinstance(c, enum.EnumType)]
            print(json.dumps(sorted(name for name in built if name.startswith("Qt."))), flush=True)
            os._exit(0)
        return False

app = QApplication(sys.argv[:1])
watch = Watch()
app.installEventFilter(watch)
from app.cli import main
main(sys.argv[1:])
"""


@pytest.mark.parametrize("theme", ["system", "dark"])
def test_nothing_before_the_first_paint_builds_the_qt_namespaces_enums(tmp_path, theme):
    """PySide6 builds all ~90 enums of ``Qt`` on its first touch (~16 ms, a sixth of a bare window's start)."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "CHAINSIGHT_SETTINGS": str(tmp_path / "settings.ini"),
        "AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:9",  # no socket guard there: never IMDS
    }
    env.pop("CHAINSIGHT_THEME", None)
    done = subprocess.run(
        [sys.executable, "-c", FIRST_PAINT_QT_ENUMS, "--theme", theme],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip(), done.stderr[-2000:]
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


def test_fractional_scale_factors_pass_through_without_the_app_setting_it(qapp):
    """The app no longer sets the rounding policy (that built the Qt namespace before the first paint): Qt 6's
    default is the PassThrough it used to set, so 150 % still draws at 150 %."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.highDpiScaleFactorRoundingPolicy() == Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
