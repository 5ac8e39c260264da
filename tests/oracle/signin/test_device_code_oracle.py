"""The real azure-identity 1.27 DeviceCodeCredential and the workbench's, same options, same lab, a scripted person
entering each code: the same account or the same AADSTS code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.plugins.sandbox import REPO_ROOT
from tests.system import require_oracle

require_oracle()

SCRIPT = Path(__file__).with_name("device_code_script.py")
ARM = "https://management.azure.com/.default"
A = "5f1a0000-0000-4000-8000-00000000a00"
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
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "sandbox",
            "exec",
            "--scenario",
            "browser-sign-in-lab",
            "--",
            sys.executable,
            str(SCRIPT),
            json.dumps(cases),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO_ROOT,
        env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
    )
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")), None)
    assert line, proc.stdout[-2000:] + proc.stderr[-3000:]
    return json.loads(line.removeprefix("RESULT"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_account_or_same_aadsts_code_as_azure_identity(outcomes, name: str) -> None:
    _, _, code, account = CASES[name]
    got = outcomes[name]
    assert got["azure_identity"] == {"code": code, "account": account}, got
    assert got["chainsight"] == got["azure_identity"], got
