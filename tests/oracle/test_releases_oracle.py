"""Every profile against its real release, on sandbox scenarios.

Each release 1.19-1.26 runs from its own venv, cached outside the repository
(tests/oracle/releases.py: ~/.cache/chainsight/oracle/azure-identity-X, built when missing); 1.27 is
the in-process oracle's (tests/oracle/test_scenarios_oracle.py). Cases are a sample of that oracle's
sandbox cases, chosen to cover every row of engine/profiles.py's change table. All of them run in one
process (tests/oracle/release_runner.py: one interpreter per release, each case in a child forked from it,
one scenario's sandbox at a time, in a loopback-only network namespace where the machine allows). The
verdicts must be equal: members, attempts and their outcomes in order, the selected credential, the
account, the error text.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.cli.crosscheck import differences
from tests.oracle.release_runner import VERDICTS
from tests.oracle.releases import RELEASES, interpreter
from tests.oracle.sandbox_groups import groups_of, runner_payload
from tests.oracle.test_scenarios_oracle import CASES, Case, chain, normalised, tool
from tests.plugins.sandbox import REPO_ROOT, namespaced

ORACLE_RELEASES = tuple(v for v in RELEASES if not v.startswith("1.27."))
DEV = {"AZURE_TOKEN_CREDENTIALS": "dev"}
CLAIMS = '{"access_token":{"nbf":{"essential":true}}}'

# Cases the 1.27 oracle has, sampled: each exercises a row of the change table or a chain rule.
SAMPLED = (
    "az-default",
    "az-dev",
    "az-single-name",
    "az-not-signed-in",
    "az-garbage-softened-in-dac",
    "az-absent",
    "chained-az-garbage-stops",
    "chained-azd-then-az",
    "atc-invalid",
    "require-envvar-unset",
    "wrong-account-default",
    "wrong-account-bad-secret-stops",
    "everything-default",
    "everything-azd-not-signed-in",
    "everything-azd-garbage",
    "everything-pwsh-not-signed-in",
    "cache-two-accounts-ambiguous",
    "cache-revoked-softened",
    "chained-cache-revoked-stops",
    "app-service-system",
    "app-service-identity-not-found",
    "vm-unknown-identity",
    "arc-http-500",
    "aks-workload-identity",
    "aks-no-client-id-constructor",
    "everything-broken",
)
# Cases for behaviour that changed between releases.
EXTRA = {
    "claims-az-chained": Case("laptop-az", chain=chain("AzureCliCredential"), claims=CLAIMS),
    "claims-pwsh-chained": Case("laptop-everything", chain=chain("AzurePowerShellCredential"), claims=CLAIMS),
    "claims-azd-chained": Case("laptop-everything", chain=chain("AzureDeveloperCliCredential"), claims=CLAIMS),
    "azd-not-signed-in-stdout-chained": Case(
        "laptop-everything",
        chain=chain("AzureDeveloperCliCredential", "AzureCliCredential"),
        overrides=tool("azd", "not_signed_in"),
    ),
    "cli-subscription-keyword": Case(
        "laptop-az", chain=chain("AzureCliCredential", AzureCliCredential={"subscription": "Contoso Dev"})
    ),
    "workload-nothing-configured": Case("laptop-az", chain=chain("WorkloadIdentityCredential")),
    "vscode-included": Case("laptop-az", kwargs={"exclude_visual_studio_code_credential": False}, env=DEV),
    "imds-identity-not-found-chained": Case(
        "vm-imds-user-assigned",
        chain=chain("ManagedIdentityCredential"),
        env={"AZURE_CLIENT_ID": "00000000-0000-0000-0000-0000000000aa"},
    ),
}
ALL = {**{name: CASES[name] for name in SAMPLED}, **EXTRA}


GROUPS = groups_of(ALL)
PARAMS = [(name, version) for names in GROUPS.values() for name in names for version in ORACLE_RELEASES]
# The first test's setup runs every group (about 1-2 minutes), one scenario at a time: with two, the tool
# stand-ins (Python scripts) can outlast the 10 s process timeout on a loaded 2-core machine, and a timed-out
# az is a different verdict. pytest.ini's 120 s is per test.
pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def release_results() -> dict:
    """Every case's verdicts from one run of tests/oracle/release_runner.py (the groups one after another)."""
    groups = [
        {"scenario": scenario, "overrides": json.loads(overrides), "cases": {n: runner_payload(ALL[n]) for n in names}}
        for (scenario, overrides), names in GROUPS.items()
    ]
    releases = {v: str(interpreter(v)) for v in ORACLE_RELEASES}
    argv, env = namespaced(
        [sys.executable, "-m", "tests.oracle.release_runner", json.dumps({"groups": groups, "releases": releases})]
    )
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=880, cwd=REPO_ROOT, env=env)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(VERDICTS)]
    assert proc.returncode == 0 and lines, f"exit {proc.returncode}: {proc.stderr[-3000:]}"
    return json.loads(lines[-1][len(VERDICTS) :])


@pytest.mark.parametrize(("name", "release"), PARAMS)
def test_profile_verdict_equals_its_release_in_scenario(name, release, release_results):
    verdict = release_results[name][release]
    assert "harness_error" not in verdict["real"], verdict["real"]
    real, ours = normalised(verdict["real"]), normalised(verdict["engine"])
    assert differences(ours, real) == []
