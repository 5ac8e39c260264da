"""A fake `azd` (Azure Developer CLI): `auth token` and `auth login --check-status`, as azd prints them."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys

from engine.sandbox.tools.common import STATE_ENV, AuthorityError, expires_on, hang, load_state, redeem

NOT_LOGGED_IN = "\nERROR: fetching token: not logged in, run `azd auth login` to login\n"
AUTH_FAILED = "\nERROR: fetching token: failed to authenticate:\n({error}) {description}\n"
GARBAGE = "azd: a new version is available\n{ token: oops }\n"
UNKNOWN_COMMAND = 'Error: unknown command "{cmd}" for "azd"\n'
VERSION = "azd version 1.21.1 (commit 0000000000000000000000000000000000000000)"
JSON_ERRORS_VERSION = "azd version 1.24.0 (commit 0000000000000000000000000000000000000000)"


def _console_message(message: str) -> str:
    """azd's JSON-lines console envelope, which azure-identity parses (data.message) from failures."""
    stamp = datetime.datetime.now().astimezone().isoformat()
    return json.dumps({"type": "consoleMessage", "timestamp": stamp, "data": {"message": message}}) + "\n"


def _error(tool: dict, message: str) -> str:
    """A failure as this azd prints it with --output json: the consoleMessage line (before 1.23.7), or
    azd 1.24's single structured line, whose "error" field azure-identity prefers."""
    if tool.get("errors") == "json":
        return json.dumps({"error": message.strip().removeprefix("ERROR: ")}) + "\n"
    return _console_message(message)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="azd", add_help=False)
    parser.add_argument("group", nargs="?")
    parser.add_argument("command", nargs="?")
    parser.add_argument("--output", "-o", default="none")
    parser.add_argument("--scope", action="append", default=[])
    parser.add_argument("--tenant-id")
    parser.add_argument("--claims")
    parser.add_argument("--no-prompt", action="store_true")
    parser.add_argument("--check-status", action="store_true")
    parser.add_argument("--version", action="store_true")
    return parser


def main(argv: list[str]) -> int:
    args, _ = _parser().parse_known_args(argv)
    if (args.version or args.group == "version") and not os.environ.get(STATE_ENV):
        print(VERSION)
        return 0
    state = load_state("azd")
    if args.version or args.group == "version":
        print(JSON_ERRORS_VERSION if state["tools"]["azd"].get("errors") == "json" else VERSION)
        return 0
    tool = state["tools"]["azd"]
    mode = tool["mode"]
    if args.group == "auth" and args.command == "login" and args.check_status:
        signed_in = mode == "signed_in"
        print(json.dumps({"status": "success" if signed_in else "unauthenticated"}, indent=2))
        return 0
    if (args.group, args.command) != ("auth", "token"):
        sys.stderr.write(UNKNOWN_COMMAND.format(cmd=" ".join(filter(None, (args.group, args.command)))))
        return 1
    if mode == "hang":
        return hang(state)
    if mode == "garbage":
        sys.stdout.write(GARBAGE)
        return 0
    if mode == "not_signed_in" or not tool.get("user"):
        sys.stderr.write(_error(tool, NOT_LOGGED_IN))
        return 1
    scope = " ".join(args.scope) or "https://management.azure.com//.default"
    claims = ""
    if args.claims:
        import base64

        claims = base64.b64decode(args.claims + "=" * (-len(args.claims) % 4)).decode()
    try:
        response = redeem(state, tool, scope, args.tenant_id or "", claims)
    except AuthorityError as err:
        sys.stderr.write(_error(tool, AUTH_FAILED.format(error=err.error, description=err.description)))
        return 1
    expires = datetime.datetime.fromtimestamp(expires_on(response), datetime.timezone.utc)
    print(
        json.dumps({"token": response["access_token"], "expiresOn": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}, indent=2)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
