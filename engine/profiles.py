"""How each azure-identity version builds DefaultAzureCredential: data, not a code path per version."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Member:
    """One credential of DefaultAzureCredential's chain."""

    key: str  # short name used in exclude_* options and ChainSpec files
    credential: str  # azure-identity class name
    exclude_option: str
    excluded_by_default: bool = False


ENVIRONMENT = Member("environment", "EnvironmentCredential", "exclude_environment_credential")
WORKLOAD_IDENTITY = Member("workload_identity", "WorkloadIdentityCredential", "exclude_workload_identity_credential")
MANAGED_IDENTITY = Member("managed_identity", "ManagedIdentityCredential", "exclude_managed_identity_credential")
SHARED_CACHE = Member("shared_token_cache", "SharedTokenCacheCredential", "exclude_shared_token_cache_credential")
VSCODE_ON = Member("visual_studio_code", "VisualStudioCodeCredential", "exclude_visual_studio_code_credential")
VSCODE_OFF = Member("visual_studio_code", "VisualStudioCodeCredential", "exclude_visual_studio_code_credential", True)
CLI = Member("cli", "AzureCliCredential", "exclude_cli_credential")
POWERSHELL = Member("powershell", "AzurePowerShellCredential", "exclude_powershell_credential")
DEVELOPER_CLI = Member("developer_cli", "AzureDeveloperCliCredential", "exclude_developer_cli_credential")
INTERACTIVE = Member(
    "interactive_browser", "InteractiveBrowserCredential", "exclude_interactive_browser_credential", True
)
BROKER = Member("broker", "BrokerCredential", "exclude_broker_credential")

# AZURE_TOKEN_CREDENTIALS handling, by version.
TOKEN_CREDENTIALS_NONE = "none"  # the variable is ignored
TOKEN_CREDENTIALS_DEV_PROD = "dev-prod"  # dev/prod only; the variable's exclusions win over exclude_*=False
TOKEN_CREDENTIALS_FULL = "full"  # dev/prod/single names; explicit exclude_* override either way

# How a WorkloadIdentityCredential that cannot be built is handled.
WORKLOAD_PLACEHOLDER = "placeholder"  # FailedDACCredential stands in (1.24+)
WORKLOAD_ENV_GATED = "env-gated"  # built only when AZURE_AUTHORITY_HOST, tenant and token file are set


@dataclass(frozen=True)
class Profile:
    name: str  # "1.27"
    version: str  # "1.27.0"
    members: tuple[Member, ...]
    token_credentials: str
    dev: frozenset[str] = frozenset()
    prod: frozenset[str] = frozenset()
    single_names: tuple[str, ...] = ()  # keys selectable by name, in the error message's order
    require_envvar: bool = False
    workload_identity: str = WORKLOAD_PLACEHOLDER
    messages: dict = field(default_factory=dict)
    # DefaultAzureCredential keyword arguments this version reads (others go to **kwargs).
    options: tuple[str, ...] = ()

    @property
    def member_keys(self) -> tuple[str, ...]:
        return tuple(m.key for m in self.members)

    def member(self, key: str) -> Member:
        return next(m for m in self.members if m.key == key)

    def by_class(self, credential: str) -> Member:
        return next(m for m in self.members if m.credential == credential)


_COMMON_OPTIONS = (
    "authority",
    "managed_identity_client_id",
    "workload_identity_client_id",
    "workload_identity_tenant_id",
    "interactive_browser_tenant_id",
    "interactive_browser_client_id",
    "shared_cache_username",
    "shared_cache_tenant_id",
    "visual_studio_code_tenant_id",
    "process_timeout",
)

_SINGLE_NAMES_127 = (
    ("azureclicredential", "cli"),
    ("azuredeveloperclicredential", "developer_cli"),
    ("azurepowershellcredential", "powershell"),
    ("environmentcredential", "environment"),
    ("interactivebrowsercredential", "interactive_browser"),
    ("managedidentitycredential", "managed_identity"),
    ("visualstudiocodecredential", "visual_studio_code"),
    ("workloadidentitycredential", "workload_identity"),
)

PROFILE_1_27 = Profile(
    name="1.27",
    version="1.27.0",
    members=(
        ENVIRONMENT,
        WORKLOAD_IDENTITY,
        MANAGED_IDENTITY,
        SHARED_CACHE,
        VSCODE_ON,
        CLI,
        POWERSHELL,
        DEVELOPER_CLI,
        INTERACTIVE,
        BROKER,
    ),
    token_credentials=TOKEN_CREDENTIALS_FULL,
    dev=frozenset({"shared_token_cache", "visual_studio_code", "cli", "developer_cli", "powershell", "broker"}),
    prod=frozenset({"environment", "workload_identity", "managed_identity"}),
    single_names=tuple(name for name, _ in _SINGLE_NAMES_127),
    require_envvar=True,
    workload_identity=WORKLOAD_PLACEHOLDER,
    messages={
        "invalid_token_credentials": (
            "Invalid value for AZURE_TOKEN_CREDENTIALS: {value}. Valid values are: dev, prod, "
            + ", ".join(name for name, _ in _SINGLE_NAMES_127)
            + "."
        ),
    },
    options=(*_COMMON_OPTIONS, "broker_tenant_id", "broker_client_id", "require_envvar"),
)

PROFILE_1_23 = Profile(
    name="1.23",
    version="1.23.0",
    members=(
        ENVIRONMENT,
        WORKLOAD_IDENTITY,
        MANAGED_IDENTITY,
        SHARED_CACHE,
        VSCODE_OFF,
        CLI,
        POWERSHELL,
        DEVELOPER_CLI,
        INTERACTIVE,
    ),
    token_credentials=TOKEN_CREDENTIALS_DEV_PROD,
    # 1.23 names what each value *excludes*; everything not excluded keeps its own default.
    dev=frozenset({"environment", "workload_identity", "managed_identity"}),
    prod=frozenset(
        {"shared_token_cache", "visual_studio_code", "cli", "powershell", "developer_cli", "interactive_browser"}
    ),
    workload_identity=WORKLOAD_ENV_GATED,
    messages={
        "invalid_token_credentials": "Invalid value for AZURE_TOKEN_CREDENTIALS: {value}. "
        "Valid values are 'dev' or 'prod'.",
        "workload_no_client_id": "'client_id' is required. Please pass it in or set the AZURE_CLIENT_ID "
        "environment variable",
    },
    options=_COMMON_OPTIONS,
)

PROFILE_1_19 = Profile(
    name="1.19",
    version="1.19.0",
    members=PROFILE_1_23.members,
    token_credentials=TOKEN_CREDENTIALS_NONE,
    workload_identity=WORKLOAD_ENV_GATED,
    messages={
        "workload_no_client_id": PROFILE_1_23.messages["workload_no_client_id"],
        "managed_identity_no_client_id": "Configure the environment with a client ID or pass a value for "
        '"client_id" argument',
    },
    options=_COMMON_OPTIONS,
)

PROFILES = {p.name: p for p in (PROFILE_1_27, PROFILE_1_23, PROFILE_1_19)}
DEFAULT_PROFILE = PROFILE_1_27.name


def get_profile(name: str | Profile | None) -> Profile:
    """A profile by name ("1.27", "1.27.0" or "latest")."""
    if isinstance(name, Profile):
        return name
    if name in (None, "", "latest"):
        return PROFILES[DEFAULT_PROFILE]
    short = ".".join(str(name).split(".")[:2])
    if short not in PROFILES:
        raise ValueError(f"unknown azure-identity profile {name!r}; known: {', '.join(PROFILES)}")
    return PROFILES[short]
