"""Sandbox keys shared across processes through a private folder, and only through a private one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.sandbox.tls import KEY_CACHE_DIR

REPO = Path(__file__).resolve().parents[2]
PRINT_KEY = (
    "from engine.sandbox.tls import cached_key\nprint(cached_key('ca').public_key().public_numbers().n % 10**12)\n"
)


def _key_in_fresh_process(folder: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != KEY_CACHE_DIR}
    if folder is not None:
        env[KEY_CACHE_DIR] = folder
    done = subprocess.run(
        [sys.executable, "-c", PRINT_KEY], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_processes_sharing_a_private_folder_share_the_key(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    folder.mkdir(mode=0o700)
    first, second = _key_in_fresh_process(str(folder)), _key_in_fresh_process(str(folder))
    assert first == second
    (written,) = folder.iterdir()
    assert written.stat().st_mode & 0o777 == 0o600
    assert "PRIVATE KEY" in written.read_text()


def test_without_the_folder_each_process_makes_its_own_key() -> None:
    assert _key_in_fresh_process(None) != _key_in_fresh_process(None)


@pytest.mark.parametrize("mode", [0o755, 0o770, 0o707])
def test_a_folder_others_can_read_or_write_is_not_used(tmp_path: Path, mode: int) -> None:
    folder = tmp_path / "keys"
    folder.mkdir()
    folder.chmod(mode)
    assert _key_in_fresh_process(str(folder)) != _key_in_fresh_process(str(folder))
    assert list(folder.iterdir()) == []
