"""Runs inside a loopback-only network namespace: one sandbox, the real az and the sandbox's az side by side.

Each tool gets its own AZURE_CONFIG_DIR and the same commands: a custom cloud pointing at the sandbox
authority (instance discovery off; the sandbox CA is trusted through REQUESTS_CA_BUNDLE), sign-in as the
scenario's user and its service principal, then the account and token commands, file deletions and
sign-out. For every step it records exit code, stdout, stderr, the az files, and the verdicts of our probe,
our AzureCliCredential and azure-identity's AzureCliCredential. Prints one JSON document (raw; the test
normalises and compares).

The full command list runs for one scenario (FULL_SCENARIO: a user and a service principal with a secret); every
other scenario where az is configured gets its sign-in states: signed in (az login without --tenant, through
the ARM stand-in), each other subscription selected, the access token expired and the refresh token revoked.

Usage: python -m tests.realtools.driver AZ_VENV SCENARIO [SCENARIO...]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from engine.credentials.azure_cli import AzureCliCredential
from engine.host import Host
from engine.sandbox import load_scenario, netns
from engine.sandbox.httpserver import LOOPBACK, LoopbackServer
from engine.sandbox.sandbox import Sandbox
from engine.sandbox.tls import server_context

RESULT_MARKER = "REALTOOLS-RESULT:"
AZ_FILES = ("azureProfile.json", "config", "clouds.config", "msal_token_cache.json", "service_principal_entries.json")
UNKNOWN_TENANT = "00000000-0000-0000-0000-00000000dead"
FULL_SCENARIO = "laptop-wrong-account"  # a user (dev@contoso.com) and a service principal with a secret
IDENTITY_SNIPPET = """
import json, sys
from azure.identity import AzureCliCredential
try:
    AzureCliCredential(process_timeout=60, subscription=(sys.argv[1:] or [None])[0]).get_token("https://management.core.windows.net//.default")
    print(json.dumps({"verdict": "token"}))
except Exception as err:
    print(json.dumps({"verdict": type(err).__name__, "message": str(err)}))
"""


class UserRealm443(LoopbackServer):
    """msal drops the authority's port for its user-realm call: serve the authority on 127.0.0.1:443 too."""

    def server_bind(self) -> None:
        self.server_address = (LOOPBACK, 443)
        super().server_bind()


class Tool:
    """One az (real or stand-in) with its own config directory and a bin directory holding only it."""

    def __init__(self, name: str, root: Path, az: str | Path, box: Sandbox) -> None:
        """``az`` is a script's text, or the path of an executable to link to (the sandbox's own az)."""
        self.name = name
        self.verdict_seconds: list[float] = []
        self.dir = root / name / "azure"
        self.bin = root / name / "bin"
        self.bin.mkdir(parents=True)
        if isinstance(az, Path):
            (self.bin / "az").symlink_to(az)
        else:
            (self.bin / "az").write_text(az)
            (self.bin / "az").chmod(0o755)
        path = os.pathsep.join([str(self.bin), *box.env["PATH"].split(os.pathsep)[1:]])
        self.env = dict(box.env, PATH=path, AZURE_CONFIG_DIR=str(self.dir), AZURE_CORE_COLLECT_TELEMETRY="false")
        self.env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")

    def run(self, *args: str) -> dict:
        started = time.monotonic()
        p = subprocess.run([str(self.bin / "az"), *args], env=self.env, capture_output=True, text=True, timeout=120)
        seconds = round(time.monotonic() - started, 2)
        return {"argv": list(args), "rc": p.returncode, "out": p.stdout, "err": p.stderr, "seconds": seconds}

    def files(self) -> dict:
        found = {}
        for name in AZ_FILES:
            path = self.dir / name
            if path.exists():
                found[name] = {"mode": oct(path.stat().st_mode & 0o777), "bytes": path.read_bytes().decode("utf-8")}
        return found

    def verdicts(self, subscription: str | None = None) -> dict:
        started = time.monotonic()
        host = Host(env=self.env)
        probe = AzureCliCredential(host=host, subscription=subscription).probe()
        try:
            AzureCliCredential(host=host, subscription=subscription).get_token(
                "https://management.core.windows.net//.default"
            )
            ours = "token"
        except Exception as err:
            ours = type(err).__name__
        child = subprocess.run(
            [sys.executable, "-c", IDENTITY_SNIPPET, *([subscription] if subscription else [])],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        lines = child.stdout.strip().splitlines()
        theirs = json.loads(lines[-1]) if lines else {"verdict": "crashed", "message": child.stderr[-500:]}
        self.verdict_seconds.append(round(time.monotonic() - started, 2))
        return {"probe": probe.status, "ours": ours, "azure_identity": theirs["verdict"]}


def setup(tool: Tool, box: Sandbox, seen: dict) -> None:
    """A custom cloud whose authority and Resource Manager are the sandbox's, with instance discovery off."""
    run = tool.run
    seen["cloud_register"] = run(
        "cloud", "register", "-n", "Sandbox", "--skip-endpoint-discovery",
        "--endpoint-active-directory", box.authority_url,
        "--endpoint-active-directory-resource-id", "https://management.core.windows.net/",
        "--endpoint-resource-manager", box.arm_url + "/",
        "--endpoint-management", "https://management.core.windows.net/",
    )  # fmt: skip
    seen["cloud_set"] = run("cloud", "set", "-n", "Sandbox")
    seen["config_set"] = run("config", "set", "core.instance_discovery=false")


def steps(tool: Tool, box: Sandbox) -> dict:
    """The same commands for either tool; returns every observation by step name."""
    s = box.scenario
    user = s.user(s.tools["az"].account)
    tenant = user.tenant
    app = next(a for a in s.apps if a.secrets)
    run, seen = tool.run, {}
    setup(tool, box, seen)
    seen["signed_out_show"] = run("account", "show")
    seen["signed_out_both"] = run("account", "get-access-token", "--subscription", tenant, "--tenant", tenant)
    seen["signed_out_verdicts"] = tool.verdicts()
    seen["login"] = run(
        "login", "-u", user.upn, "-p", user.password, "--tenant", tenant, "--skip-subscription-discovery"
    )
    seen["login_files"] = tool.files()
    seen["show"] = run("account", "show")
    seen["list"] = run("account", "list")
    seen["list_tsv"] = run("account", "list", "-o", "tsv")
    seen["token"] = run("account", "get-access-token")
    seen["token_files"] = tool.files()
    seen["token_tenant"] = run("account", "get-access-token", "--tenant", tenant)
    seen["token_tsv"] = run("account", "get-access-token", "-o", "tsv")
    seen["token_sub_upper"] = run("account", "get-access-token", "--subscription", tenant.upper())
    seen["token_sub_missing"] = run("account", "get-access-token", "--subscription", "nope")
    seen["token_both"] = run("account", "get-access-token", "--subscription", tenant, "--tenant", tenant)
    seen["token_unknown_tenant"] = run("account", "get-access-token", "--tenant", UNKNOWN_TENANT)
    seen["set_missing"] = run("account", "set", "--subscription", "Nope")
    seen["cloud_show"] = run("cloud", "show", "-n", "AzureCloud")
    seen["version"] = run("version")
    seen["version_flag"] = run("--version")
    seen["unknown"] = run("foo", "bar")
    seen["signed_in_verdicts"] = tool.verdicts()
    for name in ("msal_token_cache.json", "azureProfile.json"):
        path = tool.dir / name
        saved = path.read_bytes() if path.exists() else None
        path.unlink(missing_ok=True)
        seen[f"without_{name}_token"] = run("account", "get-access-token")
        seen[f"without_{name}_verdicts"] = tool.verdicts()
        if saved is not None:
            path.write_bytes(saved)
    seen["logout"] = run("logout")
    seen["logout_files"] = tool.files()
    seen["after_logout_show"] = run("account", "show")
    seen["logout_again"] = run("logout")
    # Without --tenant az lists tenants (ARM's Tenants - List), then each tenant's subscriptions.
    seen["discover_login"] = run("login", "-u", user.upn, "-p", user.password)
    seen["discover_files"] = tool.files()
    seen["discover_show"] = run("account", "show")
    seen["discover_token"] = run("account", "get-access-token")
    seen["discover_verdicts"] = tool.verdicts()
    seen["discover_logout"] = run("logout")
    # A service principal needs --tenant; without --skip-subscription-discovery az lists that tenant's subscriptions.
    seen["sp_login"] = run(
        "login", "--service-principal", "-u", app.client_id, "-p", app.secrets[0], "--tenant", app.tenant
    )  # fmt: skip
    seen["sp_files"] = tool.files()
    seen["sp_token"] = run("account", "get-access-token")
    seen["sp_verdicts"] = tool.verdicts()
    (tool.dir / "service_principal_entries.json").unlink(missing_ok=True)
    seen["sp_no_entries_token"] = run("account", "get-access-token")
    seen["sp_no_entries_verdicts"] = tool.verdicts()
    return seen


def _msal_cache(tool: Tool) -> dict:
    return json.loads((tool.dir / "msal_token_cache.json").read_text(encoding="utf-8"))


def _drop_access_tokens(tool: Tool) -> None:
    """The access tokens expired: msal must redeem the refresh token (the same edit of either tool's cache)."""
    cache = _msal_cache(tool)
    cache["AccessToken"] = {}
    (tool.dir / "msal_token_cache.json").write_text(json.dumps(cache, indent=4), encoding="utf-8")


def sign_in_steps(tool: Tool, box: Sandbox) -> dict:
    """A scenario's sign-in states, for either tool: signed in with `az login` (no --tenant: tenants and
    subscriptions from the ARM stand-in), each other subscription selected, then the access token expired and
    the refresh token revoked. (Signed out and the service principal are the full scenario's steps.)"""
    s = box.scenario
    user = s.user(s.tools["az"].account)
    run, seen = tool.run, {}
    setup(tool, box, seen)
    seen["login"] = run("login", "-u", user.upn, "-p", user.password)
    seen["login_files"] = tool.files()
    seen["token"] = run("account", "get-access-token")
    seen["verdicts"] = tool.verdicts()
    listed = json.loads(seen["login"]["out"] or "[]")
    for sub in [a for a in listed if not a.get("isDefault")]:
        key = f"select_{sub['id']}"
        seen[f"{key}_set"] = run("account", "set", "--subscription", sub["name"])
        seen[f"{key}_token"] = run("account", "get-access-token")
        seen[f"{key}_verdicts"] = tool.verdicts(subscription=sub["name"])
    for secret in [rt["secret"] for rt in _msal_cache(tool).get("RefreshToken", {}).values()]:
        box.issuer.revoke(secret)
    _drop_access_tokens(tool)
    seen["revoked_token"] = run("account", "get-access-token")
    seen["revoked_verdicts"] = tool.verdicts()
    seen["revoked_files"] = tool.files()
    return seen


def az_world(name: str) -> str:
    """What a sign-in comparison depends on in a scenario: its tenants, subscriptions, az's user (with the
    tenants it is a guest of), az's release and the az settings a scenario's environment sets (AZURE_CORE_*). Scenarios with the same
    world give the same comparison, so the tier runs one of them (keeps its CI time reasonable)."""
    s = load_scenario(name)
    user = s.user(s.tools["az"].account)
    return json.dumps(
        {
            "tenants": [vars(t) for t in s.tenants],
            "subscriptions": [vars(x) for x in s.subscriptions],
            "user": [user.upn, user.tenant, list(user.guest_of), user.mfa, user.conditional_access],
            "release": s.tools["az"].version,
            "env": {k: v for k, v in s.env.items() if k.startswith("AZURE_CORE") or k == "AZURE_CONFIG_DIR"},
        },
        sort_keys=True,
    )


def compare(scenario: str, python: Path, full: bool) -> dict:
    """One sandbox; the real az and the sandbox's az through the same commands, side by side."""
    box = Sandbox(load_scenario(scenario)).start()
    realm = UserRealm443(box.authority, tls=server_context(box.server_cert), name="user-realm-443").start()
    try:
        real = Tool("real", box.tmp / "realtools", f'#!/bin/sh\nexec "{python}" -m azure.cli "$@"\n', box)
        twin = Tool("twin", box.tmp / "realtools", box.bin_dir / "az", box)
        walk = steps if full else sign_in_steps
        # The two tools share nothing but the sandbox: run them side by side (halves the wall time).
        with ThreadPoolExecutor(max_workers=2) as pool:
            real_steps, twin_steps = pool.submit(walk, real, box), pool.submit(walk, twin, box)
            return {
                "authority": box.authority_url,
                "dirs": {"real": str(real.dir), "twin": str(twin.dir)},
                "python": {"real": str(python), "twin": sys.executable},
                "real": real_steps.result(),
                "twin": twin_steps.result(),
                "verdict_seconds": {"real": real.verdict_seconds, "twin": twin.verdict_seconds},
            }
    finally:
        realm.stop()
        box.stop()


def main(argv: list[str]) -> int:
    venv, scenarios = Path(argv[0]), argv[1:]
    if os.environ.get(netns.IN_NETNS_ENV) == "1":
        netns.bring_loopback_up()
    python = venv / "bin" / "python"
    result = {name: compare(name, python, full=name == FULL_SCENARIO) for name in scenarios}
    print(RESULT_MARKER + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
