"""The real Azure CLI (azure-cli 2.91.0 from PyPI) against the sandbox's az, command by command.

Both sign in to the same sandbox authority through a custom cloud, in a loopback-only network namespace,
each with its own AZURE_CONFIG_DIR (tests/realtools/driver.py). Compared after normalising what differs by
nature (tokens, times, paths): exit codes, stdout, stderr, the az files written, and the verdicts of our
probe, our AzureCliCredential and azure-identity's AzureCliCredential. Deliberately not compared: the
files az keeps for itself and nobody reads for sign-in (commands/ logs, msal_http_cache.bin, az.json,
az.sess, versionCheck.json, the command and help indexes), and the stand-in writes none of them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.sandbox import netns
from tests.realtools import venv
from tests.realtools.driver import RESULT_MARKER
from tests.system import require_oracle, require_system, system_required

require_oracle()

REPO_ROOT = Path(__file__).resolve().parents[2]
# The build can take many minutes on a cold machine; a warm run about a minute.
pytestmark = [pytest.mark.needs_system, pytest.mark.realtools, pytest.mark.timeout(3600)]
SCENARIO = "laptop-wrong-account"  # a user (dev@contoso.com) and a service principal with a secret
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
EXPIRES_ON = re.compile(r'"expires_on": \d+|\b1[789]\d{8}\b')
EXPIRES_AT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
STEPS = [
    "cloud_register",
    "cloud_set",
    "config_set",
    "signed_out_show",
    "signed_out_both",
    "login",
    "show",
    "list",
    "list_tsv",
    "token",
    "token_tenant",
    "token_tsv",
    "token_sub_upper",
    "token_sub_missing",
    "token_both",
    "set_missing",
    "cloud_show",
    "version",
    "unknown",
    "without_msal_token_cache.json_token",
    "without_azureProfile.json_token",
    "logout",
    "after_logout_show",
    "logout_again",
    "sp_login",
    "sp_token",
    "sp_no_entries_token",
]
VERDICTS = [
    "signed_out_verdicts",
    "signed_in_verdicts",
    "without_msal_token_cache.json_verdicts",
    "without_azureProfile.json_verdicts",
    "sp_verdicts",
    "sp_no_entries_verdicts",
]
FILE_STEPS = ["login_files", "token_files", "logout_files", "sp_files"]


def _reporter(config: pytest.Config):
    """Print past pytest's capture (the build and run times belong in every CI log)."""
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if terminal is None or capture is None:
        return lambda line: print(line, file=sys.stderr, flush=True)

    def say(line: str) -> None:
        with capture.global_and_fixture_disabled():
            terminal.write_line(line)

    return say


@pytest.fixture(scope="module")
def observed(pytestconfig: pytest.Config) -> dict:
    """Build or reuse the azure-cli venv, then run the driver once in a loopback-only namespace."""
    say = _reporter(pytestconfig)
    ok, reason = netns.available()
    require_system(ok, f"network namespaces: {reason}")
    started = time.monotonic()
    try:
        az_venv = venv.ensure(log=say)
    except (RuntimeError, subprocess.SubprocessError, OSError) as ex:
        if system_required():
            pytest.fail(f"realtools: {ex}", pytrace=False)
        pytest.skip(f"realtools: the pinned azure-cli cannot be installed here: {ex}")
    built = time.monotonic() - started
    argv = netns.wrap([sys.executable, "-m", "tests.realtools.driver", SCENARIO, str(az_venv)])
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), **{netns.IN_NETNS_ENV: "1"})
    started = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=900, cwd=REPO_ROOT, env=env)
    ran = time.monotonic() - started
    say(f"realtools: venv ready in {built:.1f} s, real az vs twin in {ran:.1f} s")
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_MARKER)]
    assert proc.returncode == 0 and lines, f"driver failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}"
    return json.loads(lines[-1][len(RESULT_MARKER) :])


def normalise(text: str, observed: dict, tool: str) -> str:
    """Replace what differs by nature: tokens, expiry times, the tool's own paths."""
    text = JWT.sub("<jwt>", text)
    text = EXPIRES_AT.sub("<expires-at>", text)
    text = EXPIRES_ON.sub(lambda m: '"expires_on": <epoch>' if m[0].startswith('"') else "<epoch>", text)
    text = text.replace(observed["dirs"][tool], "<config-dir>").replace(observed["python"][tool], "<python>")
    return text


def _stderr(step: str, text: str) -> str:
    """An unexpected error's traceback shows each tool's own frames: keep its first two lines and last line."""
    if "Here is the traceback:" not in text:
        return text
    lines = text.splitlines()
    return "\n".join([*lines[:2], "<traceback>", next(ln for ln in reversed(lines) if ln.strip())])


def _shown(argv: list[str]) -> list[str]:
    """The argv for a failure message, with the password or client secret after -p masked."""
    return ["***" if i and argv[i - 1] in ("-p", "--password") else a for i, a in enumerate(argv)]


def test_failure_messages_never_show_the_password() -> None:
    assert _shown(["login", "-u", "dev", "-p", "Canary-Passw0rd!"]) == ["login", "-u", "dev", "-p", "***"]


@pytest.mark.parametrize("step", STEPS)
def test_same_exit_code_output_and_error_text(observed: dict, step: str) -> None:
    real, twin = observed["real"][step], observed["twin"][step]
    for key in ("rc", "out", "err"):
        ours = normalise(twin[key], observed, "twin") if isinstance(twin[key], str) else twin[key]
        theirs = normalise(real[key], observed, "real") if isinstance(real[key], str) else real[key]
        if key == "err":
            ours, theirs = _stderr(step, ours), _stderr(step, theirs)
        assert ours == theirs, f"{step} {_shown(real['argv'])}: {key} differs"


def test_version_flag_is_the_same_text_table(observed: dict) -> None:
    real, twin = observed["real"]["version_flag"], observed["twin"]["version_flag"]
    assert normalise(twin["out"], observed, "twin") == normalise(real["out"], observed, "real")
    assert (twin["rc"], twin["err"]) == (real["rc"], real["err"])


@pytest.mark.parametrize("step", VERDICTS)
def test_probe_and_both_credentials_agree_with_real_az(observed: dict, step: str) -> None:
    real, twin = observed["real"][step], observed["twin"][step]
    assert twin == real, step
    # and the probe says "not signed in" exactly when az (and so both credentials) cannot give a token
    assert (real["probe"] == "available") == (real["ours"] == "token") == (real["azure_identity"] == "token")


def _file_shape(name: str, text: str, observed: dict, tool: str) -> object:
    if name == "msal_token_cache.json":  # token values and times differ; entry kinds and fields must not
        cache = json.loads(text)
        return {kind: sorted(sorted(e) for e in entries.values()) for kind, entries in cache.items()}
    if name == "service_principal_entries.json":
        return [sorted(e) for e in json.loads(text)]
    return normalise(text, observed, tool)


@pytest.mark.parametrize("step", FILE_STEPS)
def test_same_files_with_the_same_modes_and_shapes(observed: dict, step: str) -> None:
    real, twin = observed["real"][step], observed["twin"][step]
    assert sorted(twin) == sorted(real), f"{step}: az files written"
    for name in real:
        assert twin[name]["mode"] == real[name]["mode"], f"{step}: {name} mode"
        ours = _file_shape(name, twin[name]["bytes"], observed, "twin")
        theirs = _file_shape(name, real[name]["bytes"], observed, "real")
        assert ours == theirs, f"{step}: {name} differs"
