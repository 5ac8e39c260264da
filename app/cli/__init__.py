"""The ``chainsight`` command: one module per subcommand, each with ``register(subparsers)``."""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading

from engine.sandbox import helpers

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command ended by Ctrl-C
# SIGTERM (kill, a service manager, a CI runner's timeout) is handled as Ctrl-C is; the exit status is
# 128 + the signal's number, as a shell reports a command that signal ended: 130 for SIGINT, 143 for SIGTERM.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
CANCELLED = "chainsight: cancelled"
INTERNAL_ERROR = "chainsight: internal error: {error} (set CHAINSIGHT_TRACEBACK=1 to see where)"
TRACEBACK_ENV = "CHAINSIGHT_TRACEBACK"

# Each module defines register(subparsers) which adds its parser and sets ``handler`` (args -> exit code).
_COMMAND_MODULES = (
    "app.cli.run",
    "app.cli.scan",
    "app.cli.sandbox",
    "app.cli.export",
    "app.cli.report",
    "app.cli.signin",
    "app.cli.crosscheck",
)
# The command each module registers (known without importing it: the window must start without them).
_COMMAND_NAMES = ("run", "scan", "sandbox", "export", "report", "sign-in", "crosscheck")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or (``command``) the top level with only that subcommand: a command need not
    import the others' modules (msal, the sandbox, the diagnosis) to start."""
    parser = argparse.ArgumentParser(
        prog="chainsight",
        description="Inspect Azure Identity credential chains on this machine. With no command, starts the "
        "desktop app: chainsight [SPEC.toml] [--sandbox SCENARIO] [--run] [--screenshot FILE.png]",
    )
    parser.add_argument("--version", action=_VersionAction)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in zip(_COMMAND_NAMES, _COMMAND_MODULES, strict=True):
        if command is None or command == name:
            importlib.import_module(module).register(subparsers)
    return parser


class _VersionAction(argparse.Action):
    """``--version``: the installed version, looked up only when asked (importlib.metadata costs every command
    ~25 ms)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(
            option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, help="show program's version number and exit"
        )

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        print(f"{parser.prog} {_version()}")
        parser.exit()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == [helpers.HELPER_ARG]:  # hidden: a frozen build runs the sandbox's helpers through itself
        return helpers.run(argv[1:])
    # The desktop app needs none of the subcommands: decide before importing them (they load msal,
    # requests and cryptography, which would delay the window's first paint by more than Qt itself)
    if _is_gui_invocation(argv):
        return _start_gui(argv)
    # the commands' modules (and msal, requests) load from here on: the window above must not wait for them
    from engine.secrets import install_log_redaction, redact_text

    install_log_redaction()  # before any command can log: msal's own lines pass the redactor too
    parser = build_parser(argv[0] if argv[:1] and argv[0] in _COMMAND_NAMES else None)
    args = parser.parse_args(argv)
    interrupts = _Interrupts()
    previous = _install(interrupts)
    try:
        code = args.handler(args)
    except KeyboardInterrupt:
        print(CANCELLED, file=sys.stderr)
        return interrupts.exit_code()
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        sys.stderr.close()
        return 0
    except Exception as ex:  # a bug, not bad input: one line unless asked for the traceback
        if os.environ.get(TRACEBACK_ENV):
            raise
        print(INTERNAL_ERROR.format(error=redact_text(f"{type(ex).__name__}: {ex}")), file=sys.stderr)
        return 1
    finally:
        for signum, handler in previous.items():
            if handler is not None:  # None: installed outside Python; nothing we can put back
                signal.signal(signum, handler)
    return interrupts.exit_code() if interrupts.count else code


class _Interrupts:
    """Ctrl-C during a run cancels it (the command still prints the run so far, marked cancelled);
    outside a run, or a second time, it interrupts at once."""

    def __init__(self) -> None:
        self.count = 0
        self.signum = signal.SIGINT  # a KeyboardInterrupt we did not raise is Python's own Ctrl-C

    def __call__(self, signum: int, frame: object) -> None:
        from engine import events

        self.count += 1
        self.signum = signum
        recorder = events.current_recorder()
        if recorder is not None and self.count == 1:
            recorder.cancelled.set()
            return
        raise KeyboardInterrupt

    def exit_code(self) -> int:
        return 128 + int(self.signum)


def _install(handler: _Interrupts) -> dict:
    """Our SIGINT and SIGTERM handler, from the main thread only (tests may call main() from others);
    returns the handlers it replaced."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {signum: signal.signal(signum, handler) for signum in STOP_SIGNALS}


def _is_gui_invocation(argv: list[str]) -> bool:
    """No subcommand: the desktop app's own arguments (a spec file, --sandbox, --run, --screenshot)."""
    if not argv:
        return True
    return argv[0] not in _COMMAND_NAMES and argv[0] not in ("-h", "--help", "--version")


def _start_gui(argv: list[str]) -> int:
    try:
        gui = importlib.import_module("app.gui")
    except ImportError as ex:  # no Qt on this machine: the command line still works
        print(f"chainsight: the desktop app is unavailable ({ex}); commands:\n", file=sys.stderr)
        build_parser().print_help()
        return 2
    return gui.main(argv)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("chainsight")
    except PackageNotFoundError:
        return "0+unknown"
