"""The export oracle: exported code, run by the real azure-identity 1.27.0, picks what the engine picks.

For each case a chain spec is exported (auto unless the case says otherwise) and a small harness is
appended to the file (it is not part of the export: it asks for one token and prints the selected
credential and the token's claims, never the token). In the case's sandbox scenario (in a loopback-only
network namespace where the machine allows), tests/oracle/export_runner.py runs:

* ``python exported.py`` with the variables the export says the app's environment must set
  (``AZURE_TOKEN_CREDENTIALS=...`` for the environment form), exactly as a user's app would run;
* the engine's run of the same spec (``build`` + ``run_chain`` on a Host of the sandbox environment,
  what ``chainsight run`` does), with that variable unset, as Chainsight evaluates the spec.

Both must select the same credential as the same account (tenant, object id, client id, upn), or
both fail (at construction: with the same exception type). Cases that share a scenario and overrides
share one sandbox (tests/oracle/sandbox_groups.py); each case is its own test.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.account import Account
from engine.export import Export, export
from engine.run import DEFAULT_SCOPE
from engine.spec import ChainSpec, CredentialSpec
from tests.oracle.forked_cases import HARNESS_ERROR
from tests.oracle.sandbox_groups import GroupedVerdicts, longest_group_timeout, module_verdicts
from tests.plugins.sandbox import can_isolate, run_from_repo
from tests.system import require_oracle

REPO_ROOT = Path(__file__).resolve().parents[2]
RESULT = "EXPORT-RESULT:"
ACCOUNT_FIELDS = ("tenant_id", "object_id", "client_id", "upn")
CLAIMS = ("tid", "oid", "appid", "azp", "upn", "preferred_username", "unique_name")

CONTOSO = "4a3e1c0b-7f5d-4c1e-9a8b-1d2c3b4a5f60"
WRONG_ACCOUNT_SP = "0c9a51f2-5b3e-4d8a-9f61-2e7c4b8d0a11"
VM_SYSTEM_CLIENT = "a7b8c9d0-0010-4000-8000-0000000e0010"
VM_USER_CLIENT = "f6a7b8c9-0009-4000-8000-0000000d0009"
VM_USER_OBJECT = "f6a7b8c9-0012-4000-8000-0000000d0012"
APP_SERVICE_CLIENT = "5e0f1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b"
FAST_IMDS_MISS = {"managed_identity": {"kind": "imds", "mode": "identity_not_found"}}
DEV = {
    "exclude_environment_credential": True,
    "exclude_workload_identity_credential": True,
    "exclude_managed_identity_credential": True,
}
PROD = {
    "exclude_shared_token_cache_credential": True,
    "exclude_visual_studio_code_credential": True,
    "exclude_cli_credential": True,
    "exclude_powershell_credential": True,
    "exclude_developer_cli_credential": True,
    "exclude_broker_credential": True,
}


# Also failing in tests/oracle/test_scenarios_oracle.py [cache-username-keyword]: the engine's
# SharedTokenCacheCredential finds no account for a username that azure-identity finds in this scenario.


def only(option: str) -> dict:
    return {k: k != option for k in {**DEV, **PROD}} | {"exclude_interactive_browser_credential": True}


def dac(**options) -> ChainSpec:
    return ChainSpec(options=options)


def chain(*members) -> ChainSpec:
    credentials = [CredentialSpec(m[0], dict(m[1])) if isinstance(m, tuple) else CredentialSpec(m) for m in members]
    return ChainSpec(type="ChainedTokenCredential", credentials=credentials)


def tool(name: str, mode: str, **extra) -> dict:
    return {"tools": {name: {"mode": mode, **extra}}}


@dataclass(frozen=True)
class Case:
    scenario: str
    spec: ChainSpec
    style: str  # the form the export must take (auto must choose it, or it is requested)
    requested: str = "auto"
    overrides: dict | None = None
    async_: bool = False


CASES: dict[str, Case] = {
    # ---- a laptop signed in to az -----------------------------------------------------------------
    "laptop-default": Case("laptop-az", dac(), "default", overrides=FAST_IMDS_MISS),
    "laptop-dev-selection": Case("laptop-az", dac(**DEV), "env", requested="env"),
    "laptop-dev-selection-timeout": Case("laptop-az", dac(**DEV, process_timeout=30), "env", requested="env"),
    "laptop-only-cli": Case("laptop-az", dac(**only("exclude_cli_credential")), "env", requested="env"),
    "laptop-excluded-cli-and-cache": Case(
        "laptop-az",
        dac(exclude_cli_credential=True, exclude_shared_token_cache_credential=True),
        "default",
        overrides=FAST_IMDS_MISS,
    ),
    "laptop-single-cli-credential": Case("laptop-az", chain("AzureCliCredential"), "env", requested="env"),
    "laptop-cli-process-timeout": Case(
        "laptop-az", chain(("AzureCliCredential", {"process_timeout": 30})), "env", requested="env"
    ),
    "laptop-cli-tenant": Case("laptop-az", chain(("AzureCliCredential", {"tenant_id": CONTOSO})), "chained"),
    "laptop-reordered-azd-first": Case(
        "laptop-az", chain("AzureDeveloperCliCredential", "AzureCliCredential"), "chained"
    ),
    "laptop-environment-then-cli-as-dac": Case(
        "laptop-az", chain("EnvironmentCredential", "AzureCliCredential"), "default"
    ),
    "laptop-environment-then-cli-as-chain": Case(
        "laptop-az", chain("EnvironmentCredential", "AzureCliCredential"), "chained", requested="chained"
    ),
    "laptop-az-garbage-chain-stops": Case(
        "laptop-az",
        chain("AzureCliCredential", "AzureDeveloperCliCredential"),
        "chained",
        overrides=tool("az", "garbage"),
    ),
    "laptop-az-garbage-dev-goes-on": Case(
        "laptop-az", dac(**DEV), "env", requested="env", overrides=tool("az", "garbage")
    ),
    "laptop-az-hangs-short-timeout": Case(
        "laptop-az", dac(**DEV, process_timeout=1), "env", requested="env", overrides=tool("az", "hang")
    ),
    # ---- the forgotten service principal ------------------------------------------------------------
    "wrong-account-default": Case("laptop-wrong-account", dac(), "default"),
    "wrong-account-prod-selection": Case(
        "laptop-wrong-account", dac(**PROD), "env", requested="env", overrides=FAST_IMDS_MISS
    ),
    "wrong-account-environment-excluded": Case(
        "laptop-wrong-account", dac(exclude_environment_credential=True), "default", overrides=FAST_IMDS_MISS
    ),
    "wrong-account-client-secret-from-env": Case(
        "laptop-wrong-account",
        chain(
            (
                "ClientSecretCredential",
                {"tenant_id": CONTOSO, "client_id": WRONG_ACCOUNT_SP, "client_secret_env": "AZURE_CLIENT_SECRET"},
            ),
            "AzureCliCredential",
        ),
        "chained",
    ),
    "wrong-account-cli-before-environment": Case(
        "laptop-wrong-account", chain("AzureCliCredential", "EnvironmentCredential"), "chained"
    ),
    # ---- everything signed in, as different accounts ---------------------------------------------------
    "everything-default": Case("laptop-everything", dac(), "default", overrides=FAST_IMDS_MISS),
    "everything-pwsh-before-azd": Case(
        "laptop-everything", chain("AzurePowerShellCredential", "AzureDeveloperCliCredential"), "chained"
    ),
    "everything-only-azd": Case(
        "laptop-everything", dac(**only("exclude_developer_cli_credential")), "env", requested="env"
    ),
    "everything-shared-cache-as-dac": Case("laptop-everything", chain("SharedTokenCacheCredential"), "default"),
    # ---- the shared cache with two accounts ----------------------------------------------------------
    "cache-username-option-dev": Case(
        "shared-cache-two-accounts",
        dac(**DEV, shared_cache_username="admin@contoso.com"),
        "env",
        requested="env",
    ),
    "cache-username-credential": Case(
        "shared-cache-two-accounts",
        chain(("SharedTokenCacheCredential", {"username": "admin@contoso.com", "tenant_id": CONTOSO})),
        "default",
    ),
    # ---- managed identity --------------------------------------------------------------------------
    "vm-default-user-assigned-from-env": Case("vm-imds-user-assigned", dac(), "default"),
    "vm-prod-system-assigned": Case(
        "vm-imds-user-assigned", dac(**PROD, managed_identity_client_id=None), "env", requested="env"
    ),
    "vm-managed-identity-alone-ignores-azure-client-id": Case(
        "vm-imds-user-assigned", chain("ManagedIdentityCredential"), "chained"
    ),
    "vm-managed-identity-client-id": Case(
        "vm-imds-user-assigned", chain(("ManagedIdentityCredential", {"client_id": VM_SYSTEM_CLIENT})), "chained"
    ),
    "vm-managed-identity-object-id": Case(
        "vm-imds-user-assigned",
        chain(("ManagedIdentityCredential", {"identity_config": {"object_id": VM_USER_OBJECT}})),
        "chained",
    ),
    "app-service-only-managed-identity": Case(
        "app-service", dac(**only("exclude_managed_identity_credential")), "env", requested="env"
    ),
    "app-service-client-id-then-cli": Case(
        "app-service",
        chain(("ManagedIdentityCredential", {"client_id": APP_SERVICE_CLIENT}), "AzureCliCredential"),
        "chained",
    ),
    "cloud-shell-default": Case("cloud-shell", dac(), "default"),
    # ---- workload identity ----------------------------------------------------------------------------
    "aks-default": Case("aks-workload-identity", dac(), "default"),
    "aks-prod-selection": Case("aks-workload-identity", dac(**PROD), "env", requested="env"),
    "aks-workload-identity-credential": Case("aks-workload-identity", chain("WorkloadIdentityCredential"), "chained"),
    "aks-managed-identity-alone-exchanges": Case(
        "aks-workload-identity", chain("ManagedIdentityCredential"), "chained"
    ),
    # ---- nothing works -----------------------------------------------------------------------------------
    "everything-broken-default": Case("everything-broken", dac(), "default"),
    "everything-broken-workload-identity-cannot-build": Case(
        "everything-broken", chain("WorkloadIdentityCredential", "AzureCliCredential"), "chained"
    ),
    # ---- async (azure.identity.aio) -------------------------------------------------------------------
    "async-laptop-dev-selection": Case("laptop-az", dac(**DEV), "env", requested="env", async_=True),
    "async-wrong-account-default": Case("laptop-wrong-account", dac(), "default", async_=True),
    "async-vm-managed-identity-client-id": Case(
        "vm-imds-user-assigned",
        chain(("ManagedIdentityCredential", {"client_id": VM_USER_CLIENT}), "AzureCliCredential"),
        "chained",
        async_=True,
    ),
    # ---- auto never needs a variable set: the same selections as plain DefaultAzureCredential(...) code ---------
    "laptop-dev-selection-auto": Case("laptop-az", dac(**DEV), "default"),
    "laptop-single-cli-credential-auto": Case("laptop-az", chain("AzureCliCredential"), "default"),
    "vm-prod-system-assigned-auto": Case(
        "vm-imds-user-assigned", dac(**PROD, managed_identity_client_id=None), "default"
    ),
}

_HARNESS_HEAD = """

# ---- oracle harness: appended by tests/oracle/test_export_oracle.py, not part of the export ----
import asyncio as _asyncio  # noqa: E402
import base64 as _base64  # noqa: E402
import json as _json  # noqa: E402


def _verdict(token, chain):
    selected = chain._successful_credential
    payload = token.token.split(".")[1]
    claims = _json.loads(_base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return {{
        "chain": type(chain).__name__,
        "selected": getattr(selected, "_credential_name", None) or type(selected).__name__,
        "claims": {{k: claims[k] for k in {claims!r} if k in claims}},
    }}
"""

SYNC_HARNESS = (
    _HARNESS_HEAD
    + """

try:
    _result = _verdict(credential.get_token({scope!r}), credential)
except Exception as _ex:
    _result = {{"chain": type(credential).__name__, "selected": None, "error": type(_ex).__name__}}
print({marker!r} + _json.dumps(_result), flush=True)
"""
)

ASYNC_HARNESS = (
    _HARNESS_HEAD
    + """

async def _harness():
    async with credential:
        try:
            return _verdict(await credential.get_token({scope!r}), credential)
        except Exception as ex:
            return {{"chain": type(credential).__name__, "selected": None, "error": type(ex).__name__}}


print({marker!r} + _json.dumps(_asyncio.run(_harness())), flush=True)
"""
)

# A group runs in the first test that needs it: that test's limit is the whole group's.
pytestmark = pytest.mark.timeout(longest_group_timeout(CASES) + 30)


@dataclass(frozen=True)
class _Run:
    """What the group session needs of a case: where it runs and what export_runner.py is given."""

    scenario: str
    overrides: dict | None
    payload: dict


def _exported_run(case: Case, result: Export, directory: Path) -> _Run:
    directory.mkdir(parents=True, exist_ok=True)
    harness = ASYNC_HARNESS if case.async_ else SYNC_HARNESS
    exported = directory / "exported.py"
    exported.write_text(
        result.code + harness.format(claims=CLAIMS, scope=DEFAULT_SCOPE, marker=RESULT), encoding="utf-8"
    )
    spec = {
        "type": case.spec.type,
        "azure_identity": case.spec.azure_identity,
        "options": case.spec.options,
        "credentials": [{"type": c.type, "options": c.options, "enabled": c.enabled} for c in case.spec.credentials],
    }
    payload = {"exported": str(exported), "spec": spec, "scope": DEFAULT_SCOPE, "app_env": result.environment}
    return _Run(case.scenario, case.overrides, payload)


@pytest.fixture(scope="module")
def exports() -> dict[str, Export]:
    require_oracle()
    return {name: export(case.spec, case.requested, async_=case.async_) for name, case in CASES.items()}


@pytest.fixture(scope="module")
def export_verdicts(exports, tmp_path_factory) -> Iterator[GroupedVerdicts]:
    """Each case's verdicts: a case's group runs the first time one of its tests asks."""
    root = tmp_path_factory.mktemp("export-oracle")
    runs = {name: _exported_run(case, exports[name], root / name) for name, case in CASES.items()}
    yield from module_verdicts("tests.oracle.export_runner", runs, tmp_path_factory, payload=lambda run: run.payload)


def _real_verdict(returncode: int, stdout: str, stderr: str) -> dict:
    lines = [ln for ln in stdout.splitlines() if ln.startswith(RESULT)]
    if not lines:
        last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
        return {"construction_error": last.split(":", 1)[0].split(".")[-1], "detail": stderr[-2000:]}
    data = json.loads(lines[-1][len(RESULT) :])
    account = Account.from_claims(data["claims"]) if data.get("claims") else None
    return {
        "selected": data["selected"],
        "account": {f: getattr(account, f) for f in ACCOUNT_FIELDS} if account else None,
    }


def _engine_verdict(data: dict) -> dict:
    if "construction_error" in data:
        return data
    return {"selected": data["selected"], "account": data["account"]}


@pytest.mark.parametrize("name", list(CASES))
def test_exported_code_selects_the_engines_credential_and_account(name, exports, export_verdicts):
    case, result, outcome = CASES[name], exports[name], export_verdicts(name)
    assert HARNESS_ERROR not in outcome, outcome[HARNESS_ERROR]
    assert result.style == case.style
    real = _real_verdict(*outcome["real"])
    ours = _engine_verdict(outcome["engine"])
    if "construction_error" in ours or "construction_error" in real:
        assert real.get("construction_error") == ours.get("construction_error"), (real, ours, result.code)
        return
    assert real == ours, f"\nreal: {real}\nengine: {ours}\nexported code:\n{result.code}\n{outcome['real'][2]}"


def test_the_cases_cover_every_form_and_the_issues_list():
    styles = {c.style for c in CASES.values()}
    assert styles == {"env", "default", "chained"}
    assert len(CASES) >= 20
    kinds = {
        "reordered": any("reordered" in n or "before" in n for n in CASES),
        "excluded": any("excluded" in n for n in CASES),
        "client ids": any("client-id" in n for n in CASES),
        "tenants": any("tenant" in n for n in CASES),
        "process timeouts": any("timeout" in n for n in CASES),
        "managed identity options": any("object-id" in n for n in CASES),
        "single credential": any("single" in n for n in CASES),
        "dev and prod": any("dev" in n for n in CASES) and any("prod" in n for n in CASES),
    }
    assert all(kinds.values()), kinds


EXAMPLE_CASES = {
    "sync-get-token": ("laptop-az", dac(**DEV), False),
    "async-get-token": ("laptop-wrong-account", dac(), True),
}


@pytest.mark.parametrize("name", list(EXAMPLE_CASES))
def test_exported_example_runs_as_is_and_prints_only_the_expiry(name, tmp_path):
    require_oracle()
    scenario, spec, async_ = EXAMPLE_CASES[name]
    if async_:
        require_oracle("aiohttp")  # azure.identity.aio's transport
    result = export(spec, async_=async_, example="get_token")
    program = tmp_path / "exported_example.py"  # not app.py: that would shadow the app package for -m
    program.write_text(result.code, encoding="utf-8")
    argv = [sys.executable, "-m", "app.cli.sandbox", "exec", "--scenario", scenario]
    argv += ["--isolate-network"] if can_isolate() else []
    argv += ["--", "env", *(f"{k}={v}" for k, v in result.environment.items()), sys.executable, str(program)]
    proc = run_from_repo(
        argv,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1 and re.fullmatch(r"Access token expires at \d+ \(Unix time\)", lines[0]), proc.stdout
    assert "eyJ" not in proc.stdout + proc.stderr  # no JWT (token) printed anywhere
