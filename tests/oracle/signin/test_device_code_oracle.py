"""The real azure-identity 1.27 DeviceCodeCredential and the workbench's, same options, same lab, a scripted person
entering each code: the same account or the same AADSTS code."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.oracle.signin.lab import ARM, A, assert_same_verdict, run_in_lab
from tests.system import require_oracle

require_oracle()

SCRIPT = Path(__file__).with_name("device_code_script.py")
CASES = {
    "dev-sign-on": ({}, [ARM], None, "dev@contoso.com"),
    "multi-tenant-app": ({"client_id": A + "7"}, [ARM], None, "dev@contoso.com"),
    "public-client-flows-not-allowed": ({"client_id": A + "1", "tenant_id": "contoso.com"}, [ARM], 7000218, None),
    "unknown-app": ({"client_id": "00000000-0000-0000-0000-00000000dead"}, [ARM], 700016, None),
    "bad-scope": ({}, ["https://management.azure.com"], 70011, None),
    "unknown-resource": ({}, ["api://00000000-0000-0000-0000-00000000beef/.default"], 500011, None),
}


@pytest.fixture(scope="module")
def outcomes() -> dict:
    cases = {name: {"kwargs": kwargs, "scopes": scopes} for name, (kwargs, scopes, _, _) in CASES.items()}
    return run_in_lab(SCRIPT, cases, timeout=300)


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_account_or_same_aadsts_code_as_azure_identity(outcomes, name: str) -> None:
    _, _, code, account = CASES[name]
    assert_same_verdict(outcomes[name], code, account)
