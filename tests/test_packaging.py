"""Packaging files are well formed, agree with each other and with pyproject.toml, and the wheel carries the
run-time data. (packaging/smoke.sh, run by .ci/run, builds the real wheel, sdist and frozen app and uses them.)"""

from __future__ import annotations

import ast
import configparser
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import tomllib
from PySide6.QtGui import QImage

from tests.system import require_system

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
APP_ID = "io.github.chainsight.Chainsight"
DESKTOP = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"
SCENARIOS = ROOT / "engine" / "sandbox" / "scenarios"
ICONS = ROOT / "app" / "gui" / "icons"


def test_desktop_entry_has_the_required_keys_and_launches_the_gui_script():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(DESKTOP)
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application" and section["Icon"] == APP_ID
    assert section["Exec"].split()[0] == section["TryExec"] == "chainsight-gui"
    # The same name from pip (a gui-script) and from the frozen folder (a second executable in the spec).
    assert "chainsight-gui" in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["gui-scripts"]
    assert 'executable("chainsight-gui"' in (PACKAGING / "chainsight.spec").read_text()
    assert section["Categories"].endswith(";")


def test_metainfo_is_valid_xml_naming_the_desktop_file():
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component" and root.findtext("id") == APP_ID
    assert root.find("launchable").text == f"{APP_ID}.desktop"
    for element in ("name", "summary", "description", "metadata_license", "project_license"):
        assert root.find(element) is not None, element
    binaries = {b.text for b in root.iter("binary")}
    assert binaries == {"chainsight", "chainsight-gui"}


@pytest.mark.needs_system
@pytest.mark.parametrize(
    ("tool", "argv"),
    [
        ("desktop-file-validate", [str(DESKTOP)]),
        ("appstreamcli", ["validate", "--no-net", str(METAINFO)]),
    ],
)
def test_desktop_metadata_passes_the_freedesktop_validators(tool, argv):
    require_system(shutil.which(tool) is not None, f"{tool} is not installed (desktop-file-utils, appstream)")
    proc = subprocess.run([tool, *argv], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "error" not in (proc.stdout + proc.stderr).lower()


def test_icons_render_into_the_given_folder_at_every_size(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(PACKAGING / "render_icons.py"), str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        image = QImage(str(tmp_path / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"))
        assert (image.width(), image.height()) == (size, size)
    assert (tmp_path / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").read_bytes() == (
        ICONS / "chainsight.svg"
    ).read_bytes()
    assert (tmp_path / "chainsight.ico").stat().st_size > 0 and (tmp_path / "chainsight.icns").stat().st_size > 0


def test_no_generated_file_is_tracked():
    tracked = subprocess.run(
        ["git", "ls-files", "packaging"], capture_output=True, text=True, cwd=ROOT, timeout=30
    ).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    assert not [p for p in tracked if p.endswith((".png", ".ico", ".icns"))], "icons are build output (build/icons)"


def test_pyinstaller_spec_and_entry_are_python():
    ast.parse((PACKAGING / "chainsight.spec").read_text())
    ast.parse((PACKAGING / "chainsight_frozen.py").read_text())


def test_the_wheel_carries_every_scenario_and_icon(tmp_path):
    """Built offline from a copy of the sources (setuptools from the test extra), so the tree stays clean."""
    source = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("app", "engine"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    out = tmp_path / "dist"
    proc = subprocess.run(
        [sys.executable, "-c", f"from setuptools import build_meta; print(build_meta.build_wheel({str(out)!r}))"],
        capture_output=True,
        text=True,
        cwd=source,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    # setuptools warns about a deprecated license table or a data folder outside `packages`; PYTHONDONTWRITEBYTECODE
    # (set on some machines) makes it say byte-compiling is off, which is not about our configuration.
    output = (proc.stdout + proc.stderr).splitlines()
    warnings = [line for line in output if "warn" in line.lower() and "byte-compiling is disabled" not in line]
    assert not warnings, "\n".join(warnings)
    wheel = zipfile.ZipFile(out / proc.stdout.split()[-1])
    names = set(wheel.namelist())
    scenarios = sorted(SCENARIOS.glob("*.toml"))
    icons = sorted(ICONS.glob("*.svg"))
    assert len(scenarios) >= 10 and len(icons) >= 10
    missing = [p.relative_to(ROOT).as_posix() for p in scenarios + icons if p.relative_to(ROOT).as_posix() not in names]
    assert not missing, f"the wheel lacks {missing}"
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    assert "License-Expression: MIT" in wheel.read(metadata).decode()
