"""--profile auto: the interpreter's azure-identity version, read from metadata, mapped to a profile."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.cli import main
from app.profile_detection import (
    NEWER_THAN_KNOWN,
    NO_INTERPRETER_FOUND,
    detect,
    installed_version,
    profile_for_version,
)


def _fake_python(folder: Path, version: str | None) -> Path:
    """An "interpreter" that answers the metadata query the way a venv with ``version`` would."""
    folder.mkdir(parents=True, exist_ok=True)
    python = folder / "python"
    answer = version or ""
    python.write_text(f"#!/bin/sh\n# must not import azure.identity\necho '{answer}'\n")
    python.chmod(0o755)
    return python


@pytest.mark.parametrize(
    ("found", "profile", "version"),
    [
        ("1.23.1", "1.23", "1.23.1"),
        ("1.23.0", "1.23", "1.23.0"),
        ("1.19.0", "1.19", "1.19.0"),
        ("1.25.1", "1.25", "1.25.1"),
    ],
)
def test_a_release_maps_to_its_minor_with_that_patch_s_switches(found, profile, version):
    chosen, warning = profile_for_version(found)
    assert (chosen.name, chosen.version, warning) == (profile, version, "")


def test_a_newer_release_maps_to_the_newest_with_a_warning():
    chosen, warning = profile_for_version("1.31.0b1")
    assert chosen.name == "1.27"
    assert warning == NEWER_THAN_KNOWN.format(found="1.31.0b1", version="1.27.0")


def test_an_older_release_is_unsupported():
    with pytest.raises(ValueError, match=r"1\.18\.3 is older than 1\.19"):
        profile_for_version("1.18.3")


def test_detect_reads_the_version_through_the_interpreter(tmp_path):
    detection = detect(_fake_python(tmp_path / "bin", "1.21.0"))
    assert detection.profile.version == "1.21.0"
    assert "1.21.0 found for" in detection.reason


def test_detect_finds_a_venv_in_the_working_directory(tmp_path):
    _fake_python(tmp_path / ".venv" / "bin", "1.24.0")
    assert detect(cwd=tmp_path).profile.name == "1.24"


def test_detect_without_an_interpreter_uses_the_newest_and_says_so(tmp_path):
    detection = detect(cwd=tmp_path)
    assert detection.profile.name == "1.27"
    assert detection.reason == NO_INTERPRETER_FOUND.format(cwd=tmp_path, version="1.27.0")


def test_detect_when_azure_identity_is_not_installed(tmp_path):
    detection = detect(_fake_python(tmp_path / "bin", None))
    assert detection.profile.name == "1.27" and "not installed" in detection.reason


def test_the_real_query_never_imports_azure_identity():
    # This interpreter has azure-identity 1.27.0 (the oracle's pin); the query must not import it.
    assert installed_version(sys.executable) == "1.27.0"
    assert "import azure" not in __import__("app.profile_detection").profile_detection.VERSION_QUERY


def test_run_with_profile_auto_names_the_profile_and_why(tmp_path, capsys):
    python = _fake_python(tmp_path / "bin", "1.20.0")
    code = main(["run", "--profile", "auto", "--python", str(python), "--dry-run", "--json"])
    captured = capsys.readouterr()
    assert code == 0
    assert '"profile": "1.20.0"' in captured.out
    assert "profile 1.20: azure-identity 1.20.0 found for" in captured.err


def test_run_with_profile_auto_refuses_a_release_older_than_1_19(tmp_path, capsys):
    python = _fake_python(tmp_path / "bin", "1.17.1")
    assert main(["run", "--profile", "auto", "--python", str(python), "--dry-run"]) == 2
    assert "older than 1.19" in capsys.readouterr().err
