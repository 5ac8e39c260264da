"""A fake developer tool (az, azd, pwsh) on PATH that answers from files and records each call.

Each call prints the next scripted reply (stdout and stderr as raw bytes, an exit code, or a sleep;
the last reply repeats) and records its argv, working directory and environment, so a test can run
the real azure-identity and the engine against the same executable and compare what both spawned.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

SCRIPT = """#!/bin/sh
calls='{calls}'
i=$(ls "$calls" | wc -l)
d="$calls/$(printf %04d "$i")"
mkdir "$d"
for a in "$@"; do printf '%s\\0' "$a"; done > "$d/argv"
pwd > "$d/cwd"
env -0 > "$d/env"
r='{replies}'/$i
[ -d "$r" ] || r='{replies}'/last
[ -f "$r/sleep" ] && exec sleep "$(cat "$r/sleep")"
cat "$r/stdout"
cat "$r/stderr" >&2
exit "$(cat "$r/code")"
"""


@dataclass(frozen=True)
class Reply:
    """What one call of the tool does: print and exit, or hang for ``sleep`` seconds."""

    stdout: str | bytes = ""
    stderr: str | bytes = ""
    code: int = 0
    sleep: float | None = None


@dataclass(frozen=True)
class Call:
    argv: list[str]
    cwd: str
    env: dict[str, str]


class FakeTool:
    """An executable ``name`` in ``bin_dir`` answering with ``replies`` in turn."""

    def __init__(self, root: Path, name: str, *replies: Reply) -> None:
        self.root = root / f"fake-{name}"
        self.bin_dir = self.root / "bin"
        self.calls_dir = self.root / "calls"
        self.replies_dir = self.root / "replies"
        for directory in (self.bin_dir, self.calls_dir, self.replies_dir):
            directory.mkdir(parents=True, exist_ok=True)
        for index, reply in enumerate(replies or (Reply(),)):
            self._write_reply(str(index), reply)
        self._write_reply("last", (replies or (Reply(),))[-1])
        self.path = self.bin_dir / name
        self.path.write_text(SCRIPT.format(calls=self.calls_dir, replies=self.replies_dir))
        self.path.chmod(self.path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)

    def _write_reply(self, key: str, reply: Reply) -> None:
        folder = self.replies_dir / key
        folder.mkdir(exist_ok=True)
        for stream in ("stdout", "stderr"):
            data = getattr(reply, stream)
            (folder / stream).write_bytes(data.encode() if isinstance(data, str) else data)
        (folder / "code").write_text(str(reply.code))
        if reply.sleep is not None:
            (folder / "sleep").write_text(f"{reply.sleep:g}")

    def calls(self) -> list[Call]:
        recorded = []
        for folder in sorted(self.calls_dir.iterdir()):
            argv = (folder / "argv").read_bytes().split(b"\0")[:-1]
            env = dict(entry.decode().split("=", 1) for entry in (folder / "env").read_bytes().split(b"\0") if entry)
            recorded.append(Call([a.decode() for a in argv], (folder / "cwd").read_text().strip(), env))
        return recorded

    def reset_calls(self) -> None:
        for folder in self.calls_dir.iterdir():
            for file in folder.iterdir():
                file.unlink()
            folder.rmdir()


def tool_path(*tools: FakeTool) -> str:
    """A PATH with the fake tools first and the system's basics (sh, cat, sleep) after."""
    return os.pathsep.join([*(str(t.bin_dir) for t in tools), "/usr/bin", "/bin"])


def install(monkeypatch, root: Path, name: str, *replies: Reply) -> FakeTool:
    """A fake ``name`` put first on this process's PATH (which the engine's Host copies)."""
    tool = FakeTool(root, name, *replies)
    monkeypatch.setenv("PATH", tool_path(tool))
    return tool
