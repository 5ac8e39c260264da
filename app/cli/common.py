"""Pieces the subcommands share: the chain options, building the chain, printing JSON."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from app.cli.build_hints import source_hint
from app.cli.whatif import WhatIfError, apply_overlay, overlay_from_args
from app.profile_detection import detect
from engine.build import build
from engine.host import Host
from engine.profiles import PROFILES
from engine.secrets import redact_text
from engine.spec import ChainSpec, SpecError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def add_chain_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="a ChainSpec TOML file (default: DefaultAzureCredential)")
    parser.add_argument(
        "--profile",
        metavar="V",
        choices=[*sorted(PROFILES), "auto"],
        help="azure-identity version to behave as (default: the spec's, else 1.27); 'auto': the version "
        "installed for --python, else for a .venv or venv here",
    )
    parser.add_argument("--python", metavar="PATH", help="with --profile auto: your app's Python interpreter")
    parser.add_argument(
        "--option",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="a DefaultAzureCredential keyword argument; VALUE is JSON where it parses, else text",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


PYTHON_WITHOUT_AUTO = "--python is read only with --profile auto (which asks it for its azure-identity version)"
OPTION_SHAPE = "expects KEY=VALUE, got {text!r}"
OPTION_FOR_DAC_ONLY = "applies to DefaultAzureCredential only; edit the spec's credentials instead"


def parse_option(text: str) -> tuple[str, Any]:
    """``KEY=VALUE``; VALUE is JSON where it parses (true, 10, null, [..]), else text. SpecError if no KEY."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise SpecError([("--option", OPTION_SHAPE.format(text=text))])
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    return key.strip(), value


def load_spec(args: argparse.Namespace) -> ChainSpec:
    """The spec from --config (or the default), with --profile and --option applied and validated as a spec is."""
    spec = ChainSpec.load(args.config) if args.config else ChainSpec()
    if args.profile == "auto":
        try:
            detection = detect(args.python)  # ValueError for an unusable interpreter or a release too old
        except ValueError as ex:
            raise BuildError(f"--profile auto: {ex}") from None
        print(f"chainsight: profile {detection.profile.name}: {detection.reason}", file=sys.stderr)
        if detection.warning:
            print(f"chainsight: warning: {detection.warning}", file=sys.stderr)
        spec.azure_identity = detection.profile.version
    elif getattr(args, "python", None):
        raise BuildError(PYTHON_WITHOUT_AUTO)
    if args.profile and args.profile != "auto":
        spec.azure_identity = args.profile
    for text in args.option:
        key, value = parse_option(text)
        if not spec.is_default:
            raise SpecError([("--option", OPTION_FOR_DAC_ONLY)])
        spec.options[key] = value
    if args.option:
        try:
            ChainSpec.from_dict(spec.to_dict())
        except SpecError as ex:
            renamed = [(path.replace("chain.options.", "--option "), message) for path, message in ex.problems]
            raise SpecError(renamed) from None
    return spec


class BuildError(ValueError):
    """The chain could not be built from the spec or the environment; the message says from where."""


BUILD_FAILED = "cannot build {what}: {error}"


def build_from_args(args: argparse.Namespace, host: Host | None = None):
    """(spec, credential, host); the host has the what-if flags applied; raises SpecError, WhatIfError or
    BuildError (one line, naming the source) for bad input."""
    host = apply_overlay(host or Host.real(), overlay_from_args(args))
    spec = load_spec(args)
    try:
        return spec, build(spec, host), host
    except (ValueError, TypeError, OSError) as ex:  # constructor errors: azure-identity's own text, kept
        what = f"the chain in {args.config}" if getattr(args, "config", None) else f"{spec.type} from this environment"
        error = " ".join(str(ex).split())
        error += source_hint(error, spec, host.env)  # the variable it came from, where one did
        raise BuildError(BUILD_FAILED.format(what=what, error=error)) from ex


def usage_error(message: str) -> int:
    print(f"chainsight: error: {redact_text(message)}", file=sys.stderr)
    return EXIT_USAGE


def construction_error(ex: BaseException) -> int:
    if isinstance(ex, (SpecError, WhatIfError, BuildError, OSError)):
        return usage_error(str(ex))
    return usage_error(" ".join(f"{type(ex).__name__}: {ex}".split()))


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, default=_default))


def _default(value: Any) -> Any:
    to_json = getattr(value, "to_json", None)
    if callable(to_json):
        return to_json()
    return str(value)
