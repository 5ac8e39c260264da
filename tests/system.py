"""Tests that need a system component (a browser, Xvfb, network namespaces, a keyring daemon) or the oracle.

Locally they skip with a clear reason; CI sets CHAINSIGHT_REQUIRE_SYSTEM=1 and then every such skip
is a failure, so a missing install step in .ci/run cannot hide behind a green run.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest

REQUIRE_SYSTEM_ENV = "CHAINSIGHT_REQUIRE_SYSTEM"


def system_required() -> bool:
    return os.environ.get(REQUIRE_SYSTEM_ENV) == "1"


def require_system(available: bool, reason: str) -> None:
    """Skip when a system component is missing, unless CI demands it: then fail."""
    if available:
        return
    if system_required():
        pytest.fail(f"required system component missing: {reason}", pytrace=False)
    pytest.skip(reason)


ORACLE_MISSING = (
    "the oracle is not installed ({module}: {error}); it is pinned in the test extra: pip install -e '.[test]'"
)


def require_oracle(module: str = "azure.identity") -> ModuleType:
    """The oracle (the real azure-identity, or a module it needs), imported; one policy wherever it is used:
    skipped with the reason locally, a failure under CI (CHAINSIGHT_REQUIRE_SYSTEM=1), where a missing
    oracle would otherwise pass every fidelity check by skipping it. Works at module level and in a test."""
    try:
        return importlib.import_module(module)
    except ImportError as ex:
        reason = ORACLE_MISSING.format(module=module, error=ex)
        if system_required():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason, allow_module_level=True)
