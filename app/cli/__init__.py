"""The ``chainsight`` command: one module per subcommand, each with ``register(subparsers)``."""

from __future__ import annotations

import argparse
import importlib
import sys

# Each module defines register(subparsers) which adds its parser and sets ``handler`` (args -> exit code).
_COMMAND_MODULES = ("app.cli.run", "app.cli.scan", "app.cli.sandbox", "app.cli.export", "app.cli.crosscheck")


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
    parser = build_parser()
    if _is_gui_invocation(parser, argv):
        return _start_gui(parser, argv)
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        sys.stderr.close()
        return 0


def _is_gui_invocation(parser: argparse.ArgumentParser, argv: list[str]) -> bool:
    """No subcommand: the desktop app's own arguments (a spec file, --sandbox, --run, --screenshot)."""
    if not argv:
        return True
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    return argv[0] not in commands and argv[0] not in ("-h", "--help", "--version")


def _start_gui(parser: argparse.ArgumentParser, argv: list[str]) -> int:
    try:
        gui = importlib.import_module("app.gui")
    except ImportError as ex:  # no Qt on this machine: the command line still works
        print(f"chainsight: the desktop app is unavailable ({ex}); commands:\n", file=sys.stderr)
        parser.print_help()
        return 2
    return gui.main(argv)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("chainsight")
    except PackageNotFoundError:
        return "0+unknown"
