"""A simulated Azure machine on loopback: Entra ID authority, managed-identity endpoints, az/azd/pwsh,
shared token cache and an intercepting proxy, described by scenario files.

Imports are lazy so the fake tools (which live in this package) start without loading TLS or JWT code.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.sandbox.sandbox import Sandbox

__all__ = ["Sandbox", "list_scenarios", "load_scenario", "start"]


def start(
    name_or_path: str | Path, *, overrides: dict[str, Any] | None = None, base_env: dict[str, str] | None = None
) -> Sandbox:
    """Load a scenario (name or .toml path), apply overrides and start its sandbox."""
    from engine.sandbox.sandbox import Sandbox

    return Sandbox(load_scenario(name_or_path, overrides), base_env=base_env).start()


def load_scenario(name_or_path: str | Path, overrides: dict[str, Any] | None = None):
    from engine.sandbox import scenario

    loaded = scenario.load(name_or_path)
    return scenario.with_overrides(loaded, overrides) if overrides else loaded


def list_scenarios() -> list[str]:
    from engine.sandbox import scenario

    return scenario.list_scenarios()


def __getattr__(name: str) -> Any:
    if name == "Sandbox":
        from engine.sandbox.sandbox import Sandbox

        return Sandbox
    raise AttributeError(name)
