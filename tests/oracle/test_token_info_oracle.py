"""get_token_info, as Azure SDK clients call it, and each attempt's own message: the real azure-identity
1.27.0 and the engine side by side in sandbox scenarios.

Issue 10's F10: azure-core's BearerTokenCredentialPolicy calls ``get_token_info(*scopes, options=...)``
whenever the credential has it, and get_token_info hands an empty tenant on where get_token drops it, so
a credential configured with a tenant refuses ``tenant_id=""``. F9: a member that stops the chain is
recorded with ``str(error)``, the response body after "\\nContent: " included; each attempt's message here
must be that text too (token values in it masked, none occur in these bodies).

Every case requires the same members, the same attempts with the same outcome and message in order, the
same selected credential and account, and the same error text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.oracle.forked_cases import HARNESS_ERROR
from tests.oracle.sandbox_groups import GroupedVerdicts, longest_group_timeout, module_verdicts
from tests.oracle.test_scenarios_oracle import FAST_IMDS_MISS, normalised

CONTOSO = "4a3e1c0b-7f5d-4c1e-9a8b-1d2c3b4a5f60"
OTHER_TENANT = "00000000-0000-0000-0000-0000000000ff"
DEV = {"AZURE_TOKEN_CREDENTIALS": "dev"}


@dataclass
class Case:
    scenario: str
    api: str = "get_token_info"
    options: dict = field(default_factory=dict)  # get_token_info's options, or get_token's keywords
    env: dict = field(default_factory=dict)
    kwargs: dict = field(default_factory=dict)
    overrides: dict = field(default_factory=dict)
    chain: list | None = None
    single: dict | None = None
    again: dict | None = None  # a second call's options: DefaultAzureCredential is locked in by then


def az(**options) -> dict:
    return {"type": "AzureCliCredential", "options": options}


def wrong_password() -> dict:
    """The sandbox user through UsernamePasswordCredential, its password from AZURE_PASSWORD (the case sets it wrong)."""
    return {
        "type": "UsernamePasswordCredential",
        "options": {
            "client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
            "username": "dev@contoso.com",
            "password_env": "AZURE_PASSWORD",
        },
    }


CASES = {
    # --- an empty tenant: get_token drops it, get_token_info hands it on ------------------------------
    "az-empty-tenant-none-configured": Case("laptop-az", options={"tenant_id": ""}, env=DEV),
    "az-empty-tenant-configured-refused": Case("laptop-az", options={"tenant_id": ""}, single=az(tenant_id=CONTOSO)),
    "az-empty-tenant-configured-get-token-ignores": Case(
        "laptop-az", api="get_token", options={"tenant_id": ""}, single=az(tenant_id=CONTOSO)
    ),
    "az-empty-tenant-any-allowed": Case(
        "laptop-az", options={"tenant_id": ""}, single=az(tenant_id=CONTOSO, additionally_allowed_tenants=["*"])
    ),
    "az-other-tenant-listed": Case(
        "laptop-az",
        options={"tenant_id": OTHER_TENANT},
        single=az(tenant_id=CONTOSO, additionally_allowed_tenants=[OTHER_TENANT]),
    ),
    "az-other-tenant-not-listed": Case("laptop-az", options={"tenant_id": OTHER_TENANT}, single=az(tenant_id=CONTOSO)),
    "chain-empty-tenant-stops-at-az": Case(
        "laptop-az",
        options={"tenant_id": ""},
        chain=[az(tenant_id=CONTOSO), {"type": "AzureDeveloperCliCredential", "options": {}}],
    ),
    "dac-empty-tenant-environment-refuses": Case("laptop-wrong-account", options={"tenant_id": ""}),
    "dac-empty-tenant-get-token-environment-signs-in": Case(
        "laptop-wrong-account", api="get_token", options={"tenant_id": ""}
    ),
    "dac-empty-tenant-workload-identity-refuses": Case("aks-workload-identity", options={"tenant_id": ""}),
    "dac-empty-tenant-managed-identity-ignores": Case("app-service", options={"tenant_id": ""}),
    "dac-empty-tenant-shared-cache": Case(
        "shared-cache-two-accounts",
        options={"tenant_id": ""},
        env=DEV,
        kwargs={"shared_cache_username": "dev@contoso.com"},
    ),
    "dac-empty-tenant-browser": Case(
        "laptop-az", options={"tenant_id": ""}, env={"AZURE_TOKEN_CREDENTIALS": "interactivebrowsercredential"}
    ),
    "dac-no-options": Case("laptop-az", options={}),
    "dac-locked-in-then-empty-tenant-refused": Case("laptop-wrong-account", again={"tenant_id": ""}),
    "dac-locked-in-then-empty-tenant-get-token": Case("laptop-wrong-account", api="get_token", again={"tenant_id": ""}),
    # --- claims and CAE through options -----------------------------------------------------------------
    "dac-claims-az-unavailable": Case("laptop-az", options={"claims": '{"access_token":{}}'}, env=DEV),
    "dac-empty-claims": Case("laptop-az", options={"claims": ""}, env=DEV),
    "dac-cae-environment": Case("laptop-wrong-account", options={"enable_cae": True}),
    "dac-cae-and-claims-shared-cache": Case(
        "shared-cache-two-accounts",
        options={"enable_cae": True, "claims": '{"access_token":{"xms_cc":{"values":["cp1"]}}}'},
        env=DEV,
        kwargs={"shared_cache_username": "dev@contoso.com"},
    ),
    # --- F9: the member that stops the chain, its message with the response body -------------------------
    "dac-bad-secret-msal-error-without-content": Case(
        "laptop-wrong-account", options={}, env={"AZURE_CLIENT_SECRET": "not-the-secret"}
    ),
    "get-token-bad-secret-msal-error-without-content": Case(
        "laptop-wrong-account", api="get_token", env={"AZURE_CLIENT_SECRET": "not-the-secret"}
    ),
    "get-token-unknown-tenant-msal-error": Case(
        "laptop-wrong-account", api="get_token", env={"AZURE_TENANT_ID": OTHER_TENANT}
    ),
    "chained-cache-revoked-message-with-content": Case(
        "everything-broken",
        api="get_token",
        chain=[{"type": "SharedTokenCacheCredential", "options": {}}, az()],
    ),
    "dac-cache-revoked-softened-message": Case("everything-broken", env=DEV),
    "chained-wrong-password-message-with-content": Case(
        "laptop-az",
        api="get_token",
        env={"AZURE_PASSWORD": "not-the-password"},
        chain=[wrong_password(), az()],
    ),
    "chained-wrong-password-get-token-info": Case(
        "laptop-az",
        env={"AZURE_PASSWORD": "not-the-password"},
        chain=[wrong_password(), az()],
    ),
    "cloud-shell-html-message-with-content": Case(
        "cloud-shell",
        api="get_token",
        env={"AZURE_TOKEN_CREDENTIALS": "prod"},
        overrides={"managed_identity": {"mode": "html"}},
    ),
    "arc-http-500-message": Case("azure-arc", api="get_token", overrides={"managed_identity": {"mode": "http_500"}}),
    "dac-everything-broken": Case("everything-broken", api="get_token", overrides=FAST_IMDS_MISS),
}


# The cases of one (scenario, overrides) group share a sandbox (see test_scenarios_oracle.py for why that is
# safe); a group runs in the first test that needs it, so that test's limit is the whole group's.
pytestmark = pytest.mark.timeout(longest_group_timeout(CASES) + 30)


@pytest.fixture(scope="module")
def token_info_verdicts(tmp_path_factory) -> Iterator[GroupedVerdicts]:
    yield from module_verdicts("tests.oracle.token_info_runner", CASES, tmp_path_factory)


def _verdicts(name: str, token_info_verdicts: GroupedVerdicts) -> tuple[dict, dict]:
    verdict = token_info_verdicts(name)
    assert HARNESS_ERROR not in verdict, verdict[HARNESS_ERROR]
    return normalised(verdict["real"]), normalised(verdict["engine"])


@pytest.mark.parametrize("name", list(CASES))
def test_engine_equals_azure_identity_through_the_sdks_method(name, token_info_verdicts):
    real, ours = _verdicts(name, token_info_verdicts)
    assert ours == real


def test_an_empty_tenant_is_refused_through_get_token_info_but_ignored_through_get_token(token_info_verdicts):
    """The two methods really differ here, so the cases above prove the engine follows the one asked."""
    info_real, info_ours = _verdicts("az-empty-tenant-configured-refused", token_info_verdicts)
    token_real, token_ours = _verdicts("az-empty-tenant-configured-get-token-ignores", token_info_verdicts)
    assert info_real["attempts"][0][1] == "failed" and "for tenant ." in info_real["attempts"][0][2]
    assert token_real["attempts"][0][1] == "succeeded"
    assert (info_ours, token_ours) == (info_real, token_real)
