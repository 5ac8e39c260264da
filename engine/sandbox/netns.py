"""Loopback-only network namespaces (Linux): `unshare -n` as root, `unshare -rn` with user namespaces.

Where the machine allows, the namespace also gets a private mount namespace (`-m`, propagation private)
in which arc_mount gives the command its own /var/opt/azcmagent/tokens, so Azure Arc works for real
clients without touching the real filesystem."""

from __future__ import annotations

import fcntl
import functools
import os
import shutil
import socket
import struct
import subprocess
import sys
from pathlib import Path

from engine.sandbox.helpers import frozen_command, is_frozen

IN_NETNS_ENV = "CHAINSIGHT_SANDBOX_IN_NETNS"
NOT_LINUX = "network namespaces need Linux"
NO_UNSHARE = "the unshare command (util-linux) is not installed"
UNSHARE_FAILED = "unshare cannot create a network namespace here ({detail})"
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


@functools.lru_cache(maxsize=1)
def unshare_argv() -> tuple[tuple[str, ...] | None, str]:
    """The unshare prefix that works here, or None and the reason it does not."""
    if not sys.platform.startswith("linux"):
        return None, NOT_LINUX
    unshare = shutil.which("unshare") or ("/usr/bin/unshare" if os.path.exists("/usr/bin/unshare") else None)
    if unshare is None:
        return None, NO_UNSHARE
    # With a mount namespace first (Arc's key folder), else network only.
    if os.geteuid() == 0:
        attempts = [(unshare, "-n", "-m"), (unshare, "-n"), (unshare, "-rnm"), (unshare, "-rn")]
    else:
        attempts = [(unshare, "-rnm"), (unshare, "-rn")]
    detail = ""
    for prefix in attempts:
        probe = subprocess.run([*prefix, "true"], capture_output=True, text=True, timeout=10)
        if probe.returncode == 0:
            return prefix, ""
        detail = probe.stderr.strip() or f"exit {probe.returncode}"
    return None, UNSHARE_FAILED.format(detail=detail)


def available() -> tuple[bool, str]:
    prefix, reason = unshare_argv()
    return prefix is not None, reason


def has_mount_namespace(prefix: tuple[str, ...]) -> bool:
    return "-m" in prefix or any(p.startswith("-r") and "m" in p for p in prefix[1:])


def wrap(argv: list[str]) -> list[str]:
    """argv run in a fresh network namespace (only an unconfigured loopback inside), with a private
    Arc key folder when the namespace has its own mounts."""
    prefix, reason = unshare_argv()
    if prefix is None:
        raise OSError(reason)
    if has_mount_namespace(prefix):
        return [*prefix, "--", *arc_mount_command(), "--", *argv]
    return [*prefix, "--", *argv]


def arc_mount_command(*, frozen: bool | None = None) -> list[str]:
    """arc_mount run first inside the namespace: by path on this interpreter (standard library only, so
    nothing of the engine loads), or by the frozen binary itself, which has no interpreter to offer."""
    if is_frozen() if frozen is None else frozen:
        return frozen_command("arc-mount")
    return [sys.executable, str(Path(__file__).with_name("arc_mount.py"))]


def bring_loopback_up() -> None:
    """A new namespace's `lo` is down; raise it with an ioctl (no dependency on iproute2)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifreq = struct.pack("16sH14s", b"lo", 0, b"\x00" * 14)
        flags = struct.unpack("16sH14s", fcntl.ioctl(s.fileno(), SIOCGIFFLAGS, ifreq))[1]
        fcntl.ioctl(s.fileno(), SIOCSIFFLAGS, struct.pack("16sH14s", b"lo", flags | IFF_UP, b"\x00" * 14))
