"""The engine never imports Qt: every module under engine/ imports with PySide6 made unimportable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

BLOCK_QT = r"""
import importlib, pkgutil, sys

class BlockQt:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6", "app", "azure"):
            raise ImportError(f"{name} is blocked: the engine must not import it")
        return None

sys.meta_path.insert(0, BlockQt())
import engine
failed = []
names = ["engine"]
for info in pkgutil.walk_packages(engine.__path__, "engine."):
    names.append(info.name)
for name in names:
    try:
        importlib.import_module(name)
    except Exception as ex:
        failed.append(f"{name}: {type(ex).__name__}: {ex}")
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "app", "azure"))
print(len(names), "modules")
print("FAILED" if failed or loaded else "OK", failed, loaded)
"""


def test_every_engine_module_imports_without_qt_app_or_azure_identity():
    result = subprocess.run([sys.executable, "-c", BLOCK_QT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout, result.stdout
