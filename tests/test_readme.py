"""The README's two commands are the ones CI and newcomers run."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _commands() -> list[str]:
    return re.findall(r"```sh\n(python3 -m venv[^\n]*)\n```", (ROOT / "README.md").read_text())


def test_readme_has_an_install_and_start_command_and_a_test_command():
    start, test = _commands()
    assert start.endswith(".venv/bin/chainsight")
    assert "pytest" in test and '".[test]"' in test


def test_ci_runs_the_readmes_test_command_exactly():
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert _commands()[1] in ci_lines
