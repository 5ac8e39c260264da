"""Loaded at start-up by every Python process the tests start (tests/loopback.py puts this folder on
PYTHONPATH): refuse any connection beyond loopback, as the test process does.

The guard is installed when the process first imports ``socket``, not before: a process that never opens a
socket loads nothing more (tests check which modules the window loads before its first paint)."""

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys

_GUARD = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "loopback.py")


def _install_guard() -> None:
    spec = importlib.util.spec_from_file_location("_chainsight_test_loopback", _GUARD)
    guard = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(guard)
    guard.install()


class _GuardSocketOnImport(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname != "socket":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            sys.modules["socket"] = module  # loopback.py imports socket: it must find this one
            _install_guard()

        spec.loader.exec_module = exec_module
        return spec


if "socket" in sys.modules:
    _install_guard()
else:
    sys.meta_path.insert(0, _GuardSocketOnImport())
