"""Every failure mode of the per-credential oracle cases maps to a specific remedy (a next step).

The cases are the oracle's own tables (the tools' replies, the stand-ins' replies read from the oracle
tests' parametrize marks, the shared cache cases); each is replayed through the engine alone, and every
failure message it gives must find a row of the remedies table other than the generic one.
"""

from __future__ import annotations

import pytest

from app.diagnosis import remedies
from engine.credentials.azd_cli import AzureDeveloperCliCredential
from engine.credentials.azure_cli import AzureCliCredential
from engine.credentials.azure_powershell import AzurePowerShellCredential
from engine.credentials.environment import EnvironmentCredential
from engine.credentials.managed_identity import ManagedIdentityCredential
from engine.credentials.workload_identity import WorkloadIdentityCredential
from tests.doubles.fake_tools import install
from tests.doubles.service import outcome
from tests.oracle import test_azd_cli_oracle as azd_oracle
from tests.oracle import test_azure_cli_oracle as az_oracle
from tests.oracle import test_azure_powershell_oracle as pwsh_oracle
from tests.oracle import test_service_credentials_oracle as svc
from tests.oracle import test_user_credentials_oracle as users
from tests.oracle.developer_tools_harness import host_now
from tests.oracle.test_service_credentials_oracle import token_file  # noqa: F401  (the oracle's own fixtures)
from tests.oracle.test_user_credentials_oracle import box  # noqa: F401

pytest_plugins = ["tests.oracle.service_fixtures"]
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
SCOPE = "https://management.azure.com/.default"


def _marked(test, name: str = "reply") -> list:
    """The values a test of the oracle is parametrized with (its own table of cases)."""
    mark = next(m for m in test.pytestmark if m.name == "parametrize")
    names = [n.strip() for n in mark.args[0].split(",")] if isinstance(mark.args[0], str) else list(mark.args[0])
    values = mark.args[1]
    return [v if len(names) == 1 else v[names.index(name)] for v in values]


def _no_generic(failures: list[tuple[str, str, str]]) -> None:
    missing = [
        (case, credential, message)
        for case, credential, message in failures
        if remedies.find(credential, message).id == remedies.GENERIC
    ]
    assert failures, "no failure was replayed"
    assert missing == [], "failures without a specific remedy:\n" + "\n".join(map(repr, missing))


def _failure(case: str, credential: str, call) -> list[tuple[str, str, str]]:
    """The failure as an attempt shows it: ``.message`` when unavailable, else ``str()`` (with any body)."""
    result = outcome(call)
    if result.kind == "token":
        return []
    return [(case, credential, (result.message if result.kind == "unavailable" else result.text) or result.text)]


@pytest.mark.parametrize(
    ("kind", "replies"),
    [
        (az_oracle.AZ, az_oracle.AZ_REPLIES),
        (azd_oracle.AZD, azd_oracle.AZD_REPLIES),
        (pwsh_oracle.PWSH, pwsh_oracle.PWSH_REPLIES),
    ],
    ids=["az", "azd", "pwsh"],
)
def test_every_developer_tool_failure_of_the_oracle_has_a_remedy(kind, replies, tmp_path, monkeypatch):
    failures = []
    for case, reply in sorted(replies.items()):
        install(monkeypatch, tmp_path / case, kind.executable, reply)
        credential = kind.ours()
        failures += _failure(case, kind.class_name, lambda c=credential: c.get_token(SCOPE))
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    failures += _failure("not-on-path", kind.class_name, lambda: kind.ours().get_token(SCOPE))
    _no_generic(failures)


def test_every_developer_tool_timeout_has_a_remedy(tmp_path, monkeypatch):
    failures = []
    for cls, tool in (
        (AzureCliCredential, "az"),
        (AzureDeveloperCliCredential, "azd"),
        (AzurePowerShellCredential, "pwsh"),
    ):
        install(monkeypatch, tmp_path / tool, tool, az_oracle.Reply(sleep=5))
        credential = cls(host=host_now(), process_timeout=0.2)
        failures += _failure("timeout", cls.__name__, lambda c=credential: c.get_token(SCOPE))
    _no_generic(failures)


def test_every_environment_credential_failure_has_a_remedy(same_env, entra):
    failures = []
    for variables in _marked(svc.test_environment_unconfigured_is_unavailable_like_azure_identity, "variables"):
        host = same_env(variables)
        failures += _failure(
            str(variables),
            "EnvironmentCredential",
            lambda h=host: EnvironmentCredential(host=h, disable_instance_discovery=True).get_token(SCOPE),
        )
    host = same_env(
        svc.entra_env(entra, AZURE_CLIENT_ID=svc.CLIENT_ID, AZURE_TENANT_ID=svc.TENANT, AZURE_CLIENT_SECRET=svc.SECRET)
    )
    entra.script(svc.Reply.json(svc.BAD_SECRET, 401))
    failures += _failure(
        "bad-secret",
        "EnvironmentCredential",
        lambda: EnvironmentCredential(host=host, disable_instance_discovery=True).get_token(SCOPE),
    )
    # The username/password stand-in's answer (carried raw after "Content:" by both libraries).
    failures.append(("bad-password", "EnvironmentCredential", svc.BAD_PASSWORD["error_description"]))
    _no_generic(failures)


def test_every_managed_identity_failure_has_a_remedy(stand_in, same_env):
    failures = []
    imds = stand_in()
    for i, reply in enumerate(_marked(svc.test_imds_failures_classify_like_azure_identity)):
        host = same_env({"AZURE_POD_IDENTITY_AUTHORITY_HOST": imds.url})
        imds.routes[("GET", svc.IMDS_PATH)] = [reply]
        failures += _failure(
            f"imds-{i}", "ManagedIdentityCredential", lambda h=host: ManagedIdentityCredential(host=h).get_token(SCOPE)
        )
    server = stand_in()
    for i, reply in enumerate(_marked(svc.test_app_service_failures_classify_like_azure_identity)):
        host = same_env(svc.app_service_env(server))
        server.routes[("GET", svc.APP_SERVICE_PATH)] = [reply] * 5
        failures += _failure(
            f"app-service-{i}",
            "ManagedIdentityCredential",
            lambda h=host: ManagedIdentityCredential(host=h).get_token(SCOPE),
        )
    shell = stand_in()
    for i, reply in enumerate(_marked(svc.test_cloud_shell_failures_stop_like_azure_identity)):
        host = same_env({"MSI_ENDPOINT": shell.url + svc.CLOUD_SHELL_PATH})
        shell.routes[("POST", svc.CLOUD_SHELL_PATH)] = [reply]
        failures += _failure(
            f"cloud-shell-{i}",
            "ManagedIdentityCredential",
            lambda h=host: ManagedIdentityCredential(host=h).get_token(SCOPE),
        )
    host = same_env({"IDENTITY_ENDPOINT": "http://127.0.0.1:9/token"})
    failures += _failure(
        "identity-endpoint-alone",
        "ManagedIdentityCredential",
        lambda: ManagedIdentityCredential(host=host).get_token(SCOPE),
    )
    _no_generic(failures)


def test_every_workload_identity_failure_has_a_remedy(entra, token_file, same_env, tmp_path):  # noqa: F811
    failures = []
    for i, reply in enumerate(_marked(svc.test_workload_identity_failures_stop_like_azure_identity)):
        host = same_env(svc.wi_env(entra, token_file))
        entra.script(reply)
        failures += _failure(
            f"wi-{i}", "WorkloadIdentityCredential", lambda h=host: WorkloadIdentityCredential(host=h).get_token(SCOPE)
        )
    host = same_env(svc.wi_env(entra, tmp_path / "missing-token"))
    failures += _failure(
        "missing-token-file",
        "WorkloadIdentityCredential",
        lambda: WorkloadIdentityCredential(host=host).get_token(SCOPE),
    )
    _no_generic(failures)


def test_every_shared_token_cache_failure_has_a_remedy(box):  # noqa: F811
    failures = []
    for case in users.CASES:
        for call in users.run_ours(box, case)["calls"]:
            if call.get("result") != "token":
                failures.append((case.name, "SharedTokenCacheCredential", call.get("message") or ""))
    _no_generic(failures)
