"""VisualStudioCodeCredential of 1.19-1.23 against the engine as those releases, with a real secret store.

Those releases read the retired Azure Account extension's refresh token from the OS secret store (libsecret
here: service "VS Code Azure", account = VS Code's cloud) and redeem it at the authority. A private session
bus and gnome-keyring (its own HOME, the entry in its session collection) hold it; a loopback TLS authority
answers. Each release runs every case in one interpreter (tests/oracle/credential_harness.py); the engine
runs them in one child process on the same bus (libsecret keeps its first bus for the process's life).
Required alike: the outcome, the log lines and what reached the authority (the refresh token included).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.credentials._internal.vscode_account import FAILED_TO_GET_DETAILS, SECRET_SERVICE
from engine.profiles import VSCODE_BROKER, get_profile
from tests import loopback
from tests.doubles.service import TENANT, app_token
from tests.doubles.standins import Reply, StandIn, make_ca
from tests.oracle.credential_harness import MARKER
from tests.oracle.releases import RELEASES, interpreter
from tests.oracle.test_releases_credentials_oracle import dac_only
from tests.system import require_system

REPO_ROOT = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).with_name("credential_harness.py")
LEGACY = tuple(v for v in RELEASES if not get_profile(v).has(VSCODE_BROKER))
REFRESH_TOKEN = "CANARY-vscode-refresh-token-7e1"
INVALID_GRANT = {
    "error": "invalid_grant",
    "error_description": "AADSTS70008: The provided authorization code or refresh token has expired.",
}
CASES = {
    "refresh-token-redeemed": {"settings": {}, "reply": "token", "wrap": "alone"},
    "tenant-from-vs-code-settings": {"settings": {"azure.tenant": TENANT}, "reply": "token", "wrap": "alone"},
    "refresh-token-rejected": {"settings": {}, "reply": "invalid_grant", "wrap": "alone"},
    "refresh-token-rejected-inside-dac": {"settings": {}, "reply": "invalid_grant", "wrap": "dac"},
    "no-entry-for-the-cloud": {"settings": {"azure.cloud": "AzureChinaCloud"}, "reply": "token", "wrap": "alone"},
}
# The engine's side in one child on the same bus; a DAC case's keywords are recomputed by run_engine.
ENGINE_RUNNER = """
import json, sys
from tests.oracle.release_credential_cases import Case
from tests.oracle.test_releases_credentials_oracle import run_engine
cases = json.loads(sys.stdin.read())
out = {}
for name, c in cases.items():
    case = Case(c["credential"], c["wrap"], ctor={} if c["wrap"] == "dac" else c["ctor"])
    out[name] = run_engine(case, c["env"], c["release"])
sys.stdout.write(MARKER + json.dumps(out) + "\\n")
""".replace("MARKER", repr(MARKER))
pytestmark = [pytest.mark.needs_system, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def secret_store(tmp_path_factory):
    """A session bus and gnome-keyring holding the extension's entry; {variable: value} to reach it."""
    tools = all(shutil.which(t) for t in ("dbus-daemon", "gnome-keyring-daemon"))
    require_system(tools, "dbus-daemon and gnome-keyring-daemon (apt-get install dbus gnome-keyring)")
    home = tmp_path_factory.mktemp("keyring-home")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "XDG_RUNTIME_DIR": str(home)}
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    keyring = None
    try:
        env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
        keyring = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--components=secrets"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        _store(env["DBUS_SESSION_BUS_ADDRESS"])
        yield {"DBUS_SESSION_BUS_ADDRESS": env["DBUS_SESSION_BUS_ADDRESS"], "XDG_RUNTIME_DIR": str(home)}
    finally:
        for process in (keyring, bus):
            if process is not None:
                process.kill()
                process.wait()


def _store(address: str) -> None:
    """Store the entry in the daemon's session collection, retrying until the daemon owns its bus name.

    The session collection exists, unlocked, from the daemon's start; libsecret's lookup (both sides')
    searches every collection. The login collection would need its password read and the collection
    created and unlocked first: under load CI found it missing or locked after 30 s (asking for the
    default collection then prompts, and headless the prompt is dismissed).
    """
    import secretstorage
    from jeepney.io.blocking import open_dbus_connection

    attributes = {"service": SECRET_SERVICE, "account": "AzureCloud"}
    deadline = time.monotonic() + 30
    while True:
        connection = None
        try:
            connection = open_dbus_connection(bus=address)
            collection = secretstorage.get_collection_by_alias(connection, "session")
            collection.create_item("VS Code Azure: AzureCloud", attributes, REFRESH_TOKEN.encode(), replace=True)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
        finally:
            if connection is not None:
                connection.close()


def _token_reply() -> Reply:
    return Reply.json({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": app_token()})


def _side(argv: list[str], cases: dict, env: dict) -> dict:
    proc = subprocess.run(argv, input=json.dumps(cases), capture_output=True, text=True, timeout=300, env=env)
    for line in proc.stdout.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER) :])
    raise AssertionError(f"{argv[0]}: no verdict (exit {proc.returncode}): {proc.stderr[-2000:]}")


@pytest.fixture(scope="module")
def verdicts(secret_store, tmp_path_factory) -> dict:
    ca = make_ca(tmp_path_factory.mktemp("ca"))
    results: dict = {}
    for release in LEGACY:
        servers, cases = {}, {}
        for name, case in CASES.items():
            server = servers[name] = StandIn(ca.server_context)
            home = tmp_path_factory.mktemp(f"{name}-{release}")
            settings = home / ".config" / "Code" / "User" / "settings.json"
            settings.parent.mkdir(parents=True)
            settings.write_text(json.dumps(case["settings"]))
            env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "AZURE_AUTHORITY_HOST": server.url}
            env |= {"REQUESTS_CA_BUNDLE": str(ca.ca_pem), **secret_store}
            ctor = dac_only("VisualStudioCodeCredential", release) if case["wrap"] == "dac" else {}
            cases[name] = {"credential": "VisualStudioCodeCredential", "wrap": case["wrap"], "ctor": ctor}
            cases[name] |= {"request": {}, "scopes": ["https://management.azure.com/.default"], "env": env}
        token = {name: _token_reply() for name in CASES}

        def script(token=token, servers=servers) -> None:
            for name, server in servers.items():
                reply = token[name] if CASES[name]["reply"] == "token" else Reply.json(INVALID_GRANT, 400)
                server.routes[("POST", "/*")] = [reply]
                server.seen.clear()

        def sent(servers=servers) -> dict:
            return {n: [(s.path, s.form) for s in server.seen] for n, server in servers.items()}

        try:
            script()
            pythonpath = loopback.guarded({"PATH": "/usr/bin:/bin", **secret_store}, REPO_ROOT)
            real = _side([str(interpreter(release)), str(HARNESS)], cases, pythonpath)
            real_sent = sent()
            script()
            engine_cases = {n: {**c, "release": release} for n, c in cases.items()}
            ours = _side([sys.executable, "-c", ENGINE_RUNNER], engine_cases, {**os.environ, **pythonpath})
            ours_sent = sent()
        finally:
            for server in servers.values():
                server.stop()
        for name in CASES:
            results[(name, release)] = (
                {**real[name], "sent": real_sent[name]},
                {**ours[name], "sent": ours_sent[name]},
            )
    return results


def _comparable(side: dict) -> dict:
    outcomes = [o[:2] if o[0] == "token" else o for o in side["outcome"]]
    return {"outcome": outcomes, "logs": side["logs"], "sent": side["sent"]}


@pytest.mark.parametrize("release", LEGACY)
@pytest.mark.parametrize("name", list(CASES))
def test_vscode_refresh_token_is_redeemed_as_its_release_does(name, release, verdicts):
    real, ours = verdicts[(name, release)]
    assert "harness_error" not in real, real
    assert _comparable(ours) == _comparable(real)


def test_the_cases_cover_a_redeemed_token_a_rejected_one_and_no_entry(verdicts):
    real = {name: verdicts[(name, LEGACY[0])][0] for name in CASES}
    assert real["refresh-token-redeemed"]["outcome"][0][0] == "token"
    assert real["refresh-token-redeemed"]["sent"][0][1]["refresh_token"] == REFRESH_TOKEN
    assert real["tenant-from-vs-code-settings"]["sent"][0][0] == f"/{TENANT}/oauth2/v2.0/token"
    assert real["refresh-token-rejected"]["outcome"][0][1] == "ClientAuthenticationError"
    assert real["refresh-token-rejected-inside-dac"]["outcome"][0][2].startswith("DefaultAzureCredential failed")
    assert real["no-entry-for-the-cloud"]["outcome"][0][2] == FAILED_TO_GET_DETAILS
    assert real["no-entry-for-the-cloud"]["sent"] == []
