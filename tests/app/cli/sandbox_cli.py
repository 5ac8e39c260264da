"""Run ``chainsight`` commands inside a sandbox scenario, isolated from the network where possible."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import tomli_w

from engine.sandbox import load_scenario, netns
from tests.plugins.sandbox import run_from_repo

ROOT = Path(__file__).resolve().parents[3]


def chainsight_in(
    scenario: str,
    *args: str,
    tmp_path: Path,
    overrides: dict | None = None,
    timeout: float = 120,
    env: dict | None = None,
) -> subprocess.CompletedProcess:
    """``chainsight sandbox exec --scenario S [--isolate-network] -- env K=V python -m app ARGS``."""
    target = scenario
    if overrides:
        loaded = load_scenario(scenario, overrides)
        target = str(tmp_path / f"{loaded.name}.toml")
        Path(target).write_bytes(tomli_w.dumps(loaded.raw).encode())
    isolate = ["--isolate-network"] if netns.available()[0] else []
    inner = ["env", *(f"{k}={v}" for k, v in (env or {}).items()), sys.executable, "-m", "app", *args]
    argv = [sys.executable, "-m", "app", "sandbox", "exec", "--scenario", target, *isolate, "--", *inner]
    return run_from_repo(
        argv,
        timeout,
    )


RUNS_MARKER = "CHAINSIGHT-RUNS:"
# Runs inside the sandbox: each command as `python -m app ARGS`, one after another; their results as one JSON line.
_RUNS_DRIVER = f"""
import json, subprocess, sys
runs = []
for args in json.loads(sys.argv[1]):
    p = subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=110)
    runs.append([p.returncode, p.stdout, p.stderr])
print({RUNS_MARKER!r} + json.dumps(runs), flush=True)
"""


def chainsight_runs_in(
    scenario: str, commands: list[list[str]], *, timeout: float = 300
) -> tuple[subprocess.CompletedProcess, list[subprocess.CompletedProcess]]:
    """Several ``chainsight`` commands in ONE sandbox of the scenario (one start instead of one each), in order.

    Returns the ``sandbox exec`` process itself and each command's result."""
    isolate = ["--isolate-network"] if netns.available()[0] else []
    inner = [sys.executable, "-c", _RUNS_DRIVER, json.dumps(commands)]
    argv = [sys.executable, "-m", "app", "sandbox", "exec", "--scenario", scenario, *isolate, "--", *inner]
    outer = run_from_repo(argv, timeout)
    lines = [ln for ln in outer.stdout.splitlines() if ln.startswith(RUNS_MARKER)]
    assert outer.returncode == 0 and lines, f"sandbox exec failed (rc={outer.returncode}):\n{outer.stderr[-3000:]}"
    runs = json.loads(lines[-1][len(RUNS_MARKER) :])
    return outer, [subprocess.CompletedProcess(args, *run) for args, run in zip(commands, runs, strict=True)]
