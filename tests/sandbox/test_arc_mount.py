"""Azure Arc's fixed key folder: private to the sandbox's mount namespace, never created on the real machine,
and `sandbox exec` without isolation says in one line why Arc cannot work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from engine.sandbox import arc_mount, netns
from tests import loopback
from tests.plugins.sandbox import REPO_ROOT
from tests.system import require_system

ARC_MOUNT = str(Path(arc_mount.__file__))


def _mount_namespace_prefix() -> tuple[str, ...]:
    prefix, reason = netns.unshare_argv()
    require_system(prefix is not None and netns.has_mount_namespace(prefix), f"mount namespaces: {reason}")
    return prefix


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app", "sandbox", "exec", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
        env=dict(os.environ, PYTHONPATH=loopback.pythonpath(REPO_ROOT)),
    )


def test_private_key_dir_covers_its_deepest_existing_ancestor_and_keeps_that_ancestors_entries(tmp_path) -> None:
    prefix = _mount_namespace_prefix()
    base = tmp_path / "var-opt"
    (base / "other-product").mkdir(parents=True)
    (base / "other-product" / "data.txt").write_text("kept")
    (base / "link").symlink_to("other-product")
    key_dir = base / "azcmagent" / "tokens"
    code = (
        f"import json, os, sys, runpy\nns = runpy.run_path({ARC_MOUNT!r})\n"
        f"ns['make_private_key_dir'](__import__('pathlib').Path({str(key_dir)!r}))\n"
        f"open({str(key_dir / 'probe.key')!r}, 'w').write('secret')\n"
        f"print(json.dumps({{'kept': open({str(base / 'link' / 'data.txt')!r}).read(),"
        f" 'entries': sorted(os.listdir({str(base)!r}))}}))\n"
    )
    proc = subprocess.run([*prefix, "--", sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"kept": "kept", "entries": ["azcmagent", "link", "other-product"]}
    # Outside the namespace nothing was created: the folder and its key lived on the namespace's tmpfs.
    assert sorted(p.name for p in base.iterdir()) == ["link", "other-product"]


def test_isolated_exec_gives_the_command_a_private_arc_key_folder_and_leaves_the_real_one_alone() -> None:
    _mount_namespace_prefix()
    real = arc_mount.KEY_DIR
    existed = {p: p.exists() for p in (real, real.parent, real.parent.parent)}
    covered = next(p for p in (real, *real.parents) if p.exists())
    proc = _cli(
        "--scenario",
        "azure-arc",
        "--isolate-network",
        "--",
        "sh",
        "-c",
        f"test -d {real} && test -w {real} && grep -c ' {covered} ' /proc/self/mountinfo",
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "1" and proc.stderr == ""
    assert {p: p.exists() for p in existed} == existed


def test_arc_key_dir_is_never_the_real_folder_outside_the_namespace_that_made_it(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(arc_mount.PRIVATE_KEY_DIR_ENV, f"1:{tmp_path}")  # a stale marker from another namespace
    assert arc_mount.private_key_dir(os.environ) is None
    monkeypatch.setenv(arc_mount.PRIVATE_KEY_DIR_ENV, f"{arc_mount.namespace_id()}:{tmp_path}")
    assert arc_mount.private_key_dir(os.environ) == tmp_path


def test_exec_without_isolation_says_in_one_line_that_arc_needs_isolate_network() -> None:
    proc = _cli("--scenario", "azure-arc", "--", "true")
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert "Azure Arc" in line and "/var/opt/azcmagent/tokens" in line and "--isolate-network" in line


def test_exec_without_isolation_says_nothing_about_arc_in_other_scenarios() -> None:
    proc = _cli("--scenario", "app-service", "--", "true")
    assert proc.returncode == 0 and proc.stderr == ""
