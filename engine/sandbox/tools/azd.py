"""A fake `azd` (Azure Developer CLI): `auth token` and `auth login --check-status`, as azd prints them."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys

from engine.env_vars import CHAINSIGHT_SANDBOX_STATE
from engine.sandbox.tools.common import (
    AuthorityError,
    expires_on,
    family_refresh_token,
    hang,
    home,
    load_state,
    read_json,
    redeem,
)

# auth_token.go returns the credential provider's ErrNoCurrentUser unwrapped; only GetToken's errors get
# the "fetching token: " prefix (AUTH_FAILED).
NOT_LOGGED_IN = "\nERROR: not logged in, run `azd auth login` to login\n"
LOGGED_IN = "Logged in to Azure as {who}"
CHECK_NOT_LOGGED_IN = "Not logged in, run `azd auth login` to login to Azure"
LOGIN_SCOPE = "https://management.azure.com//.default"  # auth.Manager.LoginScopes() for the public cloud
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


def config_dir() -> str:
    return os.environ.get("AZD_CONFIG_DIR") or os.path.join(home(), ".azd")


def signed_in_refresh_token() -> str | None:
    """azd's Manager.CredentialForCurrentUser: auth.json's currentUser.homeAccountId must name an account in
    its MSAL cache (auth/msal/cache.json); without either, azd is not logged in."""
    auth = read_json(os.path.join(config_dir(), "auth.json"))
    node = auth
    for key in ("auth", "account", "currentUser", "homeAccountId"):
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, str) or not node:
        return None
    return family_refresh_token(read_json(os.path.join(config_dir(), "auth", "msal", "cache.json")), node)


def go_time(moment: datetime.datetime) -> str:
    """Go's time.Time JSON (RFC 3339 with nanoseconds, trailing zeros dropped; "Z" for UTC, else the offset)."""
    text = moment.isoformat(timespec="microseconds")
    stamp, offset = text[:26].rstrip("0").rstrip("."), text[26:]
    return stamp + ("Z" if offset in ("+00:00", "") else offset)


def _check_status_expiry(state: dict, tool: dict, refresh_token: str | None) -> str | None:
    """cmd/auth_login.go's verifyLoggedIn: signed in only if a token can be had for the login scopes; the
    token's ExpiresOn (msal-go: now + expires_in, local time) becomes expiresOn."""
    if refresh_token is None or not tool.get("user"):
        return None
    try:
        response = redeem(state, dict(tool, refresh_token=refresh_token), LOGIN_SCOPE)
    except AuthorityError:
        return None
    now = datetime.datetime.now().astimezone()
    return go_time(now + datetime.timedelta(seconds=int(response["expires_in"])))


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
    if (args.version or args.group == "version") and not os.environ.get(CHAINSIGHT_SANDBOX_STATE):
        print(VERSION)
        return 0
    state = load_state("azd")
    if args.version or args.group == "version":
        print(JSON_ERRORS_VERSION if state["tools"]["azd"].get("errors") == "json" else VERSION)
        return 0
    tool = state["tools"]["azd"]
    mode = tool["mode"]
    refresh_token = signed_in_refresh_token()
    if args.group == "auth" and args.command == "login" and args.check_status:
        expiry = _check_status_expiry(state, tool, refresh_token) if mode == "signed_in" else None
        signed_in = expiry is not None
        if args.output == "json":  # contracts.LoginResult: expiresOn only on success (omitempty)
            result = {"status": "success", "expiresOn": expiry} if signed_in else {"status": "unauthenticated"}
            print(json.dumps(result, indent=2))
        else:  # the text form (cmd/auth_login.go's ux): who is signed in, or what to run
            print(LOGGED_IN.format(who=tool["user"]["upn"]) if signed_in else CHECK_NOT_LOGGED_IN)
        return 0
    if (args.group, args.command) != ("auth", "token"):
        sys.stderr.write(UNKNOWN_COMMAND.format(cmd=" ".join(filter(None, (args.group, args.command)))))
        return 1
    if mode == "hang":
        return hang(state)
    if mode == "garbage":
        sys.stdout.write(GARBAGE)
        return 0
    if mode == "not_signed_in" or not tool.get("user") or refresh_token is None:
        sys.stderr.write(_error(tool, NOT_LOGGED_IN))
        return 1
    tool = dict(tool, refresh_token=refresh_token)  # the cache's token, as azd's MSAL would use it
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
