"""Each azure-identity release's whole behaviour, held as data.

``CHANGES`` is the one table of behaviour changes between releases: every row names the release a
change arrived in and the switch it turns on. A profile for a release is the set of switches of
every row up to it, and the chain it builds follows from those switches; credentials ask their
profile (``profile.has(SWITCH)``) and never compare versions themselves. A new release is a few rows
here plus, where it changed a credential, the code behind a new switch. Every row was read in the
released sources (``pip download azure-identity==X``) and is proved by tests/oracle/test_releases_oracle.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

# ---- switches: what a change turns on --------------------------------------------------------
TOOLS_SPAWNED_DIRECTLY = "tools-spawned-directly"  # az/azd run as [path, args...], not /bin/sh -c "az ..."
TOOL_ARGV_LOGGED = "tool-argv-logged"  # az/azd log "Executing subprocess with the following arguments ..."
CLI_SUBSCRIPTION = "cli-subscription"  # AzureCliCredential(subscription=...)
MI_WORKLOAD_CLIENT_ID_PREFIX = "mi-workload-client-id-prefix"  # "Workload identity was selected but no client ID..."
MI_LOG_IDENTITY = "mi-log-identity"  # "... will use IMDS with client_id: X"
ATC_DEV_PROD = "token-credentials-dev-prod"  # AZURE_TOKEN_CREDENTIALS = dev | prod
AZ_CMD_ON_WINDOWS = "az-cmd-on-windows"  # on Windows az.cmd is looked for first
PWSH_SCRIPT_SECURESTRING_BY_TYPE = "pwsh-script-securestring-by-type"  # 1.23.1's Get-AzAccessToken script
ATC_SINGLE_NAMES = "token-credentials-single-names"  # ... or one credential's name; exclude_* win
BROKER_MEMBER = "broker-member"  # BrokerCredential ends DefaultAzureCredential's chain
WORKLOAD_FAILED_PLACEHOLDER = "workload-placeholder"  # an unbuildable WorkloadIdentityCredential stays, unavailable
VSCODE_BROKER = "vscode-broker"  # VisualStudioCodeCredential reads the Azure Resources auth record
IMDS_RETRY_POLICY = "imds-retry-policy"  # IMDS: 5 retries incl. 404/410, 2.5x backoff after 410
DAC_FLAG_RESET_ON_ERROR = "dac-flag-reset-on-error"  # a failed walk no longer leaves within_dac set
CHAIN_CREDENTIAL_NAME = "chain-credential-name"  # the aggregated error names a placeholder as what it stands for
ATC_DEV_HAS_BROKER = "token-credentials-dev-has-broker"
REQUIRE_ENVVAR = "require-envvar"  # DefaultAzureCredential(require_envvar=True)
IMDS_PROBE_SWITCH = "imds-probe-switch"  # no IMDS probe when AZURE_TOKEN_CREDENTIALS=managedidentitycredential
SHARED_CACHE_SOFTENED = "shared-cache-softened"  # a rejected refresh token is "unavailable" inside DAC
SHARED_CACHE_BUILD_UNGUARDED = "shared-cache-build-unguarded"  # DAC no longer swallows its constructor's errors
CLAIMS_REFUSED_BY_CLI = "claims-refused-by-cli"  # az/pwsh refuse claims ("--claims-challenge" hint)
AZD_CLAIMS = "azd-claims"  # azd gets --claims <base64>
AZD_NO_PROMPT = "azd-no-prompt"  # azd auth token ... --no-prompt
AZD_STDOUT_CLASSIFIED = "azd-stdout-classified"  # "not logged in" is looked for in stdout too; JSON messages
MI_CLAIMS = "mi-claims"  # managed identity passes claims to msal
MI_TOKEN_REQUEST_ERROR = "mi-token-request-error"  # "Token request error: (code) description"
ORGANIZATIONS_TENANT = "organizations-tenant"  # a credential on "organizations" may use any requested tenant
AZD_STRUCTURED_ERRORS = "azd-structured-errors"  # azd's {"error": ...} line wins over consoleMessage lines


@dataclass(frozen=True)
class Change:
    """One behaviour change: the release it arrived in and the switch it turns on."""

    release: str
    switch: str
    summary: str


CHANGES: tuple[Change, ...] = (
    Change("1.20.0", TOOLS_SPAWNED_DIRECTLY, "az and azd run directly, no /bin/sh -c command string"),
    Change("1.20.0", TOOL_ARGV_LOGGED, "az and azd log the argv they spawn at DEBUG"),
    Change("1.20.0", CLI_SUBSCRIPTION, "AzureCliCredential takes subscription="),
    Change("1.21.0", MI_WORKLOAD_CLIENT_ID_PREFIX, "managed identity's workload error names what was selected"),
    Change("1.21.0", MI_LOG_IDENTITY, "managed identity logs the user-assigned id it will use"),
    Change("1.23.0", ATC_DEV_PROD, "AZURE_TOKEN_CREDENTIALS=dev|prod excludes the other group"),
    Change("1.23.1", AZ_CMD_ON_WINDOWS, "on Windows AzureCliCredential looks for az.cmd before az"),
    Change("1.23.1", PWSH_SCRIPT_SECURESTRING_BY_TYPE, "PowerShell script converts a SecureString by its type"),
    Change("1.24.0", ATC_SINGLE_NAMES, "AZURE_TOKEN_CREDENTIALS names one credential; exclude_* win"),
    Change("1.24.0", BROKER_MEMBER, "BrokerCredential joins DefaultAzureCredential"),
    Change(
        "1.24.0", WORKLOAD_FAILED_PLACEHOLDER, "an unbuildable WorkloadIdentityCredential reports itself unavailable"
    ),
    Change("1.24.0", VSCODE_BROKER, "VisualStudioCodeCredential uses the Azure Resources extension; on by default"),
    Change("1.24.0", IMDS_RETRY_POLICY, "IMDS retries 404, 410, 429 and 5xx five times"),
    Change("1.24.0", DAC_FLAG_RESET_ON_ERROR, "DefaultAzureCredential resets within_dac when its walk raises"),
    Change("1.24.0", CHAIN_CREDENTIAL_NAME, "the aggregated error names placeholders by the credential they stand for"),
    Change("1.25.0", ATC_DEV_HAS_BROKER, "AZURE_TOKEN_CREDENTIALS=dev keeps the broker"),
    Change("1.25.0", REQUIRE_ENVVAR, "DefaultAzureCredential(require_envvar=True)"),
    Change("1.25.0", IMDS_PROBE_SWITCH, "no IMDS probe when AZURE_TOKEN_CREDENTIALS selects managed identity"),
    Change("1.25.0", SHARED_CACHE_SOFTENED, "a rejected cached refresh token no longer stops DefaultAzureCredential"),
    Change("1.25.0", SHARED_CACHE_BUILD_UNGUARDED, "SharedTokenCacheCredential construction errors escape"),
    Change("1.25.0", CLAIMS_REFUSED_BY_CLI, "az and PowerShell refuse a claims challenge"),
    Change("1.25.0", AZD_CLAIMS, "azd receives claims as --claims"),
    Change("1.25.0", AZD_NO_PROMPT, "azd runs with --no-prompt"),
    Change("1.25.0", AZD_STDOUT_CLASSIFIED, "azd's stdout is classified too; its JSON messages are shown"),
    Change("1.25.0", MI_CLAIMS, "managed identity passes claims on"),
    Change("1.25.0", MI_TOKEN_REQUEST_ERROR, "managed identity errors read 'Token request error: (code) text'"),
    Change("1.25.0", ORGANIZATIONS_TENANT, "a credential on 'organizations' accepts any requested tenant"),
    Change("1.27.0", AZD_STRUCTURED_ERRORS, "azd's structured error line is preferred"),
)

# The latest patch of every minor release a profile stands for.
RELEASES = ("1.19.0", "1.20.0", "1.21.0", "1.22.0", "1.23.1", "1.24.0", "1.25.3", "1.26.0", "1.27.0")


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")[:3])


def switches_up_to(version: str) -> frozenset[str]:
    """Every switch of every change that arrived in ``version`` or before."""
    return frozenset(c.switch for c in CHANGES if _key(c.release) <= _key(version))


# ---- DefaultAzureCredential's members ----------------------------------------------------------
@dataclass(frozen=True)
class Member:
    """One credential of DefaultAzureCredential's chain."""

    key: str  # short name used in exclude_* options and ChainSpec files
    credential: str  # azure-identity class name
    exclude_option: str
    excluded_by_default: bool = False
    token_credentials_name: bool = True  # AZURE_TOKEN_CREDENTIALS may name it (1.24+)


ENVIRONMENT = Member("environment", "EnvironmentCredential", "exclude_environment_credential")
WORKLOAD_IDENTITY = Member("workload_identity", "WorkloadIdentityCredential", "exclude_workload_identity_credential")
MANAGED_IDENTITY = Member("managed_identity", "ManagedIdentityCredential", "exclude_managed_identity_credential")
SHARED_CACHE = Member(
    "shared_token_cache", "SharedTokenCacheCredential", "exclude_shared_token_cache_credential", False, False
)
VSCODE_ON = Member("visual_studio_code", "VisualStudioCodeCredential", "exclude_visual_studio_code_credential")
VSCODE_OFF = Member("visual_studio_code", "VisualStudioCodeCredential", "exclude_visual_studio_code_credential", True)
CLI = Member("cli", "AzureCliCredential", "exclude_cli_credential")
POWERSHELL = Member("powershell", "AzurePowerShellCredential", "exclude_powershell_credential")
DEVELOPER_CLI = Member("developer_cli", "AzureDeveloperCliCredential", "exclude_developer_cli_credential")
INTERACTIVE = Member(
    "interactive_browser", "InteractiveBrowserCredential", "exclude_interactive_browser_credential", True
)
BROKER = Member("broker", "BrokerCredential", "exclude_broker_credential", False, False)

# AZURE_TOKEN_CREDENTIALS handling.
TOKEN_CREDENTIALS_NONE = "none"  # the variable is ignored
TOKEN_CREDENTIALS_DEV_PROD = "dev-prod"  # dev/prod only; the variable's exclusions win over exclude_*=False
TOKEN_CREDENTIALS_FULL = "full"  # dev/prod/single names; explicit exclude_* override either way

# How a WorkloadIdentityCredential that cannot be built is handled.
WORKLOAD_PLACEHOLDER = "placeholder"  # FailedDACCredential stands in (1.24+)
WORKLOAD_ENV_GATED = "env-gated"  # built only when AZURE_AUTHORITY_HOST, tenant and token file are set

_PROD = frozenset({"environment", "workload_identity", "managed_identity"})
_DEV = frozenset({"shared_token_cache", "visual_studio_code", "cli", "developer_cli", "powershell"})
_DEV_PROD_EXCLUDES = {  # 1.23 names what each value *excludes*; the rest keep their own defaults
    "dev": _PROD,
    "prod": _DEV | {"interactive_browser"},
}
_INVALID_DEV_PROD = "Invalid value for AZURE_TOKEN_CREDENTIALS: {value}. Valid values are 'dev' or 'prod'."
_INVALID_FULL = "Invalid value for AZURE_TOKEN_CREDENTIALS: {value}. Valid values are: dev, prod, {names}."
_WORKLOAD_NO_CLIENT_ID = "'client_id' is required. Please pass it in or set the AZURE_CLIENT_ID environment variable"
_MI_NO_CLIENT_ID = 'Configure the environment with a client ID or pass a value for "client_id" argument'


@dataclass(frozen=True)
class Profile:
    name: str  # "1.27"
    version: str  # "1.27.0"
    switches: frozenset[str] = field(default_factory=frozenset)

    def has(self, switch: str) -> bool:
        """Whether this release has the behaviour ``switch`` names."""
        return switch in self.switches

    # ---- DefaultAzureCredential's construction, derived from the switches ----------------------
    @property
    def members(self) -> tuple[Member, ...]:
        vscode = VSCODE_ON if self.has(VSCODE_BROKER) else VSCODE_OFF
        members = (ENVIRONMENT, WORKLOAD_IDENTITY, MANAGED_IDENTITY, SHARED_CACHE, vscode, CLI, POWERSHELL)
        members += (DEVELOPER_CLI, INTERACTIVE)
        return members + ((BROKER,) if self.has(BROKER_MEMBER) else ())

    @property
    def token_credentials(self) -> str:
        if self.has(ATC_SINGLE_NAMES):
            return TOKEN_CREDENTIALS_FULL
        if self.has(ATC_DEV_PROD):
            return TOKEN_CREDENTIALS_DEV_PROD
        return TOKEN_CREDENTIALS_NONE

    @property
    def dev(self) -> frozenset[str]:
        if self.token_credentials == TOKEN_CREDENTIALS_DEV_PROD:
            return _DEV_PROD_EXCLUDES["dev"]
        if self.token_credentials == TOKEN_CREDENTIALS_NONE:
            return frozenset()
        return _DEV | ({"broker"} if self.has(ATC_DEV_HAS_BROKER) else set())

    @property
    def prod(self) -> frozenset[str]:
        if self.token_credentials == TOKEN_CREDENTIALS_DEV_PROD:
            return frozenset(_DEV_PROD_EXCLUDES["prod"])
        return _PROD if self.token_credentials == TOKEN_CREDENTIALS_FULL else frozenset()

    @property
    def single_names(self) -> tuple[str, ...]:
        """Credential names AZURE_TOKEN_CREDENTIALS accepts, in the error message's (sorted) order."""
        if self.token_credentials != TOKEN_CREDENTIALS_FULL:
            return ()
        return tuple(sorted(m.credential.lower() for m in self.members if m.token_credentials_name))

    @property
    def require_envvar(self) -> bool:
        return self.has(REQUIRE_ENVVAR)

    @property
    def workload_identity(self) -> str:
        return WORKLOAD_PLACEHOLDER if self.has(WORKLOAD_FAILED_PLACEHOLDER) else WORKLOAD_ENV_GATED

    @property
    def messages(self) -> dict[str, str]:
        messages: dict[str, str] = {}
        if self.token_credentials == TOKEN_CREDENTIALS_FULL:
            messages["invalid_token_credentials"] = _INVALID_FULL.replace("{names}", ", ".join(self.single_names))
        elif self.token_credentials == TOKEN_CREDENTIALS_DEV_PROD:
            messages["invalid_token_credentials"] = _INVALID_DEV_PROD
        if not self.has(WORKLOAD_FAILED_PLACEHOLDER):
            messages["workload_no_client_id"] = _WORKLOAD_NO_CLIENT_ID
        if not self.has(MI_WORKLOAD_CLIENT_ID_PREFIX):
            messages["managed_identity_no_client_id"] = _MI_NO_CLIENT_ID
        return messages

    @property
    def options(self) -> tuple[str, ...]:
        """DefaultAzureCredential keyword arguments this release reads (others go to **kwargs)."""
        from engine.dac_keywords import keywords_of

        return tuple(k.name for k in keywords_of(self) if not k.forwarded)

    @property
    def member_keys(self) -> tuple[str, ...]:
        return tuple(m.key for m in self.members)

    def member(self, key: str) -> Member:
        return next(m for m in self.members if m.key == key)


def profile_for(version: str) -> Profile:
    """The profile of one release, from the change table."""
    return Profile(name=".".join(version.split(".")[:2]), version=version, switches=switches_up_to(version))


PROFILES = {p.name: p for p in (profile_for(v) for v in reversed(RELEASES))}
DEFAULT_PROFILE = "1.27"
UNKNOWN_PROFILE = "unknown azure-identity profile {name!r}; known: {known}"


def get_profile(name: str | Profile | None) -> Profile:
    """A profile by name ("1.27", "1.27.0" or "latest")."""
    if isinstance(name, Profile):
        return name
    if name in (None, "", "latest"):
        return PROFILES[DEFAULT_PROFILE]
    short = ".".join(str(name).split(".")[:2])
    if short not in PROFILES:
        raise ValueError(UNKNOWN_PROFILE.format(name=name, known=", ".join(PROFILES)))
    minor = PROFILES[short]
    # A patch whose behaviour differs from its minor's profile (1.23.0: the older PowerShell script).
    if str(name).count(".") == 2 and _is_version(str(name)) and switches_up_to(str(name)) != minor.switches:
        return profile_for(str(name))
    return minor


def _is_version(text: str) -> bool:
    return all(part.isdigit() for part in text.split("."))


# ---- which release a credential being built behaves as -------------------------------------------
# Set around construction by the chain builders (engine/default.py, engine/build.py); a credential
# captures it in its constructor, so its later get_token calls behave as that release, on any thread.
_building: ContextVar[Profile | None] = ContextVar("chainsight_building_profile", default=None)


def current_profile() -> Profile:
    """The release the credential now being built behaves as (the newest unless a builder says otherwise)."""
    return _building.get() or PROFILES[DEFAULT_PROFILE]


@contextmanager
def building_as(profile: str | Profile | None) -> Iterator[Profile]:
    """Build credentials inside this block as ``profile``'s release."""
    chosen = get_profile(profile)
    token = _building.set(chosen)
    try:
        yield chosen
    finally:
        _building.reset(token)
