"""Which exported forms behave the same as a ChainSpec, for its azure-identity version.

"The same" means: in every environment, constructing the exported credential succeeds or fails
alike, and one token request tries the same credentials in the same order, with the same settings,
continuing and stopping on the same errors, so it selects the same credential and account. Only the
chain's class name in the aggregated error text and log levels may differ. The environment does not
enter the verdict: an export runs wherever the app is deployed. The rules, with the azure-identity
behaviour behind each:

* ``default``: a DefaultAzureCredential spec *is* ``DefaultAzureCredential(**options)``. A
  ChainedTokenCredential spec is equivalent to DefaultAzureCredential only when every difference
  can be pinned away:
  - members are DefaultAzureCredential members, each once, in its order;
  - no WorkloadIdentityCredential: unconfigured, it raises ValueError when the chain is built,
    while DefaultAzureCredential puts a placeholder there (1.24+) or skips it (older) and goes on;
  - no ManagedIdentityCredential: on its own it switches to workload identity token exchange when
    AZURE_AUTHORITY_HOST, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE are set, inside
    DefaultAzureCredential it does so only when WorkloadIdentityCredential is in the chain too,
    which the previous rule rules out;
  - inside DefaultAzureCredential the developer credentials (shared token cache, VS Code, Azure
    CLI, PowerShell, azd, interactive browser) report failures as "unavailable" and the chain goes
    on, where a ChainedTokenCredential stops; so such a member may only come last;
  - settings DefaultAzureCredential derives from the environment are passed explicitly
    (``shared_cache_username=None``: SharedTokenCacheCredential alone ignores AZURE_USERNAME), and
    settings it shares between members (``authority``, ``process_timeout``, forwarded keywords)
    must agree between those members;
  - every ``exclude_*`` is passed, so AZURE_TOKEN_CREDENTIALS in the app's environment cannot
    change the chain (1.23 lets that variable remove credentials regardless, so no 1.23 chain).
* ``env``: ``DefaultAzureCredential(...)`` plus ``AZURE_TOKEN_CREDENTIALS=value`` in the app's
  environment, when that value selects exactly the spec's members (judged as Chainsight evaluates
  the spec, with the variable unset) and the other keyword arguments carry over.
* ``chained``: a ChainedTokenCredential spec is its own chain. A DefaultAzureCredential spec has no
  ChainedTokenCredential equivalent (the softened failures, the placeholder and the non-public
  BrokerCredential cannot be written as one).

Async (``azure.identity.aio``) has no InteractiveBrowserCredential and no BrokerCredential: a chain
with the former has no async form; the latter is noted, since it only acts on Windows/WSL with
azure-identity-broker installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine import dac_keywords
from engine.env_vars import AZURE_TOKEN_CREDENTIALS
from engine.export.errors import NO_CREDENTIALS
from engine.profiles import TOKEN_CREDENTIALS_DEV_PROD, TOKEN_CREDENTIALS_NONE, Profile
from engine.selection import resolve_exclusions
from engine.spec import CREDENTIAL_OPTIONS, ChainSpec

ENV, DEFAULT, CHAINED = "env", "default", "chained"
STYLES = (ENV, DEFAULT, CHAINED)
# auto's order of preference. The env form is never auto's choice: its code only works once the app's own
# environment sets AZURE_TOKEN_CREDENTIALS, and a snippet generator's default must run as it is (--style env).
AUTO_ORDER = (DEFAULT, CHAINED)
LABELS = {ENV: "Environment form", DEFAULT: "DefaultAzureCredential", CHAINED: "ChainedTokenCredential"}

# Reasons, one sentence each: shown in the code's comment, the CLI's errors and the GUI's tooltips.
DAC_ITSELF = "the spec is this DefaultAzureCredential call"
CHAIN_ITSELF = "the spec is this chain, credential by credential"
ENV_SELECTS = "AZURE_TOKEN_CREDENTIALS={value} selects exactly this chain"
DAC_KEEPS_ORDER = "DefaultAzureCredential with every exclude_* pinned builds exactly this chain"
NO_CHAINED_FOR_DAC = (
    "DefaultAzureCredential treats developer credentials' failures as unavailable, stands in for an "
    "unconfigured WorkloadIdentityCredential and holds the non-public BrokerCredential: "
    "no ChainedTokenCredential does that"
)
NO_ENV_VERSION = "azure-identity {version} ignores AZURE_TOKEN_CREDENTIALS"
NO_ENV_VALUE = "no AZURE_TOKEN_CREDENTIALS value selects this chain"
NO_ENV_REQUIRE = "the spec already defers to AZURE_TOKEN_CREDENTIALS (require_envvar)"
NOT_DAC_MEMBER = "{name} is not a DefaultAzureCredential member"
NOT_PUBLIC = "{name} is not a credential a ChainSpec can hold (not public in azure-identity)"
NOT_DAC_ORDER = "the credentials are not in DefaultAzureCredential's order"
DUPLICATE = "{name} appears twice; DefaultAzureCredential holds each credential once"
WORKLOAD_BUILD = (
    "WorkloadIdentityCredential raises when the chain is built without workload identity settings, "
    "where DefaultAzureCredential goes on without it"
)
MANAGED_EXCHANGE = (
    "ManagedIdentityCredential alone uses workload identity token exchange when AZURE_AUTHORITY_HOST, "
    "AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE are set; inside DefaultAzureCredential only "
    "together with WorkloadIdentityCredential"
)
SOFTENED_NOT_LAST = (
    "inside DefaultAzureCredential a failure of {name} counts as unavailable and the chain goes on, "
    "where this chain stops"
)
OPTION_NOT_MAPPED = "DefaultAzureCredential cannot pass {option} to {name}"
SHARED_OPTION = "DefaultAzureCredential passes one {option} to {names}, and they differ here"
DEV_PROD_UNPINNABLE = (
    "in azure-identity {version} AZURE_TOKEN_CREDENTIALS removes credentials even when exclude_*=False "
    "is passed, so DefaultAzureCredential cannot be pinned to a chain"
)
NO_ASYNC_INTERACTIVE = "azure.identity.aio has no InteractiveBrowserCredential"
NOTE_ASYNC_BROKER = (
    "azure.identity.aio has no BrokerCredential, which signs in through the Windows/WSL broker when "
    "azure-identity-broker is installed."
)
NOTE_MI_PROBE = (
    "With this value azure-identity skips the IMDS probe: off Azure, ManagedIdentityCredential takes longer "
    "to report itself unavailable."
)

# Members whose failures DefaultAzureCredential turns into "unavailable" (reference 1.6).
SOFTENED = frozenset(
    {
        "SharedTokenCacheCredential",
        "VisualStudioCodeCredential",
        "AzureCliCredential",
        "AzurePowerShellCredential",
        "AzureDeveloperCliCredential",
        "InteractiveBrowserCredential",
    }
)
# A member option -> the DefaultAzureCredential keyword that sets it for that member alone.
OWN_KEYWORDS: dict[str, dict[str, str]] = dac_keywords.own_keywords()
# Keywords DefaultAzureCredential gives to several members: (members, default when a member lacks it).
SHARED_KEYWORDS: dict[str, tuple[frozenset[str], Any]] = dac_keywords.shared_keywords()
# Members receiving DefaultAzureCredential's leftover **kwargs (Broker too, but it is always excluded here).
FORWARDED_TO = frozenset({"EnvironmentCredential", "SharedTokenCacheCredential", "InteractiveBrowserCredential"})
FORWARDABLE = frozenset({"disable_instance_discovery", "login_hint", "redirect_uri", "timeout"})
ASYNC_ABSENT = frozenset({"interactive_browser", "broker"})  # DefaultAzureCredential members aio lacks
# DefaultAzureCredential keywords that only concern members aio lacks (aio would forward them as **kwargs).
ASYNC_DROPPED_OPTIONS = frozenset(
    {
        "exclude_interactive_browser_credential",
        "exclude_broker_credential",
        "interactive_browser_tenant_id",
        "interactive_browser_client_id",
        "broker_tenant_id",
        "broker_client_id",
    }
)


@dataclass(frozen=True)
class Form:
    """Whether one exported form behaves as the spec, why, and what it needs to be rendered."""

    style: str
    equivalent: bool
    reason: str
    dac_kwargs: dict[str, Any] | None = None  # DefaultAzureCredential keywords (default and env forms)
    environment: dict[str, str] = field(default_factory=dict)  # variables the app's environment must set
    notes: tuple[str, ...] = ()


def forms(spec: ChainSpec, *, async_: bool = False) -> dict[str, Form]:
    """Every style's verdict for ``spec``, in auto's order of preference."""
    profile = spec.profile
    if spec.is_default:
        default = _dac_spec_form(spec, profile, async_)
        chained = Form(CHAINED, False, NO_CHAINED_FOR_DAC)
        excluded = resolve_exclusions(profile, {}, _explicit_excludes(spec.options, profile))
        included = frozenset(profile.member_keys) - excluded
        base = {k: v for k, v in (default.dac_kwargs or {}).items() if not k.startswith("exclude_")}
        if spec.options.get("require_envvar"):
            env = Form(ENV, False, NO_ENV_REQUIRE)
        else:
            env = _env_form(profile, included, base, async_, default)
    elif not any(c.enabled for c in spec.credentials):
        return {style: Form(style, False, NO_CREDENTIALS) for style in STYLES}
    else:
        chained = _chained_spec_form(spec, async_)
        default, included = _dac_form_of_chain(spec, profile, async_)
        if default.equivalent:
            base = {k: v for k, v in (default.dac_kwargs or {}).items() if not k.startswith("exclude_")}
            env = _env_form(profile, included, base, async_, default)
        else:
            env = Form(ENV, False, default.reason)
    return {ENV: env, DEFAULT: default, CHAINED: chained}


def auto_style(verdicts: Mapping[str, Form]) -> str:
    """The first equivalent form that runs as it is (a chained spec always has one)."""
    return next((s for s in AUTO_ORDER if verdicts[s].equivalent), DEFAULT)


# ---- DefaultAzureCredential specs -------------------------------------------------------------------
def _explicit_excludes(options: Mapping[str, Any], profile: Profile) -> dict[str, bool | None]:
    return {m.key: options[m.exclude_option] for m in profile.members if m.exclude_option in options}


def _dac_spec_form(spec: ChainSpec, profile: Profile, async_: bool) -> Form:
    options = dict(spec.options)
    if not async_:
        return Form(DEFAULT, True, DAC_ITSELF, dac_kwargs=options)
    excluded = resolve_exclusions(profile, {}, _explicit_excludes(options, profile))
    if "interactive_browser" in profile.member_keys and "interactive_browser" not in excluded:
        return Form(DEFAULT, False, NO_ASYNC_INTERACTIVE)
    notes = (NOTE_ASYNC_BROKER,) if "broker" in profile.member_keys and "broker" not in excluded else ()
    kept = {k: v for k, v in options.items() if k not in ASYNC_DROPPED_OPTIONS}
    return Form(DEFAULT, True, DAC_ITSELF, dac_kwargs=kept, notes=notes)


def _env_form(profile: Profile, included: frozenset[str], base: dict[str, Any], async_: bool, default: Form) -> Form:
    version = profile.name
    if profile.token_credentials == TOKEN_CREDENTIALS_NONE:
        return Form(ENV, False, NO_ENV_VERSION.format(version=version))
    if not default.equivalent:
        return Form(ENV, False, default.reason)
    keys = frozenset(profile.member_keys)
    absent = ASYNC_ABSENT if async_ else frozenset()
    values: tuple[str, ...] = ("dev", "prod")
    if profile.token_credentials != TOKEN_CREDENTIALS_DEV_PROD:
        values += profile.single_names
    for value in values:
        if async_ and value == "interactivebrowsercredential":
            continue
        selected = keys - resolve_exclusions(profile, {AZURE_TOKEN_CREDENTIALS: value}, {})
        if selected - absent == included - absent:
            kwargs = dict(base)
            if profile.require_envvar:
                kwargs["require_envvar"] = True  # a deployment that forgot the variable fails loudly
            notes = default.notes + ((NOTE_MI_PROBE,) if value == "managedidentitycredential" else ())
            return Form(
                ENV,
                True,
                ENV_SELECTS.format(value=value),
                dac_kwargs=kwargs,
                environment={AZURE_TOKEN_CREDENTIALS: value},
                notes=notes,
            )
    return Form(ENV, False, NO_ENV_VALUE)


# ---- ChainedTokenCredential specs --------------------------------------------------------------------
def _chained_spec_form(spec: ChainSpec, async_: bool) -> Form:
    unknown = next((c.type for c in spec.credentials if c.enabled and c.type not in CREDENTIAL_OPTIONS), None)
    if unknown:
        return Form(CHAINED, False, NOT_PUBLIC.format(name=unknown))
    if async_ and any(c.type == "InteractiveBrowserCredential" for c in spec.credentials if c.enabled):
        return Form(CHAINED, False, NO_ASYNC_INTERACTIVE)
    return Form(CHAINED, True, CHAIN_ITSELF)


def _dac_form_of_chain(spec: ChainSpec, profile: Profile, async_: bool) -> tuple[Form, frozenset[str]]:
    """DefaultAzureCredential keywords that build exactly this chain, or why there are none."""
    members = [c for c in spec.credentials if c.enabled]

    def no(reason: str) -> tuple[Form, frozenset[str]]:
        return Form(DEFAULT, False, reason), frozenset()

    if async_ and any(c.type == "InteractiveBrowserCredential" for c in members):
        return no(NO_ASYNC_INTERACTIVE)
    classes = {m.credential: m for m in profile.members}
    positions = []
    for c in members:
        if c.type not in CREDENTIAL_OPTIONS:
            return no(NOT_PUBLIC.format(name=c.type))
        if c.type not in classes:
            return no(NOT_DAC_MEMBER.format(name=c.type))
        positions.append(profile.members.index(classes[c.type]))
    for c in members:
        if [m.type for m in members].count(c.type) > 1:
            return no(DUPLICATE.format(name=c.type))
    if positions != sorted(positions):
        return no(NOT_DAC_ORDER)
    names = [c.type for c in members]
    if "WorkloadIdentityCredential" in names:
        return no(WORKLOAD_BUILD)
    if "ManagedIdentityCredential" in names:
        return no(MANAGED_EXCHANGE)
    for c in members[:-1]:
        if c.type in SOFTENED:
            return no(SOFTENED_NOT_LAST.format(name=c.type))
    if profile.token_credentials == TOKEN_CREDENTIALS_DEV_PROD:
        return no(DEV_PROD_UNPINNABLE.format(version=profile.name))

    kwargs: dict[str, Any] = {}
    shared: dict[str, dict[str, Any]] = {option: {} for option in SHARED_KEYWORDS}
    forwarded: dict[str, dict[str, Any]] = {}
    for c in members:
        own = OWN_KEYWORDS.get(c.type, {})
        # values DefaultAzureCredential would otherwise take from the environment; the members alone do not
        for keyword in dac_keywords.env_defaulted(c.type, profile):
            kwargs[keyword] = None
        for option, value in c.options.items():
            if option in own:
                kwargs[own[option]] = value
            elif option in SHARED_KEYWORDS and c.type in SHARED_KEYWORDS[option][0]:
                shared[option][c.type] = value
            elif option in FORWARDABLE and c.type in FORWARDED_TO:
                forwarded.setdefault(c.type, {})[option] = value
            else:
                return no(OPTION_NOT_MAPPED.format(option=option, name=c.type))
        if c.type in FORWARDED_TO:
            forwarded.setdefault(c.type, {})
    for option, (receivers, default) in SHARED_KEYWORDS.items():
        present = [n for n in names if n in receivers]
        values = {shared[option].get(n, default) for n in present}
        if len(values) > 1:
            return no(SHARED_OPTION.format(option=option, names=" and ".join(present)))
        if shared[option]:  # said explicitly by at least one member (and all agree)
            kwargs[option] = values.pop()
    if len({tuple(sorted(f.items())) for f in forwarded.values()}) > 1:
        return no(SHARED_OPTION.format(option="keyword arguments", names=" and ".join(forwarded)))
    for options in forwarded.values():
        kwargs.update(options)
        break

    included = frozenset(classes[n].key for n in names)
    excludes: dict[str, bool] = {}
    for m in profile.members:
        if async_ and m.key in ASYNC_ABSENT:
            continue
        excluded = m.key not in included
        # Without AZURE_TOKEN_CREDENTIALS support only departures from the defaults need saying.
        if profile.token_credentials != TOKEN_CREDENTIALS_NONE or excluded != m.excluded_by_default:
            excludes[m.exclude_option] = excluded
    return Form(DEFAULT, True, DAC_KEEPS_ORDER, dac_kwargs={**excludes, **kwargs}), included
