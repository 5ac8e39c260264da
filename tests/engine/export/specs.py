"""Chain specs the export tests share, each with the form ``auto`` must choose (None: no form exists)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.spec import ChainSpec, CredentialSpec

TENANT = "4a3e1c0b-7f5d-4c1e-9a8b-1d2c3b4a5f60"
CLIENT = "f6a7b8c9-0009-4000-8000-0000000d0009"
AUTHORITY = "login.microsoftonline.us"

DEV_EXCLUDES = {
    "exclude_environment_credential": True,
    "exclude_workload_identity_credential": True,
    "exclude_managed_identity_credential": True,
}
PROD_EXCLUDES = {
    "exclude_shared_token_cache_credential": True,
    "exclude_visual_studio_code_credential": True,
    "exclude_cli_credential": True,
    "exclude_powershell_credential": True,
    "exclude_developer_cli_credential": True,
    "exclude_broker_credential": True,
}
ALL_EXCLUDES_127 = {**DEV_EXCLUDES, **PROD_EXCLUDES}


def only(option: str) -> dict:
    """1.27 DefaultAzureCredential keywords leaving just the member ``option`` excludes."""
    return {k: (k != option) for k in ALL_EXCLUDES_127} | {"exclude_interactive_browser_credential": True}


def dac(profile: str = "1.27", **options) -> ChainSpec:
    return ChainSpec(azure_identity=profile, options=options)


def chain(*members: str | tuple[str, dict] | CredentialSpec, profile: str = "1.27") -> ChainSpec:
    credentials = []
    for m in members:
        if isinstance(m, CredentialSpec):
            credentials.append(m)
        elif isinstance(m, tuple):
            credentials.append(CredentialSpec(m[0], dict(m[1])))
        else:
            credentials.append(CredentialSpec(m))
    return ChainSpec(type="ChainedTokenCredential", azure_identity=profile, credentials=credentials)


@dataclass(frozen=True)
class Expected:
    spec: ChainSpec
    style: str | None  # what auto picks (never "env": it needs a variable set); None = no form behaves the same
    env_value: str | None = None  # the AZURE_TOKEN_CREDENTIALS value of the env form, offered with --style env
    reason: str = ""  # a fragment of the reason auto gives


AUTO_TABLE: dict[str, Expected] = {
    # ---- DefaultAzureCredential specs ---------------------------------------------------------------
    "dac-default": Expected(dac(), "default", reason="the spec is this DefaultAzureCredential call"),
    "dac-dev": Expected(dac(**DEV_EXCLUDES), "default", "dev"),
    "dac-dev-with-timeout": Expected(dac(**DEV_EXCLUDES, process_timeout=30), "default", "dev"),
    "dac-dev-explicit-false-kept": Expected(dac(**DEV_EXCLUDES, exclude_cli_credential=False), "default", "dev"),
    "dac-prod": Expected(dac(**PROD_EXCLUDES), "default", "prod"),
    "dac-only-cli": Expected(dac(**only("exclude_cli_credential")), "default", "azureclicredential"),
    "dac-only-environment": Expected(dac(**only("exclude_environment_credential")), "default", "environmentcredential"),
    "dac-only-managed-identity-with-client": Expected(
        dac(**only("exclude_managed_identity_credential"), managed_identity_client_id=CLIENT),
        "default",
        "managedidentitycredential",
    ),
    "dac-only-interactive": Expected(
        dac(**ALL_EXCLUDES_127, exclude_interactive_browser_credential=False), "default", "interactivebrowsercredential"
    ),
    "dac-only-shared-cache": Expected(
        dac(**only("exclude_shared_token_cache_credential")),
        "default",
        reason="the spec is this DefaultAzureCredential call",
    ),
    "dac-dev-minus-powershell": Expected(dac(**DEV_EXCLUDES, exclude_powershell_credential=True), "default"),
    "dac-broker-excluded": Expected(dac(exclude_broker_credential=True), "default"),
    "dac-require-envvar": Expected(
        dac(require_envvar=True), "default", reason="the spec is this DefaultAzureCredential"
    ),
    "dac-1.23-dev": Expected(dac("1.23", **DEV_EXCLUDES), "default", "dev"),
    "dac-1.23-prod": Expected(
        dac(
            "1.23",
            exclude_shared_token_cache_credential=True,
            exclude_cli_credential=True,
            exclude_powershell_credential=True,
            exclude_developer_cli_credential=True,
        ),
        "default",
        "prod",
    ),
    "dac-1.19-dev-shape": Expected(
        dac("1.19", **DEV_EXCLUDES), "default", reason="the spec is this DefaultAzureCredential call"
    ),
    # ---- ChainedTokenCredential specs ---------------------------------------------------------------
    "chain-cli": Expected(chain("AzureCliCredential"), "default", "azureclicredential"),
    "chain-cli-timeout": Expected(
        chain(("AzureCliCredential", {"process_timeout": 30})), "default", "azureclicredential"
    ),
    "chain-cli-and-disabled-powershell": Expected(
        chain("AzureCliCredential", CredentialSpec("AzurePowerShellCredential", enabled=False)),
        "default",
        "azureclicredential",
    ),
    "chain-environment": Expected(chain("EnvironmentCredential"), "default", "environmentcredential"),
    "chain-vscode-tenant": Expected(
        chain(("VisualStudioCodeCredential", {"tenant_id": TENANT})), "default", "visualstudiocodecredential"
    ),
    "chain-interactive-login-hint": Expected(
        chain(("InteractiveBrowserCredential", {"login_hint": "dev@contoso.com"})),
        "default",
        "interactivebrowsercredential",
    ),
    "chain-environment-then-cli": Expected(chain("EnvironmentCredential", "AzureCliCredential"), "default"),
    "chain-shared-cache": Expected(chain("SharedTokenCacheCredential"), "default"),
    "chain-environment-shared-cache-same-authority": Expected(
        chain(
            ("EnvironmentCredential", {"authority": AUTHORITY}),
            ("SharedTokenCacheCredential", {"authority": AUTHORITY}),
        ),
        "default",
    ),
    "chain-environment-authority-only": Expected(
        chain(("EnvironmentCredential", {"authority": AUTHORITY}), "SharedTokenCacheCredential"),
        "chained",
        reason="authority",
    ),
    "chain-environment-then-azd-timeout": Expected(
        chain("EnvironmentCredential", ("AzureDeveloperCliCredential", {"process_timeout": 30})), "default"
    ),
    "chain-reordered": Expected(chain("AzureCliCredential", "EnvironmentCredential"), "chained", reason="order"),
    "chain-two-developer-tools": Expected(
        chain("AzureCliCredential", "AzureDeveloperCliCredential"), "chained", reason="AzureCliCredential"
    ),
    "chain-cli-tenant": Expected(chain(("AzureCliCredential", {"tenant_id": TENANT})), "chained", reason="tenant_id"),
    "chain-managed-identity": Expected(chain("ManagedIdentityCredential"), "chained", reason="token exchange"),
    "chain-environment-managed-identity": Expected(
        chain("EnvironmentCredential", ("ManagedIdentityCredential", {"client_id": CLIENT})), "chained"
    ),
    "chain-workload-identity": Expected(chain("WorkloadIdentityCredential"), "chained", reason="WorkloadIdentity"),
    "chain-client-secret": Expected(
        chain(("ClientSecretCredential", {"tenant_id": TENANT, "client_id": CLIENT})),
        "chained",
        reason="not a DefaultAzureCredential member",
    ),
    "chain-duplicate": Expected(chain("AzureCliCredential", "AzureCliCredential"), "chained", reason="twice"),
    "chain-1.23-environment-then-cli": Expected(
        chain("EnvironmentCredential", "AzureCliCredential", profile="1.23"), "chained", reason="1.23"
    ),
    "chain-1.19-environment-then-cli": Expected(
        chain("EnvironmentCredential", "AzureCliCredential", profile="1.19"), "default"
    ),
}

# Async: aio has no InteractiveBrowserCredential (and no BrokerCredential).
ASYNC_AUTO_TABLE: dict[str, Expected] = {
    "dac-default": Expected(dac(), "default"),
    "dac-dev": Expected(dac(**DEV_EXCLUDES), "default", "dev"),
    "dac-only-interactive": Expected(dac(**ALL_EXCLUDES_127, exclude_interactive_browser_credential=False), None),
    "dac-interactive-included": Expected(dac(exclude_interactive_browser_credential=False), None),
    "chain-cli": Expected(chain("AzureCliCredential"), "default", "azureclicredential"),
    "chain-environment-then-cli": Expected(chain("EnvironmentCredential", "AzureCliCredential"), "default"),
    "chain-interactive": Expected(chain("InteractiveBrowserCredential"), None),
    "chain-managed-identity": Expected(chain("ManagedIdentityCredential"), "chained"),
}
