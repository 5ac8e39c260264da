"""Every export is valid Python, ruff-clean, formatted, imports only what it uses, and holds no secret."""

from __future__ import annotations

import ast
import os

import pytest

from engine.export import STYLE_CHOICES, ExportError, NotEquivalentError, export, forms
from engine.export.program import EXAMPLES
from engine.spec import ChainSpec, CredentialSpec
from tests.engine.export.ruff_check import format_problems, lint_problems, write_all
from tests.engine.export.specs import ASYNC_AUTO_TABLE, AUTO_TABLE, CLIENT, TENANT, chain, dac

CANARY = "canary-Secret-8d1f0c"  # must never appear in any export
MATRIX_SPECS = {**AUTO_TABLE, **{f"async-{k}": v for k, v in ASYNC_AUTO_TABLE.items()}}


def _all_exports() -> dict[str, str]:
    """Every spec of the tables, in every equivalent style, sync and async, with every example."""
    sources = {}
    for name, case in AUTO_TABLE.items():
        for async_ in (False, True):
            verdicts = forms(case.spec, async_=async_)
            for style in STYLE_CHOICES:
                if style != "auto" and not verdicts[style].equivalent:
                    continue
                for example in (None, *EXAMPLES):
                    try:
                        result = export(case.spec, style, async_=async_, example=example)
                    except NotEquivalentError:
                        continue
                    key = f"{name}-{style}-{'async' if async_ else 'sync'}-{example}".replace(".", "_")
                    sources[key.replace("-", "_")] = result.code
    return sources


@pytest.fixture(scope="module")
def exports() -> dict[str, str]:
    return _all_exports()


@pytest.fixture(scope="module")
def export_dir(exports, tmp_path_factory):
    directory = tmp_path_factory.mktemp("exports")
    write_all(directory, exports)
    return directory


def test_the_matrix_covers_every_style_sync_and_async_and_every_example(exports):
    assert len(exports) > 300
    for fragment in ("_env_", "_default_", "_chained_", "_auto_", "_async_", "_sync_", "_get_token", "_client"):
        assert any(fragment in key for key in exports), fragment


def test_every_export_parses(exports):
    for name, code in exports.items():
        ast.parse(code, filename=name)


def test_every_export_is_clean_under_ruff_check(export_dir):
    assert lint_problems(export_dir) == ""


def test_every_export_is_already_formatted_as_ruff_format_would(export_dir):
    assert format_problems(export_dir) == ""


def _imported_and_used(code: str) -> tuple[set[str], set[str]]:
    tree = ast.parse(code)
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imported |= {a.asname or a.name for a in node.names}
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return imported, used


def test_every_export_imports_exactly_the_names_it_uses(exports):
    for name, code in exports.items():
        imported, used = _imported_and_used(code)
        assert imported <= used, (name, imported - used)
        azure_names = {n for n in used if n.endswith(("Credential", "Client", "Policy")) or n == "HttpRequest"}
        assert azure_names <= imported, (name, azure_names - imported)


def test_sync_code_uses_azure_identity_and_closes_with_a_with_block():
    code = export(dac(), example="get_token").code
    assert "from azure.identity import DefaultAzureCredential\n" in code
    assert "with credential:\n" in code and "async" not in code


def test_async_code_uses_aio_async_with_and_asyncio_run():
    code = export(dac(), async_=True, example="get_token").code
    assert "from azure.identity.aio import DefaultAzureCredential\n" in code
    assert "async with credential:" in code
    assert "token = await credential.get_token(" in code
    assert code.rstrip().endswith("asyncio.run(main())")


def test_async_code_without_example_says_how_to_close():
    assert "await credential.close()" in export(dac(), async_=True).code


def test_get_token_example_prints_only_the_expiry_for_the_chosen_scope():
    code = export(dac(), example="get_token", scope="https://graph.microsoft.com/.default").code
    assert 'credential.get_token("https://graph.microsoft.com/.default")' in code
    prints = [n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"]
    assert len(prints) == 1
    assert "token.expires_on" in ast.unparse(prints[0]) and "token.token" not in code


def test_client_example_uses_azure_core_and_names_the_package_an_sdk_client_needs():
    code = export(dac(), example="client").code
    assert "from azure.core import PipelineClient" in code
    assert "BearerTokenCredentialPolicy(" in code and "azure-mgmt-resource" in code
    assert "get_token" not in code  # the policy asks for tokens; nothing prints one


def test_no_example_means_no_token_request():
    assert "get_token" not in export(dac()).code


def test_unknown_example_and_style_are_refused():
    with pytest.raises(ValueError, match="example"):
        export(dac(), example="bogus")
    with pytest.raises(ExportError, match="style"):
        export(dac(), "bogus")


def test_chained_form_keeps_the_users_order_and_options():
    spec = chain(
        ("AzureCliCredential", {"tenant_id": TENANT, "process_timeout": 25}),
        ("ManagedIdentityCredential", {"identity_config": {"object_id": CLIENT}}),
        "EnvironmentCredential",
    )
    code = export(spec).code
    assert (
        code.index("AzureCliCredential(")
        < code.index("ManagedIdentityCredential(")
        < code.index("EnvironmentCredential()")
    )
    calls = {n.func.id: n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Call) and hasattr(n.func, "id")}
    cli = {k.arg: ast.literal_eval(k.value) for k in calls["AzureCliCredential"].keywords}
    assert cli == {"tenant_id": TENANT, "process_timeout": 25}
    mi = {k.arg: ast.literal_eval(k.value) for k in calls["ManagedIdentityCredential"].keywords}
    assert mi == {"identity_config": {"object_id": CLIENT}}


def test_disabled_credentials_are_left_out():
    spec = chain("AzureCliCredential", CredentialSpec("AzurePowerShellCredential", enabled=False), profile="1.27")
    code = export(spec, "chained").code
    assert "AzurePowerShellCredential" not in code


def test_client_secret_is_read_from_the_environment_variable_the_spec_names_or_azure_client_secret():
    named = chain(
        ("ClientSecretCredential", {"tenant_id": TENANT, "client_id": CLIENT, "client_secret_env": "APP_SECRET"})
    )
    code = export(named).code
    assert 'client_secret=os.environ["APP_SECRET"]' in code and "import os\n" in code
    unnamed = chain(("ClientSecretCredential", {"tenant_id": TENANT, "client_id": CLIENT}))
    assert 'client_secret=os.environ["AZURE_CLIENT_SECRET"]' in export(unnamed).code


def test_certificate_password_is_read_from_the_environment():
    spec = chain(
        (
            "CertificateCredential",
            {"tenant_id": TENANT, "client_id": CLIENT, "certificate_path": "/certs/app.pem", "password_env": "CERT_PW"},
        )
    )
    code = export(spec).code
    assert 'password=os.environ["CERT_PW"]' in code
    assert 'certificate_path="/certs/app.pem"' in code


def test_canary_secrets_in_the_environment_and_named_variables_never_reach_the_code(monkeypatch):
    for variable in (
        "AZURE_CLIENT_SECRET",
        "APP_SECRET",
        "CERT_PW",
        "AZURE_PASSWORD",
        "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    ):
        monkeypatch.setenv(variable, CANARY)
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", CANARY)
    specs = [
        chain(
            ("ClientSecretCredential", {"tenant_id": TENANT, "client_id": CLIENT, "client_secret_env": "APP_SECRET"})
        ),
        chain(("CertificateCredential", {"tenant_id": TENANT, "client_id": CLIENT, "password_env": "CERT_PW"})),
        chain("EnvironmentCredential", ("ClientSecretCredential", {"tenant_id": TENANT, "client_id": CLIENT})),
        dac(),
        *(case.spec for case in AUTO_TABLE.values()),
    ]
    for spec in specs:
        for async_ in (False, True):
            for example in (None, *EXAMPLES):
                try:
                    result = export(spec, async_=async_, example=example)
                except NotEquivalentError:
                    continue
                assert CANARY not in result.code
                assert CANARY not in repr(result)
    assert os.environ["APP_SECRET"] == CANARY  # the exporter read nothing from (and changed nothing in) it


@pytest.mark.parametrize(
    "spec",
    [
        ChainSpec(
            type="ChainedTokenCredential",
            credentials=[CredentialSpec("ClientSecretCredential", {"client_secret": CANARY})],
        ),
        ChainSpec(
            type="ChainedTokenCredential", credentials=[CredentialSpec("CertificateCredential", {"password": CANARY})]
        ),
        ChainSpec(options={"client_secret": CANARY}),
    ],
)
def test_a_secret_put_straight_into_a_spec_is_refused_without_echoing_it(spec):
    with pytest.raises(ExportError) as caught:
        export(spec)
    assert CANARY not in str(caught.value)


def test_a_chain_with_no_enabled_credential_is_refused():
    with pytest.raises(ExportError, match="no enabled credential"):
        export(chain(CredentialSpec("AzureCliCredential", enabled=False)))


def test_long_values_still_produce_formatted_code(tmp_path):
    spec = chain(
        ("AzureCliCredential", {"tenant_id": "t" * 100, "additionally_allowed_tenants": ["*", TENANT, CLIENT]}),
        ("ManagedIdentityCredential", {"identity_config": {"resource_id": "/subscriptions/" + "x" * 120}}),
        ("ClientSecretCredential", {"tenant_id": TENANT, "client_id": CLIENT, "client_secret_env": "S" * 90}),
    )
    sources = {
        f"long_{a}_{e}": export(spec, async_=a, example=e).code for a in (False, True) for e in (None, *EXAMPLES)
    }
    write_all(tmp_path, sources)
    assert format_problems(tmp_path) == ""
    assert lint_problems(tmp_path) == ""
