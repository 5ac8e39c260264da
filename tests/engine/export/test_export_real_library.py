"""The forms equivalence.py calls equivalent build the same chain in the real azure-identity 1.27.0.

Each exported form is executed (no example, so nothing is requested) in several environments, and
the real credential objects are compared member by member: class, and the settings DefaultAzure-
Credential would otherwise take from the environment (shared cache username/tenant, interactive
browser tenant/client, process timeout, the managed identity and environment credential's inner
credential). The engine's build of the spec must have the same members. The counter-examples show
why the rules exist: where the rules refuse a form, the real library does build a different chain.
"""

from __future__ import annotations

import os
import warnings

import pytest

from engine.build import build
from engine.export import export, forms
from engine.host import Host
from engine.run import member_names
from engine.spec import ChainSpec
from tests.engine.export.specs import AUTO_TABLE, CLIENT, TENANT, chain
from tests.system import require_oracle

azure_identity = require_oracle()

ENVIRONMENTS = {
    "plain": {},
    "ambient-prod": {"AZURE_TOKEN_CREDENTIALS": "prod"},
    "ambient-dev": {"AZURE_TOKEN_CREDENTIALS": "dev"},
    "ids-set": {"AZURE_CLIENT_ID": CLIENT, "AZURE_TENANT_ID": TENANT, "AZURE_USERNAME": "dev@contoso.com"},
    "aks": {
        "AZURE_AUTHORITY_HOST": "https://login.microsoftonline.com",
        "AZURE_TENANT_ID": TENANT,
        "AZURE_CLIENT_ID": CLIENT,
        "AZURE_FEDERATED_TOKEN_FILE": "{token_file}",
    },
}


def _environment(name: str, tmp_path) -> dict[str, str]:
    token_file = tmp_path / "token"
    token_file.write_text("assertion")
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    env.update({k: v.format(token_file=token_file) for k, v in ENVIRONMENTS[name].items()})
    return env


def _use(monkeypatch, env: dict[str, str]) -> None:
    for name in list(os.environ):
        if name.startswith(("AZURE_", "IDENTITY_", "MSI_")):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def _build_real(code: str):
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(code, "exported.py", "exec"), namespace)
    return namespace["credential"]


def _member(m) -> tuple:
    name = getattr(m, "_credential_name", None) or type(m).__name__
    detail: tuple = ()
    if type(m).__name__ == "FailedDACCredential":
        detail = ("placeholder",)
    elif name == "SharedTokenCacheCredential":
        detail = (m._credential._username, m._credential._tenant_id)
    elif name == "InteractiveBrowserCredential":
        detail = (m._tenant_id, m._client_id)
    elif name in ("ManagedIdentityCredential", "EnvironmentCredential"):
        detail = (type(m._credential).__name__ if m._credential else None,)
    elif name in ("AzureCliCredential", "AzurePowerShellCredential", "AzureDeveloperCliCredential"):
        detail = (m._process_timeout,)
    return (name, *detail)


def _real_chain(code: str) -> list[tuple] | str:
    try:
        credential = _build_real(code)
    except Exception as ex:  # construction errors are part of the behaviour
        return f"{type(ex).__name__}: {ex}"
    return [_member(m) for m in credential.credentials]


def _engine_members(spec: ChainSpec, env: dict[str, str], tmp_path) -> list[str] | str:
    try:
        return list(member_names(build(spec, Host(env=env, home=tmp_path))))
    except Exception as ex:
        return f"{type(ex).__name__}: {ex}"


def _multi_form_cases() -> list[str]:
    """1.27 specs (the installed library) with at least two equivalent forms to compare."""
    return [
        name
        for name, case in AUTO_TABLE.items()
        if case.spec.profile.name == "1.27" and sum(f.equivalent for f in forms(case.spec).values()) >= 2
    ]


@pytest.mark.parametrize("environment", list(ENVIRONMENTS))
@pytest.mark.parametrize("name", _multi_form_cases())
def test_equivalent_forms_build_the_same_real_chain(name, environment, tmp_path, monkeypatch):
    spec = AUTO_TABLE[name].spec
    env = _environment(environment, tmp_path)
    verdicts = forms(spec)
    # The reference: the spec's own form, evaluated as Chainsight evaluates the spec.
    reference_style = "default" if spec.is_default else "chained"
    reference_env = dict(env)
    if verdicts["env"].equivalent and spec.is_default:
        reference_env.pop("AZURE_TOKEN_CREDENTIALS", None)  # the env form is judged with the variable unset
    _use(monkeypatch, reference_env)
    reference = _real_chain(export(spec, reference_style).code)
    assert not isinstance(reference, str), reference
    assert [m[0] for m in reference] == _engine_members(spec, reference_env, tmp_path)
    for style, verdict in verdicts.items():
        if style == reference_style or not verdict.equivalent:
            continue
        _use(monkeypatch, {**env, **verdict.environment})
        assert _real_chain(export(spec, style).code) == reference, style


def test_counter_example_managed_identity_alone_exchanges_a_workload_token_where_dac_uses_imds(tmp_path, monkeypatch):
    _use(monkeypatch, _environment("aks", tmp_path))
    alone = _real_chain(export(chain("ManagedIdentityCredential"), "chained").code)
    in_dac = _real_chain(
        "from azure.identity import DefaultAzureCredential\n"
        "credential = DefaultAzureCredential(managed_identity_client_id=None, "
        + ", ".join(f"{m.exclude_option}={m.key != 'managed_identity'}" for m in ChainSpec().profile.members)
        + ")\n"
    )
    assert alone == [("ManagedIdentityCredential", "WorkloadIdentityCredential")]
    assert in_dac == [("ManagedIdentityCredential", "ImdsCredential")]


def test_counter_example_unconfigured_workload_identity_fails_to_build_where_dac_goes_on(tmp_path, monkeypatch):
    _use(monkeypatch, _environment("plain", tmp_path))
    alone = _real_chain(export(chain("WorkloadIdentityCredential", "AzureCliCredential"), "chained").code)
    in_dac = _real_chain(
        "from azure.identity import DefaultAzureCredential\n"
        "credential = DefaultAzureCredential(exclude_environment_credential=True, "
        "exclude_managed_identity_credential=True, exclude_shared_token_cache_credential=True, "
        "exclude_visual_studio_code_credential=True, exclude_powershell_credential=True, "
        "exclude_developer_cli_credential=True, exclude_broker_credential=True)\n"
    )
    assert isinstance(alone, str) and alone.startswith("ValueError")
    assert in_dac == [("WorkloadIdentityCredential", "placeholder"), ("AzureCliCredential", 10)]


def test_counter_example_dac_reads_azure_username_where_the_shared_cache_alone_does_not(tmp_path, monkeypatch):
    _use(monkeypatch, _environment("ids-set", tmp_path))
    alone = _real_chain(export(chain("SharedTokenCacheCredential"), "chained").code)
    unpinned = _real_chain(
        "from azure.identity import DefaultAzureCredential\n"
        "credential = DefaultAzureCredential("
        + ", ".join(f"{m.exclude_option}={m.key != 'shared_token_cache'}" for m in ChainSpec().profile.members)
        + ")\n"
    )
    pinned = _real_chain(export(chain("SharedTokenCacheCredential"), "default").code)
    assert alone == [("SharedTokenCacheCredential", None, None)]
    assert unpinned == [("SharedTokenCacheCredential", "dev@contoso.com", TENANT)]
    assert pinned == alone


def test_counter_example_ambient_variable_changes_an_unpinned_dac(tmp_path, monkeypatch):
    _use(monkeypatch, _environment("ambient-prod", tmp_path))
    unpinned = _real_chain(
        "from azure.identity import DefaultAzureCredential\n"
        "credential = DefaultAzureCredential(exclude_workload_identity_credential=True, "
        "exclude_managed_identity_credential=True, exclude_shared_token_cache_credential=True, "
        "exclude_visual_studio_code_credential=True, exclude_powershell_credential=True, "
        "exclude_developer_cli_credential=True, exclude_broker_credential=True)\n"
    )
    pinned = _real_chain(export(chain("EnvironmentCredential", "AzureCliCredential"), "default").code)
    assert [m[0] for m in unpinned] == ["EnvironmentCredential"]  # prod dropped the Azure CLI
    assert [m[0] for m in pinned] == ["EnvironmentCredential", "AzureCliCredential"]
