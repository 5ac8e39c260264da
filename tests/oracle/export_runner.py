"""Runs the export oracle's cases of one sandbox scenario: the exported program as an app runs it, then the engine.

Invoked by tests/oracle/test_export_oracle.py through tests/oracle/group_session.py, a group of cases (one
scenario and overrides) at a time, in that scenario's sandbox; each case runs in its own forked child from the
sandbox's first HOME (tests/oracle/forked_cases.py). A case is ``python exported.py`` in a child process with the
variables the export says the app's environment must set (``AZURE_TOKEN_CREDENTIALS=...`` for the environment
form), exactly as a user's app would run; then HOME is put back as it was (the program may rewrite the shared
cache) and the engine runs the same spec on a Host of the sandbox's environment, that variable unset: what
``chainsight run`` does (not through a TOML file, which cannot hold ``managed_identity_client_id = None``).
"""

from __future__ import annotations

import os
import subprocess
import sys

from engine.build import build
from engine.host import Host
from engine.run import account_json, run_chain
from engine.spec import ChainSpec, CredentialSpec
from tests.oracle.fresh_home import FreshHome

# The exported program's limit: under forked_cases.CASE_TIMEOUT, so a stuck program is reported as this case's.
PROGRAM_TIMEOUT = 80


def spec_of(data: dict) -> ChainSpec:
    members = [CredentialSpec(c["type"], c["options"], c["enabled"]) for c in data["credentials"]]
    return ChainSpec(
        type=data["type"], azure_identity=data["azure_identity"], options=data["options"], credentials=members
    )


def verdict(case: dict) -> dict:
    """{"real": [returncode, stdout, stderr] of the program, "engine": the engine's selection or construction error}."""
    exported = case["exported"]
    with FreshHome() as home:
        real = subprocess.run(
            [sys.executable, exported],
            env=dict(os.environ, **case["app_env"]),
            cwd=os.path.dirname(exported),
            capture_output=True,
            text=True,
            timeout=PROGRAM_TIMEOUT,
        )
        home.restore()
    try:
        credential = build(spec_of(case["spec"]), Host.real())
    except Exception as ex:
        engine = {"construction_error": type(ex).__name__, "detail": str(ex)}
    else:
        run = run_chain(credential, [case["scope"]])
        engine = {"selected": run.selected, "account": account_json(run.account), "error": run.error}
    return {"real": [real.returncode, real.stdout, real.stderr], "engine": engine}
