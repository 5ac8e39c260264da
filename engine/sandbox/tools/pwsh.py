"""A fake `pwsh` running azure-identity's Get-AzAccessToken script (-EncodedCommand) as Az.Accounts would."""

from __future__ import annotations

import base64
import os
import re
import sys

from engine.sandbox.tools.common import AuthorityError, expires_on, hang, home, load_state, read_json, redeem

NO_MODULE_MARKER = "NO_AZ_ACCOUNT_MODULE"
NOT_LOGGED_IN = "Get-AzAccessToken: Run Connect-AzAccount to login.\n"
AUTH_FAILED = "Get-AzAccessToken: {description}\n"
GARBAGE = "Welcome to PowerShell!\nThe token is somewhere over the rainbow.\n"
VERSION = "PowerShell 7.4.6"
UNSUPPORTED = "The argument '{arg}' is not recognized as the name of a script file. Check the spelling of the name.\n"
_RESOURCE = re.compile(r"'ResourceUrl'\s*=\s*'([^']*)'")
_TENANT = re.compile(r"\$tenantId\s*=\s*'([^']*)'")


def _script(argv: list[str]) -> str | None:
    """The script text of -EncodedCommand (UTF-16-LE base64) or -Command; None when neither is given."""
    lowered = [a.lower() for a in argv]
    for flag in ("-encodedcommand", "-e", "-ec"):
        if flag in lowered:
            return base64.b64decode(argv[lowered.index(flag) + 1]).decode("utf-16-le")
    for flag in ("-command", "-c"):
        if flag in lowered:
            return " ".join(argv[lowered.index(flag) + 1 :])
    return None


def module_installed() -> bool:
    """Az.Accounts in a PowerShell module folder (PSModulePath, then the per-user and system defaults)."""
    dirs = [d for d in os.environ.get("PSModulePath", "").split(":") if d]  # noqa: SIM112 (pwsh spells it so)
    dirs += [os.path.join(home(), ".local", "share", "powershell", "Modules"), "/usr/local/share/powershell/Modules"]
    return any(os.path.isdir(os.path.join(d, "Az.Accounts")) for d in dirs)


def signed_in() -> bool:
    """Az.Accounts' saved default context (~/.Azure/AzureRmContext.json) names an account, and context
    autosave is on (AzureRmContextSettings.json Mode "Process" means a new PowerShell starts signed out)."""
    azure = os.path.join(home(), ".Azure")
    settings = read_json(os.path.join(azure, "AzureRmContextSettings.json"))
    settings = settings if isinstance(settings, dict) else {}
    if str(settings.get("Mode", "")).lower() == "process":
        return False
    directory = settings.get("ContextDirectory") or azure
    profile = read_json(os.path.join(directory, settings.get("ContextFile") or "AzureRmContext.json"))
    contexts = profile.get("Contexts") if isinstance(profile, dict) else None
    context = contexts.get(profile.get("DefaultContextKey")) if isinstance(contexts, dict) else None
    account = context.get("Account") if isinstance(context, dict) else None
    return isinstance(account, dict) and bool(account.get("Id"))


def main(argv: list[str]) -> int:
    if any(a.lower() in ("-version", "--version", "-v") for a in argv):
        print(VERSION)
        return 0
    script = _script(argv)
    if script is None:
        sys.stderr.write(UNSUPPORTED.format(arg=argv[0] if argv else ""))
        return 64
    state = load_state("pwsh")
    tool = state["tools"]["pwsh"]
    mode = tool["mode"]
    if mode == "hang":
        return hang(state)
    if "Get-AzAccessToken" not in script:
        return 0
    if mode == "module_missing" or not module_installed():
        print(NO_MODULE_MARKER)
        return 0
    if mode == "garbage":
        sys.stdout.write(GARBAGE)
        return 0
    if mode == "not_signed_in" or not tool.get("user") or not signed_in():
        sys.stderr.write(NOT_LOGGED_IN)
        return 1
    resource = (_RESOURCE.search(script) or [None, "https://management.azure.com/"])[1]
    tenant = (_TENANT.search(script) or [None, ""])[1]
    try:
        response = redeem(
            state, tool, resource + "/.default" if not resource.endswith(".default") else resource, tenant
        )
    except AuthorityError as err:
        sys.stderr.write(AUTH_FAILED.format(description=err.description))
        return 1
    # Write-Output "`nazsdk%...%...`n" prints the line between blank lines.
    sys.stdout.write(f"\nazsdk%{response['access_token']}%{expires_on(response)}\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
