"""The report (collection and renderers) never imports Qt: the command line builds it without a display."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

BLOCK_QT = r"""
import importlib, pkgutil, sys

class BlockQt:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6"):
            raise ImportError(f"{name} is blocked: the report must not import it")
        return None

sys.meta_path.insert(0, BlockQt())
import app.report
names = ["app.report", "app.cli.report"]
names += [info.name for info in pkgutil.walk_packages(app.report.__path__, "app.report.")]
for name in names:
    importlib.import_module(name)
print("OK", len(names))
"""


def test_every_report_module_imports_without_qt():
    result = subprocess.run([sys.executable, "-c", BLOCK_QT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK"), result.stdout
