"""The Host: the machine as credentials see it.

Credentials read the environment, find and run tools, make HTTP requests, read files and look at
the clock only through a Host. The real machine, the real machine with a what-if overlay of
environment variables, and the sandbox are all Hosts, so every run uses the same code.
"""

from __future__ import annotations

import dataclasses
import math
import os
import platform as _platform
import shutil
import subprocess
import sys
import time
import webbrowser
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from engine import events, process_output
from engine.safe_files import refuse_special
from engine.secrets import redact_text, redact_url

if TYPE_CHECKING:
    from engine.http_session import HostSession

STDERR_SHOWN = 4000  # characters of a tool's stderr kept in its step (the end, where errors are)
# requests reads these when ``trust_env`` is on; we read them from the Host's environment instead.
# A server's Retry-After may ask for an hour (or for ever); azure-identity would sleep that long. The retry
# still happens, as it would there, after at most this many seconds, and the step says what was asked.
MAX_WAIT = 60.0
NOT_A_TIMEOUT = "a process timeout must be a finite number of seconds, got {timeout!r}"
WAIT_CAPPED = "asked to wait {asked:g} s (azure-identity would wait that long); Chainsight waited {cap:g} s"
OUTPUT_TRUNCATED = "the tool printed more than {limit} bytes on a stream; the rest was read and discarded"


@dataclass(frozen=True)
class ProcessResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    duration: float
    stdout_bytes: bytes = field(default=b"", repr=False)  # exact bytes, for callers that must reject bad UTF-8
    stderr_bytes: bytes = field(default=b"", repr=False)


@dataclass(frozen=True)
class Host:
    """A machine: environment, tools, processes, HTTP, files and clock."""

    env: Mapping[str, str] = field(repr=False)
    system: str = field(default_factory=_platform.system)  # "Linux", "Darwin", "Windows"
    sys_platform: str = sys.platform
    kernel_release: str = field(default_factory=_platform.release)
    home: Path | None = None
    label: str = "this machine"
    overlay: Mapping[str, str | None] = field(default_factory=dict, repr=False)
    browser: Callable[[str], bool] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "env", MappingProxyType(dict(self.env)))
        object.__setattr__(self, "overlay", MappingProxyType(dict(self.overlay)))

    # ---- construction ------------------------------------------------------------------------
    @classmethod
    def real(cls) -> Host:
        """This machine, with a snapshot of the process environment."""
        return cls(env=dict(os.environ))

    def with_overlay(self, set: Mapping[str, str] | None = None, unset: Iterable[str] = ()) -> Host:
        """The same machine with some variables set or unset; ``os.environ`` is never touched."""
        env = dict(self.env)
        overlay = dict(self.overlay)
        for name in unset:
            env.pop(name, None)
            overlay[name] = None
        for name, value in (set or {}).items():
            env[name] = value
            overlay[name] = value
        return dataclasses.replace(self, env=env, overlay=overlay)

    # ---- environment and files ---------------------------------------------------------------
    @property
    def home_dir(self) -> Path:
        if self.home is not None:
            return self.home
        home = self.env.get("USERPROFILE" if self.system == "Windows" else "HOME")
        return Path(home) if home else Path.home()

    def expand_user(self, path: str) -> Path:
        """``os.path.expanduser`` against this host's home directory."""
        if path == "~" or path.startswith(("~/", "~\\")):
            return self.home_dir / path[2:]
        return Path(path)

    @property
    def is_wsl(self) -> bool:
        return self.system == "Linux" and "microsoft" in self.kernel_release.lower()

    def which(self, name: str) -> str | None:
        return shutil.which(name, path=self.env.get("PATH", ""))

    def read_bytes(self, path: str | os.PathLike, *, label: str | None = None) -> bytes:
        with events.step("file", label or f"read {path}", path=str(path)) as handle:
            events.check_cancelled()
            refuse_special(path)  # a FIFO would block for ever, /dev/zero never end
            data = Path(path).read_bytes()
            handle.detail["bytes"] = len(data)
            return data

    def read_text(self, path: str | os.PathLike, *, encoding: str = "utf-8", label: str | None = None) -> str:
        return self.read_bytes(path, label=label).decode(encoding)

    def exists(self, path: str | os.PathLike) -> bool:
        return Path(path).exists()

    def file_size(self, path: str | os.PathLike) -> int:
        return Path(path).stat().st_size

    def secret_lookup(self, service: str, account: str) -> str | None:
        """One generic password from the OS secret store (libsecret, Keychain, Credential Manager), or None.

        Raises StoreTimeout when the store does not answer (a locked daemon's prompt nobody sees).
        """
        from engine import os_secrets
        from engine.store_timeout import call_with_timeout

        with events.step("keyring", f"look up {service!r} / {account!r} in the OS secret store") as handle:
            events.check_cancelled()
            found = call_with_timeout(lambda: os_secrets.lookup(service, account), "the OS secret store")
            handle.detail["found"] = found is not None
            return found

    # ---- clock --------------------------------------------------------------------------------
    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Sleep, waking at once when the run is cancelled; at most MAX_WAIT (the step says what was asked)."""
        cancelled = events.cancel_requested()
        capped = seconds if math.isfinite(seconds) and seconds <= MAX_WAIT else MAX_WAIT
        detail: dict[str, object] = {"seconds": capped}
        if capped != seconds:
            detail["note"] = WAIT_CAPPED.format(asked=seconds, cap=MAX_WAIT)
        with events.step("wait", f"wait {capped:g} s", **detail):
            if cancelled is None:
                time.sleep(max(0.0, capped))
            elif cancelled.wait(max(0.0, capped)):
                raise events.RunCancelled()

    # ---- processes ----------------------------------------------------------------------------
    def run(
        self,
        argv: list[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        timeout: float | None = None,
        label: str | None = None,
    ) -> ProcessResult:
        """Run ``argv`` without a shell, stdin from /dev/null; kill its whole group on timeout.

        Raises ``subprocess.TimeoutExpired`` on timeout and ``OSError`` when it cannot start.
        """
        events.check_cancelled()
        if timeout is not None and not math.isfinite(timeout):  # subprocess fails on these too; never wait for ever
            raise ValueError(NOT_A_TIMEOUT.format(timeout=timeout))
        with events.step("process", label or " ".join(argv[:3]), argv=list(argv), cwd=cwd) as handle:
            started = time.monotonic()
            proc = subprocess.Popen(
                argv,
                env=dict(env if env is not None else self.env),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=os.name == "posix",
            )
            try:
                collected = self._communicate(proc, timeout)
            except BaseException:
                handle.detail.update(killed=True, duration=time.monotonic() - started)
                raise
            duration = time.monotonic() - started
            stdout, stderr = collected.stdout, collected.stderr
            handle.detail.update(exit_status=proc.returncode, duration=duration)
            if collected.truncated:
                handle.detail["output_truncated"] = OUTPUT_TRUNCATED.format(limit=process_output.OUTPUT_LIMIT)
            if stderr:  # what a developer needs to see of a failing tool; token-shaped text is masked
                handle.detail["stderr"] = redact_text(stderr.decode(errors="replace")[-STDERR_SHOWN:])
            return ProcessResult(
                tuple(argv),
                proc.returncode,
                stdout.decode(errors="replace"),
                stderr.decode(errors="replace"),
                duration,
                stdout,
                stderr,
            )

    @staticmethod
    def _communicate(proc: subprocess.Popen, timeout: float | None) -> process_output.Collected:
        """Both streams; on timeout or cancel the group is killed and the pipes closed, then we raise."""
        reader = process_output.reader_for(os.name)  # threads where pipes cannot be polled (Windows)
        try:
            collected = reader(proc, timeout, events.cancel_requested())
        except process_output.Cancelled:
            raise events.RunCancelled() from None
        return collected

    # ---- browser ------------------------------------------------------------------------------
    def open_browser(self, url: str) -> bool:
        """Open ``url`` in the user's browser as ``webbrowser.open`` does; False when there is none.

        A host may carry its own opener (the sandbox's scripted browser, a test's fake).
        """
        with events.step("browser", "open the system browser", url=redact_url(url)) as handle:
            opened = (self.browser or _system_browser)(url)
            handle.detail["opened"] = bool(opened)
            return bool(opened)

    # ---- HTTP ---------------------------------------------------------------------------------
    def session(self) -> HostSession:
        """A requests session that honours this host's proxy and CA variables as requests would."""
        from engine.http_session import HostSession  # requests loads only when HTTP is used

        return HostSession(self.env)


def _system_browser(url: str) -> bool:
    return webbrowser.open(url)
