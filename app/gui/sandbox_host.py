"""A sandbox scenario as the app's Host: its environment, its HOME, and its scripted browser."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from engine.env_vars import CHAINSIGHT_SANDBOX_STATE
from engine.host import Host

BROWSER_LOG = "browser.log"  # the scripted browser writes its outcome next to the sandbox state file
BROWSER_FAILED = "browser: failed:"
BROWSER_DONE = "browser: done"
BROWSER_WATCH_S = 300.0  # azure-identity's own sign-in timeout: no longer worth watching after that
BROWSER_POLL_S = 0.05


class ScriptedBrowserOpener:
    """Opens URLs with the sandbox's scripted browser (its BROWSER), detached like a real launcher, and
    watches its log: when it gives up, ``failure`` says why at once (the credential itself would only
    notice at its timeout, minutes later). A watch ends with its outcome, when a newer sign-in opens the
    browser again, or when the sandbox stops (its folder, with the log, is removed)."""

    def __init__(self, browser: str, env: Mapping[str, str]) -> None:
        self.browser = browser
        self.env = dict(env)
        state = env.get(CHAINSIGHT_SANDBOX_STATE, "")
        self.log = Path(state).with_name(BROWSER_LOG) if state else None
        self.failure: str | None = None
        self._opened = 0  # how many times a URL was opened: only the latest one's watch goes on

    def __call__(self, url: str) -> bool:
        self.failure = None
        self._opened += 1
        offset = self.log.stat().st_size if self.log is not None and self.log.exists() else 0
        subprocess.Popen(
            [self.browser, url],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if self.log is not None:
            args = (offset, self._opened)
            threading.Thread(target=self._watch, args=args, name="browser-watch", daemon=True).start()
        return True

    def _watch(self, offset: int, opened: int) -> None:
        deadline = time.monotonic() + BROWSER_WATCH_S
        while opened == self._opened and self.log.parent.is_dir() and time.monotonic() < deadline:
            outcome = browser_outcome(self.log, offset)
            if outcome is not None:
                self.failure = outcome or None
                return
            time.sleep(BROWSER_POLL_S)


def browser_outcome(log: Path | None, offset: int = 0) -> str | None:
    """None while the browser is still going; "" when it finished; its reason when it gave up."""
    if log is None or not log.exists():
        return None
    with log.open(encoding="utf-8", errors="replace") as f:
        f.seek(offset)
        for line in f.read().splitlines():
            if line.startswith(BROWSER_FAILED):
                return line[len(BROWSER_FAILED) :].strip() or "no reason given"
            if line.startswith(BROWSER_DONE):
                return ""
    return None


def sandbox_browser(env: Mapping[str, str]) -> Callable[[str], bool] | None:
    """The sandbox's scripted browser as the host's URL opener (None when the scenario has none)."""
    browser = env.get("BROWSER")
    if not browser:
        return None
    return ScriptedBrowserOpener(browser, env)


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
        self._unclaimed: dict[int, Any] = {}
        self._pending: set[int] = set()
        self._stoppers: list[threading.Thread] = []

    def choose(self) -> int:
        """A new choice: every start begun before it is stale from now on. The ticket counts as pending
        until ``start`` has run for it (or ``release`` says it never will)."""
        with self._lock:
            self._ticket += 1
            self._pending.add(self._ticket)
            return self._ticket

    def release(self, ticket: int) -> None:
        with self._lock:
            self._pending.discard(ticket)

    def is_current(self, ticket: int) -> bool:
        with self._lock:
            return ticket == self._ticket and not self._closed

    def claim(self, ticket: int) -> bool:
        """The window takes the sandbox started for ``ticket``; False if it is no longer wanted."""
        with self._lock:
            self._unclaimed.pop(ticket, None)
            return ticket == self._ticket and not self._closed

    def start(self, name: str, ticket: int) -> tuple[Any, Host]:
        """Start ``name`` (on a worker thread: it binds ports and writes files)."""
        from engine import sandbox as sandboxes
        from engine.sandbox.sandbox import Sandbox

        try:
            with self._lock:
                if ticket != self._ticket or self._closed:  # chosen again (or quit) before we began
                    raise Superseded(name)
            sandbox = Sandbox(sandboxes.load_scenario(name))
            with self._lock:
                self._starting[ticket] = sandbox
        finally:
            self.release(ticket)
        try:
            sandbox.start()  # on failure it removes what it made before raising
            with self._lock:
                stale = ticket != self._ticket or self._closed
            if stale:  # still counted as starting until stopped, so that wait() waits for the clean-up
                sandbox.stop()
                raise Superseded(name)
            with self._lock:  # up, but not yet taken by the window: close() stops it if it never is
                self._unclaimed[ticket] = sandbox
            return sandbox, sandbox_host(sandbox)
        finally:
            with self._lock:
                self._starting.pop(ticket, None)

    def stop_later(self, sandbox: Any) -> None:
        """Stop ``sandbox`` on its own thread: its servers take a moment to wind down."""
        thread = threading.Thread(target=sandbox.stop, name="sandbox-stop")
        with self._lock:
            self._stoppers = [t for t in self._stoppers if t.is_alive()]
            self._stoppers.append(thread)
        thread.start()

    def close(self) -> None:
        """Quit: any start still under way stops its sandbox as soon as it is up; one that is up but whose
        news has not reached the window yet is stopped now."""
        with self._lock:
            self._closed = True
            self._ticket += 1
            unclaimed = list(self._unclaimed.values())
            self._unclaimed.clear()
        for sandbox in unclaimed:
            self.stop_later(sandbox)

    @property
    def busy(self) -> bool:
        with self._lock:
            return bool(self._starting or self._pending) or any(t.is_alive() for t in self._stoppers)

    def wait(self, timeout: float = 15.0) -> None:
        """Block until starts and stops are done (after the window has gone); then sweep what is left."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                starting = bool(self._starting or self._pending)
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
        from app.gui.scenario_names import unknown_scenario_message
        from engine.sandbox import list_scenarios

        text = unknown_scenario_message(name, list_scenarios())
        return text[:1].upper() + text[1:]
    text = str(ex).strip() or type(ex).__name__
    if isinstance(ex, OSError) and ex.filename:
        text = f"{ex.strerror or text}: {ex.filename}"
    return text[:1].upper() + text[1:]
