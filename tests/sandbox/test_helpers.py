"""The sandbox's helpers run without a separate Python in a frozen build: through the app's own binary and a
hidden first argument (the frozen binary itself is built and smoke-tested by packaging/smoke.sh)."""

from __future__ import annotations

import importlib
import json
import os
import shlex
import subprocess
import sys

import pytest

from engine.sandbox import helpers, netns, start, tools
from tests import loopback
from tests.plugins.sandbox import REPO_ROOT
from tests.system import require_system


def _chainsight(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`chainsight ARGS`, as a frozen build's sys.executable would be invoked (here: python -m app)."""
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
        env=dict(env, PYTHONPATH=loopback.pythonpath(REPO_ROOT)),
    )


def test_the_hidden_argument_runs_a_tool_stand_in_as_its_shim_would() -> None:
    with start("laptop-az") as box:
        through_binary = _chainsight(helpers.HELPER_ARG, "az", "account", "show", env=box.env)
        through_shim = subprocess.run(
            [str(box.bin_dir / "az"), "account", "show"], capture_output=True, text=True, timeout=60, env=box.env
        )
    assert through_binary.returncode == 0, through_binary.stderr
    assert json.loads(through_binary.stdout) == json.loads(through_shim.stdout)
    assert json.loads(through_binary.stdout)["user"]["name"] == "dev@contoso.com"


def test_an_unknown_helper_is_a_usage_error_naming_the_known_ones() -> None:
    proc = _chainsight(helpers.HELPER_ARG, "kubectl", env=dict(os.environ))
    assert proc.returncode == 2
    assert "'kubectl'" in proc.stderr and all(name in proc.stderr for name in helpers.HELPERS)
    assert _chainsight(helpers.HELPER_ARG, env=dict(os.environ)).returncode == 2


def test_a_frozen_build_writes_shims_that_exec_the_binary_itself() -> None:
    for name in tools.SHIMS:
        text = tools.shim_text(name, frozen=True)
        assert text.startswith("#!/bin/sh\n")
        assert f'exec {shlex.join([sys.executable, helpers.HELPER_ARG, name])} "$@"' in text
        assert "#!" + sys.executable not in text
    assert tools.shim_text("az", frozen=False).startswith(f"#!{sys.executable}\n")


def test_a_frozen_build_mounts_arcs_folder_through_the_binary_itself() -> None:
    assert netns.arc_mount_command(frozen=True) == [sys.executable, helpers.HELPER_ARG, "arc-mount"]
    interpreter, script = netns.arc_mount_command(frozen=False)
    assert interpreter == sys.executable and script.endswith(os.path.join("engine", "sandbox", "arc_mount.py"))


def test_every_helper_module_has_a_main() -> None:
    for module in helpers.HELPERS.values():
        assert callable(importlib.import_module(module).main), module


@pytest.mark.needs_system
def test_the_isolated_inner_process_finds_chainsight_without_handing_cmd_a_pythonpath() -> None:
    require_system(netns.available()[0], f"no network namespaces here: {netns.available()[1]}")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    argv = ["exec", "--isolate-network", "--scenario", "laptop-az", "--", "/usr/bin/env"]
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli.sandbox", *argv],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=REPO_ROOT,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "CHAINSIGHT_SANDBOX_IN_NETNS=1" in proc.stdout.splitlines()
    assert not [line for line in proc.stdout.splitlines() if line.startswith("PYTHONPATH=")]
