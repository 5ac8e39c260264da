"""The ``chainsight`` command: one module per subcommand, each with ``register(subparsers)``."""

from __future__ import annotations

import argparse
import importlib
import sys

# Each module defines register(subparsers) which adds its parser and sets ``handler`` (args -> exit code).
_COMMAND_MODULES = ("app.cli.run", "app.cli.scan", "app.cli.sandbox", "app.cli.export")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chainsight",
        description="Inspect Azure Identity credential chains on this machine.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument("--sandbox", metavar="SCENARIO", help="start the desktop app on a sandbox scenario")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if args.command is None:
        return _start_gui(parser, argv if argv is not None else sys.argv[1:])
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        return args.handler(args)
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        sys.stderr.close()
        return 0


def _start_gui(parser: argparse.ArgumentParser, argv: list[str]) -> int:
    try:
        gui = importlib.import_module("app.gui")
    except ImportError:
        parser.print_help()
        return 0
    return gui.main(argv)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("chainsight")
    except PackageNotFoundError:
        return "0+unknown"
