"""A private /var/opt/azcmagent/tokens for the Azure Arc stand-in, inside a private mount namespace only.

msal and azure-identity read Arc's challenge key only from that fixed folder, which a normal machine
lacks. Under ``unshare -n -m`` (propagation private) this program, run first inside the namespace,
mounts a tmpfs at the folder, or at its deepest existing ancestor with that ancestor's entries bound
back into place, then records the namespace and execs the real command. Nothing is created on the
real filesystem: the mount point is created on the tmpfs, and the mounts vanish with the namespace.

Standard library only, run by path (``python arc_mount.py -- CMD...``) before any engine import.
"""

from __future__ import annotations

import ctypes
import os
import stat
import sys
from pathlib import Path

KEY_DIR = Path("/var/opt/azcmagent/tokens")  # msal's _supported_arc_platforms_and_their_prefixes["linux"]
# Set for the command: "<mount namespace inode>:<folder>", so only a process in this namespace trusts it.
PRIVATE_KEY_DIR_ENV = "CHAINSIGHT_SANDBOX_ARC_KEY_DIR"
MNT_NS = "/proc/self/ns/mnt"
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x1000, 0x4000, 0x40000
NO_PRIVATE_DIR = "chainsight sandbox: no private {path} for Azure Arc in this namespace ({detail}); Arc will not work"


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    args = [None if v is None else v.encode() for v in (source, target, fstype)]
    if libc.mount(*args, ctypes.c_ulong(flags), None if data is None else data.encode()) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {target}: {os.strerror(errno)}")


def _tmpfs_over(directory: Path) -> None:
    """Cover `directory` with a tmpfs that still shows its entries (each bound back from below)."""
    mode = stat.S_IMODE(directory.stat().st_mode)
    below = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        entries = os.listdir(below)
        _mount("tmpfs", str(directory), "tmpfs", MS_NOSUID | MS_NODEV, f"mode={mode:o}")
        for name in entries:
            # /proc/self/fd/N is the directory under the new tmpfs: reach each original entry through it.
            source, target = f"/proc/self/fd/{below}/{name}", directory / name
            if os.path.islink(source):
                os.symlink(os.readlink(source), target)
                continue
            if os.path.isdir(source):
                target.mkdir()
            else:
                target.touch()
            _mount(source, str(target), None, MS_BIND | MS_REC)
    finally:
        os.close(below)


def make_private_key_dir(key_dir: Path = KEY_DIR) -> None:
    """Give this mount namespace its own empty, writable `key_dir` (call only inside a new namespace)."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # belt and braces: unshare -m already makes mounts private
    base = key_dir
    while not base.exists():
        base = base.parent
    if base == Path("/"):
        raise OSError(f"refusing to cover / to create {key_dir}")
    _tmpfs_over(base)
    key_dir.mkdir(parents=True, exist_ok=True)


def namespace_id() -> str:
    return str(os.stat(MNT_NS).st_ino)


def private_key_dir(env: dict[str, str] | os._Environ) -> Path | None:
    """The private Arc key folder, only if this process is in the namespace that made it."""
    recorded, _, path = env.get(PRIVATE_KEY_DIR_ENV, "").partition(":")
    if not recorded or not path:
        return None
    try:
        if recorded != namespace_id():
            return None
    except OSError:
        return None
    return Path(path) if os.path.isdir(path) and os.access(path, os.W_OK) else None


def main(argv: list[str]) -> int:
    command = argv[1:] if argv[:1] == ["--"] else argv
    try:
        make_private_key_dir()
        os.environ[PRIVATE_KEY_DIR_ENV] = f"{namespace_id()}:{KEY_DIR}"
    except OSError as error:
        sys.stderr.write(NO_PRIVATE_DIR.format(path=KEY_DIR, detail=error) + "\n")
    os.execvp(command[0], command)
    return 127  # not reached


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
