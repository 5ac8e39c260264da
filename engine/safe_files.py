"""Reading the files a user names (specs, scenarios, certificates, token files) without hanging or bloating.

A FIFO or a device named as a file would block ``open()`` or never reach end of file (``/dev/zero`` as a
spec ran the process out of memory). Only regular files are read, and only up to a size limit; the file
is opened without blocking and checked again on the descriptor, so a swap between check and open is
refused too.
"""

from __future__ import annotations

import os
import stat

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
NOT_REGULAR = "{path}: not a regular file ({kind}); give the path of a file"
TOO_LARGE = "{path}: larger than {limit} bytes; this is not a {what}"
UNREADABLE = "{path}: cannot read it ({reason})"


class FileRefused(OSError):
    """A named file that is not a readable regular file of sensible size; the message names it."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # the message without the path, for callers that name the file themselves


def read_regular(path: str | os.PathLike, *, what: str = "file", max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a regular file; FileRefused (an OSError) for anything else, with a one-line message."""
    shown = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as ex:
        raise _refused(UNREADABLE, shown, reason=ex.strerror or ex) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _refused(NOT_REGULAR, shown, kind=_kind(info.st_mode))
        if info.st_size > max_bytes:
            raise _refused(TOO_LARGE, shown, limit=max_bytes, what=what)
        chunks, total = [], 0
        while chunk := os.read(fd, 65536):
            total += len(chunk)
            if total > max_bytes:  # grew while we read
                raise _refused(TOO_LARGE, shown, limit=max_bytes, what=what)
            chunks.append(chunk)
        return b"".join(chunks)
    except FileRefused:
        raise
    except OSError as ex:
        raise _refused(UNREADABLE, shown, reason=ex.strerror or ex) from None
    finally:
        os.close(fd)


def _refused(template: str, path: str, **values: object) -> FileRefused:
    message = template.format(path=path, **values)
    return FileRefused(message, message.removeprefix(f"{path}: "))


def _kind(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "a special file")


def refuse_special(path: str | os.PathLike, *, what: str = "file", max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """FileRefused when ``path`` exists but is not a regular file of sensible size; silent otherwise.

    For readers that must keep the platform's own error for a missing or unreadable file (azure-identity's
    messages quote it) while never blocking on a FIFO or reading a device without end.
    """
    try:
        info = os.stat(path)
    except OSError:
        return  # the caller's own open() reports it as azure-identity would
    if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
        raise _refused(NOT_REGULAR, str(path), kind=_kind(info.st_mode))
    if info.st_size > max_bytes:
        raise _refused(TOO_LARGE, str(path), limit=max_bytes, what=what)
