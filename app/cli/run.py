"""``chainsight run``: build the chain from this environment and (unless --dry-run) acquire a token."""

from __future__ import annotations

import argparse
import logging
import sys

from app.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    add_chain_arguments,
    build_from_args,
    construction_error,
    print_json,
)
from app.cli.live_waits import LiveWaits
from engine import events
from engine.run import DEFAULT_SCOPE, run_chain


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="build the chain and acquire a token, showing every attempt")
    add_chain_arguments(parser)
    parser.add_argument("--dry-run", action="store_true", help="only build the chain and list its members")
    parser.add_argument("--scope", action="append", metavar="S", help=f"scope to request (default {DEFAULT_SCOPE})")
    parser.add_argument("--tenant", metavar="T", help="tenant_id for the request")
    parser.add_argument("--claims", metavar="C", help="claims challenge for the request")
    parser.add_argument("--enable-cae", action="store_true", help="request a CAE token")
    parser.add_argument(
        "--log-level",
        choices=("DEBUG", "INFO", "WARNING"),
        help="also print the run's log (azure.identity's lines, and msal's) to stderr",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    try:
        recorder = events.Recorder((LiveWaits(),))
        with events.recording(recorder):  # construction logs its own lines, as azure-identity does
            spec, credential, _host = build_from_args(args)
    except Exception as ex:
        return construction_error(ex)
    members = [getattr(c, "_credential_name", None) or type(c).__name__ for c in credential.credentials]
    summary = {"chain": spec.type, "profile": spec.azure_identity, "members": members, "options": spec.options}
    if args.dry_run:
        if args.json:
            print_json(summary)
        else:
            print(f"{spec.type} (azure-identity {spec.azure_identity}):")
            for i, name in enumerate(members, 1):
                print(f"  {i}. {name}")
        return EXIT_OK
    if args.log_level:
        logging.basicConfig(stream=sys.stderr, level=args.log_level, format="%(levelname)s %(name)s: %(message)s")
    run = run_chain(
        credential,
        args.scope or [DEFAULT_SCOPE],
        claims=args.claims,
        tenant_id=args.tenant,
        enable_cae=args.enable_cae,
        recorder=recorder,
    )
    if args.log_level:
        for line in run.log_lines(logging.getLevelName(args.log_level)):
            print(line, file=sys.stderr)
    if args.json:
        print_json({**summary, **run.to_json(), "chain": spec.type})
    else:
        _print_human(run)
    return EXIT_OK if run.outcome == "succeeded" else EXIT_FAILED


def _print_human(run) -> None:
    for attempt in run.attempts:
        duration = f"{(attempt.duration or 0) * 1000:8.1f} ms"
        message = (attempt.message or "").replace("\n", "\n" + " " * 46)
        print(f"{duration}  {attempt.outcome or 'running':<11}  {attempt.credential:<30} {message}".rstrip())
    if run.outcome == "succeeded":
        who = run.account.display if run.account else "an opaque token"
        tenant = f" (tenant {run.account.tenant_id})" if run.account and run.account.tenant_id else ""
        print(f"\n{run.chain} used {run.selected}, as {who}{tenant}.")
    else:
        print(f"\n{run.chain} failed:\n{run.error}")
