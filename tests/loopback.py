"""No traffic beyond loopback, in the test process and in every Python process it starts.

The test process installs the guard itself (tests/conftest.py); children get it through
tests/loopback_site/sitecustomize.py, which ``guard_children`` puts first on PYTHONPATH. A refused
connection raises in the process that tried it and is appended to one log that the test run reads at the
end, so a child that swallows the error still fails the run.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import tempfile
from pathlib import Path

SITE_DIR = str(Path(__file__).resolve().parent / "loopback_site")
REFUSED_LOG = "CHAINSIGHT_TEST_REFUSED_CONNECTIONS"
TEST_ID = "CHAINSIGHT_TEST_ID"  # the running test, inherited by its children: each refusal names its test


class NonLoopbackConnection(ConnectionError):
    """A test tried to reach an address outside 127.0.0.0/8 and ::1."""


def _is_loopback(address: object) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # AF_UNIX paths and the like
    host = address[0]
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None))
        except OSError:
            return False


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _refuse(self: socket.socket, address: object) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
        log = os.environ.get(REFUSED_LOG)
        if log:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(f"{os.environ.get(TEST_ID, '?')} (pid {os.getpid()}): {address!r}\n")
        raise NonLoopbackConnection(f"tests may only connect to loopback, not {address!r}")


def _guarded_connect(self: socket.socket, address: object) -> None:
    _refuse(self, address)
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    _refuse(self, address)
    return _real_connect_ex(self, address)


def install() -> None:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


def uninstall() -> None:
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


def guard_children() -> None:
    """Put the guard first on PYTHONPATH and open the run's one log (the first pytest process makes it)."""
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if SITE_DIR not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([SITE_DIR, *paths])
    if REFUSED_LOG not in os.environ:
        descriptor, path = tempfile.mkstemp(prefix="chainsight-refused-", suffix=".log")
        os.close(descriptor)
        os.environ[REFUSED_LOG] = path


def pythonpath(*roots: object) -> str:
    """PYTHONPATH for a child that must import from ``roots`` (the repository, for ``tests.*``) and keep the guard:
    ``dict(os.environ, PYTHONPATH=str(root))`` alone would drop the guard's folder, and the child would go unguarded."""
    return os.pathsep.join([SITE_DIR, *(str(r) for r in roots)])


def guarded(env: dict[str, str], *roots: object) -> dict[str, str]:
    """``env``, built from scratch for a child, with the guard: its folder first on PYTHONPATH (then ``roots``),
    and the run's refusal log and test id, so that a refusal in the child is logged against its test."""
    inherited = {name: os.environ[name] for name in (REFUSED_LOG, TEST_ID) if name in os.environ}
    return {**env, **inherited, "PYTHONPATH": pythonpath(*roots)}


def without_guard(env: dict[str, str]) -> dict[str, str]:
    """``env`` for the one kind of child that must leave loopback: pip building a cached venv from PyPI."""
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != SITE_DIR]
    cleaned = {k: v for k, v in env.items() if k != "PYTHONPATH"}
    if paths:
        cleaned["PYTHONPATH"] = os.pathsep.join(paths)
    return cleaned


def refused_connections() -> list[str]:
    """What the run's log holds; the log is removed (the run that made it reads it once, at its end)."""
    log = os.environ.get(REFUSED_LOG)
    if not log or not os.path.exists(log):
        return []
    lines = Path(log).read_text(encoding="utf-8").splitlines()
    os.unlink(log)
    return lines
