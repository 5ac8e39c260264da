"""``chainsight crosscheck`` against real azure-identity 1.19, 1.23 and 1.27 interpreters, in every scenario.

Each scenario runs once (``sandbox exec``); inside it the command runs against each interpreter and
must agree. The same harness, given an environment that differs from the engine's, must report the
difference. Neither the output nor the JSON may carry a token.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from engine.sandbox import netns
from tests import loopback
from tests.oracle.releases import interpreter
from tests.plugins.sandbox import PRELUDE, REPO_ROOT, SandboxRun

CROSSCHECKED = ("1.19.0", "1.23.1", "1.27.0")
SCENARIOS = (
    "aks-workload-identity",
    "app-service",
    "azure-arc",
    "cloud-shell",
    "everything-broken",
    "laptop-az",
    "laptop-everything",
    "laptop-wrong-account",
    "shared-cache-two-accounts",
    "vm-imds-user-assigned",
)
JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.")
pytestmark = pytest.mark.timeout(600)

# Inside the scenario: the command line per interpreter, then the API with a changed environment.
SNIPPET = """
import json, os, subprocess, sys
from app.cli.crosscheck import differences, engine_verdict, run_theirs
from engine.host import Host
pythons, with_plain = json.loads(sys.argv[1]), sys.argv[2] == "plain"
out = {}
for version, python in pythons.items():
    proc = subprocess.run([sys.executable, "-m", "app", "crosscheck", "--python", python, "--json"],
                          capture_output=True, text=True, timeout=300)
    out[version] = {"code": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr[-2000:], "plain": ""}
    if with_plain:
        plain = subprocess.run([sys.executable, "-m", "app", "crosscheck", "--python", python],
                               capture_output=True, text=True, timeout=300)
        out[version]["plain"] = plain.stdout
python = pythons["1.27.0"]
changed = dict(os.environ, AZURE_CLIENT_ID="11111111-2222-3333-4444-555555555555",
               AZURE_CLIENT_SECRET="not-the-secret", AZURE_TENANT_ID="4a3e1c0b-7f5d-4c1e-9a8b-1d2c3b4a5f60")
theirs = run_theirs(python, {}, env=changed)
out["different-environments"] = differences(engine_verdict({}, "1.27"), theirs)
emit(out)
"""


def _run(scenario: str, pythons: dict) -> SandboxRun:
    can_isolate, _ = netns.available()
    argv = [sys.executable, "-m", "app.cli.sandbox", "exec", "--scenario", scenario]
    argv += ["--isolate-network"] if can_isolate else []
    # The human-readable form once (it is the same comparison); --json everywhere.
    plain = "plain" if scenario == "laptop-everything" else "json-only"
    argv += ["--", sys.executable, "-c", PRELUDE + SNIPPET, json.dumps(pythons), plain]
    env = dict(os.environ, PYTHONPATH=loopback.pythonpath(REPO_ROOT))
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600, cwd=REPO_ROOT, env=env)
    return SandboxRun(proc.returncode, proc.stdout, proc.stderr, can_isolate)


@pytest.fixture(scope="module")
def pythons() -> dict:
    return {v: str(interpreter(v)) for v in CROSSCHECKED}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_crosscheck_agrees_with_real_releases_and_reports_a_different_environment(scenario, pythons):
    run = _run(scenario, pythons)
    assert run.returncode == 0, run.stderr[-3000:]
    result = run.result()
    for version in CROSSCHECKED:
        side = result[version]
        assert side["code"] == 0, side["stdout"][-3000:] + side["stderr"]
        report = json.loads(side["stdout"])
        assert report["azure_identity"] == version
        assert report["profile"] == version.rsplit(".", 1)[0]
        assert report["agree"] is True and report["differences"] == []
        assert set(report) >= {"engine", "theirs"}
        if scenario == "laptop-everything":
            assert side["plain"].startswith(f"agree: azure-identity {version}")
        assert not JWT.search(side["stdout"] + side["plain"])
    assert result["different-environments"], "a changed environment must show as a difference"
