"""Run ruff on exported code the way a user's project with no ruff settings would (``--isolated``)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

RUFF = Path(sys.executable).with_name("ruff")
# The project's own rule selection (stricter than ruff's defaults) and ignores, applied to every export.
RULES = "E,F,W,I,B,UP,SIM,RUF"
IGNORED = "RUF001,RUF002,RUF003,B008,SIM105,E501"


def write_all(directory: Path, sources: Mapping[str, str]) -> list[Path]:
    paths = []
    for name, code in sources.items():
        path = directory / f"{name}.py"
        path.write_text(code, encoding="utf-8")
        paths.append(path)
    return paths


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(RUFF), *args], capture_output=True, text=True, timeout=60)


def format_problems(directory: Path) -> str:
    """'' when every file is already formatted, else ruff's diff."""
    proc = ruff("format", "--isolated", "--check", "--diff", str(directory))
    return "" if proc.returncode == 0 else proc.stdout + proc.stderr


def lint_problems(directory: Path) -> str:
    """'' when ruff check (the project's rule set) finds nothing, else its report."""
    proc = ruff(
        "check",
        "--isolated",
        "--no-cache",
        "--select",
        RULES,
        "--ignore",
        IGNORED,
        "--output-format",
        "concise",
        str(directory),
    )
    return "" if proc.returncode == 0 else proc.stdout + proc.stderr
