"""A real X server for the tests that must see the window as a person does: Xvfb at a given screen
size with openbox framing the windows (title bar and borders count against the screen)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.system import require_system


@contextlib.contextmanager
def xvfb(width: int, height: int, *, window_manager: bool = True) -> Iterator[str]:
    """Yield a DISPLAY string for a fresh Xvfb screen of ``width`` x ``height``; stop it afterwards."""
    require_system(shutil.which("Xvfb") is not None, "Xvfb is not installed (apt-get install xvfb)")
    if window_manager:
        require_system(shutil.which("openbox") is not None, "openbox is not installed (apt-get install openbox)")
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    manager = None
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        if not number:
            pytest.fail("Xvfb did not report a display number")
        display = f":{number}"
        if window_manager:
            manager = subprocess.Popen(
                ["openbox", "--sm-disable"],
                env={**os.environ, "DISPLAY": display},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(0.5)  # let it take over the root window before the app maps its own
        yield display
    finally:
        for process in (manager, server):
            if process is None:
                continue
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()


def xcb_env(display: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "DISPLAY": display, **extra}
    env.pop("WAYLAND_DISPLAY", None)
    return env
