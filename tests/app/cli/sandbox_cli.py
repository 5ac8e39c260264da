"""Run ``chainsight`` commands inside a sandbox scenario, isolated from the network where possible."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import tomli_w

from engine.sandbox import load_scenario, netns

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
    return subprocess.run(
        argv, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT))
    )
