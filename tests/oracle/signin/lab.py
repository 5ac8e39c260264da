"""What the sign-in oracles share: their cases run by a script inside one sandbox of the sign-in lab,
and the verdict both sides must reach (the same account, or the same AADSTS code)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.plugins.sandbox import run_from_repo

SCENARIO = "browser-sign-in-lab"
ARM = "https://management.azure.com/.default"
A = "5f1a0000-0000-4000-8000-00000000a00"  # the lab's app registrations: A + "1" to A + "7"
RESULT = "RESULT"


def run_in_lab(script: Path, cases: dict, timeout: float) -> dict:
    """``python script CASES_JSON`` inside ``chainsight sandbox exec`` of the lab; the JSON it printed."""
    argv = [sys.executable, "-m", "app", "sandbox", "exec", "--scenario", SCENARIO]
    argv += ["--", sys.executable, str(script), json.dumps(cases)]
    proc = run_from_repo(argv, timeout)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT)), None)
    assert line, proc.stdout[-2000:] + proc.stderr[-3000:]
    return json.loads(line.removeprefix(RESULT))


def assert_same_verdict(got: dict, code: int | None, account: str | None) -> None:
    """azure-identity reached the expected verdict, and Chainsight the same one."""
    assert got["azure_identity"] == {"code": code, "account": account}, got
    assert got["chainsight"] == got["azure_identity"], got
