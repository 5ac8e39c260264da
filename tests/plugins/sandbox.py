"""Pytest plugin: running sandbox scenarios for tests, in-process or as an isolated subprocess.

Fixtures: `sandbox_factory`, `sandbox_run`, `netns_available`, `sandbox_session_for`.
Helper: `run_in_sandbox(scenario, code, folder=...)`, the fixture without pytest's tmp_path.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import tomli_w

from engine.sandbox import load_scenario, netns
from engine.sandbox.sandbox import Sandbox
from tests import loopback
from tests.system import REQUIRE_SYSTEM_ENV

REPO_ROOT = Path(__file__).resolve().parents[2]
RESULT_MARKER = "CHAINSIGHT-RESULT:"


@pytest.fixture(scope="session")
def netns_available() -> tuple[bool, str]:
    return netns.available()


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., Sandbox]]:
    """`sandbox_factory(name_or_path, **overrides)` -> a started Sandbox (in this process), stopped at teardown."""
    started: list[Sandbox] = []

    def factory(name: str | Path, **overrides: Any) -> Sandbox:
        box = Sandbox(load_scenario(name, overrides or None)).start()
        started.append(box)
        return box

    yield factory
    for box in started:
        box.stop()


def sandbox_session_for(box: Sandbox) -> requests.Session:
    """A requests session that reaches the sandbox like a scenario child would, ignoring this machine's env. Every
    request, IMDS's 169.254.169.254 included, goes to the sandbox's proxy on loopback."""
    assert urllib.parse.urlsplit(box.proxy_url).hostname == "127.0.0.1", box.proxy_url
    session = requests.Session()
    session.trust_env = False
    session.verify = str(box.ca_bundle)
    session.proxies = {"http": box.proxy_url, "https": box.proxy_url}
    return session


def run_from_repo(argv: list[str], timeout: float, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess:
    """``argv`` (from the repository's root unless ``cwd`` says otherwise) with the repository importable
    (``python -m app ...``, ``tests.*``) and the loopback guard kept, output captured."""
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=dict(os.environ, PYTHONPATH=loopback.pythonpath(REPO_ROOT)),
    )


def can_isolate() -> bool:
    """Whether this machine can make a loopback-only network namespace; where CI requires one and it cannot,
    the test fails instead."""
    available, reason = netns.available()
    if not available and os.environ.get(REQUIRE_SYSTEM_ENV) == "1":
        pytest.fail(f"required system component missing: {reason}", pytrace=False)
    return available


def namespaced(argv: list[str]) -> tuple[list[str], dict[str, str]]:
    """``argv`` and its environment for a process that starts sandboxes itself: in a loopback-only network
    namespace where this machine allows (required when CI says so; netns.IN_NETNS_ENV tells the process to
    raise its loopback), with the repository importable and the loopback guard kept."""
    env = dict(os.environ, PYTHONPATH=loopback.pythonpath(REPO_ROOT))
    if can_isolate():
        return netns.wrap(argv), {**env, netns.IN_NETNS_ENV: "1"}
    return argv, env


@dataclass
class SandboxRun:
    returncode: int
    stdout: str
    stderr: str
    isolated: bool

    def result(self) -> Any:
        """The JSON the snippet printed with `emit(...)` (last one wins)."""
        lines = [ln for ln in self.stdout.splitlines() if ln.startswith(RESULT_MARKER)]
        assert lines, f"no result printed\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}"
        return json.loads(lines[-1][len(RESULT_MARKER) :])


# Prepended to every snippet: `emit(obj)` prints a result line the test can read back.
PRELUDE = f"""
import json as _json
def emit(obj):
    print({RESULT_MARKER!r} + _json.dumps(obj), flush=True)
"""


def run_in_sandbox(
    scenario: str | Path,
    code: str,
    *,
    folder: Path,
    overrides: dict[str, Any] | None = None,
    isolate: bool = True,
    timeout: float = 90,
) -> SandboxRun:
    """`python -c code` under `python -m app.cli.sandbox exec` (in a loopback-only network namespace when this
    machine allows); a scenario with overrides is written to `folder` first."""
    target = str(scenario)
    if overrides:
        loaded = load_scenario(scenario, overrides)
        target = str(folder / f"{loaded.name}.toml")
        Path(target).write_bytes(tomli_w.dumps(loaded.raw).encode())
    isolate = isolate and can_isolate()
    argv = [sys.executable, "-m", "app.cli.sandbox", "exec", "--scenario", target]
    argv += ["--isolate-network"] if isolate else []
    argv += ["--", sys.executable, "-c", PRELUDE + code]
    proc = run_from_repo(argv, timeout)
    return SandboxRun(proc.returncode, proc.stdout, proc.stderr, isolate)


@pytest.fixture
def sandbox_run(tmp_path: Path) -> Callable[..., SandboxRun]:
    """`sandbox_run(scenario, code, overrides=None, isolate=True, timeout=90)`: `run_in_sandbox` with this
    test's tmp_path for the overridden scenario."""
    return functools.partial(run_in_sandbox, folder=tmp_path)
