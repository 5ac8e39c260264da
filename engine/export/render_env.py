"""The environment form: ``DefaultAzureCredential(...)`` and the AZURE_TOKEN_CREDENTIALS value that
selects the chain, set where the app runs rather than in code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.export.format import Bracketed
from engine.export.render_default import dac_call
from engine.profiles import Profile

SET_VARIABLE = "Set {assignments} in the app's environment."
REQUIRED = "require_envvar=True makes a missing value an error instead of the full chain."


def env_call(kwargs: Mapping[str, Any], profile: Profile) -> Bracketed:
    return dac_call(kwargs, profile)


def instructions(environment: Mapping[str, str], kwargs: Mapping[str, Any]) -> list[str]:
    """What the deployment must do, as comment text (one sentence per entry)."""
    assignments = ", ".join(f"{name}={value}" for name, value in environment.items())
    lines = [SET_VARIABLE.format(assignments=assignments)]
    if kwargs.get("require_envvar"):
        lines.append(REQUIRED)
    return lines
