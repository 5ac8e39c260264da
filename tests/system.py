"""Tests that need a system component (a browser, Xvfb, network namespaces, a keyring daemon).

Locally they skip with a clear reason; CI sets CHAINSIGHT_REQUIRE_SYSTEM=1 and then every such skip
is a failure, so a missing install step in .ci/run cannot hide behind a green run.
"""

from __future__ import annotations

import os

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
