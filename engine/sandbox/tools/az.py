"""A fake `az` (Azure CLI 2.x): `account get-access-token`, `account show`, `version`, as the real one prints them."""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from typing import Any

from engine.sandbox.tools.common import AuthorityError, expires_on, hang, load_state, redeem

NOT_LOGGED_IN = "ERROR: Please run 'az login' to setup account.\n"
RELOGIN = "Interactive authentication is needed. Please run:\naz login --scope {scope}\n"
SUBSCRIPTION_NOT_FOUND = "ERROR: Subscription '{sub}' not found. Check the spelling and casing and try again.\n"
UNKNOWN_COMMAND = "ERROR: '{cmd}' is misspelled or not recognized by the system.\n"
GARBAGE = "WARNING: This command is in preview.\n<html>not json</html>\n"
VERSION = {"azure-cli": "2.67.0", "azure-cli-core": "2.67.0", "azure-cli-telemetry": "1.1.0", "extensions": {}}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="az", add_help=False)
    parser.add_argument("group", nargs="?")
    parser.add_argument("command", nargs="?")
    parser.add_argument("--output", "-o", default="json")
    parser.add_argument("--resource")
    parser.add_argument("--scope", nargs="+")
    parser.add_argument("--tenant", "-t")
    parser.add_argument("--subscription")
    parser.add_argument("--version", action="store_true")
    return parser


def _print(data: Any, output: str) -> None:
    if output == "tsv":
        print("\t".join(str(v) for v in data.values()))
    else:
        print(json.dumps(data, indent=2))


def main(argv: list[str]) -> int:
    args, _ = _parser().parse_known_args(argv)
    if args.version or args.group == "version":
        print(json.dumps(VERSION, indent=2))
        return 0
    state = load_state("az")
    tool = state["tools"]["az"]
    mode = tool["mode"]
    if (args.group, args.command) not in (("account", "get-access-token"), ("account", "show")):
        sys.stderr.write(UNKNOWN_COMMAND.format(cmd=" ".join(filter(None, (args.group, args.command)))))
        return 2
    if mode == "hang":
        return hang(state)
    if mode == "garbage":
        sys.stdout.write(GARBAGE)
        return 0
    if mode == "not_signed_in" or not tool.get("user"):
        sys.stderr.write(NOT_LOGGED_IN)
        return 1
    subscription = tool["subscription"]
    if args.subscription and args.subscription not in (subscription.get("id"), subscription.get("name")):
        sys.stderr.write(SUBSCRIPTION_NOT_FOUND.format(sub=args.subscription))
        return 1
    if args.command == "show":
        _print(account_show(tool), args.output)
        return 0
    resource = args.resource or "https://management.core.windows.net/"
    # az builds the scope as resource + "/.default", so ".../" becomes "...//.default" exactly as here.
    scope = args.scope[0] if args.scope else resource + "/.default"
    try:
        response = redeem(state, tool, scope, args.tenant or "")
    except AuthorityError as err:
        relogin = "" if err.error == "connection_error" else RELOGIN.format(scope=scope)  # no sign-in can help
        sys.stderr.write(f"ERROR: {err.description}\n" + relogin)
        return 1
    exp = expires_on(response)
    _print(
        {
            "accessToken": response["access_token"],
            "expiresOn": datetime.datetime.fromtimestamp(exp).strftime("%Y-%m-%d %H:%M:%S.%f"),
            "expires_on": exp,
            "subscription": subscription.get("id", ""),
            "tenant": args.tenant or tool["user"]["tenant"],
            "tokenType": "Bearer",
        },
        args.output,
    )
    return 0


def account_show(tool: dict[str, Any]) -> dict[str, Any]:
    sub = tool["subscription"]
    return {
        "environmentName": "AzureCloud",
        "homeTenantId": tool["user"]["tenant"],
        "id": sub.get("id", ""),
        "isDefault": True,
        "managedByTenants": [],
        "name": sub.get("name", "N/A(tenant level account)"),
        "state": "Enabled",
        "tenantId": sub.get("tenant", tool["user"]["tenant"]),
        "user": {"name": tool["user"]["upn"], "type": "user"},
    }


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
