"""D7 and point 5: malformed tool output never puts a token in any output, DEBUG log included.

azure-identity prints these tokens back in its messages; Chainsight passes every message, log line,
step detail and JSON field through one redactor (a deliberate difference, listed in the README).
"""

from __future__ import annotations

import io
import json
import logging
from contextlib import redirect_stdout

import pytest

from app.cli.run import _print_human
from app.diagnosis import diagnose
from engine.chain import ChainedTokenCredential
from engine.credentials.azd_cli import AzureDeveloperCliCredential
from engine.credentials.azure_cli import AzureCliCredential
from engine.credentials.azure_powershell import AzurePowerShellCredential
from engine.host import Host
from engine.run import run_chain
from engine.spec import CHAINED_TOKEN_CREDENTIAL, ChainSpec, CredentialSpec
from tests import loopback
from tests.doubles.chain import make_jwt
from tests.doubles.fake_tools import FakeTool, Reply

JWT = make_jwt({"upn": "dev@contoso.com", "tid": "t-1", "canary": "CANARY-77aa"})
PAYLOAD = JWT.split(".")[1]
OPAQUE = "0.ARwA-opaque-refresh-CANARY-5be1"
CANARIES = (PAYLOAD, "CANARY")

CREDENTIALS = {"az": AzureCliCredential, "azd": AzureDeveloperCliCredential, "pwsh": AzurePowerShellCredential}

# (tool, reply): the malformed-output shapes of the audit, and their near relatives.
SHAPES = [
    ("az", Reply(stdout=JWT + "\n")),
    ("az", Reply(stderr=JWT + "\n", code=1)),
    ("az", Reply(stderr=f"ERROR: {JWT} is not valid\n", code=1)),
    ("az", Reply(stdout=json.dumps({"access_token": JWT, "expires_in": 3599}))),
    ("az", Reply(stdout=json.dumps({"accessToken": JWT}))),
    ("az", Reply(stdout=json.dumps({"accessToken": JWT, "expires_on": "soon"}))),
    ("az", Reply(stdout='{"accessToken": "' + JWT)),
    ("az", Reply(stdout=json.dumps({"refresh_token": OPAQUE, "accessToken": 1}))),
    ("az", Reply(stdout=json.dumps([JWT]))),
    ("azd", Reply(stdout=json.dumps({"error": f"bad token {JWT}"}), code=1)),
    ("azd", Reply(stdout=json.dumps({"type": "consoleMessage", "data": {"message": JWT}}), code=1)),
    ("azd", Reply(stdout=json.dumps({"token": JWT}))),
    ("azd", Reply(stdout=json.dumps({"token": JWT, "expiresOn": "never"}))),
    ("azd", Reply(stderr=JWT, code=1)),
    ("azd", Reply(stdout=JWT)),
    ("pwsh", Reply(stdout=f"azsdk%%{JWT}\n")),
    ("pwsh", Reply(stdout=f"azsdk%{JWT}%notanumber\n")),
    ("pwsh", Reply(stdout=JWT + "\n")),
    ("pwsh", Reply(stderr=JWT + "\n", code=1)),
    ("pwsh", Reply(stdout=f"{JWT}%{JWT}%1\n")),
]


def _assert_clean(text: str, where: str) -> None:
    for canary in CANARIES:
        assert canary not in text, f"a token reached {where}: ...{text[max(0, text.find(canary) - 80) :][:160]}..."
    assert OPAQUE not in text, f"a refresh token reached {where}"


@pytest.mark.parametrize(("tool", "reply"), SHAPES, ids=[f"{t}-{i}" for i, (t, _) in enumerate(SHAPES)])
def test_no_token_in_any_output_for_malformed_tool_output(tmp_path, caplog, tool, reply):
    fake = FakeTool(tmp_path, tool, reply)
    host = Host(env={"PATH": f"{fake.bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)})
    caplog.set_level(logging.DEBUG)
    for credential in (CREDENTIALS[tool](host=host), ChainedTokenCredential(CREDENTIALS[tool](host=host))):
        run = run_chain(credential)
        assert run.outcome == "failed", run.to_json()
        human = io.StringIO()
        name = CREDENTIALS[tool].__name__
        spec = ChainSpec(type=CHAINED_TOKEN_CREDENTIAL, credentials=[CredentialSpec(name)])
        diagnosis = diagnose(spec, host, {}, members=[name], run=run)  # its verdict and next steps quote the message
        with redirect_stdout(human):
            _print_human(run, diagnosis)
        _assert_clean(json.dumps(run.to_json()), "the JSON")
        _assert_clean(repr(run), "the run's repr")
        _assert_clean("\n".join(run.log_lines(logging.DEBUG)), "the DEBUG log")
        _assert_clean(human.getvalue(), "the human output")
    _assert_clean(caplog.text, "Python logging")


CLI_SPEC = (
    '[chain]\ntype = "ChainedTokenCredential"\n[[chain.credentials]]\ntype = "{credential}"\nprocess_timeout = 5\n'
)


@pytest.mark.parametrize(("tool", "reply"), SHAPES[::3], ids=[f"{t}-{i * 3}" for i, (t, _) in enumerate(SHAPES[::3])])
def test_no_token_in_the_cli_json_human_output_or_debug_log(tmp_path, tool, reply):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    fake = FakeTool(tmp_path, tool, reply)
    spec = tmp_path / "spec.toml"
    spec.write_text(CLI_SPEC.format(credential=CREDENTIALS[tool].__name__))
    env = loopback.guarded({"PATH": f"{fake.bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}, root)
    for extra in (["--json", "--log-level", "DEBUG"], []):
        argv = [sys.executable, "-m", "app", "run", "--config", str(spec), *extra]
        result = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=root, timeout=60)
        assert result.returncode == 1, result.stderr[-2000:]
        _assert_clean(result.stdout + result.stderr, f"the CLI ({' '.join(extra) or 'human'})")
