"""``chainsight export``: styles, async, examples, output file, JSON, and refusals with the reason."""

from __future__ import annotations

import ast
import json

from app.cli import main
from engine.spec import ChainSpec, CredentialSpec

CANARY = "canary-Cli-Secret-51c2"


def _chain_file(tmp_path, *types: str, **options) -> str:
    spec = ChainSpec(
        type="ChainedTokenCredential", credentials=[CredentialSpec(t, dict(options.get(t, {}))) for t in types]
    )
    path = tmp_path / "chain.toml"
    spec.save(path)
    return str(path)


def test_export_without_arguments_prints_default_azure_credential(capsys):
    assert main(["export"]) == 0
    out = capsys.readouterr().out
    assert "credential = DefaultAzureCredential()\n" in out
    ast.parse(out)


def test_export_auto_gives_code_that_runs_as_it_is_and_env_only_when_asked(capsys):
    args = ["export", "--option", "exclude_environment_credential=true"]
    args += [
        "--option",
        "exclude_workload_identity_credential=true",
        "--option",
        "exclude_managed_identity_credential=true",
    ]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "require_envvar" not in captured.out and "exclude_environment_credential=True" in captured.out
    assert "AZURE_TOKEN_CREDENTIALS=dev set where the app runs: --style env" in captured.out
    assert captured.err == ""
    assert main([*args, "--style", "env"]) == 0
    captured = capsys.readouterr()
    assert "DefaultAzureCredential(require_envvar=True)" in captured.out
    assert "AZURE_TOKEN_CREDENTIALS=dev" in captured.err


def test_export_of_a_chain_file_with_style_async_and_example(tmp_path, capsys):
    config = _chain_file(tmp_path, "AzureCliCredential", "ManagedIdentityCredential")
    assert main(["export", "--config", config, "--style", "chained", "--async", "--example"]) == 0
    out = capsys.readouterr().out
    assert "from azure.identity.aio import" in out and "asyncio.run(main())" in out
    assert out.index("AzureCliCredential()") < out.index("ManagedIdentityCredential()")


def test_export_client_example_and_scope(capsys):
    assert main(["export", "--example", "client", "--scope", "https://vault.azure.net/.default"]) == 0
    out = capsys.readouterr().out
    assert 'BearerTokenCredentialPolicy(credential, "https://vault.azure.net/.default")' in out


def test_export_writes_the_output_file(tmp_path, capsys):
    target = tmp_path / "auth.py"
    assert main(["export", "--output", str(target)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "wrote" in captured.err and str(target) in captured.err
    assert "DefaultAzureCredential()" in target.read_text()


def test_export_json_carries_style_reason_and_code(capsys):
    assert main(["export", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["style"] == "default" and "DefaultAzureCredential" in data["reason"]
    assert data["environment"] == {} and data["code"].startswith("# Chainsight export")


def test_a_style_that_would_behave_differently_is_refused_with_the_reason(tmp_path, capsys):
    config = _chain_file(tmp_path, "ManagedIdentityCredential")
    assert main(["export", "--config", config, "--style", "default"]) == 2
    err = capsys.readouterr().err
    assert "would not behave like this chain" in err and "token exchange" in err


def test_an_invalid_spec_is_a_usage_error(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[chain]\ntype = "Nope"\n')
    assert main(["export", "--config", str(bad)]) == 2
    assert "chain.type" in capsys.readouterr().err


def test_secrets_named_by_the_spec_stay_in_the_environment(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("APP_SECRET", CANARY)
    config = _chain_file(
        tmp_path,
        "ClientSecretCredential",
        ClientSecretCredential={"tenant_id": "contoso.com", "client_id": "app", "client_secret_env": "APP_SECRET"},
    )
    assert main(["export", "--config", config, "--json"]) == 0
    out = capsys.readouterr().out
    assert CANARY not in out and 'os.environ[\\"APP_SECRET\\"]' in out
