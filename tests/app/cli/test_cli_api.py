"""``chainsight run --api get_token|get_token_info``: the default is what Azure SDK clients call, the JSON
says which method was asked, and an empty tenant gives each method's own verdict."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.app.cli.sandbox_cli import ROOT, chainsight_in

CONTOSO = "4a3e1c0b-7f5d-4c1e-9a8b-1d2c3b4a5f60"


def _spec(tmp_path) -> str:
    path = tmp_path / "chain.toml"
    path.write_text(
        '[chain]\ntype = "ChainedTokenCredential"\n\n'
        f'[[chain.credentials]]\ntype = "AzureCliCredential"\ntenant_id = "{CONTOSO}"\n'
    )
    return str(path)


def _run(tmp_path, *args: str) -> tuple[int, dict]:
    result = chainsight_in("laptop-az", "run", "--json", "--config", _spec(tmp_path), *args, tmp_path=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def test_run_asks_get_token_info_by_default_and_says_so(tmp_path):
    code, data = _run(tmp_path)
    assert code == 0 and data["api"] == "get_token_info" and data["selected"] == "AzureCliCredential"


def test_an_empty_tenant_is_refused_by_get_token_info_and_dropped_by_get_token(tmp_path):
    code, info = _run(tmp_path, "--tenant", "")
    assert code == 1 and info["api"] == "get_token_info"
    (attempt,) = info["attempts"]
    assert attempt["outcome"] == "failed"
    assert attempt["message"].startswith("The current credential is not configured to acquire tokens for tenant .")
    code, token = _run(tmp_path, "--tenant", "", "--api", "get_token")
    assert code == 0 and token["api"] == "get_token" and token["selected"] == "AzureCliCredential"


def test_help_names_the_default_and_why_and_a_wrong_api_is_a_usage_error():
    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, cwd=ROOT)

    help_text = " ".join(cli("run", "--help").stdout.split())
    assert "--api {get_token,get_token_info}" in help_text
    assert "default get_token_info: what Azure SDK clients call" in help_text
    wrong = cli("run", "--api", "get_access_token")
    assert wrong.returncode == 2 and "invalid choice: 'get_access_token'" in wrong.stderr
