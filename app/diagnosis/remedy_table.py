"""The remedies table: for each credential and failure, a one-line explanation, the command to run (a
template filled in for the request) and a troubleshooting link on learn.microsoft.com.

Rows are tried in order and the first whose credential and message pattern match wins, so AADSTS codes
(specific) come before a tool's generic "not signed in", and each credential ends with a row of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LEARN = "https://learn.microsoft.com/en-us"
ERROR_CODES = f"{LEARN}/entra/identity-platform/reference-error-codes"
AZ_LINK = f"{LEARN}/cli/azure/authenticate-azure-cli"
AZD_LINK = f"{LEARN}/azure/developer/azure-developer-cli/reference#azd-auth-login"
PWSH_LINK = f"{LEARN}/powershell/azure/authenticate-azureps"
MI_LINK = f"{LEARN}/entra/identity/managed-identities-azure-resources/overview"
ARC_LINK = f"{LEARN}/azure/azure-arc/servers/managed-identity-authentication"
WI_LINK = f"{LEARN}/azure/aks/workload-identity-deploy-cluster"
ENV_LINK = f"{LEARN}/python/api/azure-identity/azure.identity.environmentcredential"
CACHE_LINK = f"{LEARN}/python/api/azure-identity/azure.identity.sharedtokencachecredential"
BROKER_LINK = f"{LEARN}/python/api/overview/azure/identity-broker-readme"
CHAIN_LINK = f"{LEARN}/azure/developer/python/sdk/authentication/credential-chains"
DEV_LINK = f"{LEARN}/azure/developer/python/sdk/authentication/local-development-dev-accounts"
TENANT_LINK = f"{LEARN}/python/api/azure-identity/azure.identity.azureclicredential"
CA_LINK = f"{LEARN}/entra/identity/conditional-access/troubleshoot-conditional-access"

AZ, AZD, PWSH = "AzureCliCredential", "AzureDeveloperCliCredential", "AzurePowerShellCredential"
ENV, WI, MI = "EnvironmentCredential", "WorkloadIdentityCredential", "ManagedIdentityCredential"
CACHE, VSCODE, BROKER = "SharedTokenCacheCredential", "VisualStudioCodeCredential", "BrokerCredential"
BROWSER = "InteractiveBrowserCredential"
SECRET_CREDENTIALS = (ENV, "ClientSecretCredential", "CertificateCredential", WI)
GENERIC = "generic"
NOTHING_CONFIGURED = "nothing-configured"
TOKEN_CREDENTIALS = "token-credentials"


@dataclass(frozen=True)
class Remedy:
    id: str
    credentials: tuple[str, ...]  # () matches any credential
    pattern: str  # a regular expression searched in the failure message (case-insensitive)
    explanation: str
    link: str
    command: str = ""  # "sign-in" for the credential's own sign-in command, else a template

    def matches(self, credential: str, message: str) -> bool:
        if self.credentials and credential not in self.credentials:
            return False
        return re.search(self.pattern, message, re.IGNORECASE | re.DOTALL) is not None


def _r(id: str, credentials: tuple[str, ...], pattern: str, explanation: str, link: str, command: str = "") -> Remedy:
    return Remedy(id, credentials, pattern, explanation, link, command)


REMEDIES: tuple[Remedy, ...] = (
    # ---- the request's own input (nothing was contacted) ---------------------------------------------
    _r(
        "scope-invalid",
        (),
        r"invalid scope was provided",
        "The scope {scope_shown} is not valid: a scope holds only letters, digits and '.', '-', '_', ':', '/' "
        "(for example https://management.azure.com/.default); give another with --scope.",
        CHAIN_LINK,
    ),
    _r(
        "tenant-invalid",
        (),
        r"Invalid tenant ID provided",
        "The tenant {tenant_shown} is not a tenant id: one holds only letters, digits, '.' and '-' (a GUID or "
        "a domain such as contoso.onmicrosoft.com); correct it.",
        ERROR_CODES,
    ),
    _r(
        "authority-invalid",
        (),
        r"should consist of an https url with hostname",
        "{authority_value} does not name an authority host: set it to one such as login.microsoftonline.com, "
        "or unset it.",
        ERROR_CODES,
    ),
    # ---- Entra ID errors (any credential that talks to Entra) --------------------------------------
    _r(
        "aadsts-revoked",
        (),
        r"AADSTS(50173|700082|70043|70008)\b",
        "The refresh token was revoked or has expired (a password change, a sign-out, or months unused): "
        "sign in again.",
        ERROR_CODES,
        "sign-in",
    ),
    _r(
        "aadsts-mfa",
        (),
        r"AADSTS(50076|50079|53003|530003)\b",
        "Multi-factor authentication or a Conditional Access policy blocks this sign-in: sign in "
        "interactively, from a device and place the policy allows.",
        CA_LINK,
        "sign-in",
    ),
    _r(
        "aadsts-tenant",
        (),
        r"AADSTS(50020|90002)\b",
        "The account does not belong to this tenant, or the tenant does not exist: check AZURE_TENANT_ID and "
        "the request's tenant, or have the account invited as a guest.",
        ERROR_CODES,
        "sign-in",
    ),
    _r(
        "aadsts-app",
        (),
        r"AADSTS(700016|7000215|7000222)\b",
        "The app registration is not in this tenant, or its client secret is wrong or expired: create a new "
        "secret and put it in AZURE_CLIENT_SECRET.",
        ERROR_CODES,
        "az ad app credential reset --id {client_id} --append",
    ),
    _r(
        "aadsts-consent",
        (),
        r"AADSTS65001\b",
        "Nobody has consented to this app calling the resource: an administrator must grant consent.",
        ERROR_CODES,
        "az ad app permission admin-consent --id {client_id}",
    ),
    _r(
        "aadsts-redirect",
        (),
        r"AADSTS50011\b",
        "The redirect URI the sign-in used is not registered on the app: add http://localhost as a "
        "'Mobile and desktop applications' redirect URI.",
        ERROR_CODES,
    ),
    _r(
        "aadsts-scope",
        (),
        r"AADSTS(500011|70011)\b",
        "The resource or scope of the request is unknown in this tenant or malformed: check the scope ({scope}).",
        ERROR_CODES,
    ),
    _r(
        "aadsts-password",
        (),
        r"AADSTS50126\b",
        "Wrong user name or password (or the account signs in through a federated provider).",
        ERROR_CODES,
    ),
    _r(
        "aadsts-user",
        (),
        r"AADSTS(50034|50057)\b",
        "The user does not exist in this tenant, or the account is disabled.",
        ERROR_CODES,
        "sign-in",
    ),
    _r(
        "aadsts-session",
        (),
        r"AADSTS50058\b",
        "No signed-in session was found: sign in interactively.",
        ERROR_CODES,
        "sign-in",
    ),
    _r(
        "aadsts-federated",
        (),
        r"AADSTS(700213|70021|700211|700212|700024)\b",
        "No federated credential on the app matches the presented token (issuer, subject or audience): add one "
        "for this workload.",
        WI_LINK,
    ),
    _r(
        "aadsts-other",
        (),
        r"AADSTS\d+",
        "Microsoft Entra ID refused the request; its error code says why.",
        ERROR_CODES,
    ),
    # ---- the request's tenant ----------------------------------------------------------------------
    _r(
        "tenant-not-allowed",
        (),
        r"not configured to acquire tokens for tenant",
        "The request asked for a tenant this credential is not configured for (through get_token_info, as "
        "SDK clients call it, an empty tenant counts too): request its own tenant, or list the other one in "
        "additionally_allowed_tenants.",
        TENANT_LINK,
    ),
    # ---- developer tools ----------------------------------------------------------------------------
    _r(
        "az-missing",
        (AZ,),
        r"Azure CLI not found|az: not found|'az' is not recognized",
        "The Azure CLI is not installed (or not on PATH): install it, then sign in.",
        AZ_LINK,
        "sign-in",
    ),
    _r(
        "az-not-signed-in",
        (AZ,),
        r"az login|az account set|No subscription found",
        "The Azure CLI has no usable sign-in: sign in.",
        AZ_LINK,
        "sign-in",
    ),
    _r(
        "az-claims",
        (AZ,),
        r"claims challenge",
        "The resource asked for more claims (a Conditional Access step-up): sign in again with them.",
        AZ_LINK,
        "sign-in",
    ),
    _r(
        "az-output",
        (AZ,),
        r".",  # whatever else az printed instead of a token
        "az ran but did not print a token: run the command yourself to see what it says.",
        AZ_LINK,
        "az account get-access-token --output json{scope: --scope {}}{tenant: --tenant {}}",
    ),
    _r(
        "azd-missing",
        (AZD,),
        r"could not be found|azd\) not found|azd: not found|'azd' is not recognized",
        "The Azure Developer CLI is not installed (or not on PATH): install it, then sign in.",
        AZD_LINK,
        "sign-in",
    ),
    _r(
        "azd-not-signed-in",
        (AZD,),
        r"azd auth login|not logged in",
        "The Azure Developer CLI is not signed in: sign in.",
        AZD_LINK,
        "sign-in",
    ),
    _r(
        "azd-output",
        (AZD,),
        r".",  # whatever else azd printed instead of a token
        "azd ran but did not print a token (often an update notice or a broken install mixed into its "
        "output): run the command yourself, and update azd.",
        AZD_LINK,
        "azd auth token --output json{scope: --scope {}}{tenant: --tenant-id {}}",
    ),
    _r(
        "pwsh-missing",
        (PWSH,),
        r"PowerShell is not installed|pwsh\) not found|Failed to invoke PowerShell\.\n",
        "PowerShell 7 (pwsh) is not installed or not on PATH: install it and the Az.Accounts module.",
        PWSH_LINK,
        "Install-Module -Name Az.Accounts -Scope CurrentUser",
    ),
    _r(
        "pwsh-module",
        (PWSH,),
        r"Az\.Accounts? module",
        "PowerShell has no Az.Accounts module (2.2.0 or later): install it, then sign in.",
        PWSH_LINK,
        "Install-Module -Name Az.Accounts -Scope CurrentUser",
    ),
    _r(
        "pwsh-policy",
        (PWSH,),
        r"Execution policy",
        "PowerShell's execution policy blocks scripts: allow signed scripts for your user.",
        PWSH_LINK,
        "Set-ExecutionPolicy -Scope CurrentUser RemoteSigned",
    ),
    _r(
        "pwsh-not-signed-in",
        (PWSH,),
        r"Connect-AzAccount|autosave|signed in|Run Connect",
        "Azure PowerShell is not signed in: sign in.",
        PWSH_LINK,
        "sign-in",
    ),
    _r(
        "pwsh-output",
        (PWSH,),
        r".",  # whatever else PowerShell printed instead of a token
        "Azure PowerShell ran but did not return a token: run Get-AzAccessToken yourself to see why.",
        PWSH_LINK,
        "Get-AzAccessToken",
    ),
    # ---- managed identity ----------------------------------------------------------------------------
    _r(
        "mi-endpoint-url",
        (MI,),
        r"No connection adapters were found|Invalid URL|Failed to parse|No scheme supplied|Invalid IPv6 URL|"
        r"Invalid port",
        "{mi_endpoint} is not a usable http URL, so nothing was contacted: correct it or unset it (on Azure "
        "the platform sets it).",
        MI_LINK,
    ),
    _r(
        "mi-arc-key",
        (MI,),
        r"azcmagent|Azure Arc|himds|WWW-Authenticate",
        "Azure Arc hands its token only to callers that can read the key file in /var/opt/azcmagent/tokens: on "
        "an Arc server add your user to the himds group; in the sandbox run your command through "
        "`chainsight sandbox exec --isolate-network`, which gives it a private copy of that folder.",
        ARC_LINK,
        "chainsight sandbox exec --isolate-network --scenario {scenario} -- chainsight run",
    ),
    _r(
        "mi-no-identity",
        (MI,),
        r"No identity has been assigned",
        "No managed identity is assigned to this resource: turn on its system-assigned identity, or assign a "
        "user-assigned one and put its client id in AZURE_CLIENT_ID.",
        MI_LINK,
    ),
    _r(
        "mi-identity-unknown",
        (MI,),
        r"Identity not found|No User Assigned|identity.*not.*assigned",
        "The managed identity endpoint does not know the identity it was asked for ({mi_identity}): assign "
        "that identity to this resource, or correct AZURE_CLIENT_ID / managed_identity_client_id.",
        MI_LINK,
    ),
    _r(
        "mi-unreachable",
        (MI,),
        r"no response from the IMDS|Network is unreachable|unreachable|timed out|"
        r"Connection refused|No managed identity endpoint found|could not be determined|IMDS: no response|"
        r"no managed identity platform detected",
        "No managed identity endpoint answered: this is not an Azure resource with a managed identity (or "
        "IMDS is blocked). Off Azure, sign in with a developer tool instead.",
        MI_LINK,
        "sign-in:az",
    ),
    _r(
        "mi-config",
        (MI,),
        r"client_id|identity_config|Cloud Shell|Service Fabric|IDENTITY_ENDPOINT|"
        r"Workload identity was selected",
        "The managed identity's configuration is inconsistent for this host: check AZURE_CLIENT_ID and the "
        "managed_identity_client_id option.",
        MI_LINK,
    ),
    _r(
        "mi-other",
        (MI,),
        r".",
        "The managed identity endpoint answered with an error: check the identity's assignment and the "
        "endpoint's health.",
        MI_LINK,
    ),
    # ---- workload identity --------------------------------------------------------------------------
    _r(
        "wi-missing",
        (WI,),
        r"not fully configured|Missing required arguments",
        "WorkloadIdentityCredential needs AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE "
        "({missing} missing). On AKS the workload identity webhook sets them in pods labelled "
        'azure.workload.identity/use: "true" whose service account is annotated '
        "azure.workload.identity/client-id; elsewhere this member is not meant to work.",
        WI_LINK,
    ),
    _r(
        "wi-token-file",
        (WI,),
        r"No such file|token file|FileNotFoundError",
        "The federated token file (AZURE_FEDERATED_TOKEN_FILE) cannot be read: the webhook mounts it only in "
        "pods using a service account annotated for workload identity.",
        WI_LINK,
    ),
    _r(
        "wi-token-file-unusable",
        (WI,),
        r"Is a directory|not a regular file|codec can't decode|Permission denied",
        "The federated token file {token_file} {file_problem}: it must be a text file holding the service "
        "account token, as the workload identity webhook mounts it.",
        WI_LINK,
    ),
    _r(
        "wi-exchange",
        (WI,),
        r".",
        "Entra ID refused or garbled the token exchange: the app needs a federated credential whose issuer is "
        "the cluster's OIDC issuer and whose subject is system:serviceaccount:<namespace>:<service account>.",
        WI_LINK,
    ),
    # ---- EnvironmentCredential ---------------------------------------------------------------------
    _r(
        "env-not-configured",
        (ENV,),
        # azure-identity's words, then the probe's ("X set but Y missing", "only AZURE_CLIENT_ID set", "no …")
        r"not fully configured|Incomplete environment|No environment configuration|set but .* missing|"
        r"^only AZURE_\w+|^no AZURE_CLIENT_ID",
        "EnvironmentCredential is not configured: {env_missing}. Set them for a service principal, or ignore "
        "this member on a developer machine.",
        ENV_LINK,
    ),
    _r(
        "env-certificate",
        (ENV, "CertificateCredential"),
        r"certificate|PEM|PKCS|No such file",
        "The certificate in AZURE_CLIENT_CERTIFICATE_PATH cannot be used (missing, wrong password or not a "
        "PEM/PKCS12 file with a private key).",
        ENV_LINK,
    ),
    _r(
        "env-authority",
        SECRET_CREDENTIALS,
        r"Connection|resolve|SSL|certificate verify|authority",
        "The Entra ID authority could not be reached{authority_note}: check AZURE_AUTHORITY_HOST, the proxy and the "
        "CA bundle.",
        ERROR_CODES,
    ),
    # ---- user credentials -----------------------------------------------------------------------------
    _r(
        "cache-several",
        (CACHE,),
        r"Multiple accounts",
        "The shared token cache holds several accounts: set AZURE_USERNAME to the one to use (shared_cache_username).",
        CACHE_LINK,
    ),
    _r(
        "cache-none",
        (CACHE,),
        r"No account|No accounts|not supported on this platform|cache unavailable|"
        r"Shared token cache unavailable",
        "Nothing usable is signed in to the shared token cache (Visual Studio's): sign in with a developer "
        "tool instead, or exclude this member.",
        CACHE_LINK,
        "sign-in:az",
    ),
    _r(
        "cache-token",
        (CACHE,),
        r"re-authenticate|Token acquisition failed",
        "The cached account's sign-in no longer works: sign in again with the tool that wrote the cache.",
        CACHE_LINK,
        "sign-in:az",
    ),
    _r(
        "cache-damaged",
        (CACHE,),
        r".",
        "The shared token cache {cache_file} {cache_problem}: remove it and sign in again with the tool that "
        "writes it.",
        CACHE_LINK,
    ),
    _r(
        "broker-package",
        (VSCODE, BROKER),
        r"azure-identity-broker",
        "This credential needs the azure-identity-broker package in your app's environment (and for VS Code, "
        "the Azure Resources extension signed in).",
        BROKER_LINK,
        "pip install azure-identity-broker",
    ),
    _r(
        "broker-platform",
        (VSCODE, BROKER),
        r"only supported on Windows|WSL|initialization failed",
        "Brokered sign-in works on Windows and WSL only: use a developer tool here.",
        BROKER_LINK,
        "sign-in:az",
    ),
    _r(
        "vscode-sign-in",
        (VSCODE,),
        r"Visual Studio Code|authentication record|Azure Resources",
        "Sign in to Azure in VS Code (Azure Resources extension), with azure-identity-broker installed.",
        DEV_LINK,
        "pip install azure-identity-broker",
    ),
    _r(
        "browser-timeout",
        (BROWSER,),
        r"Timed out|Failed to open a browser|Couldn't start an HTTP server|"
        r"Failed to begin authentication flow|scopes",
        "The browser sign-in did not complete: a browser must be available and the sign-in finished in time.",
        DEV_LINK,
    ),
    _r(
        "password-flow",
        ("UsernamePasswordCredential",),
        r".",
        "Username/password sign-in is deprecated and fails for MFA accounts: use a developer tool instead.",
        DEV_LINK,
        "sign-in:az",
    ),
    _r(
        "secret-flow",
        ("ClientSecretCredential",),
        r".",
        "The service principal could not sign in: check its tenant, client id and secret.",
        ERROR_CODES,
    ),
)

GENERIC_REMEDY = _r(GENERIC, (), r".", "Read the message above; the troubleshooting guide lists each case.", CHAIN_LINK)
NOTHING_REMEDY = _r(
    NOTHING_CONFIGURED,
    (),
    r".",
    "Nothing on this machine can sign in yet: sign in with the Azure CLI, or open a sandbox scenario "
    "(menu Sandbox, or `chainsight --sandbox laptop-az`) to explore how a chain behaves.",
    DEV_LINK,
    "sign-in:az",
)
TOKEN_CREDENTIALS_REMEDY = _r(
    TOKEN_CREDENTIALS,
    (),
    r".",
    "AZURE_TOKEN_CREDENTIALS={value} narrows DefaultAzureCredential to {members}: unset it to try the whole chain.",
    CHAIN_LINK,
    "unset AZURE_TOKEN_CREDENTIALS",
)
