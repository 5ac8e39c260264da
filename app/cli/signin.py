"""`chainsight sign-in`: one browser (or device code) sign-in, shown as what was sent, what came back and why.

Exit status: 0 signed in, 1 the sign-in failed (the AADSTS error is explained), 2 usage. Never prints a token.
"""

from __future__ import annotations

import argparse
import sys

from app.cli.common import EXIT_FAILED, EXIT_OK, print_json, usage_error
from engine.export.signin_snippet import signin_code
from engine.host import Host
from engine.signin import claims as claims_mod
from engine.signin.options import AUTHORITIES, DEFAULT_SCOPE, DEFAULT_TIMEOUT, SignInOptions
from engine.signin.session import SignInResult, SignInUsageError, sign_in

SILENT_NEEDS_CACHE = "--silent needs --cache-name (the remembered accounts live there) or --record"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sign-in",
        help="sign in with a browser (or a device code) and show the request, the redirect and the claims",
        description="Run InteractiveBrowserCredential (or DeviceCodeCredential) with these options and show "
        "what was sent, what came back and, on failure, what the AADSTS error means. Never prints a token.",
    )
    parser.add_argument(
        "--client-id", metavar="ID", default="", help="app registration (default: the developer sign-on app)"
    )
    parser.add_argument("--tenant", metavar="T", default="", help="tenant_id (default: organizations)")
    parser.add_argument(
        "--authority", metavar="HOST", default="", help=f"{', '.join(AUTHORITIES)} or a host (default: public)"
    )
    parser.add_argument("--redirect-uri", metavar="URI", default="", help="redirect_uri, e.g. http://localhost:8400")
    parser.add_argument("--login-hint", metavar="U", default="", help="login_hint: the account to preselect")
    parser.add_argument("--additionally-allowed-tenant", metavar="T", action="append", default=[], dest="allowed")
    parser.add_argument("--disable-instance-discovery", action="store_true")
    parser.add_argument("--timeout", metavar="S", type=float, default=DEFAULT_TIMEOUT, help="seconds to wait")
    parser.add_argument("--scope", metavar="S", action="append", default=[], help=f"(default {DEFAULT_SCOPE})")
    parser.add_argument("--claims", metavar="C", default="", help="a claims challenge")
    parser.add_argument("--enable-cae", action="store_true")
    parser.add_argument("--cache-name", metavar="N", default="", help="TokenCachePersistenceOptions(name=N)")
    parser.add_argument("--allow-unencrypted", action="store_true", help="allow_unencrypted_storage=True")
    parser.add_argument("--record", metavar="FILE", default="", help="load an AuthenticationRecord")
    parser.add_argument("--save-record", metavar="FILE", default="", help="save the AuthenticationRecord")
    parser.add_argument("--silent", action="store_true", help="only the cache; never a browser")
    parser.add_argument("--device-code", action="store_true", help="DeviceCodeCredential instead of a browser")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--export", action="store_true", help="print these options as Python for azure-identity instead of signing in"
    )
    parser.set_defaults(handler=run)


def options_from(args: argparse.Namespace) -> SignInOptions:
    return SignInOptions(
        client_id=args.client_id,
        tenant_id=args.tenant,
        authority=args.authority,
        redirect_uri=args.redirect_uri,
        login_hint=args.login_hint,
        additionally_allowed_tenants=tuple(args.allowed),
        disable_instance_discovery=args.disable_instance_discovery,
        timeout=args.timeout,
        cache_name=args.cache_name,
        allow_unencrypted_storage=args.allow_unencrypted,
        record_path=args.record,
        save_record_path=args.save_record,
        scopes=tuple(args.scope) or (DEFAULT_SCOPE,),
        claims=args.claims,
        enable_cae=args.enable_cae,
        device_code=args.device_code,
        silent=args.silent,
    )


def run(args: argparse.Namespace, host: Host | None = None) -> int:
    options = options_from(args)
    problems = options.problems()
    if problems:
        return usage_error("; ".join(problems))
    if args.export:
        sys.stdout.write(signin_code(options))
        return EXIT_OK
    if options.silent and not (options.cache_name or options.record_path):
        return usage_error(SILENT_NEEDS_CACHE)
    try:
        result = sign_in(options, host or Host.real(), on_device_code=_print_device_code)  # stderr: JSON stays clean
    except SignInUsageError as ex:
        return usage_error(str(ex))
    if args.json:
        print_json(result.to_json())
    else:
        _print_human(result)
    return EXIT_OK if result.signed_in else EXIT_FAILED


def _print_device_code(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _print_human(result: SignInResult) -> None:
    def table(title: str, rows: dict) -> None:
        if rows:
            print(f"{title}:")
            for key, value in rows.items():
                print(f"  {key:<22} {value}")

    table("Authorization request", result.authorize_request)
    table("Redirect received", result.redirect)
    if result.account:
        table("Signed in", result.account)
    for title, claims in (
        ("ID token claims", result.id_token_claims),
        ("Access token claims", result.access_token_claims),
    ):
        if claims:
            print(f"{title}:")
            for row in claims_mod.rows(claims):
                print(f"  {row.name:<20} {row.value}" + (f"  # {row.explanation}" if row.explanation else ""))
    for note in result.notes:
        print(f"Note: {note}")
    if result.error:
        err = result.error
        print(f"Sign-in failed: {err.text}")
        print(f"  What it means: {err.explanation}")
        print(f"  Likely fix:    {err.fix}")
        for key, value in err.details.items():
            print(f"  {key}: {value}")
