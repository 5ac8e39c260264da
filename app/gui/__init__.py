"""The Chainsight desktop app. ``main(argv)`` is what ``chainsight`` (no subcommand), ``chainsight-gui``
and ``python -m app`` start."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from engine.secrets import install_log_redaction

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_TIMEOUT = 3
SCREENSHOT_TIMEOUT_S = 180
THEME_ENV = "CHAINSIGHT_THEME"  # "dark" or "light" forces a palette (screenshots, tests)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chainsight", description="The Chainsight desktop app.")
    parser.add_argument("spec", nargs="?", help="a chain spec (.toml) to open")
    parser.add_argument("--sandbox", metavar="SCENARIO", help="start on a sandbox scenario (a simulated machine)")
    parser.add_argument("--run", action="store_true", help="run the chain as soon as the app is ready")
    parser.add_argument(
        "--screenshot",
        metavar="FILE.png",
        help="save a screenshot of the window when ready (after --run's run) and exit",
    )
    parser.add_argument("--settings", metavar="FILE.ini", help=argparse.SUPPRESS)
    return parser


NO_DISPLAY = (
    "chainsight: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset).\n"
    "Run it in a desktop session, or use the command line here: `chainsight scan`, `chainsight run`, "
    "`chainsight --help`.\n(For screenshots without a screen: QT_QPA_PLATFORM=offscreen.)"
)


def has_display(env=os.environ, platform: str = sys.platform) -> bool:
    """Whether Qt can open a window here; Linux without X11 or Wayland cannot (Qt would abort)."""
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    install_log_redaction()
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return EXIT_USAGE
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from app.gui.main_window import MainWindow
    from app.gui.quit_signals import quit_window_on_signals
    from app.gui.settings import Settings
    from engine.spec import ChainSpec, SpecError

    spec = None
    if args.spec:
        try:
            spec = ChainSpec.load(args.spec)
        except (OSError, SpecError) as ex:
            print(f"chainsight: error: {ex}", file=sys.stderr)
            return EXIT_USAGE
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt_rounding())
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "chainsight"])
    app.setApplicationName("Chainsight")
    app.setOrganizationName("Chainsight")
    app.setDesktopFileName("io.github.chainsight.Chainsight")
    setup_style(app)
    window = MainWindow(settings=Settings(args.settings), spec=spec)
    if args.spec:
        window.path = Path(args.spec)
        window.settings.add_recent(args.spec)
        window._update_title()
    if args.screenshot:
        window.resize(1520, 940)  # a fixed, README-friendly size, whatever was remembered
    window.show()
    quit_window_on_signals(app, window)
    result = {"code": EXIT_OK}
    if args.screenshot:
        _arm_screenshot(
            app, window, Path(args.screenshot), wait_for_run=args.run, sandbox=bool(args.sandbox), result=result
        )
    if args.sandbox:
        QTimer.singleShot(0, lambda: window.open_sandbox(args.sandbox, then_run=args.run))
    elif args.run:
        QTimer.singleShot(0, window.run_chain)
    code = app.exec()
    return result["code"] if args.screenshot and code == EXIT_OK else code


def Qt_rounding():
    from PySide6.QtCore import Qt

    return Qt.HighDpiScaleFactorRoundingPolicy.PassThrough


def setup_style(app) -> None:
    """Fusion, with a palette that follows the system's light or dark scheme (and its changes)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    from app.gui.palette import dark_palette, light_palette
    from app.gui.resources import clear_icon_cache

    app.setStyle("Fusion")

    def apply() -> None:
        forced = os.environ.get(THEME_ENV, "").lower()
        scheme = QGuiApplication.styleHints().colorScheme()
        dark = forced == "dark" or (forced != "light" and scheme == Qt.ColorScheme.Dark)
        app.setPalette(dark_palette() if dark else light_palette())
        clear_icon_cache()

    apply()
    QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _: apply())


def _arm_screenshot(app, window, path: Path, *, wait_for_run: bool, sandbox: bool, result: dict) -> None:
    """Grab the window once the run (if any) and the availability probes are done, then quit."""
    from PySide6.QtCore import QTimer

    state = {"run_done": not wait_for_run, "shot": False}

    def shoot() -> None:
        if state["shot"]:
            return
        state["shot"] = True
        path.parent.mkdir(parents=True, exist_ok=True)
        ok = window.grab().save(str(path))
        if not ok:
            print(f"chainsight: error: could not write {path}", file=sys.stderr)
        result["code"] = result["code"] if ok else EXIT_FAILED
        window.close()
        app.exit(result["code"])

    def maybe_shoot() -> None:
        if sandbox and window.scenario is None:
            return
        if state["run_done"] and not window.runner.probing and not window.runner.running:
            QTimer.singleShot(300, shoot)  # let the last repaint land

    def on_run(record) -> None:
        state["run_done"] = True
        maybe_shoot()

    def on_sandbox_failed() -> None:
        if getattr(window, "sandbox_failed", None):
            result["code"] = EXIT_FAILED
            print(f"chainsight: error: sandbox failed: {window.sandbox_failed}", file=sys.stderr)
            shoot()

    window.run_finished.connect(on_run)
    window.probes_finished.connect(maybe_shoot)
    poll = QTimer(window)
    poll.timeout.connect(on_sandbox_failed)
    poll.timeout.connect(maybe_shoot)
    poll.start(500)

    def give_up() -> None:
        print(f"chainsight: error: not ready after {SCREENSHOT_TIMEOUT_S} s; saving what is there", file=sys.stderr)
        result["code"] = EXIT_TIMEOUT
        shoot()

    QTimer.singleShot(SCREENSHOT_TIMEOUT_S * 1000, give_up)
