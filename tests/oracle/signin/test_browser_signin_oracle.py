"""The real azure-identity 1.27 InteractiveBrowserCredential and `chainsight sign-in`, same options, same lab:
the same account, or the same AADSTS error (for a refused request, the code on the page the browser shows)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.oracle.signin.lab import ARM, A, assert_same_verdict, run_in_lab
from tests.system import require_oracle

require_oracle()

SCRIPT = Path(__file__).with_name("oracle_script.py")
# The first case's setup signs in every case through the browser (about 50 s idle); 120 s is per test.
pytestmark = pytest.mark.timeout(600)


def case(kwargs: dict, scopes: tuple[str, ...] = (ARM,), timeout: int = 20) -> dict:
    flags = {"client_id": "--client-id", "tenant_id": "--tenant", "login_hint": "--login-hint"}
    argv = [part for key, value in kwargs.items() for part in (flags[key], value)]
    argv += [part for scope in scopes if scope != ARM for part in ("--scope", scope)]
    return {"kwargs": kwargs, "argv": argv, "scopes": list(scopes), "timeout": timeout}


CASES = {
    "dev-sign-on": (case({}), None, "dev@contoso.com"),
    "own-desktop-app": (case({"client_id": A + "1", "tenant_id": "contoso.com"}), None, "dev@contoso.com"),
    "consent-page": (case({"client_id": A + "4", "tenant_id": "contoso.com"}), None, "dev@contoso.com"),
    "mfa-user": (case({"login_hint": "mfa.dev@contoso.com"}), None, "mfa.dev@contoso.com"),
    "multi-tenant-guest": (
        case({"client_id": A + "7", "login_hint": "guest@fabrikam.com"}),
        None,
        "guest@fabrikam.com",
    ),
    "web-only-redirect": (case({"client_id": A + "2"}, timeout=5), 50011, None),
    "web-localhost": (case({"client_id": A + "3", "tenant_id": "contoso.com"}), 7000218, None),
    "admin-consent": (case({"client_id": A + "5", "tenant_id": "contoso.com"}), 65001, None),
    "not-assigned": (case({"client_id": A + "6", "tenant_id": "contoso.com"}), 50105, None),
    "other-tenant-user": (
        case({"client_id": A + "1", "tenant_id": "contoso.com", "login_hint": "guest@fabrikam.com"}),
        50020,
        None,
    ),
    "single-tenant-on-organizations": (case({"client_id": A + "1"}, timeout=5), 50194, None),
    "unknown-app": (case({"client_id": "00000000-0000-0000-0000-00000000dead"}, timeout=5), 700016, None),
    "unknown-tenant": (case({"tenant_id": "nosuch.onmicrosoft.com"}), 90002, None),
    "unknown-resource": (case({}, scopes=("api://00000000-0000-0000-0000-00000000beef/.default",)), 500011, None),
    "bad-scope": (case({}, scopes=("https://management.azure.com",)), 70011, None),
    "blocked-user": (case({"login_hint": "blocked@contoso.com"}), 53003, None),
    "wrong-password": (case({"login_hint": "nopass@contoso.com"}, timeout=5), 50126, None),
}


@pytest.fixture(scope="module")
def outcomes() -> dict:
    cases = {name: spec for name, (spec, _, _) in CASES.items()}
    return run_in_lab(SCRIPT, cases, timeout=600)


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_account_or_same_aadsts_code_as_azure_identity(outcomes, name: str) -> None:
    _, code, account = CASES[name]
    assert_same_verdict(outcomes[name], code, account)
