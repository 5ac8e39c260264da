"""Fixes as machine-readable actions, each checked before it is offered.

A fix is ``{"unset_env": [...], "set_env": {...}, "options": {dac_keyword: value}}``. To check one, the
chain is rebuilt with the fix applied (the same ``engine.build.build`` and selection rules real runs
use) and walked against the current evidence: a member whose inputs the fix changes, or about which
only a probe said "available", makes the outcome "untested" rather than a promise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.diagnosis.evidence import TRY_EVERY, Evidence
from engine import env_vars as ev
from engine.account import Account
from engine.chain import credential_name
from engine.events import FAILED, SUCCEEDED, UNAVAILABLE
from engine.host import Host
from engine.probe import AVAILABLE
from engine.scan import probe_one
from engine.spec import ChainSpec

Builder = Callable[[ChainSpec, Host], Any]
UNTESTED = "untested"
BUILD_BREAKS = "the chain could not be built with this change: {error}"

_ENTRA = {
    ev.AZURE_AUTHORITY_HOST,
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "HTTPS_PROXY",
    "https_proxy",
    "NO_PROXY",
    "no_proxy",
    ev.AZURE_REGIONAL_AUTHORITY_NAME,
    ev.AZURE_IDENTITY_DISABLE_MULTITENANTAUTH,
}
_MI_ENDPOINTS = {
    ev.IDENTITY_ENDPOINT,
    ev.IDENTITY_HEADER,
    ev.IDENTITY_SERVER_THUMBPRINT,
    ev.IMDS_ENDPOINT,
    ev.MSI_ENDPOINT,
    ev.MSI_SECRET,
    ev.AZURE_POD_IDENTITY_AUTHORITY_HOST,
    "HTTP_PROXY",
    "http_proxy",
}
_TOOLS = {"PATH", "HOME"}
# The environment variables (and DefaultAzureCredential keywords) each member reads: a fix touching one
# of them changes that member, so what was seen of it before says nothing about it afterwards.
INPUTS: dict[str, frozenset[str]] = {
    "EnvironmentCredential": frozenset(
        {
            ev.AZURE_CLIENT_ID,
            ev.AZURE_TENANT_ID,
            ev.AZURE_CLIENT_SECRET,
            ev.AZURE_CLIENT_CERTIFICATE_PATH,
            ev.AZURE_CLIENT_CERTIFICATE_PASSWORD,
            ev.AZURE_CLIENT_SEND_CERTIFICATE_CHAIN,
            ev.AZURE_USERNAME,
            ev.AZURE_PASSWORD,
            "authority",
            *_ENTRA,
        }
    ),
    "WorkloadIdentityCredential": frozenset(
        {
            ev.AZURE_CLIENT_ID,
            ev.AZURE_TENANT_ID,
            ev.AZURE_FEDERATED_TOKEN_FILE,
            "AZURE_KUBERNETES_TOKEN_PROXY",
            "workload_identity_client_id",
            "workload_identity_tenant_id",
            "managed_identity_client_id",
            "authority",
            *_ENTRA,
        }
    ),
    "ManagedIdentityCredential": frozenset(
        {
            ev.AZURE_CLIENT_ID,
            ev.AZURE_TENANT_ID,
            ev.AZURE_FEDERATED_TOKEN_FILE,
            ev.AZURE_TOKEN_CREDENTIALS,
            "managed_identity_client_id",
            *_MI_ENDPOINTS,
            *_ENTRA,
        }
    ),
    "SharedTokenCacheCredential": frozenset(
        {
            ev.AZURE_USERNAME,
            ev.AZURE_TENANT_ID,
            "shared_cache_username",
            "shared_cache_tenant_id",
            "authority",
            "HOME",
            *_ENTRA,
        }
    ),
    "VisualStudioCodeCredential": frozenset({"visual_studio_code_tenant_id", "HOME", "APPDATA", *_ENTRA}),
    "AzureCliCredential": frozenset({"AZURE_CONFIG_DIR", "process_timeout", *_TOOLS}),
    "AzurePowerShellCredential": frozenset({"process_timeout", "PSModulePath", *_TOOLS}),
    "AzureDeveloperCliCredential": frozenset(
        {"AZD_CONFIG_DIR", "AZD_AUTH_ENDPOINT", "AZD_AUTH_KEY", "process_timeout", *_TOOLS}
    ),
    "InteractiveBrowserCredential": frozenset(
        {
            ev.AZURE_TENANT_ID,
            "interactive_browser_tenant_id",
            "interactive_browser_client_id",
            "BROWSER",
            "authority",
            *_ENTRA,
        }
    ),
    "BrokerCredential": frozenset({ev.AZURE_TENANT_ID, "broker_tenant_id", "broker_client_id", *_ENTRA}),
}
# Members whose probe only reads the environment and files: "unavailable" from it is as good as a run's.
STATIC_PROBES = frozenset(
    {
        "EnvironmentCredential",
        "WorkloadIdentityCredential",
        "AzureCliCredential",
        "AzureDeveloperCliCredential",
        "AzurePowerShellCredential",
        "SharedTokenCacheCredential",
        "VisualStudioCodeCredential",
    }
)
# In DefaultAzureCredential's first walk a developer tool's failure is softened to "unavailable": a
# failure seen when the member ran on its own ("try every") does not stop the chain.
SOFTENED_IN_DAC = frozenset(
    {
        "AzureCliCredential",
        "AzurePowerShellCredential",
        "AzureDeveloperCliCredential",
        "VisualStudioCodeCredential",
        "BrokerCredential",
        "SharedTokenCacheCredential",
    }
)


@dataclass(frozen=True)
class Action:
    """What a fix changes: the chain's view of the environment, and DefaultAzureCredential's keywords."""

    unset_env: tuple[str, ...] = ()
    set_env: tuple[tuple[str, str], ...] = ()
    options: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, unset_env=(), set_env: Mapping[str, str] | None = None, options: Mapping[str, Any] | None = None):
        return cls(tuple(unset_env), tuple((set_env or {}).items()), tuple((options or {}).items()))

    def to_json(self) -> dict:
        data: dict[str, Any] = {}
        if self.unset_env:
            data["unset_env"] = list(self.unset_env)
        if self.set_env:
            data["set_env"] = dict(self.set_env)
        if self.options:
            data["options"] = dict(self.options)
        return data

    def apply_host(self, host: Host) -> Host:
        if not self.unset_env and not self.set_env:
            return host
        return host.with_overlay(set=dict(self.set_env), unset=self.unset_env)

    def apply_spec(self, spec: ChainSpec) -> ChainSpec:
        if not self.options:
            return spec
        return dataclasses.replace(spec, options={**spec.options, **dict(self.options)})

    def changed_inputs(self, host: Host, spec: ChainSpec) -> set[str]:
        """Names of the variables and keywords whose value the fix really changes."""
        changed = {n for n in self.unset_env if n in host.env}
        changed |= {n for n, v in self.set_env if host.env.get(n) != v}
        changed |= {k for k, v in self.options if not k.startswith("exclude_") and spec.options.get(k) != v}
        return changed


@dataclass(frozen=True)
class Outcome:
    """What the chain would do with the fix applied, as far as the evidence tells."""

    tested: bool
    selected: str | None = None
    account: Account | None = None
    why: str = ""  # for an untested outcome: which member's behaviour is unknown, and why
    error: str | None = None  # the chain cannot be built


@dataclass(frozen=True)
class Fix:
    label: str
    action: Action
    outcome: Outcome

    @property
    def tested(self) -> bool:
        return self.outcome.tested

    def to_json(self) -> dict:
        expect: dict[str, Any] = {}
        if self.outcome.tested:
            expect["selected"] = self.outcome.selected
            account = account_id(self.outcome.account)
            if account:
                expect["account"] = account
        return {"label": self.label, "apply": self.action.to_json(), "expect": expect}


def account_id(account: Account | None) -> str | None:
    """The id a fix promises: the upn, else the client id, else the object id."""
    if account is None:
        return None
    return account.upn or account.client_id or account.object_id


def verify(action: Action, spec: ChainSpec, host: Host, evidence: Mapping[str, Evidence], builder: Builder) -> Outcome:
    """Rebuild the chain with ``action`` applied and walk it against ``evidence``."""
    fixed_host, fixed_spec = action.apply_host(host), action.apply_spec(spec)
    try:
        chain = builder(fixed_spec, fixed_host)
    except Exception as ex:
        return Outcome(True, error=BUILD_BREAKS.format(error=f"{type(ex).__name__}: {ex}"))
    changed = action.changed_inputs(host, spec)
    in_dac = fixed_spec.is_default
    for member in getattr(chain, "credentials", (chain,)):
        name = credential_name(member)
        if _statically_unavailable(member):
            continue
        if changed & INPUTS.get(name, frozenset({"*"})) or (changed and name not in INPUTS):
            # What was seen of this member no longer applies; a static check can still rule it out.
            if name in STATIC_PROBES and probe_one(member).status == UNAVAILABLE:
                continue
            return Outcome(False, why=f"{name} reads {', '.join(sorted(changed))}, which this fix changes")
        seen = evidence.get(name)
        if seen is None:
            return Outcome(False, why=f"nothing is known about {name} here yet")
        if seen.status == SUCCEEDED:
            return Outcome(True, name, seen.account)
        if seen.status == UNAVAILABLE:
            continue
        if seen.status == FAILED:
            if seen.source == TRY_EVERY and in_dac and name in SOFTENED_IN_DAC:
                continue
            return Outcome(True, None)
        if seen.status == AVAILABLE:
            return Outcome(False, why=f"only a probe says {name} is available; no token was requested")
        return Outcome(False, why=f"whether {name} works here is unknown")
    return Outcome(True, None)


def _statically_unavailable(member: Any) -> bool:
    """Members that cannot sign in whatever the machine says: a placeholder, an unconfigured environment."""
    if type(member).__name__ == "FailedDACCredential":
        return True
    return type(member).__name__ == "EnvironmentCredential" and getattr(member, "_credential", True) is None
