"""A sandbox scenario as the app's Host: its environment, its HOME, and its scripted browser."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
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


class Superseded(Exception):
    """A sandbox start that finished after the user chose another scenario (or quit): it was stopped."""


class SandboxLauncher:
    """Starts scenarios on worker threads and stops them off the GUI thread.

    The last choice wins: a start that finishes after a newer choice (or after quit) stops its own
    sandbox. Nothing outlives the app: ``wait`` (called after the window closed) lets pending starts
    and stops finish, then removes whatever temp folder (with its TLS key) is still on disk.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ticket = 0
        self._closed = False
        self._starting: dict[int, Any] = {}
        self._stoppers: list[threading.Thread] = []

    def choose(self) -> int:
        """A new choice: every start begun before it is stale from now on."""
        with self._lock:
            self._ticket += 1
            return self._ticket

    def is_current(self, ticket: int) -> bool:
        with self._lock:
            return ticket == self._ticket and not self._closed

    def start(self, name: str, ticket: int) -> tuple[Any, Host]:
        """Start ``name`` (on a worker thread: it binds ports and writes files)."""
        from engine import sandbox as sandboxes
        from engine.sandbox.sandbox import Sandbox

        sandbox = Sandbox(sandboxes.load_scenario(name))
        with self._lock:
            self._starting[ticket] = sandbox
        try:
            sandbox.start()
        finally:
            with self._lock:
                self._starting.pop(ticket, None)
                stale = ticket != self._ticket or self._closed
        if stale:
            sandbox.stop()
            raise Superseded(name)
        return sandbox, sandbox_host(sandbox)

    def stop_later(self, sandbox: Any) -> None:
        """Stop ``sandbox`` on its own thread: its servers take a moment to wind down."""
        thread = threading.Thread(target=sandbox.stop, name="sandbox-stop")
        with self._lock:
            self._stoppers = [t for t in self._stoppers if t.is_alive()]
            self._stoppers.append(thread)
        thread.start()

    def close(self) -> None:
        """Quit: any start still under way stops its sandbox as soon as it is up."""
        with self._lock:
            self._closed = True
            self._ticket += 1

    @property
    def busy(self) -> bool:
        with self._lock:
            return bool(self._starting) or any(t.is_alive() for t in self._stoppers)

    def wait(self, timeout: float = 15.0) -> None:
        """Block until starts and stops are done (after the window has gone); then sweep what is left."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                starting = bool(self._starting)
                stoppers = list(self._stoppers)
            for thread in stoppers:
                thread.join(max(0.0, deadline - time.monotonic()))
            if not starting and not any(t.is_alive() for t in stoppers):
                return
            time.sleep(0.02)
        with self._lock:
            leftovers = list(self._starting.values())
        for sandbox in leftovers:  # a start that never finished: at least take its key off the disk
            tmp = getattr(sandbox, "tmp", None)
            if tmp and Path(tmp) != Path() and Path(tmp).exists():
                shutil.rmtree(tmp, ignore_errors=True)


def describe_start_failure(name: str, ex: BaseException) -> str:
    """Why a scenario did not start, in words (no Python class names), with a "did you mean"."""
    if isinstance(ex, LookupError):
        from app.gui import unknown_scenario_message
        from engine.sandbox import list_scenarios

        text = unknown_scenario_message(name, list_scenarios())
        return text[:1].upper() + text[1:]
    text = str(ex).strip() or type(ex).__name__
    if isinstance(ex, OSError) and ex.filename:
        text = f"{ex.strerror or text}: {ex.filename}"
    return text[:1].upper() + text[1:]
