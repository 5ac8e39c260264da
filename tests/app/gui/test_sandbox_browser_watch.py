"""The scripted browser's watch (app/gui/sandbox_host.py): it says at once when the browser gave up, and never
outlives its sign-in or its sandbox."""

from __future__ import annotations

import threading
import time

from app.gui.sandbox_host import BROWSER_LOG, ScriptedBrowserOpener
from engine.env_vars import CHAINSIGHT_SANDBOX_STATE


def _opener(tmp_path):
    folder = tmp_path / "sandbox"
    folder.mkdir()
    env = {"PATH": "/usr/bin:/bin", CHAINSIGHT_SANDBOX_STATE: str(folder / "state.json")}
    return ScriptedBrowserOpener("/bin/true", env), folder


def _watches() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "browser-watch"]


def _ended(threads: list[threading.Thread], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return not any(t.is_alive() for t in threads)


def test_a_browser_that_gives_up_is_reported_with_its_reason(tmp_path):
    opener, folder = _opener(tmp_path)
    before = set(_watches())
    assert opener("https://login.microsoftonline.com/authorize")
    (folder / BROWSER_LOG).write_text("browser: failed: the page had no sign-in form\n")
    assert _ended([t for t in _watches() if t not in before])
    assert opener.failure == "the page had no sign-in form"


def test_the_watch_ends_when_the_sandbox_stops(tmp_path):
    opener, folder = _opener(tmp_path)
    before = set(_watches())
    opener("https://login.microsoftonline.com/authorize")
    mine = [t for t in _watches() if t not in before]
    assert mine and all(t.is_alive() for t in mine)
    (folder / "state.json").write_text("{}")
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    assert _ended(mine)
    assert opener.failure is None


def test_a_newer_sign_in_ends_the_older_watch(tmp_path):
    opener, folder = _opener(tmp_path)
    before = set(_watches())
    opener("https://login.microsoftonline.com/authorize?first")
    first = [t for t in _watches() if t not in before]
    opener("https://login.microsoftonline.com/authorize?second")
    assert _ended(first)
    second = [t for t in _watches() if t not in before and t not in first]
    assert second and all(t.is_alive() for t in second)
    (folder / BROWSER_LOG).write_text("browser: done\n")
    assert _ended(second)
    assert opener.failure is None
