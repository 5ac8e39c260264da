"""``chainsight export``: the chain as Python code for azure-identity, on stdout or into a file."""

from __future__ import annotations

import argparse
import sys

from app.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    add_chain_arguments,
    construction_error,
    load_spec,
    print_json,
    usage_error,
)
from app.cli.whatif import add_whatif_arguments, overlay_from_args
from engine.export import AUTO, EXAMPLES, GET_TOKEN, STYLE_CHOICES, ExportError, export
from engine.run import DEFAULT_SCOPE
from engine.safe_save import SaveError, save_text

WROTE = "wrote {path} ({style} form)"
SET_VARIABLES = "the app's environment must set: {assignments}"
WHAT_IF_NOTE = (
    "what-if {names}: the exported code reads the environment when your app runs, so it is the same code; "
    "`chainsight run` with the same flags shows what it would do"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("export", help="write the chain as Python code for azure-identity")
    add_chain_arguments(parser)
    add_whatif_arguments(parser)
    parser.add_argument(
        "--style",
        choices=STYLE_CHOICES,
        default=AUTO,
        help="env: AZURE_TOKEN_CREDENTIALS + DefaultAzureCredential; default: DefaultAzureCredential(...); "
        "chained: ChainedTokenCredential(...); auto (default): the first of default, chained that behaves the "
        "same (code that runs as it is; env is given only when asked for)",
    )
    parser.add_argument("--async", dest="async_", action="store_true", help="use azure.identity.aio")
    parser.add_argument(
        "--example",
        nargs="?",
        const=GET_TOKEN,
        choices=EXAMPLES,
        help=f"append a usage example (default {GET_TOKEN}; client hands the credential to an SDK client)",
    )
    parser.add_argument(
        "--scope", default=DEFAULT_SCOPE, metavar="S", help=f"the example's scope (default {DEFAULT_SCOPE})"
    )
    parser.add_argument("--output", metavar="FILE", help="write the code to FILE instead of stdout")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    try:
        spec = load_spec(args)
        overlay = overlay_from_args(args)
    except Exception as ex:
        return construction_error(ex)
    if overlay:
        print(WHAT_IF_NOTE.format(names=", ".join(overlay)), file=sys.stderr)
    try:
        result = export(spec, args.style, async_=args.async_, example=args.example, scope=args.scope)
    except ExportError as ex:
        return usage_error(str(ex))
    if args.output:
        try:
            save_text(args.output, result.code)
        except SaveError as ex:
            print(f"chainsight: error: {ex}", file=sys.stderr)
            return EXIT_USAGE if ex.usage else EXIT_FAILED
        print(WROTE.format(path=args.output, style=result.style), file=sys.stderr)
    if args.json:
        print_json(
            {
                "style": result.style,
                "reason": result.reason,
                "environment": result.environment,
                "notes": list(result.notes),
                "code": result.code,
            }
        )
    elif not args.output:
        sys.stdout.write(result.code)
    if result.environment:
        assignments = " ".join(f"{k}={v}" for k, v in result.environment.items())
        print(SET_VARIABLES.format(assignments=assignments), file=sys.stderr)
    return EXIT_OK
