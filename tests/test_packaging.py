"""Packaging files are well formed and agree with each other and with pyproject.toml."""

from __future__ import annotations

import ast
import configparser
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
APP_ID = "io.github.chainsight.Chainsight"


def test_desktop_entry_has_the_required_keys_and_launches_the_gui_script():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(PACKAGING / f"{APP_ID}.desktop")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application" and section["Icon"] == APP_ID
    assert section["Exec"].split()[0] == "chainsight-gui"
    assert "chainsight-gui" in (ROOT / "pyproject.toml").read_text()
    assert section["Categories"].endswith(";")


def test_metainfo_is_valid_xml_naming_the_desktop_file():
    root = ET.parse(PACKAGING / f"{APP_ID}.metainfo.xml").getroot()
    assert root.tag == "component" and root.findtext("id") == APP_ID
    assert root.find("launchable").text == f"{APP_ID}.desktop"
    for element in ("name", "summary", "description", "metadata_license", "project_license"):
        assert root.find(element) is not None, element


@pytest.mark.parametrize("size", [16, 24, 32, 48, 64, 128, 256, 512])
def test_hicolor_icons_are_rendered_at_their_size(size):
    image = QImage(str(PACKAGING / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"))
    assert (image.width(), image.height()) == (size, size)


def test_pyinstaller_spec_is_python():
    ast.parse((PACKAGING / "chainsight.spec").read_text())
