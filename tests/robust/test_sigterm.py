"""SIGTERM (kill, a service manager, a CI timeout) ends a command as Ctrl-C does: exit 143 (128 + 15, as a
shell reports it), no traceback, ``--json`` prints the run so far marked cancelled, and the tool or
interpreter the command was waiting on is killed with it. Real signals to a real subprocess."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import loopback
from tests.processes import ended

ROOT = Path(__file__).resolve().parents[2]
SPEC = '[chain]\ntype = "ChainedTokenCredential"\n[[chain.credentials]]\ntype = "AzureCliCredential"\nprocess_timeout = 60\n'
EXIT_SIGTERM = 143
# A stand-in that records its process id, then hangs as the process whose pid it wrote
HANGING = "#!/bin/sh\necho $$ > '{pid_file}'\nexec sleep 60\n"


def _hanging(tmp_path: Path, name: str) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    tool = bin_dir / name
    tool.write_text(HANGING.format(pid_file=tmp_path / f"{name}.pid"))
    tool.chmod(0o755)
    return tool


def _start(tmp_path: Path, waits_on: str, *args: str) -> subprocess.Popen:
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    env = loopback.guarded({"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}, ROOT)
    argv = [sys.executable, "-m", "app", *(a.replace("{d}", str(tmp_path)) for a in args)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    pid_file = tmp_path / f"{waits_on}.pid"
    deadline = time.monotonic() + 60
    while not (pid_file.exists() and pid_file.read_text().strip()) and time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"ended before it waited on {waits_on}: {proc.communicate()}")
        time.sleep(0.05)
    return proc


def _terminate(proc: subprocess.Popen, tmp_path: Path, waits_on: str):
    child = int((tmp_path / f"{waits_on}.pid").read_text())
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    took = time.monotonic() - started
    return out, err, took, not ended(child, within=5)


def test_sigterm_during_run_json_prints_the_run_so_far_and_exits_143(tmp_path):
    _hanging(tmp_path, "az")
    proc = _start(tmp_path, "az", "run", "--config", "{d}/spec.toml", "--json")
    out, err, took, az_alive = _terminate(proc, tmp_path, "az")
    assert proc.returncode == EXIT_SIGTERM and "Traceback" not in err, err
    assert took < 10 and not az_alive
    run = json.loads(out)
    assert run["error"].startswith("Cancelled after"), run["error"]
    assert [a["outcome"] for a in run["attempts"]] == ["cancelled"]


def test_sigterm_during_run_prints_cancelled_without_traceback(tmp_path):
    _hanging(tmp_path, "az")
    proc = _start(tmp_path, "az", "run", "--config", "{d}/spec.toml")
    out, err, _, az_alive = _terminate(proc, tmp_path, "az")
    assert proc.returncode == EXIT_SIGTERM and "Traceback" not in err and "cancelled" in out.lower(), (out, err)
    assert not az_alive


@pytest.mark.parametrize(
    ("waits_on", "argv"),
    [
        ("az", ["report", "--config", "{d}/spec.toml", "-o", "{d}/r.md"]),
        ("python", ["crosscheck", "--python", "{d}/bin/python"]),
        ("python", ["export", "--profile", "auto", "--python", "{d}/bin/python"]),
    ],
    ids=["report", "crosscheck", "export"],
)
def test_sigterm_ends_every_command_with_143_and_kills_what_it_waited_on(tmp_path, waits_on, argv):
    _hanging(tmp_path, waits_on)
    proc = _start(tmp_path, waits_on, *argv)
    out, err, took, child_alive = _terminate(proc, tmp_path, waits_on)
    assert proc.returncode == EXIT_SIGTERM and "Traceback" not in err, (out, err)
    assert took < 10, took
    assert not child_alive, f"{waits_on} outlived the command"
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]  # no temporary file left behind
    if (tmp_path / "r.md").exists():  # the report of a cancelled run, whole, as Ctrl-C leaves it
        assert "Cancelled after" in (tmp_path / "r.md").read_text()
