"""D6: exec's grace kill reaches the whole tree; the isolated exec dies with its parent; orphaned sandbox
folders are removed at the next start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.sandbox import netns, orphans, start
from tests import loopback
from tests.processes import alive

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli.sandbox", *args],
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ, PYTHONPATH=loopback.pythonpath(ROOT)),
        start_new_session=True,
    )


def _wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _kill_quietly(*pids: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_grace_kill_reaches_the_whole_tree():
    script = 'trap "" INT; (trap "" INT; exec sleep 60) & echo $!; echo "$CHAINSIGHT_SANDBOX_STATE"; wait'
    proc = _cli("exec", "--scenario", "laptop-az", "--", "sh", "-c", script)
    grandchild = int(proc.stdout.readline())
    state = proc.stdout.readline().strip()
    try:
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(15) == 130
        assert _wait_until(lambda: not alive(grandchild), 3), "the grandchild survived the grace kill"
        assert not os.path.exists(os.path.dirname(state))
    finally:
        _kill_quietly(grandchild, proc.pid)


needs_netns = pytest.mark.skipif(not netns.available()[0], reason="no network namespaces here")


@needs_netns
def test_isolated_exec_stops_when_its_parent_is_killed():
    script = 'echo $$; echo "$CHAINSIGHT_SANDBOX_STATE"; exec sleep 60'
    proc = _cli("exec", "--isolate-network", "--scenario", "laptop-az", "--", "sh", "-c", script)
    command = int(proc.stdout.readline())
    state = proc.stdout.readline().strip()
    try:
        assert os.path.exists(state)
        proc.kill()  # SIGKILL: no chance to forward anything
        proc.wait(5)
        assert _wait_until(lambda: not alive(command), 15), "the command outlived chainsight"
        assert _wait_until(lambda: not os.path.exists(os.path.dirname(state)), 10), "the sandbox folder was left"
    finally:
        _kill_quietly(command)


@needs_netns
def test_isolated_exec_cleans_up_when_the_command_ignores_ctrl_c():
    script = 'trap "" INT; echo "$CHAINSIGHT_SANDBOX_STATE"; sleep 30'
    proc = _cli("exec", "--isolate-network", "--scenario", "laptop-az", "--", "sh", "-c", script)
    state = proc.stdout.readline().strip()
    try:
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(20) == 130, proc.stderr.read()
        assert not os.path.exists(os.path.dirname(state)), "the sandbox folder was left"
    finally:
        _kill_quietly(proc.pid)


def test_a_folder_orphaned_by_sigkill_is_removed_at_the_next_start(tmp_path):
    code = "from engine.sandbox import start; import time; b = start('laptop-az'); print(b.tmp, flush=True); time.sleep(60)"
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    folder = Path(proc.stdout.readline().strip())
    proc.kill()
    proc.wait()
    assert folder.exists()
    foreign = tmp_path / "chainsight-sandbox-older-version-x"  # no owner file: never touched
    foreign.mkdir()
    removed = orphans.remove_orphans(tmp_path)
    assert removed == [] and foreign.exists()
    with start("laptop-az") as box:
        assert not folder.exists()
        assert box.tmp.exists() and not orphans.is_orphan(box.tmp)
