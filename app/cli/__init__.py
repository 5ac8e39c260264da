"""The ``chainsight`` command: one module per subcommand, each with ``register(subparsers)``."""

from __future__ import annotations

import argparse
import importlib
import sys

from engine.sandbox import helpers
from engine.secrets import install_log_redaction

# Each module defines register(subparsers) which adds its parser and sets ``handler`` (args -> exit code).
_COMMAND_MODULES = (
    "app.cli.run",
    "app.cli.scan",
    "app.cli.sandbox",
    "app.cli.export",
    "app.cli.report",
    "app.cli.signin",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chainsight",
        description="Inspect Azure Identity credential chains on this machine. With no command, starts the "
        "desktop app: chainsight [SPEC.toml] [--sandbox SCENARIO] [--run] [--screenshot FILE.png]",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == [helpers.HELPER_ARG]:  # hidden: a frozen build runs the sandbox's helpers through itself
        return helpers.run(argv[1:])
    # The desktop app needs none of the subcommands: decide before importing them (they load msal,
    # requests and cryptography, which would delay the window's first paint by more than Qt itself)
    if _is_gui_invocation(argv):
        return _start_gui(argv)
    install_log_redaction()  # before any command can log: msal's own lines pass the redactor too
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        sys.stderr.close()
        return 0


def _is_gui_invocation(argv: list[str]) -> bool:
    """No subcommand: the desktop app's own arguments (a spec file, --sandbox, --run, --screenshot)."""
    if not argv:
        return True
    commands = {name.rsplit(".", 1)[1] for name in _COMMAND_MODULES}  # each module registers its own name
    return argv[0] not in commands and argv[0] not in ("-h", "--help", "--version")


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
