"""The diagnosis and the command line never import Qt: the window, ``run`` and the report share one module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

BLOCK_QT = r"""
import importlib, pkgutil, sys

class BlockQt:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6", "azure"):
            raise ImportError(f"{name} is blocked")
        return None

sys.meta_path.insert(0, BlockQt())
import app.diagnosis
names = ["app.diagnosis", "app.cli.run", "app.cli.scan", "app.cli.whatif"]
names += [info.name for info in pkgutil.walk_packages(app.diagnosis.__path__, "app.diagnosis.")]
failed = []
for name in names:
    try:
        importlib.import_module(name)
    except Exception as ex:
        failed.append(f"{name}: {type(ex).__name__}: {ex}")
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "azure"))
print("FAILED" if failed or loaded else "OK", failed, loaded)
"""


def test_the_diagnosis_and_the_cli_import_without_qt():
    result = subprocess.run([sys.executable, "-c", BLOCK_QT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout, result.stdout
