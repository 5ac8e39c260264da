"""Probes of the developer-tool credentials: is the tool on PATH, and who is signed in to it.

Static and fast: PATH lookups and a few small file reads (recorded steps); no tool is run and no
token is requested. A tool's file that exists but cannot be understood makes the answer "unknown".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from engine import probe as probe_status
from engine.account import Account
from engine.credentials._internal import tool_accounts as accounts
from engine.credentials._internal.developer_tools import getenv_windows_style, is_windows
from engine.host import Host
from engine.probe import Probe

AZ_NOT_FOUND = "Azure CLI not found on PATH"
AZD_NOT_FOUND = "Azure Developer CLI (azd) not found on PATH"
PWSH_NOT_FOUND = "PowerShell (pwsh) not found on PATH"
AZD_EXTERNAL_AUTH = "{tool}; azd asks the host that set AZD_AUTH_ENDPOINT for its tokens"
AUTOSAVE_OFF = "{tool}, but Az context autosave is off (Disable-AzContextAutosave): a new PowerShell starts signed out"
NO_AZ_ACCOUNTS = "{tool}, signed in as {who}, but the Az.Accounts module was not found in {dirs}"

Verdict = tuple[str, str, Account | None]  # status, reason, identity


def _read(host: Host, path: Path) -> bytes | None:
    """The file's bytes, None when it does not exist; ToolFileError when it cannot be read."""
    if not host.exists(path):
        return None
    try:
        return host.read_bytes(path, label=f"read {path.name}")
    except OSError as ex:
        raise accounts.ToolFileError(f"could not be read ({ex.strerror or ex})") from None


def _timed(host: Host, name: str, check: Callable[[], Verdict]) -> Probe:
    started = host.monotonic()
    status, reason, identity = check()
    return Probe(name, status, reason, identity, host.monotonic() - started)


def _verdict(tool: str, found: accounts.SignedIn | accounts.NotSignedIn, tenant_id: str = "") -> Verdict:
    if isinstance(found, accounts.NotSignedIn):
        return probe_status.UNAVAILABLE, f"{tool}, but {found.reason}", None
    reason = f"{tool}, signed in as {found.who}"
    if found.tenant_id:
        reason += f", tenant {found.tenant_id}"
    if found.note:
        reason += f" ({found.note})"
    account = found.account
    if tenant_id and tenant_id != found.tenant_id:
        # The credential asks the tool for its own configured tenant.
        reason += f"; tokens are requested for tenant {tenant_id}"
        account = replace(account, tenant_id=tenant_id)
    return probe_status.AVAILABLE, reason, account


def _unknown(tool: str, path: Path, error: accounts.ToolFileError) -> Verdict:
    return probe_status.UNKNOWN, f"{tool}, but {path} {error}", None


# ---- az ------------------------------------------------------------------------------------------
def az_config_dir(host: Host) -> Path:
    configured = host.env.get("AZURE_CONFIG_DIR")
    return Path(configured) if configured else host.expand_user("~/.azure")


def az_path(host: Host) -> str | None:
    if is_windows(host):
        return host.which("az.cmd") or host.which("az")
    return host.which("az")


def az_verdict(host: Host, tool: str, *, tenant_id: str = "", subscription: str | None = None) -> Verdict:
    config_dir = az_config_dir(host)
    profile_path = config_dir / "azureProfile.json"
    try:
        data = _read(host, profile_path)
        if data is None:
            return _verdict(tool, accounts.AZ_NOT_SIGNED_IN)
        config = _read(host, config_dir / "config")
        cloud = host.env.get("AZURE_CLOUD_NAME") or accounts.az_cloud_name(
            config.decode("utf-8-sig", errors="replace") if config else None
        )
        found = accounts.az_signed_in(data, subscription=subscription, cloud=cloud)
        found = _az_credentials(host, config_dir, found, cloud)
    except accounts.ToolFileError as error:
        return _unknown(tool, profile_path, error)
    return _verdict(tool, found, tenant_id)


def _az_credentials(
    host: Host, config_dir: Path, found: accounts.SignedIn | accounts.NotSignedIn, cloud: str
) -> accounts.SignedIn | accounts.NotSignedIn:
    """az issues a token only with the account's secret too: a user's MSAL cache entry or a service
    principal's stored secret (managed identities need neither)."""
    if isinstance(found, accounts.NotSignedIn):
        return found
    kind, account = found.account.identity_type, found.account
    if kind == "user" and account.upn:
        cache = _read(host, config_dir / "msal_token_cache.json")
        clouds = _read(host, config_dir / "clouds.config")
        hosts = accounts.az_login_hosts(cloud, clouds.decode("utf-8", errors="replace") if clouds else None)
        if not accounts.az_user_in_msal_cache(cache, account.upn, hosts):
            return accounts.az_user_not_in_cache(account.upn)
    elif kind == "app" and account.client_id:
        entries = _read(host, config_dir / "service_principal_entries.json")
        if not accounts.az_service_principal_stored(entries, account.client_id):
            return accounts.az_service_principal_not_stored(account.client_id)
    return found


def probe_azure_cli(host: Host, name: str, *, tenant_id: str = "", subscription: str | None = None) -> Probe:
    def check() -> Verdict:
        path = az_path(host)
        if not path:
            return probe_status.UNAVAILABLE, AZ_NOT_FOUND, None
        return az_verdict(host, f"az found at {path}", tenant_id=tenant_id, subscription=subscription)

    return _timed(host, name, check)


# ---- azd -----------------------------------------------------------------------------------------
def azd_config_dir(host: Host) -> Path:
    configured = host.env.get("AZD_CONFIG_DIR")
    return Path(configured) if configured else host.expand_user("~/.azd")


def probe_azd(host: Host, name: str, *, tenant_id: str = "") -> Probe:
    def check() -> Verdict:
        path = host.which("azd")
        if not path:
            return probe_status.UNAVAILABLE, AZD_NOT_FOUND, None
        tool = f"azd found at {path}"
        if host.env.get("AZD_AUTH_ENDPOINT") and host.env.get("AZD_AUTH_KEY"):
            return probe_status.UNKNOWN, AZD_EXTERNAL_AUTH.format(tool=tool), None
        config_dir = azd_config_dir(host)
        current = config_dir / "auth.json"
        try:
            config = _read(host, config_dir / "config.json")
            if config is not None and accounts.azd_delegates_to_az(config):
                return az_verdict(
                    host, f"{tool}, using the Azure CLI's sign-in (auth.useAzCliAuth): az", tenant_id=tenant_id
                )
            auth = _read(host, current)
            if auth is None:  # azd before 1.4 kept the current user in config.json
                current, auth = config_dir / "config.json", config
            user = accounts.azd_current_user(auth) if auth is not None else None
            if user is None:
                return _verdict(tool, accounts.NotSignedIn("no account is signed in (azd auth login)"))
            username = None
            if user.home_account_id:
                # azd's Manager finds the current user among its MSAL cache's accounts, or is not logged in
                cache = _read(host, config_dir / "auth" / "msal" / "cache.json")
                if accounts.msal_has_account(cache, user.home_account_id) is False:
                    reason = accounts.AZD_NOT_IN_CACHE.format(user.home_account_id)
                    return _verdict(tool, accounts.NotSignedIn(reason))
                username = accounts.msal_username(cache, user.home_account_id) if cache else None
        except accounts.ToolFileError as error:
            return _unknown(tool, current, error)
        return _verdict(tool, accounts.azd_signed_in(user, username), tenant_id)

    return _timed(host, name, check)


# ---- Az PowerShell -------------------------------------------------------------------------------
def powershell_path(host: Host) -> str | None:
    if is_windows(host):  # azure-identity retries with Windows PowerShell when pwsh is missing
        return host.which("pwsh") or host.which("powershell")
    return host.which("pwsh")


def module_dirs(host: Host) -> list[Path]:
    """Where PowerShell looks for modules: PSModulePath, then the per-user and system defaults."""
    separator = ";" if is_windows(host) else ":"
    listed = [Path(p) for p in (getenv_windows_style(host, "PSModulePath") or "").split(separator) if p]
    if is_windows(host):
        documents = host.home_dir / "Documents"
        program_files = Path(getenv_windows_style(host, "ProgramFiles") or "C:\\Program Files")
        defaults = [
            documents / "PowerShell" / "Modules",
            documents / "WindowsPowerShell" / "Modules",
            program_files / "PowerShell" / "Modules",
            program_files / "WindowsPowerShell" / "Modules",
        ]
    else:
        defaults = [
            host.expand_user("~/.local/share/powershell/Modules"),
            Path("/usr/local/share/powershell/Modules"),
            Path("/opt/microsoft/powershell/7/Modules"),
            Path("/usr/local/microsoft/powershell/7/Modules"),
        ]
    return list(dict.fromkeys([*listed, *defaults]))


def powershell_context(host: Host, tool: str) -> tuple[accounts.SignedIn | accounts.NotSignedIn | None, Verdict | None]:
    """The saved default context, or a finished verdict when autosave is off or a file is unreadable."""
    azure_dir = host.expand_user("~/.Azure")
    current = azure_dir / "AzureRmContextSettings.json"
    try:
        data = _read(host, current)
        settings = accounts.powershell_autosave(data) if data else accounts.AutosaveSettings()
        if settings.mode.lower() == "process":
            return None, (probe_status.UNAVAILABLE, AUTOSAVE_OFF.format(tool=tool), None)
        current = Path(settings.context_directory or azure_dir) / settings.context_file
        data = _read(host, current)
        return (accounts.powershell_signed_in(data) if data else accounts.POWERSHELL_NOT_SIGNED_IN), None
    except accounts.ToolFileError as error:
        return None, _unknown(tool, current, error)


def probe_powershell(host: Host, name: str, *, tenant_id: str = "") -> Probe:
    def check() -> Verdict:
        path = powershell_path(host)
        if not path:
            return probe_status.UNAVAILABLE, PWSH_NOT_FOUND, None
        tool = f"{Path(path).name} found at {path}"
        found, verdict = powershell_context(host, tool)
        if verdict:
            return verdict
        status, reason, identity = _verdict(tool, found, tenant_id)
        if isinstance(found, accounts.SignedIn):
            dirs = module_dirs(host)
            if not any(host.exists(d / "Az.Accounts") for d in dirs):
                listed = ", ".join(str(d) for d in dirs)
                return probe_status.UNKNOWN, NO_AZ_ACCOUNTS.format(tool=tool, who=found.who, dirs=listed), identity
        return status, reason, identity

    return _timed(host, name, check)
