"""The Azure CLI's own files in AZURE_CONFIG_DIR (default ~/.azure), read and written as azure-cli 2.91 does.

Every answer of the sandbox's az comes from these files, so deleting or editing one changes what it does:

- ``azureProfile.json``: UTF-8 with a BOM, ``json.dump`` defaults (azure-cli's Session); the accounts.
  With telemetry off (the sandbox's case) no ``installationId`` is written.
- ``config``: INI, mode 0600; az writes ``[cloud] name = AzureCloud`` on first run.
- ``clouds.config``: INI; ``[<cloud>] subscription = <default id>`` and custom clouds' endpoints.
- ``msal_token_cache.json``: a plaintext MSAL token cache (indent 4, mode 0600) holding users' tokens.
- ``service_principal_entries.json``: ``[{"client_id", "tenant", "client_secret"}]`` (indent 4, mode 0600).

Standard library only: the tool is spawned on every token request.
"""

from __future__ import annotations

import configparser
import io
import json
import os
from pathlib import Path
from typing import Any

PROFILE = "azureProfile.json"
CONFIG = "config"
CLOUDS = "clouds.config"
MSAL_CACHE = "msal_token_cache.json"
SP_ENTRIES = "service_principal_entries.json"
AZURE_CLOUD = "AzureCloud"
PUBLIC_AUTHORITY = "https://login.microsoftonline.com"
ARM_RESOURCE = "https://management.core.windows.net/"
# What `az cloud show` prints for AzureCloud (azure-cli 2.91's cloud.py), and the keys a custom cloud may set.
AZURE_CLOUD_ENDPOINTS = {
    "activeDirectory": PUBLIC_AUTHORITY,
    "activeDirectoryDataLakeResourceId": "https://datalake.azure.net/",
    "activeDirectoryGraphResourceId": "https://graph.windows.net/",
    "activeDirectoryResourceId": ARM_RESOURCE,
    "appInsightsResourceId": "https://api.applicationinsights.io",
    "appInsightsTelemetryChannelResourceId": "https://dc.applicationinsights.azure.com/v2/track",
    "appServiceResourceId": "https://appservice.azure.com",
    "attestationResourceId": "https://attest.azure.net",
    "azmirrorStorageAccountResourceId": None,
    "batchResourceId": "https://batch.core.windows.net/",
    "gallery": "https://gallery.azure.com/",
    "logAnalyticsResourceId": "https://api.loganalytics.io",
    "management": ARM_RESOURCE,
    "mediaResourceId": "https://rest.media.azure.net",
    "microsoftGraphResourceId": "https://graph.microsoft.com/",
    "ossrdbmsResourceId": "https://ossrdbms-aad.database.windows.net",
    "portal": "https://portal.azure.com",
    "resourceManager": "https://management.azure.com/",
    "sqlManagement": "https://management.core.windows.net:8443/",
    "synapseAnalyticsResourceId": "https://dev.azuresynapse.net",
    "vmImageAliasDoc": "https://azcliprod.blob.core.windows.net/cli/vm/aliases.json",
}
AZURE_CLOUD_SUFFIXES = {
    "acrLoginServerEndpoint": ".azurecr.io",
    "attestationEndpoint": ".attest.azure.net",
    "azureDatalakeAnalyticsCatalogAndJobEndpoint": "azuredatalakeanalytics.net",
    "azureDatalakeStoreFileSystemEndpoint": "azuredatalakestore.net",
    "keyvaultDns": ".vault.azure.net",
    "mariadbServerEndpoint": ".mariadb.database.azure.com",
    "mhsmDns": ".managedhsm.azure.net",
    "mysqlServerEndpoint": ".mysql.database.azure.com",
    "postgresqlServerEndpoint": ".postgres.database.azure.com",
    "sqlServerHostname": ".database.windows.net",
    "storageEndpoint": "core.windows.net",
    "storageSyncEndpoint": "afs.azure.net",
    "synapseAnalyticsEndpoint": ".dev.azuresynapse.net",
}


def config_dir(env: dict[str, str] | os._Environ) -> Path:
    configured = env.get("AZURE_CONFIG_DIR")
    return Path(configured) if configured else Path(env.get("HOME") or os.path.expanduser("~")) / ".azure"


def _write_private(path: Path, text: str, *, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding=encoding) as f:
        f.write(text)


# ---- azureProfile.json ---------------------------------------------------------------------------
def profile_text(profile: dict[str, Any]) -> bytes:
    """Exactly what azure-cli's Session.save writes: json.dump defaults, encoded utf-8-sig."""
    return ("\ufeff" + json.dumps(profile)).encode("utf-8")


def load_profile(directory: Path) -> dict[str, Any]:
    """The profile; a missing or damaged file reads as empty, as azure-cli's Session does."""
    try:
        data = json.loads((directory / PROFILE).read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def save_profile(directory: Path, profile: dict[str, Any]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / PROFILE).write_bytes(profile_text(profile))


# ---- config and clouds.config (INI) --------------------------------------------------------------
def _read_ini(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error:
        pass
    return parser


def _ini_text(parser: configparser.ConfigParser) -> str:
    out = io.StringIO()
    parser.write(out)
    return out.getvalue()


def load_config(directory: Path) -> configparser.ConfigParser:
    return _read_ini(directory / CONFIG)


def save_config(directory: Path, parser: configparser.ConfigParser) -> None:
    _write_private(directory / CONFIG, _ini_text(parser))


def ensure_config(directory: Path) -> configparser.ConfigParser:
    """az's first run: a config holding ``[cloud] name = AzureCloud`` (mode 0600)."""
    parser = load_config(directory)
    if not parser.has_option("cloud", "name"):
        if not parser.has_section("cloud"):
            parser.add_section("cloud")
        parser.set("cloud", "name", AZURE_CLOUD)
        save_config(directory, parser)
    return parser


def active_cloud(directory: Path, env: dict[str, str] | os._Environ) -> str:
    return env.get("AZURE_CLOUD_NAME") or load_config(directory).get("cloud", "name", fallback=AZURE_CLOUD)


def config_value(directory: Path, env: dict[str, str] | os._Environ, section: str, option: str) -> str | None:
    """az's layered config: AZURE_<SECTION>_<OPTION> beats the file."""
    variable = f"AZURE_{section}_{option}".upper()
    if variable in env:
        return env[variable]
    return load_config(directory).get(section, option, fallback=None)


def load_clouds(directory: Path) -> configparser.ConfigParser:
    return _read_ini(directory / CLOUDS)


def save_clouds(directory: Path, parser: configparser.ConfigParser) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / CLOUDS).write_text(_ini_text(parser), encoding="utf-8")


def set_cloud_subscription(directory: Path, cloud: str, subscription: str | None) -> None:
    parser = load_clouds(directory)
    if not parser.has_section(cloud):
        parser.add_section(cloud)
    if subscription:
        parser.set(cloud, "subscription", subscription)
    else:
        parser.remove_option(cloud, "subscription")
    save_clouds(directory, parser)


def cloud_endpoints(directory: Path, cloud: str) -> dict[str, Any] | None:
    """A cloud's endpoints (AzureCloud's, or a custom cloud's from clouds.config); None if unknown."""
    if cloud == AZURE_CLOUD:
        return dict(AZURE_CLOUD_ENDPOINTS)
    parser = load_clouds(directory)
    if not parser.has_section(cloud) or not parser.has_option(cloud, "endpoint_active_directory"):
        return None
    endpoints: dict[str, Any] = {}
    for key, value in parser.items(cloud):
        if key.startswith("endpoint_"):
            parts = key.removeprefix("endpoint_").split("_")
            endpoints[parts[0] + "".join(p.title() for p in parts[1:])] = value
    return endpoints


# ---- the MSAL cache and the service principal store ---------------------------------------------
def save_msal_cache(directory: Path, cache: dict[str, Any]) -> None:
    """msal's SerializableTokenCache.serialize (indent 4) through msal-extensions' FilePersistence."""
    _write_private(directory / MSAL_CACHE, json.dumps(cache, indent=4))


def load_sp_entries(directory: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads((directory / SP_ENTRIES).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return []
    return [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []


def save_sp_entries(directory: Path, entries: list[dict[str, Any]]) -> None:
    _write_private(directory / SP_ENTRIES, json.dumps(entries, indent=4))
