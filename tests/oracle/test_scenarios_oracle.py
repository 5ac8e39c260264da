"""The scenarios oracle: sandbox scenarios, each run by the real azure-identity 1.27.0 and by the engine.

Every case runs inside ``chainsight sandbox exec`` (in a loopback-only network namespace where the
machine allows) and requires the same members, the same attempts with the same outcomes in order,
the same selected credential, the same account and the same error text.

The cases of one (scenario, overrides) group share one sandbox: tests/oracle/scenario_runner.py runs them
one at a time, each in a forked child from the sandbox's first HOME. Sharing the servers is safe because
no stand-in keeps state one request leaves for the next: refresh tokens are revoked when the sandbox
starts (never by a request), consent is granted up front in every scenario, sign-in flows, device codes,
authorization codes and Arc keys are each tied to the one request that made them, and tools read their
mode from the state file and write only under HOME.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.oracle.forked_cases import HARNESS_ERROR
from tests.oracle.sandbox_groups import GroupedVerdicts, longest_group_timeout, module_verdicts
from tests.system import require_oracle

require_oracle()

ARM = "https://management.azure.com/.default"
GRAPH = "https://graph.microsoft.com/.default"
FAST_IMDS_MISS = {"managed_identity": {"kind": "imds", "mode": "identity_not_found"}}
APP_SERVICE_UAMI = "5e0f1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b"
VM_SYSTEM = "a7b8c9d0-0010-4000-8000-0000000e0010"
VM_USER = "f6a7b8c9-0009-4000-8000-0000000d0009"


@dataclass
class Case:
    scenario: str
    env: dict = field(default_factory=dict)  # None unsets
    kwargs: dict = field(default_factory=dict)
    overrides: dict = field(default_factory=dict)
    scopes: list = field(default_factory=lambda: [ARM])
    tenant_id: str | None = None
    claims: str | None = None
    chain: list | None = None  # ChainedTokenCredential members: [{"type": ..., "options": {...}}]


def tool(name: str, mode: str, **extra) -> dict:
    return {"tools": {name: {"mode": mode, **extra}}}


def chain(*types: str, **options) -> list:
    return [{"type": t, "options": dict(options.get(t, {}))} for t in types]


CASES = {
    # --- a developer laptop with az ------------------------------------------------------------
    "az-default": Case("laptop-az"),
    "az-dev": Case("laptop-az", env={"AZURE_TOKEN_CREDENTIALS": "dev"}),
    "az-single-name": Case("laptop-az", env={"AZURE_TOKEN_CREDENTIALS": "AzureCliCredential"}),
    "az-prod-fails": Case("laptop-az", env={"AZURE_TOKEN_CREDENTIALS": "prod"}, overrides=FAST_IMDS_MISS),
    "az-excluded-all-unavailable": Case("laptop-az", kwargs={"exclude_cli_credential": True}, overrides=FAST_IMDS_MISS),
    "az-two-scopes-stop-at-mi": Case("laptop-az", scopes=[ARM, GRAPH]),
    "az-invalid-scope-stops-at-cli": Case(
        "laptop-az", scopes=["https://management.azure.com/.default!"], overrides=FAST_IMDS_MISS
    ),
    "az-request-tenant": Case(
        "laptop-az", env={"AZURE_TOKEN_CREDENTIALS": "dev"}, tenant_id="4a3e1c0b-7f5d-4c1e-9a8b-1d2c3b4a5f60"
    ),
    "az-invalid-tenant": Case("laptop-az", env={"AZURE_TOKEN_CREDENTIALS": "dev"}, tenant_id="bad tenant!"),
    "az-claims-unavailable": Case("laptop-az", env={"AZURE_TOKEN_CREDENTIALS": "dev"}, claims='{"access_token":{}}'),
    "az-not-signed-in": Case(
        "laptop-az", env={"AZURE_TOKEN_CREDENTIALS": "dev"}, overrides=tool("az", "not_signed_in")
    ),
    "az-hangs-times-out": Case(
        "laptop-az", env={"AZURE_TOKEN_CREDENTIALS": "dev"}, kwargs={"process_timeout": 1}, overrides=tool("az", "hang")
    ),
    "az-garbage-softened-in-dac": Case(
        "laptop-az", env={"AZURE_TOKEN_CREDENTIALS": "dev"}, overrides=tool("az", "garbage")
    ),
    "az-aadsts-softened-in-dac": Case(
        "laptop-az",
        env={"AZURE_TOKEN_CREDENTIALS": "dev"},
        overrides=tool("az", "aadsts_error", account="dev@contoso.com"),
    ),
    "az-absent": Case("laptop-az", env={"AZURE_TOKEN_CREDENTIALS": "dev"}, overrides=tool("az", "absent")),
    "chained-az-garbage-stops": Case(
        "laptop-az", chain=chain("AzureCliCredential", "AzureDeveloperCliCredential"), overrides=tool("az", "garbage")
    ),
    "chained-az-aadsts-stops": Case(
        "laptop-az",
        chain=chain("AzureCliCredential", "AzureDeveloperCliCredential"),
        overrides=tool("az", "aadsts_error", account="dev@contoso.com"),
    ),
    "chained-azd-then-az": Case("laptop-az", chain=chain("AzureDeveloperCliCredential", "AzureCliCredential")),
    "chained-az-tenant-option": Case(
        "laptop-az",
        chain=chain("AzureCliCredential", AzureCliCredential={"tenant_id": "4a3e1c0b-7f5d-4c1e-9a8b-1d2c3b4a5f60"}),
    ),
    "atc-invalid": Case("laptop-az", env={"AZURE_TOKEN_CREDENTIALS": "bogus"}),
    "require-envvar-unset": Case("laptop-az", kwargs={"require_envvar": True}),
    "atc-excluding-the-only-member": Case(
        "laptop-az", env={"AZURE_TOKEN_CREDENTIALS": "azureclicredential"}, kwargs={"exclude_cli_credential": True}
    ),
    # --- the forgotten service principal ----------------------------------------------------------
    "wrong-account-default": Case("laptop-wrong-account"),
    "wrong-account-secret-unset": Case(
        "laptop-wrong-account", env={"AZURE_CLIENT_SECRET": None}, overrides=FAST_IMDS_MISS
    ),
    "wrong-account-environment-excluded": Case(
        "laptop-wrong-account", kwargs={"exclude_environment_credential": True}, overrides=FAST_IMDS_MISS
    ),
    "wrong-account-dev": Case("laptop-wrong-account", env={"AZURE_TOKEN_CREDENTIALS": "dev"}),
    "wrong-account-bad-secret-stops": Case("laptop-wrong-account", env={"AZURE_CLIENT_SECRET": "not-the-secret"}),
    "wrong-account-unknown-tenant-stops": Case(
        "laptop-wrong-account", env={"AZURE_TENANT_ID": "00000000-0000-0000-0000-0000000000ff"}
    ),
    "wrong-account-empty-secret-constructor": Case("laptop-wrong-account", env={"AZURE_CLIENT_SECRET": ""}),
    "wrong-account-http-authority-constructor": Case(
        "laptop-wrong-account", env={"AZURE_AUTHORITY_HOST": "http://login.microsoftonline.com"}
    ),
    "wrong-account-graph-scope": Case("laptop-wrong-account", scopes=[GRAPH]),
    # --- everything signed in, as different people -------------------------------------------------
    "everything-default": Case("laptop-everything"),
    "everything-cache-excluded": Case(
        "laptop-everything", kwargs={"exclude_shared_token_cache_credential": True}, overrides=FAST_IMDS_MISS
    ),
    "everything-azd-only": Case("laptop-everything", env={"AZURE_TOKEN_CREDENTIALS": "azuredeveloperclicredential"}),
    "everything-pwsh-only": Case("laptop-everything", env={"AZURE_TOKEN_CREDENTIALS": "azurepowershellcredential"}),
    "chained-pwsh-before-azd": Case(
        "laptop-everything", chain=chain("AzurePowerShellCredential", "AzureDeveloperCliCredential")
    ),
    "chained-azd-two-scopes": Case(
        "laptop-everything", chain=chain("AzureDeveloperCliCredential"), scopes=[ARM, GRAPH]
    ),
    "chained-pwsh-two-scopes-stops": Case(
        "laptop-everything", chain=chain("AzurePowerShellCredential", "AzureCliCredential"), scopes=[ARM, GRAPH]
    ),
    "everything-pwsh-module-missing": Case(
        "laptop-everything",
        env={"AZURE_TOKEN_CREDENTIALS": "dev"},
        kwargs={"exclude_shared_token_cache_credential": True, "exclude_cli_credential": True},
        overrides=tool("pwsh", "module_missing"),
    ),
    "everything-pwsh-not-signed-in": Case(
        "laptop-everything",
        env={"AZURE_TOKEN_CREDENTIALS": "dev"},
        kwargs={"exclude_shared_token_cache_credential": True, "exclude_cli_credential": True},
        overrides=tool("pwsh", "not_signed_in"),
    ),
    "everything-azd-not-signed-in": Case(
        "laptop-everything",
        env={"AZURE_TOKEN_CREDENTIALS": "azuredeveloperclicredential"},
        overrides=tool("azd", "not_signed_in"),
    ),
    "everything-azd-garbage": Case(
        "laptop-everything",
        env={"AZURE_TOKEN_CREDENTIALS": "azuredeveloperclicredential"},
        overrides=tool("azd", "garbage"),
    ),
    # --- the shared token cache ---------------------------------------------------------------------
    "cache-two-accounts-ambiguous": Case("shared-cache-two-accounts", env={"AZURE_TOKEN_CREDENTIALS": "dev"}),
    "cache-username-keyword": Case(
        "shared-cache-two-accounts",
        env={"AZURE_TOKEN_CREDENTIALS": "dev"},
        kwargs={"shared_cache_username": "admin@contoso.com"},
    ),
    "cache-username-variable": Case(
        "shared-cache-two-accounts", env={"AZURE_TOKEN_CREDENTIALS": "dev", "AZURE_USERNAME": "dev@contoso.com"}
    ),
    "cache-username-no-match": Case(
        "shared-cache-two-accounts",
        env={"AZURE_TOKEN_CREDENTIALS": "dev"},
        kwargs={"shared_cache_username": "nobody@contoso.com"},
    ),
    "cache-wrong-tenant-filter": Case(
        "shared-cache-two-accounts",
        env={"AZURE_TOKEN_CREDENTIALS": "dev"},
        kwargs={"shared_cache_tenant_id": "00000000-0000-0000-0000-0000000000ff"},
    ),
    "cache-revoked-softened": Case("everything-broken", env={"AZURE_TOKEN_CREDENTIALS": "dev"}),
    "chained-cache-revoked-stops": Case(
        "everything-broken", chain=chain("SharedTokenCacheCredential", "AzureCliCredential")
    ),
    # --- managed identity ---------------------------------------------------------------------------
    "app-service-system": Case("app-service"),
    "app-service-single-name": Case("app-service", env={"AZURE_TOKEN_CREDENTIALS": "managedidentitycredential"}),
    "app-service-identity-not-found": Case(
        "app-service", overrides={"managed_identity": {"mode": "identity_not_found"}}
    ),
    "app-service-html": Case(
        "app-service", env={"AZURE_TOKEN_CREDENTIALS": "prod"}, overrides={"managed_identity": {"mode": "html"}}
    ),
    "app-service-two-scopes": Case("app-service", scopes=[ARM, GRAPH]),
    "vm-user-assigned-from-env": Case("vm-imds-user-assigned"),
    "vm-system-assigned-keyword-none": Case(
        "vm-imds-user-assigned", kwargs={"managed_identity_client_id": None}, env={"AZURE_TOKEN_CREDENTIALS": "prod"}
    ),
    "vm-unknown-identity": Case(
        "vm-imds-user-assigned",
        env={"AZURE_CLIENT_ID": "00000000-0000-0000-0000-0000000000aa", "AZURE_TOKEN_CREDENTIALS": "prod"},
    ),
    "vm-imds-html": Case(
        "vm-imds-user-assigned",
        env={"AZURE_TOKEN_CREDENTIALS": "prod"},
        overrides={"managed_identity": {"mode": "html"}},
    ),
    "cloud-shell": Case("cloud-shell"),
    "arc-system": Case("azure-arc"),
    "arc-http-500": Case("azure-arc", overrides={"managed_identity": {"mode": "http_500"}}),
    "arc-identity-not-found": Case("azure-arc", overrides={"managed_identity": {"mode": "identity_not_found"}}),
    "identity-endpoint-alone": Case("laptop-az", env={"IDENTITY_ENDPOINT": "http://127.0.0.1:9"}),
    # --- workload identity --------------------------------------------------------------------------
    "aks-workload-identity": Case("aks-workload-identity"),
    "aks-single-name": Case("aks-workload-identity", env={"AZURE_TOKEN_CREDENTIALS": "workloadidentitycredential"}),
    "aks-workload-excluded-token-exchange-off": Case(
        "aks-workload-identity", kwargs={"exclude_workload_identity_credential": True}, overrides=FAST_IMDS_MISS
    ),
    "aks-token-file-missing-stops": Case(
        "aks-workload-identity", env={"AZURE_FEDERATED_TOKEN_FILE": "/nonexistent/token"}
    ),
    "aks-no-client-id-constructor": Case("aks-workload-identity", env={"AZURE_CLIENT_ID": None}),
    # --- interactive browser sign-in (the sandbox's scripted browser is the system browser) ---------
    "browser-single-name": Case("laptop-az", env={"AZURE_TOKEN_CREDENTIALS": "interactivebrowsercredential"}),
    "browser-after-developer-tools": Case(
        "laptop-az",
        env={"AZURE_TOKEN_CREDENTIALS": "dev"},
        kwargs={"exclude_cli_credential": True, "exclude_interactive_browser_credential": False},
    ),
    "chained-browser-with-login-hint": Case(
        "laptop-everything",
        chain=chain(
            "InteractiveBrowserCredential", InteractiveBrowserCredential={"login_hint": "dana.ops@contoso.com"}
        ),
    ),
    # --- nothing works --------------------------------------------------------------------------------
    "everything-broken": Case("everything-broken"),
    "everything-broken-prod": Case("everything-broken", env={"AZURE_TOKEN_CREDENTIALS": "prod"}),
}


# Entra stamps each error with fresh ids and a time; the two sides make separate requests.
_PER_REQUEST = re.compile(r"(Trace ID|Correlation ID|Timestamp): [^\s\\\"']+( [0-9:.]+Z)?")


_PER_REQUEST_FIELDS = re.compile(r'(trace_id|correlation_id|timestamp)\\": \\"[^\\]*')


def normalised(verdict: dict) -> dict:
    text = _PER_REQUEST.sub(r"\1: <per-request>", json.dumps(verdict))
    return json.loads(_PER_REQUEST_FIELDS.sub(r'\1\\": \\"<per-request>', text))


# A group runs in the first test that needs it: that test's limit is the whole group's.
pytestmark = pytest.mark.timeout(longest_group_timeout(CASES) + 30)


@pytest.fixture(scope="module")
def scenario_verdicts(tmp_path_factory) -> Iterator[GroupedVerdicts]:
    yield from module_verdicts("tests.oracle.scenario_runner", CASES, tmp_path_factory)


@pytest.mark.parametrize("name", list(CASES))
def test_engine_verdict_equals_azure_identity_in_scenario(name, scenario_verdicts):
    verdict = scenario_verdicts(name)
    assert HARNESS_ERROR not in verdict, verdict[HARNESS_ERROR]
    real, ours = normalised(verdict["real"]), normalised(verdict["engine"])
    assert ours == real
