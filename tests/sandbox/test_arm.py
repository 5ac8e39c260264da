"""The Resource Manager stand-in (engine/sandbox/arm.py) and the sandbox's az discovering subscriptions through it.

`az login` without --tenant lists tenants, then each tenant's subscriptions: that is where azureProfile.json's
tenantDisplayName and tenantDefaultDomain come from (tests/realtools compares the same login with the real az).
"""

from __future__ import annotations

import json
import subprocess

import pytest

from engine.credentials.azure_cli import AzureCliCredential
from engine.host import Host
from engine.probe import AVAILABLE
from engine.sandbox import arm
from engine.sandbox.grants import principal_of
from engine.sandbox.tokens import Principal
from engine.sandbox.tools.az_arm import API_VERSION
from tests.plugins.sandbox import sandbox_session_for

CONTOSO = "4a3e1c0b-7f5d-4c1e-9a8b-1d2c3b4a5f60"
FABRIKAM = "9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e"
SUB_ID = "11111111-2222-4333-8444-555555555555"
FAB_SUB = "66666666-7777-4888-8999-aaaaaaaaaaaa"
ARM = "https://management.core.windows.net/"
API = {"api-version": API_VERSION}


def _token(box, who: Principal, resource: str = ARM, lifetime: int = 3600) -> str:
    token, _ = box.issuer.access_token(
        who, resource, client_id="04b07795-8ddb-461a-bbee-02f9e1bf7b46", lifetime=lifetime
    )
    return token


def _get(box, path: str, token: str | None, params: dict | None = None, *, via_proxy: bool = False):
    session = sandbox_session_for(box)
    if not via_proxy:
        session.proxies = {}
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    base = "https://management.azure.com" if via_proxy else box.arm_url
    return session.get(f"{base}{path}", params=API if params is None else params, headers=headers, timeout=10)


def _user(box, upn: str, tenant: str = "") -> Principal:
    return principal_of(box.scenario.user(upn), tenant=tenant)


def test_tenants_list_is_the_rest_references_shape(sandbox_factory) -> None:
    box = sandbox_factory("laptop-az")
    body = _get(box, "/tenants", _token(box, _user(box, "dev@contoso.com"))).json()
    assert body == {
        "value": [
            {
                "id": f"/tenants/{CONTOSO}",
                "tenantId": CONTOSO,
                "countryCode": "US",
                "displayName": "Contoso",
                "domains": ["contoso.com"],
                "tenantCategory": "Home",
                "defaultDomain": "contoso.com",
                "tenantType": "AAD",
            }
        ]
    }


def test_subscriptions_are_the_tokens_tenants_and_served_behind_the_proxy_too(sandbox_factory) -> None:
    box = sandbox_factory("laptop-everything")
    token = _token(box, _user(box, "dev@contoso.com"))
    for via_proxy in (False, True):
        body = _get(box, "/subscriptions", token, via_proxy=via_proxy).json()
        assert body["count"] == {"type": "Total", "value": 1}
        (sub,) = body["value"]
        assert sub == {
            "id": f"/subscriptions/{SUB_ID}",
            "authorizationSource": "RoleBased",
            "managedByTenants": [],
            "subscriptionId": SUB_ID,
            "tenantId": CONTOSO,
            "displayName": "Contoso Dev/Test",
            "state": "Enabled",
            "subscriptionPolicies": arm.SUBSCRIPTION_POLICIES,
        }
    assert _get(box, f"/subscriptions/{SUB_ID.upper()}", token).json()["subscriptionId"] == SUB_ID
    missing = _get(box, f"/subscriptions/{FAB_SUB}", token)
    assert missing.status_code == 404
    assert missing.json()["error"] == {
        "code": "SubscriptionNotFound",
        "message": f"The subscription '{FAB_SUB}' could not be found.",
    }


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("no header", 401, "AuthenticationFailed"),
        ("not a token", 401, "InvalidAuthenticationToken"),
        ("graph token", 401, "InvalidAuthenticationTokenAudience"),
        ("expired", 401, "ExpiredAuthenticationToken"),
        ("no api-version", 400, "MissingApiVersionParameter"),
    ],
)
def test_refusals_are_arms_own_error_bodies(sandbox_factory, case: str, status: int, code: str) -> None:
    box = sandbox_factory("laptop-az")
    who = _user(box, "dev@contoso.com")
    token = {
        "no header": None,
        "not a token": "eyJhbGciOiJub25lIn0.e30.",
        "graph token": _token(box, who, "https://graph.microsoft.com"),
        "expired": _token(box, who, lifetime=-60),
        "no api-version": _token(box, who),
    }[case]
    response = _get(box, "/subscriptions", token, {} if case == "no api-version" else None)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert "eyJ" not in error["message"]  # never echoes the token


def test_a_guest_lists_both_tenants_and_gets_tokens_from_the_resource_tenant(sandbox_factory) -> None:
    """laptop-everything's dev@contoso.com is a guest in Fabrikam."""
    box = sandbox_factory("laptop-everything")
    tenants = _get(box, "/tenants", _token(box, _user(box, "dev@contoso.com"))).json()["value"]
    assert [t["tenantId"] for t in tenants] == [CONTOSO, FABRIKAM]
    fabrikam = _get(box, "/subscriptions", _token(box, _user(box, "dev@contoso.com", FABRIKAM))).json()["value"]
    assert [s["subscriptionId"] for s in fabrikam] == [FAB_SUB]


# ---- the sandbox's az discovers through it -----------------------------------------------------------------
def az(box, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(box.bin_dir / "az"), *args], env=env, capture_output=True, text=True, timeout=120)


def _fresh_az(box, tmp_path) -> dict:
    return dict(box.env, AZURE_CONFIG_DIR=str(tmp_path / "azure"), AZURE_CORE_COLLECT_TELEMETRY="false")


def _profile(env: dict) -> list[dict]:
    from pathlib import Path

    raw = (Path(env["AZURE_CONFIG_DIR"]) / "azureProfile.json").read_bytes().decode("utf-8-sig")
    return json.loads(raw)["subscriptions"]


def test_login_without_tenant_writes_the_tenant_display_fields(sandbox_factory, tmp_path) -> None:
    box = sandbox_factory("laptop-az")
    env = _fresh_az(box, tmp_path)
    p = az(box, env, "login", "-u", "dev@contoso.com", "-p", "Dev-Passw0rd!")
    assert p.returncode == 0, p.stderr
    (account,) = _profile(env)
    assert list(account) == [
        "id", "name", "state", "user", "isDefault", "tenantId", "environmentName",
        "homeTenantId", "tenantDefaultDomain", "tenantDisplayName", "managedByTenants",
    ]  # fmt: skip
    assert (account["tenantDisplayName"], account["tenantDefaultDomain"]) == ("Contoso", "contoso.com")
    assert [r.split(" ", 1)[1] for r in box.arm.requests] == [
        "management.azure.com/tenants",
        "management.azure.com/subscriptions",
    ]
    # with --tenant az lists only that tenant's subscriptions: no display fields
    p = az(box, env, "login", "-u", "dev@contoso.com", "-p", "Dev-Passw0rd!", "--tenant", CONTOSO)
    assert p.returncode == 0, p.stderr
    (account,) = _profile(env)
    assert "tenantDisplayName" not in account and account["homeTenantId"] == CONTOSO


def test_login_of_a_guest_finds_both_tenants_subscriptions(sandbox_factory, tmp_path) -> None:
    box = sandbox_factory("laptop-everything")
    env = _fresh_az(box, tmp_path)
    p = az(box, env, "login", "-u", "dev@contoso.com", "-p", "Dev-Passw0rd!")
    assert p.returncode == 0, p.stderr
    found = {a["id"]: (a["tenantId"], a["tenantDisplayName"], a["isDefault"]) for a in _profile(env)}
    assert found == {SUB_ID: (CONTOSO, "Contoso", True), FAB_SUB: (FABRIKAM, "Fabrikam", False)}
    token = json.loads(az(box, env, "account", "get-access-token", "--subscription", FAB_SUB).stdout)
    assert token["tenant"] == FABRIKAM


def test_login_with_no_subscription_is_azs_error_unless_allowed(sandbox_factory, tmp_path) -> None:
    box = sandbox_factory("laptop-az", subscriptions=[])
    env = _fresh_az(box, tmp_path)
    p = az(box, env, "login", "-u", "dev@contoso.com", "-p", "Dev-Passw0rd!")
    assert p.returncode == 1
    assert p.stderr.splitlines()[-3:] == [
        "WARNING: The following tenants don't contain accessible subscriptions. "
        "Use `az login --allow-no-subscriptions` to have tenant level access.",
        f"WARNING: {CONTOSO} 'Contoso'",
        "ERROR: No subscriptions found for dev@contoso.com.",
    ]
    p = az(box, env, "login", "-u", "dev@contoso.com", "-p", "Dev-Passw0rd!", "--allow-no-subscriptions")
    assert p.returncode == 0, p.stderr
    (account,) = _profile(env)
    assert (account["id"], account["name"]) == (CONTOSO, "N/A(tenant level account)")


def test_the_first_enabled_subscription_becomes_the_default(sandbox_factory, tmp_path) -> None:
    subs = [
        {"id": "22222222-0000-4000-8000-000000000001", "name": "Old", "state": "Disabled"},
        {"id": SUB_ID, "name": "Contoso Dev/Test"},
    ]
    box = sandbox_factory("laptop-az", subscriptions=subs)
    env = _fresh_az(box, tmp_path)
    assert az(box, env, "login", "-u", "dev@contoso.com", "-p", "Dev-Passw0rd!").returncode == 0
    assert [(a["state"], a["isDefault"]) for a in _profile(env)] == [("Disabled", False), ("Enabled", True)]
    listed = json.loads(az(box, env, "account", "list").stdout)
    assert [a["id"] for a in listed] == [SUB_ID]


def test_the_sandboxs_signed_in_az_holds_every_subscription_of_the_guests_tenants(sandbox_factory) -> None:
    """~/.azure as `az login` (no --tenant) leaves it: both tenants' subscriptions, Contoso's active."""
    box = sandbox_factory("laptop-everything")
    listed = json.loads(az(box, box.env, "account", "list").stdout)
    assert [(a["name"], a["tenantDisplayName"], a["isDefault"]) for a in listed] == [
        ("Contoso Dev/Test", "Contoso", True),
        ("Fabrikam Production", "Fabrikam", False),
    ]
    token = az(box, box.env, "account", "get-access-token", "--subscription", "fabrikam production")
    assert token.returncode == 0, token.stderr
    assert json.loads(token.stdout)["tenant"] == FABRIKAM
    probe = AzureCliCredential(host=Host(env=box.env), subscription="Fabrikam Production").probe()
    assert probe.status == AVAILABLE
