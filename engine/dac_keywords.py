"""DefaultAzureCredential's keyword arguments: the one table every part of Chainsight reads.

Each row says what a keyword is (its type), since which release DefaultAzureCredential reads it,
what it defaults to when absent, and which member option it sets. The chain builder
(engine/default.py), the spec loader (engine/spec.py), the profiles, the editor's conversion to a
ChainedTokenCredential (app/gui/chain_state.py) and the exporter (engine/export/equivalence.py) all
derive their views from ``KEYWORDS``; none restates a keyword. ``exclude_*`` keywords come from the
profile's members instead (one per member).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.constants import DEFAULT_PROCESS_TIMEOUT

if TYPE_CHECKING:
    from engine.profiles import Profile

_STR = (str,)
_OPT_STR = (str, type(None))
_NUM = (int, float)
_BOOL = (bool,)
_LIST = (list,)
_DICT = (dict,)


@dataclass(frozen=True)
class Keyword:
    name: str
    types: tuple[type, ...]
    # (credential class, its constructor option) this keyword configures, for that member alone
    members: tuple[tuple[str, str], ...] = ()
    env_default: str | None = None  # the environment variable it defaults to, if any
    since: str = "1.19.0"
    forwarded: bool = False  # not read by DefaultAzureCredential itself: passed on as **kwargs
    default: Any = None  # the value when absent and no variable applies
    env_default_until: str | None = None  # the release that stopped reading ``env_default``


KEYWORDS: tuple[Keyword, ...] = (
    Keyword(
        "authority",
        _STR,
        (("EnvironmentCredential", "authority"), ("SharedTokenCacheCredential", "authority")),
    ),
    Keyword("managed_identity_client_id", _OPT_STR, (("ManagedIdentityCredential", "client_id"),), "AZURE_CLIENT_ID"),
    # defaults to managed_identity_client_id's value (which defaults to AZURE_CLIENT_ID)
    Keyword("workload_identity_client_id", _STR, (("WorkloadIdentityCredential", "client_id"),)),
    Keyword("workload_identity_tenant_id", _STR, (("WorkloadIdentityCredential", "tenant_id"),), "AZURE_TENANT_ID"),
    Keyword("interactive_browser_tenant_id", _STR, (("InteractiveBrowserCredential", "tenant_id"),), "AZURE_TENANT_ID"),
    Keyword("interactive_browser_client_id", _STR, (("InteractiveBrowserCredential", "client_id"),)),
    Keyword("broker_tenant_id", _STR, (("BrokerCredential", "tenant_id"),), "AZURE_TENANT_ID", since="1.24.0"),
    Keyword("broker_client_id", _STR, (("BrokerCredential", "client_id"),), since="1.24.0"),
    Keyword("shared_cache_username", _STR, (("SharedTokenCacheCredential", "username"),), "AZURE_USERNAME"),
    Keyword("shared_cache_tenant_id", _STR, (("SharedTokenCacheCredential", "tenant_id"),), "AZURE_TENANT_ID"),
    Keyword(
        "visual_studio_code_tenant_id",
        _STR,
        (("VisualStudioCodeCredential", "tenant_id"),),
        "AZURE_TENANT_ID",
        env_default_until="1.24.0",
    ),
    Keyword(
        "process_timeout",
        _NUM,
        (
            ("AzureCliCredential", "process_timeout"),
            ("AzurePowerShellCredential", "process_timeout"),
            ("AzureDeveloperCliCredential", "process_timeout"),
        ),
        default=DEFAULT_PROCESS_TIMEOUT,
    ),
    Keyword("require_envvar", _BOOL, since="1.25.0", default=False),
    Keyword("additionally_allowed_tenants", _LIST, forwarded=True),
    Keyword("disable_instance_discovery", _BOOL, forwarded=True),
    Keyword("identity_config", _DICT, forwarded=True),
)


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")[:3])


def keywords_of(profile: Profile) -> tuple[Keyword, ...]:
    """The keywords the profile's release knows."""
    return tuple(k for k in KEYWORDS if _key(k.since) <= _key(profile.version))


def option_types() -> dict[str, tuple[type, ...]]:
    """Keyword -> accepted types, for the spec loader (every release's keywords; the builder checks the release)."""
    return {k.name: k.types for k in KEYWORDS}


def member_options() -> dict[str, tuple[tuple[str, str], ...]]:
    """Credential class -> ((keyword, member option), ...): what converting to a chain carries over."""
    table: dict[str, list[tuple[str, str]]] = {}
    for keyword in KEYWORDS:
        for credential, option in keyword.members:
            table.setdefault(credential, []).append((keyword.name, option))
    return {credential: tuple(pairs) for credential, pairs in table.items()}


def own_keywords() -> dict[str, dict[str, str]]:
    """Credential class -> {member option: keyword} for keywords that configure that member alone."""
    table: dict[str, dict[str, str]] = {}
    for keyword in KEYWORDS:
        if len(keyword.members) == 1:
            credential, option = keyword.members[0]
            table.setdefault(credential, {})[option] = keyword.name
    return table


def shared_keywords() -> dict[str, tuple[frozenset[str], Any]]:
    """Keywords DefaultAzureCredential gives to several members: keyword -> (those members, default)."""
    return {k.name: (frozenset(c for c, _ in k.members), k.default) for k in KEYWORDS if len(k.members) > 1}


def env_default(keyword: Keyword, profile: Profile) -> str | None:
    """The variable ``keyword`` defaults to in the profile's release, if any."""
    if keyword.env_default_until and _key(profile.version) >= _key(keyword.env_default_until):
        return None
    return keyword.env_default


def env_defaulted(credential: str, profile: Profile) -> tuple[str, ...]:
    """Keywords of ``credential`` whose value DefaultAzureCredential takes from the environment when absent."""
    return tuple(
        k.name
        for k in keywords_of(profile)
        if len(k.members) == 1 and k.members[0][0] == credential and env_default(k, profile)
    )


def read(kwargs: dict[str, Any], env: Mapping[str, str], profile: Profile) -> dict[str, Any]:
    """Pop the keywords DefaultAzureCredential reads from ``kwargs``, each with its default applied."""
    values: dict[str, Any] = {}
    for keyword in keywords_of(profile):
        if keyword.forwarded:
            continue
        variable = env_default(keyword, profile)
        if keyword.name == "workload_identity_client_id":
            default = values["managed_identity_client_id"]  # azure-identity's own fallback chain
        else:
            default = env.get(variable) if variable else keyword.default
        values[keyword.name] = kwargs.pop(keyword.name, default)
    return values
