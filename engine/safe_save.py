"""Saving a file safely: a unique temporary file beside the target, fsync, rename over it.

A fixed ``name.tmp`` could be a symlink someone planted (the write would follow it) or be left behind
by a crash; an in-place write leaves half a file on a full disk. Here the temporary file is created
with O_EXCL under a random name in the target's folder (so the rename stays on one file system), gets
the target's mode, is flushed to disk and only then renamed over the target. On any failure the target
is untouched and the temporary file is removed; the SaveError says what went wrong in one line.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

CANNOT_SAVE = "cannot save {path}: {reason}"
NO_FOLDER = "the folder {folder} does not exist"
IS_FOLDER = "it is a folder; give a file name"
DISK_FULL = "the disk is full"
READ_ONLY = "the folder is read-only"
NOT_ALLOWED = "permission denied"
REASONS = {
    errno.ENOSPC: DISK_FULL,
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: READ_ONLY,
    errno.EACCES: NOT_ALLOWED,
    errno.EPERM: NOT_ALLOWED,
}


class SaveError(OSError):
    """The file could not be saved; the target is as it was. ``usage`` marks a bad path (not the disk)."""

    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage

    def __str__(self) -> str:
        return self.args[0]


def save_text(path: str | os.PathLike, text: str, *, default_mode: int = 0o644) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; returns the file written (a symlink's target)."""
    return save_bytes(path, text.encode("utf-8"), default_mode=default_mode)


def save_bytes(path: str | os.PathLike, data: bytes, *, default_mode: int = 0o644) -> Path:
    target = Path(os.path.realpath(path))  # saving through a symlink keeps the link and updates its file
    shown = str(path)
    if target.is_dir():
        raise SaveError(CANNOT_SAVE.format(path=shown, reason=IS_FOLDER), usage=True)
    if not target.parent.is_dir():
        raise SaveError(CANNOT_SAVE.format(path=shown, reason=NO_FOLDER.format(folder=target.parent)), usage=True)
    mode = _mode_of(target, default_mode)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.replace(tmp, target)
        tmp = None
        _sync_folder(target.parent)
    except OSError as ex:
        reason = REASONS.get(ex.errno or 0, ex.strerror or str(ex))
        raise SaveError(CANNOT_SAVE.format(path=shown, reason=reason)) from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return target


def _mode_of(target: Path, default_mode: int) -> int:
    """The existing file's permission bits, else ``default_mode`` less the umask (as open() would give)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return default_mode & ~umask


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; some file systems cannot, which is not a failure of the save."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
