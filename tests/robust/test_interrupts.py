"""D4: Ctrl-C during `chainsight run` exits 130 without a traceback; --json still prints the run so far."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests import loopback
from tests.doubles.fake_tools import FakeTool, Reply

ROOT = Path(__file__).resolve().parents[2]
SPEC = '[chain]\ntype = "ChainedTokenCredential"\n[[chain.credentials]]\ntype = "AzureCliCredential"\nprocess_timeout = 60\n'


def _start(tmp_path, *args):
    fake = FakeTool(tmp_path, "az", Reply(sleep=30))
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    env = loopback.guarded({"PATH": f"{fake.bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}, ROOT)
    argv = [sys.executable, "-m", "app", "run", "--config", str(spec), *args]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while not any(fake.calls_dir.iterdir()) and time.monotonic() < deadline:  # az has started
        time.sleep(0.05)
    return proc


def _interrupt(proc):
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    return out, err, time.monotonic() - started


def test_ctrl_c_with_json_prints_the_run_so_far_marked_cancelled_and_exits_130(tmp_path):
    proc = _start(tmp_path, "--json")
    out, err, took = _interrupt(proc)
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert took < 5
    run = json.loads(out)
    assert run["error"].startswith("Cancelled after"), run["error"]  # the diagnosis says how far it got
    assert [a["outcome"] for a in run["attempts"]] == ["cancelled"]


def test_ctrl_c_without_json_exits_130_without_traceback(tmp_path):
    proc = _start(tmp_path)
    out, err, _ = _interrupt(proc)
    assert proc.returncode == 130 and "Traceback" not in err and "cancelled" in out, (out, err)


def test_a_second_ctrl_c_interrupts_at_once(tmp_path):
    proc = _start(tmp_path)
    proc.send_signal(signal.SIGINT)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130 and "Traceback" not in err, err
