"""A sandbox scenario as the app's Host: its environment, its HOME, and its scripted browser."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from engine.host import Host


def sandbox_browser(env: Mapping[str, str]) -> Callable[[str], bool] | None:
    """Open URLs with the sandbox's scripted browser (its BROWSER), detached like a real launcher."""
    browser = env.get("BROWSER")
    if not browser:
        return None

    def open_url(url: str) -> bool:
        subprocess.Popen(
            [browser, url],
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return True

    return open_url


def sandbox_host(sandbox: Any) -> Host:
    name = sandbox.scenario.name
    env = dict(sandbox.env)
    return Host(env=env, home=Path(env["HOME"]), label=f"sandbox: {name}", browser=sandbox_browser(env))


def start_sandbox(name: str) -> tuple[Any, Host]:
    """Start ``name`` (runs on a worker thread: it binds ports and writes files)."""
    from engine import sandbox as sandboxes

    started = sandboxes.start(name)
    return started, sandbox_host(started)
