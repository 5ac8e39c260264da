"""The Chainsight desktop app. ``main(argv)`` is what ``chainsight`` (no subcommand), ``chainsight-gui``
and ``python -m app`` start."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app.gui.scenario_names import unknown_scenario_message
from app.gui.theme import THEMES, setup_style

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_TIMEOUT = 3
SCREENSHOT_TIMEOUT_S = 180
# Qt's own command-line options (QGuiApplication and QApplication): they go to Qt, not to our parser.
QT_VALUE_OPTIONS = frozenset(
    {
        "-platform",
        "-platformpluginpath",
        "-platformtheme",
        "-plugin",
        "-qmljsdebugger",
        "-qwindowgeometry",
        "-geometry",
        "-qwindowtitle",
        "-title",
        "-qwindowicon",
        "-icon",
        "-style",
        "-stylesheet",
        "-session",
        "-display",
        "-name",
        "-visual",
        "-ncols",
        "-cmap",
        "-fn",
        "-bg",
        "-fg",
        "-btn",
    }
)
QT_FLAG_OPTIONS = frozenset({"-reverse", "-widgetcount", "-nograb", "-dograb", "-sync"})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chainsight",
        description="The Chainsight desktop app. Qt's own options (-style fusion, -platform xcb, …) are passed to Qt.",
    )
    parser.add_argument("spec", nargs="?", help="a chain spec (.toml) to open")
    parser.add_argument("--sandbox", metavar="SCENARIO", help="start on a sandbox scenario (a simulated machine)")
    parser.add_argument("--run", action="store_true", help="run the chain as soon as the app is ready")
    parser.add_argument(
        "--screenshot",
        metavar="FILE.png",
        help="save a screenshot of the window when ready (after --run's run) and exit; the window has the size "
        "a first start on this screen has, unless --size says otherwise",
    )
    parser.add_argument("--size", metavar="WxH", help="open the window at this size (logical pixels), like 960x600")
    parser.add_argument(
        "--theme", choices=THEMES, help="light or dark colours, or follow the system (default: as last chosen)"
    )
    parser.add_argument("--settings", metavar="FILE.ini", help=argparse.SUPPRESS)
    return parser


def split_qt_args(argv: list[str]) -> tuple[list[str], list[str]]:
    """(our arguments, Qt's): ``-style fusion``, ``-style=fusion``, ``-platform offscreen``, ``-reverse``…"""
    ours: list[str] = []
    qt: list[str] = []
    items = iter(argv)
    for arg in items:
        name = arg.split("=", 1)[0]
        if name.startswith("--") and name[1:] in QT_VALUE_OPTIONS | QT_FLAG_OPTIONS:
            name, arg = name[1:], arg[1:]  # Qt accepts --style as well as -style
        if name in QT_VALUE_OPTIONS:
            qt.append(arg)
            if "=" not in arg:
                value = next(items, None)
                if value is not None:
                    qt.append(value)
        elif name in QT_FLAG_OPTIONS:
            qt.append(arg)
        else:
            ours.append(arg)
    return ours, qt


NO_DISPLAY = (
    "chainsight: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset).\n"
    "Run it in a desktop session, or use the command line here: `chainsight scan`, `chainsight run`, "
    "`chainsight --help`.\n(For screenshots without a screen: QT_QPA_PLATFORM=offscreen.)"
)


def has_display(env=os.environ, platform: str = sys.platform, qt_args: list[str] = ()) -> bool:
    """Whether Qt can open a window here; Linux without X11 or Wayland cannot (Qt would abort)."""
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return True
    if any(a.split("=", 1)[0] == "-platform" for a in qt_args):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def _usage_error(parser: argparse.ArgumentParser, message: str) -> int:
    parser.print_usage(sys.stderr)
    print(f"chainsight: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    ours, qt_args = split_qt_args(sys.argv[1:] if argv is None else list(argv))
    parser = build_parser()
    args = parser.parse_args(ours)
    size = None
    if args.size:
        from app.gui.window_geometry import parse_size

        try:
            size = parse_size(args.size)
        except ValueError as ex:
            return _usage_error(parser, str(ex))
    if args.sandbox:
        from engine.sandbox import list_scenarios

        known = list_scenarios()
        if args.sandbox not in known and not (args.sandbox.endswith(".toml") and Path(args.sandbox).is_file()):
            return _usage_error(parser, unknown_scenario_message(args.sandbox, known))
    if not has_display(qt_args=qt_args):
        print(NO_DISPLAY, file=sys.stderr)
        return EXIT_USAGE
    spec = None
    if args.spec:
        from engine.spec import ChainSpec, SpecError

        try:
            spec = ChainSpec.load(args.spec)
        except (OSError, SpecError) as ex:
            print(f"chainsight: error: {ex}", file=sys.stderr)
            return EXIT_USAGE
    # Only what the window's frame needs loads before it paints; the panes, the engine, msal and requests
    # follow in steps once it has (MainWindow(staged=True)), and ``ready`` says when it is whole.
    from PySide6.QtWidgets import QApplication

    from app.gui.main_window import MainWindow
    from app.gui.quit_signals import quit_window_on_signals
    from app.gui.settings import Settings

    # Fractional scale factors (150 %) pass through unrounded: Qt 6's default, so not set here (setting it
    # would build the Qt namespace's enums before the first paint, and QT_SCALE_FACTOR_ROUNDING_POLICY still rules)
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "chainsight", *qt_args])
    app.setApplicationName("Chainsight")
    app.setOrganizationName("Chainsight")
    app.setDesktopFileName("io.github.chainsight.Chainsight")
    settings = Settings(args.settings)
    if args.theme:
        settings.set_theme(args.theme)
    own_style = not any(a.split("=", 1)[0] == "-style" for a in qt_args) and not os.environ.get("QT_STYLE_OVERRIDE")
    setup_style(app, settings.theme(), fusion=own_style)
    # on --sandbox the window probes the simulated machine once it is up, never this one first
    window = MainWindow(
        settings=settings,
        spec=spec,
        path=Path(args.spec) if args.spec else None,
        probe_now=not args.sandbox,
        staged=True,
    )
    if size is not None:
        window.resize(size)
    window.show()
    quit_window_on_signals(app, window)
    result = {"code": EXIT_OK}

    def when_ready() -> None:
        from engine.secrets import install_log_redaction

        install_log_redaction()  # before the engine's first probe, run or sandbox can log
        if args.screenshot:
            _arm_screenshot(
                app, window, Path(args.screenshot), wait_for_run=args.run, sandbox=bool(args.sandbox), result=result
            )
        if args.sandbox:
            window.open_sandbox(args.sandbox, then_run=args.run)
        elif args.run:
            window.run_chain()

    window.ready.connect(when_ready)
    code = app.exec()
    return leave(window, result["code"] if args.screenshot and code == EXIT_OK else code)


def leave(window, code: int) -> int:
    """After the event loop: finish the sandbox's clean-up, then exit without waiting for abandoned work.

    A hung credential (a tool that never exits, an endpoint that never answers) must not hold up quitting;
    the window is gone and settings are saved, so its thread is left behind (Qt's pool would wait for it).
    """
    window.finish_quit()
    if window.ready_now and window.runner.workers.busy:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


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

    def on_sandbox_failed(reason: str) -> None:
        result["code"] = EXIT_FAILED
        print(f"chainsight: error: sandbox failed: {reason}", file=sys.stderr)
        shoot()

    window.run_finished.connect(on_run)
    window.probes_finished.connect(maybe_shoot)
    window.sandbox_start_failed.connect(on_sandbox_failed)

    def give_up() -> None:
        print(f"chainsight: error: not ready after {SCREENSHOT_TIMEOUT_S} s; saving what is there", file=sys.stderr)
        result["code"] = EXIT_TIMEOUT
        shoot()

    QTimer.singleShot(SCREENSHOT_TIMEOUT_S * 1000, give_up)
