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

from engine.sandbox import list_scenarios, load_scenario, netns
from tests.realtools import venv
from tests.realtools.driver import FULL_SCENARIO, RESULT_MARKER, az_world
from tests.system import require_oracle, require_system, system_required

require_oracle()

REPO_ROOT = Path(__file__).resolve().parents[2]
# The build can take many minutes on a cold machine; a warm run about a minute.
pytestmark = [pytest.mark.needs_system, pytest.mark.realtools, pytest.mark.timeout(3600)]
SCENARIO = FULL_SCENARIO  # every command; the other scenarios where az is configured get their sign-in states
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
EXPIRES_ON = re.compile(r'"expires_on": \d+|\b1[789]\d{8}\b')
EXPIRES_AT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
ENTRA_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z")  # AADSTS50173's issue and revocation times
# Every Entra error ends with its own trace and correlation ids and the time of the request.
ENTRA_IDS = re.compile(r"(Trace ID|Correlation ID): [0-9a-f-]{36}|Timestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ")
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
    "discover_login",
    "discover_show",
    "discover_token",
    "discover_logout",
    "sp_login",
    "sp_token",
    "sp_no_entries_token",
]
VERDICTS = [
    "signed_out_verdicts",
    "signed_in_verdicts",
    "without_msal_token_cache.json_verdicts",
    "without_azureProfile.json_verdicts",
    "discover_verdicts",
    "sp_verdicts",
    "sp_no_entries_verdicts",
]
FILE_STEPS = ["login_files", "token_files", "logout_files", "discover_files", "sp_files"]
# Every shipped scenario where az is configured: signed in as its user (az login without --tenant), each other
# subscription selected, a revoked refresh token. Scenarios whose az world is the same share one run (az_world).
SIGN_IN_SCENARIOS = [
    n
    for n in list_scenarios()
    if n != SCENARIO and load_scenario(n).tools["az"].mode not in ("absent", "not_signed_in")
]
# The representative of a world: preferably one without a managed-identity platform (whose variables az ignores).
_PLAIN_FIRST = sorted(SIGN_IN_SCENARIOS, key=lambda m: (load_scenario(m).managed_identity.kind != "none", m))
RUN_FOR = {n: next(m for m in _PLAIN_FIRST if az_world(m) == az_world(n)) for n in SIGN_IN_SCENARIOS}
SIGN_IN_STEPS = ["cloud_register", "cloud_set", "config_set", "login", "token", "revoked_token"]
SIGN_IN_VERDICTS = ["verdicts", "revoked_verdicts"]
SIGN_IN_FILES = ["login_files", "revoked_files"]


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
def runs(pytestconfig: pytest.Config) -> dict:
    """Build or reuse the azure-cli venv, then run the driver once in a loopback-only namespace (every scenario)."""
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
    compared = sorted(set(RUN_FOR.values()))
    argv = netns.wrap([sys.executable, "-m", "tests.realtools.driver", str(az_venv), SCENARIO, *compared])
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), **{netns.IN_NETNS_ENV: "1"})
    started = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=900, cwd=REPO_ROOT, env=env)
    ran = time.monotonic() - started
    say(f"realtools: venv ready in {built:.1f} s, real az vs twin in {ran:.1f} s")
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_MARKER)]
    assert proc.returncode == 0 and lines, f"driver failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}"
    return json.loads(lines[-1][len(RESULT_MARKER) :])


@pytest.fixture(scope="module")
def observed(runs: dict) -> dict:
    return runs[SCENARIO]


def normalise(text: str, observed: dict, tool: str) -> str:
    """Replace what differs by nature: tokens, expiry times, the tool's own paths."""
    text = JWT.sub("<jwt>", text)
    text = EXPIRES_AT.sub("<expires-at>", text)
    text = ENTRA_TIME.sub("<entra-time>", text)
    text = ENTRA_IDS.sub(lambda m: f"{m[1] or 'Timestamp'}: <request>", text)
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
    _same_files(observed, step)


def _same_files(observed: dict, step: str) -> None:
    real, twin = observed["real"][step], observed["twin"][step]
    assert sorted(twin) == sorted(real), f"{step}: az files written"
    for name in real:
        assert twin[name]["mode"] == real[name]["mode"], f"{step}: {name} mode"
        ours = _file_shape(name, twin[name]["bytes"], observed, "twin")
        theirs = _file_shape(name, real[name]["bytes"], observed, "real")
        assert ours == theirs, f"{step}: {name} differs"


def _same_step(observed: dict, step: str) -> None:
    real, twin = observed["real"][step], observed["twin"][step]
    assert twin["rc"] == real["rc"], f"{step} {_shown(real['argv'])}: exit code differs"
    for key in ("out", "err"):
        ours, theirs = normalise(twin[key], observed, "twin"), normalise(real[key], observed, "real")
        assert _stderr(step, ours) == _stderr(step, theirs), f"{step} {_shown(real['argv'])}: {key} differs"


def test_scenarios_sharing_a_run_have_the_same_az_world() -> None:
    """A scenario compared through another's run differs from it in nothing az or the credentials read."""
    for name, ran in RUN_FOR.items():
        assert az_world(name) == az_world(ran)
    assert len(set(RUN_FOR.values())) >= 2  # one tenant, and the guest in two tenants (laptop-everything)


@pytest.mark.parametrize("scenario", SIGN_IN_SCENARIOS)
@pytest.mark.parametrize("step", SIGN_IN_STEPS)
def test_sign_in_states_of_every_az_scenario_match(runs: dict, scenario: str, step: str) -> None:
    _same_step(runs[RUN_FOR[scenario]], step)


@pytest.mark.parametrize("scenario", SIGN_IN_SCENARIOS)
def test_selecting_each_other_subscription_matches(runs: dict, scenario: str) -> None:
    observed = runs[RUN_FOR[scenario]]
    selected = sorted(k for k in observed["real"] if k.startswith("select_"))
    assert sorted(k for k in observed["twin"] if k.startswith("select_")) == selected
    for step in selected:
        if step.endswith("_verdicts"):
            assert observed["twin"][step] == observed["real"][step], step
        else:
            _same_step(observed, step)


@pytest.mark.parametrize("scenario", SIGN_IN_SCENARIOS)
@pytest.mark.parametrize("step", SIGN_IN_VERDICTS)
def test_sign_in_verdicts_of_every_az_scenario_match(runs: dict, scenario: str, step: str) -> None:
    real, twin = runs[RUN_FOR[scenario]]["real"][step], runs[RUN_FOR[scenario]]["twin"][step]
    assert twin == real, step
    # A revoked refresh token is invisible in az's files: the probe says available, the token request fails.
    signed_in = step == "verdicts"
    assert (real["probe"] == "available") and (real["ours"] == "token") == (
        real["azure_identity"] == "token"
    ) == signed_in


@pytest.mark.parametrize("scenario", SIGN_IN_SCENARIOS)
@pytest.mark.parametrize("step", SIGN_IN_FILES)
def test_sign_in_files_of_every_az_scenario_match(runs: dict, scenario: str, step: str) -> None:
    _same_files(runs[RUN_FOR[scenario]], step)


def test_login_without_tenant_writes_the_tenants_display_fields(observed: dict) -> None:
    """Not vacuous: real az itself wrote tenantDisplayName and tenantDefaultDomain from the ARM stand-in."""
    for tool in ("real", "twin"):
        profile = json.loads(observed[tool]["discover_files"]["azureProfile.json"]["bytes"].removeprefix("\ufeff"))
        (account,) = profile["subscriptions"]
        assert (account["tenantDisplayName"], account["tenantDefaultDomain"]) == ("Contoso", "contoso.com"), tool
