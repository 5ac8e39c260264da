"""Loaded at start-up by every Python process the tests start (tests/loopback.py puts this folder on
PYTHONPATH): refuse any connection beyond loopback, as the test process does."""

import importlib.util
import os

_spec = importlib.util.spec_from_file_location(
    "_chainsight_test_loopback",
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "loopback.py"),
)
_guard = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_guard)
_guard.install()
