"""The sandbox's `az`: a twin of one Azure CLI release (2.91 unless the scenario picks 2.67).

Its answers come from its own files in AZURE_CONFIG_DIR (default ~/.azure, see az_files), following
azure-cli's _profile.py and command_modules/profile/custom.py: delete azureProfile.json, or the MSAL cache
a user's tokens live in, and it is signed out, as the real az is. The scenario state file adds only what a
machine provides (where the authority and its CA are, the release, and failure modes: hang, garbage output).
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
import traceback
from typing import Any

from engine.sandbox.tools import az_files, az_output
from engine.sandbox.tools.az_arm import SubscriptionFinder
from engine.sandbox.tools.az_config import cloud_list, cloud_register, cloud_set, cloud_show, config_get, config_set
from engine.sandbox.tools.az_identity import CLIError, EntraError
from engine.sandbox.tools.az_release import Release, release
from engine.sandbox.tools.common import hang, load_state

AZ_LOGIN_MESSAGE = "Please run 'az login' to setup account."
SUBSCRIPTION_AND_TENANT = "Please specify only one of subscription and tenant, not both"
SUBSCRIPTION_NOT_FOUND = "Subscription '{}' not found. Check the spelling and casing and try again."
NO_DEFAULT_SUBSCRIPTION = "No subscription found. Run 'az account set' to select a subscription."
MULTIPLE_SUBSCRIPTIONS = "Multiple subscriptions with the name '{}' found. Specify the subscription ID."
SET_NOT_FOUND = "The subscription of '{}' {} in cloud '{}'."
NO_ACTIVE_ACCOUNTS = "There are no active accounts."
NO_ACCOUNTS_WARNING = 'Please run "az login" to access your accounts.'
UNKNOWN_COMMAND = "'{}' is misspelled or not recognized by the system.\n\nhttps://aka.ms/cli_ref\nRead more about the command in reference docs"
UNEXPECTED = "The command failed with an unexpected error. Here is the traceback:"
PASSWORD_WARNING_AZURE_CLOUD = (
    "Starting September 1, 2025, MFA will be gradually enforced for Azure public cloud. "
    "The authentication with username and password in the command line is not supported with MFA. "
    "Consider using one of the compatible authentication methods. "
    "For more details, see https://go.microsoft.com/fwlink/?linkid=2276314"
)
PASSWORD_WARNING_OTHER_CLOUD = (
    "Using authentication with username and password in the command line is strongly discouraged. "
    "Consider using one of the recommended authentication methods. "
    "For more details, see https://go.microsoft.com/fwlink/?linkid=2276314"
)
NO_SUBSCRIPTIONS_FOUND = "No subscriptions found for {}."
SKIP_NEEDS_TENANT = "usage error: '--skip-subscription-discovery' requires '--tenant'"
UPDATE_CHECK_OFFLINE = "Unable to check if your CLI is up-to-date. Check your internet connection."
GARBAGE = "WARNING: This command is in preview.\n<html>not json</html>\n"
TENANT_LEVEL = "N/A(tenant level account)"


class Context:
    """One invocation: the config directory, the active cloud, the release, the sandbox wiring."""

    def __init__(self, state: dict[str, Any], env: os._Environ | dict[str, str]) -> None:
        self.state = state
        self.env = env
        self.dir = az_files.config_dir(env)
        az_files.ensure_config(self.dir)
        self.cloud = az_files.active_cloud(self.dir, env)
        self.release: Release = release(state.get("tools", {}).get("az", {}).get("version"))
        endpoints = az_files.cloud_endpoints(self.dir, self.cloud) or az_files.AZURE_CLOUD_ENDPOINTS
        self.authority = str(endpoints.get("activeDirectory") or az_files.PUBLIC_AUTHORITY)
        self.arm_resource = str(endpoints.get("activeDirectoryResourceId") or az_files.ARM_RESOURCE)
        self.resource_manager = str(
            endpoints.get("resourceManager") or az_files.AZURE_CLOUD_ENDPOINTS["resourceManager"]
        )

    # -- the profile ------------------------------------------------------------------------------
    def profile(self) -> dict[str, Any]:
        return az_files.load_profile(self.dir)

    def subscriptions(self, all_clouds: bool = False) -> list[dict[str, Any]]:
        subs = self.profile().get("subscriptions") or []
        return [s for s in subs if isinstance(s, dict) and (all_clouds or s.get("environmentName") == self.cloud)]

    def get_subscription(self, subscription: str | None = None) -> dict[str, Any]:
        """azure-cli's Profile.get_subscription: by id or name ignoring case, else the default one."""
        subs = self.subscriptions()
        if not subs:
            raise CLIError(AZ_LOGIN_MESSAGE)
        wanted = (subscription or "").lower()
        if subscription:
            found = [s for s in subs if wanted in (str(s.get("id", "")).lower(), str(s.get("name", "")).lower())]
        else:
            found = [s for s in subs if s.get("isDefault")]
        if not found:
            raise CLIError(SUBSCRIPTION_NOT_FOUND.format(subscription) if subscription else NO_DEFAULT_SUBSCRIPTION)
        if len(found) > 1:
            raise CLIError(MULTIPLE_SUBSCRIPTIONS.format(subscription))
        return found[0]

    def identity(self, tenant: str) -> Any:
        from engine.sandbox.tools.az_identity import Identity

        discovery = (az_files.config_value(self.dir, self.env, "core", "instance_discovery") or "true").lower()
        return Identity(self.state, self.dir, self.authority, tenant, discovery not in ("false", "0", "no", "off"))


# ---- commands ------------------------------------------------------------------------------------
def get_access_token(ctx: Context, args: argparse.Namespace) -> dict[str, Any]:
    scopes = args.scope or [(args.resource or ctx.arm_resource) + "/.default"]
    if args.subscription and args.tenant:
        raise CLIError(SUBSCRIPTION_AND_TENANT)
    account = ctx.get_subscription(args.subscription)
    user = account.get("user") or {}
    tenant = args.tenant or account.get("tenantId", "")
    identity = ctx.identity(tenant)
    if user.get("type") == "servicePrincipal":
        result = identity.service_principal_token(user.get("name", ""), tenant, scopes)
    else:
        result = _with_relogin(ctx, tenant, scopes, lambda: identity.user_token(user.get("name", ""), scopes))
    expires_on = int(time.time()) + int(result["expires_in"])
    token = {
        "accessToken": result["access_token"],
        "expiresOn": datetime.datetime.fromtimestamp(expires_on).strftime("%Y-%m-%d %H:%M:%S.%f"),
        "expires_on": expires_on,
        "tenant": args.tenant or account.get("tenantId"),
        "tokenType": "Bearer",
    }
    if not args.tenant:  # az leaves the subscription out when a tenant was asked for
        token["subscription"] = account.get("id")
    return token


def _with_relogin(ctx: Context, tenant: str, scopes: list[str], call: Any) -> Any:
    try:
        return call()
    except EntraError as err:
        err.recommendation = ctx.release.relogin(tenant, scopes)
        raise


def login(ctx: Context, args: argparse.Namespace) -> list[dict[str, Any]]:
    if not args.username or not args.password:
        raise CLIError("The sandbox's az signs in with --username and --password (user or --service-principal).")
    if args.skip_subscription_discovery and not args.tenant:
        raise CLIError(SKIP_NEEDS_TENANT)
    scopes = [ctx.arm_resource + "/.default"]
    tenant = args.tenant
    identity = ctx.identity(tenant or "organizations")
    if args.service_principal:
        if not tenant:
            raise CLIError("usage error: --tenant is required for a service principal")
        identity.login_service_principal(args.username, args.password, tenant, scopes)
        username, kind = args.username, "servicePrincipal"
    else:
        warning = (
            PASSWORD_WARNING_AZURE_CLOUD
            if ctx.authority.startswith(az_files.PUBLIC_AUTHORITY)
            else PASSWORD_WARNING_OTHER_CLOUD
        )
        sys.stderr.write(f"WARNING: {warning}\n")
        username, kind = identity.login_user(args.username, args.password, scopes)["username"], "user"

    def token_for(for_tenant: str | None) -> str:
        if kind == "servicePrincipal":
            return ctx.identity(for_tenant or tenant).service_principal_token(username, for_tenant or tenant, scopes)[
                "access_token"
            ]
        return ctx.identity(for_tenant or tenant or "organizations").user_token(username, scopes)["access_token"]

    finder = SubscriptionFinder(ctx.state, ctx.resource_manager, token_for)
    if args.skip_subscription_discovery:  # bare mode: no ARM call, a tenant-level account
        subs: list[dict[str, Any]] = []
        finder.tenants.append(tenant)
    elif tenant:
        subs = finder.find_using_specific_tenant(tenant, token_for(tenant))
    else:
        subs = finder.find_using_common_tenant()
    if not subs and not (args.allow_no_subscriptions or args.skip_subscription_discovery):
        raise CLIError(NO_SUBSCRIPTIONS_FOUND.format(username))
    if args.allow_no_subscriptions or args.skip_subscription_discovery:
        listed = {s.get("tenantId") for s in subs}
        subs += [_tenant_level(t) for t in finder.tenants if t not in listed]
        if not subs:
            return []
    consolidated = [_account(ctx, s, username, kind) for s in subs]
    _set_subscriptions(ctx, consolidated)
    return [_listed(s) for s in consolidated]


def _tenant_level(tenant: str) -> dict[str, Any]:
    """_build_tenant_level_accounts: a Subscription model holding only these."""
    return {"id": f"/subscriptions/{tenant}", "displayName": TENANT_LEVEL, "tenantId": tenant, "state": "Enabled"}


def _account(ctx: Context, sub: dict[str, Any], username: str, kind: str) -> dict[str, Any]:
    """azure-cli's _normalize_properties and _transform_subscription_for_multiapi: key order as it writes them;
    the home tenant, tenant display fields and managedByTenants come from ARM's answer (none for a tenant-level
    account; the display fields only when the tenant came from Tenants - List)."""
    account = {
        "id": str(sub.get("id", "")).rpartition("/")[2],
        "name": sub.get("displayName"),
        "state": sub.get("state"),
        "user": {"name": username, "type": kind},
        "isDefault": False,
        "tenantId": sub.get("tenantId"),
        "environmentName": ctx.cloud,
    }
    if account["name"] != TENANT_LEVEL:
        account["homeTenantId"] = sub.get("homeTenantId")
        for key in ("tenantDefaultDomain", "tenantDisplayName"):
            if key in sub:
                account[key] = sub[key]
        managers = sub.get("managedByTenants")
        account["managedByTenants"] = None if managers is None else [{"tenantId": m.get("tenantId")} for m in managers]
    return account


def _set_subscriptions(ctx: Context, new: list[dict[str, Any]]) -> None:
    """azure-cli's _set_subscriptions: merge by id, keep the active one if still there, else the first enabled."""
    existing = ctx.subscriptions(all_clouds=True)
    active = next((s for s in existing if s.get("isDefault")), None)
    merged = {s["id"]: s for s in existing}
    merged.update((s["id"], s) for s in new)
    chosen = next((s for s in new if active and s["id"] == active.get("id")), None) or next(
        (s for s in new if s.get("state") == "Enabled"), new[0]
    )
    for s in merged.values():
        s["isDefault"] = s is chosen
    profile = ctx.profile()
    profile["subscriptions"] = list(merged.values())
    az_files.save_profile(ctx.dir, profile)
    az_files.set_cloud_subscription(ctx.dir, ctx.cloud, chosen["id"])


def _listed(sub: dict[str, Any]) -> dict[str, Any]:
    """`az account list` and `az login` print environmentName as cloudName."""
    listed = dict(sub)
    listed["cloudName"] = listed.pop("environmentName", None)
    return listed


def logout(ctx: Context, args: argparse.Namespace) -> None:
    username = args.username
    if not username:
        try:
            username = ctx.get_subscription()["user"]["name"]
        except CLIError:
            raise CLIError(NO_ACTIVE_ACCOUNTS) from None
    ctx.identity("organizations").logout(username)
    profile = ctx.profile()
    profile["subscriptions"] = [
        s for s in ctx.subscriptions(all_clouds=True) if s.get("user", {}).get("name", "").lower() != username.lower()
    ]
    az_files.save_profile(ctx.dir, profile)


def account_clear(ctx: Context, args: argparse.Namespace) -> None:
    profile = ctx.profile()
    profile["subscriptions"] = []
    az_files.save_profile(ctx.dir, profile)
    for name in (az_files.MSAL_CACHE, az_files.SP_ENTRIES):
        (ctx.dir / name).unlink(missing_ok=True)


def account_list(ctx: Context, args: argparse.Namespace) -> list[dict[str, Any]]:
    subs = ctx.subscriptions(all_clouds=args.all)
    if not subs:
        sys.stderr.write(f"WARNING: {NO_ACCOUNTS_WARNING}\n")
    return [_listed(s) for s in subs if args.all or s.get("state") == "Enabled"]


def account_set(ctx: Context, args: argparse.Namespace) -> None:
    wanted = (args.subscription or "").lower()
    all_subs = ctx.subscriptions(all_clouds=True)
    found = [
        s
        for s in all_subs
        if wanted in (str(s.get("id", "")).lower(), str(s.get("name", "")).lower())
        and s.get("environmentName") == ctx.cloud
    ]
    if len(found) != 1:
        raise CLIError(
            SET_NOT_FOUND.format(wanted, "doesn't exist" if not found else "has more than one match", ctx.cloud)
        )
    for s in all_subs:
        s["isDefault"] = s is found[0]
    profile = ctx.profile()
    profile["subscriptions"] = all_subs
    az_files.save_profile(ctx.dir, profile)
    az_files.set_cloud_subscription(ctx.dir, ctx.cloud, found[0]["id"])


# ---- argument parsing and the main loop ---------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="az", add_help=False)
    p.add_argument("words", nargs="*")
    p.add_argument("--output", "-o", default="json")
    p.add_argument("--resource")
    p.add_argument("--scope", "--scopes", nargs="+")
    p.add_argument("--tenant", "-t")
    p.add_argument("--subscription", "-s")
    p.add_argument("--name", "-n")
    p.add_argument("--username", "-u")
    p.add_argument("--password", "-p")
    p.add_argument("--service-principal", action="store_true")
    p.add_argument("--allow-no-subscriptions", action="store_true")
    p.add_argument("--skip-subscription-discovery", action="store_true")
    p.add_argument("--skip-endpoint-discovery", action="store_true")
    p.add_argument("--all", action="store_true")
    p.add_argument("--version", action="store_true")
    for endpoint in ("active-directory", "active-directory-resource-id", "resource-manager", "management"):
        p.add_argument(f"--endpoint-{endpoint}")
    return p


HANDLERS = {
    ("login",): login,
    ("logout",): logout,
    ("account", "show"): lambda ctx, a: ctx.get_subscription(a.subscription),
    ("account", "list"): account_list,
    ("account", "set"): account_set,
    ("account", "get-access-token"): get_access_token,
    ("account", "clear"): account_clear,
    ("config", "set"): config_set,
    ("config", "get"): config_get,
    ("cloud", "show"): cloud_show,
    ("cloud", "list"): cloud_list,
    ("cloud", "set"): cloud_set,
    ("cloud", "register"): cloud_register,
}


def main(argv: list[str]) -> int:
    args, _ = _parser().parse_known_args(argv)
    words = args.words
    state = load_state("az")
    tool = state["tools"]["az"]
    rel = release(tool.get("version"))
    directory = az_files.config_dir(os.environ)
    if args.version and not words:
        az_files.ensure_config(directory)
        sys.stdout.write(rel.version_text(str(directory)))
        sys.stderr.write(f"WARNING: {UPDATE_CHECK_OFFLINE}\n")
        return 0
    if words == ["version"]:
        az_files.ensure_config(directory)
        sys.stdout.write(az_output.render_json(rel.version_json()))
        return 0
    if tool.get("mode") == "hang":
        return hang(state)
    if tool.get("mode") == "garbage":
        sys.stdout.write(GARBAGE)
        return 0
    # `az config set a.b=c` and `az config get a.b` take positional words; other commands take none.
    command = next(
        (c for c in HANDLERS if tuple(words[: len(c)]) == c and (len(words) == len(c) or c[0] == "config")), None
    )
    if command is None:
        sys.stderr.write(f"ERROR: {UNKNOWN_COMMAND.format(words[0] if words else '')}\n")
        return 2
    if command == ("account", "set"):
        args.subscription = args.subscription or args.name
    if command == ("config", "set"):
        args.key_value = [w for w in argv if "=" in w and not w.startswith("-")]
    if command == ("config", "get"):
        rest = [w for w in argv if w not in ("config", "get") and not w.startswith("-")]
        args.key = rest[0] if rest else None
    return _run(HANDLERS[command], Context(state, os.environ), args)


def _run(handler: Any, ctx: Context, args: argparse.Namespace) -> int:
    try:
        result = handler(ctx, args)
    except CLIError as err:
        sys.stderr.write(f"ERROR: {err}\n" + (f"{err.recommendation}\n" if err.recommendation else ""))
        return 1
    except Exception as err:  # azure-cli's handle_exception: anything else is printed with its traceback
        # msal's "Unable to get authority configuration" wraps the discovery failure; az shows the latter's trace.
        detail = "".join(traceback.format_exception(err.__context__ or err))
        sys.stderr.write(
            f"ERROR: {UNEXPECTED}\nERROR: {err}\n{detail}"
            "To check existing issues, please visit: https://github.com/Azure/azure-cli/issues\n"
        )
        return 1
    sys.stdout.write(az_output.render(result, args.output))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
